public import ClaveCore
public import ClaveCrypto

/// What a chain starts from: its configuration, the wallets funded at genesis and the genesis time.
///
/// Its hash, keccak256 of the canonical JSON of ``json``, is the parent of block 0, so every block hash commits to
/// the chain's rules and starting balances.
public struct Genesis: Sendable, Hashable {
    public var configuration: ChainConfiguration
    /// Wallet amounts (nano-units) at genesis.
    public var allocations: [Address: UInt64]
    /// Unix seconds, the timestamp of block 0.
    public var timestamp: UInt64

    public init(configuration: ChainConfiguration, allocations: [Address: UInt64] = [:], timestamp: UInt64 = 0) {
        self.configuration = configuration
        self.allocations = allocations
        self.timestamp = timestamp
    }

    /// The state before block 0.
    public var state: State { State(configuration: configuration, genesis: allocations) }

    /// `{"chain": {…}, "allocations": {"0xAddress": "amount"}, "timestamp": "…"}`; integers as decimal strings.
    public var json: JSONValue {
        let chain: JSONValue = [
            "chainId": .decimal(configuration.chainId), "hub": .string(configuration.hub.checksummed),
            "isDevelopment": .bool(configuration.isDevelopment), "faucetLimit": .decimal(configuration.faucetLimit),
            "categories": .array(
                configuration.categories.map { ["name": .string($0.name), "timeref": .decimal($0.timeref)] }),
            "workerStakeRatio": .decimal(configuration.workerStakeRatio),
            "schedulerRewardRatio": .decimal(configuration.schedulerRewardRatio),
            "schedulerStakeRatio": .decimal(configuration.schedulerStakeRatio),
            "kittyRatio": .decimal(configuration.kittyRatio), "kittyMinimum": .decimal(configuration.kittyMinimum),
        ]
        var allocations = JSONValue.Object()
        // Canonical JSON sorts the members; the order here does not matter.
        for (address, amount) in self.allocations {
            allocations[address.checksummed] = .decimal(amount)
        }
        return ["chain": chain, "allocations": .object(allocations), "timestamp": .decimal(timestamp)]
    }

    /// Reads a genesis document written by ``json``.
    public init(json: JSONValue) throws(LedgerError) {
        func fail(_ what: String) -> LedgerError {
            LedgerError(
                .corruptStore, "The stored genesis document is unreadable: \(what). Restore the database from a backup."
            )
        }
        func decimal(_ value: JSONValue?, _ name: String) throws(LedgerError) -> UInt64 {
            guard let text = value?.stringValue, let number = UInt64(text) else {
                throw fail("\(name) is not a decimal string")
            }
            return number
        }
        guard let chain = json["chain"], let allocationsObject = json["allocations"]?.objectValue else {
            throw fail("chain or allocations is missing")
        }
        guard let hubText = chain["hub"]?.stringValue, let hub = try? Address(hubText),
            let isDevelopment = chain["isDevelopment"]?.boolValue, let categoriesJSON = chain["categories"]?.arrayValue
        else { throw fail("hub, isDevelopment or categories is missing") }
        var categories: [Category] = []
        for category in categoriesJSON {
            guard let name = category["name"]?.stringValue else { throw fail("a category has no name") }
            categories.append(Category(name: name, timeref: try decimal(category["timeref"], "timeref")))
        }
        let configuration = ChainConfiguration(
            chainId: try decimal(chain["chainId"], "chainId"), hub: hub, isDevelopment: isDevelopment,
            faucetLimit: try decimal(chain["faucetLimit"], "faucetLimit"), categories: categories,
            workerStakeRatio: try decimal(chain["workerStakeRatio"], "workerStakeRatio"),
            schedulerRewardRatio: try decimal(chain["schedulerRewardRatio"], "schedulerRewardRatio"),
            schedulerStakeRatio: try decimal(chain["schedulerStakeRatio"], "schedulerStakeRatio"),
            kittyRatio: try decimal(chain["kittyRatio"], "kittyRatio"),
            kittyMinimum: try decimal(chain["kittyMinimum"], "kittyMinimum"))
        var allocations: [Address: UInt64] = [:]
        for (key, value) in allocationsObject {
            guard let address = try? Address(key) else { throw fail("allocation key \(key) is not an address") }
            allocations[address] = try decimal(value, "allocation")
        }
        self.init(
            configuration: configuration, allocations: allocations,
            timestamp: try decimal(json["timestamp"], "timestamp"))
    }

    /// keccak256 of the canonical JSON of the genesis document.
    public var hash: Bytes32 { CanonicalJSON.digest(json) }

    /// Block 0: no transactions, no events, parent = the genesis document's hash.
    public var block: Block {
        Block(height: 0, parent: hash, timestamp: timestamp, transactions: [], eventsDigest: .zero)
    }
}
