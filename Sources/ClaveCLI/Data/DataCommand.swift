import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket

/// `clave data`: protect data, and decide who may use it (docs/data-protector.md).
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Protect data and decide which app, for which requester, may use it.",
        subcommands: [
            Protect.self, Decrypt.self, List.self, Show.self, Grant.self, Access.self, Revoke.self, Transfer.self,
        ]
    )

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant an app (for a requester, or anyone) a number of runs on protected data.",
            discussion: """
                Signs a dataset order and publishes it in the node's orderbook.

                Example: clave data grant 0x5a1e...d00d --app 0xab12...9f3c --user 0x70c0...1ce5 --count 10
                """
        )

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The protected data's address.", transform: parseAddress)
        var protectedData: Address

        @Option(help: "The app that may process the data.", transform: parseAddress)
        var app: Address

        @Option(help: "The requester who may ask for runs (default: anyone).", transform: parseAddress)
        var user: Address = .zero

        @Option(help: "The workerpool the runs must use (default: any).", transform: parseAddress)
        var pool: Address = .zero

        @Option(help: "What each run pays you, in nano-units.")
        var price: UInt64 = 0

        @Option(help: "How many runs the grant allows.")
        var count: UInt64 = 1

        @Flag(help: "Require a hardware enclave (tag bit 0, tee): simulated attestation is then refused.")
        var tee = false

        func run() async throws {
            let protector = try remote.dataProtector(owner: signer.key())
            let grant = try await remote.ask {
                try await protector.grantAccess(
                    AccessGrant(
                        protectedData: protectedData, authorizedApp: app, authorizedUser: user, workerpool: pool,
                        pricePerAccess: price, numberOfAccess: count, tag: tee ? Tag.with(Tag.tee) : .zero))
            }
            remote.emit(grant.entry.json) {
                ["Granted \(grant.order.volume) run(s) of \(protectedData)"] + Format.grant(grant)
                    + ["Revoke it with: clave data revoke \(grant.orderHash)"]
            }
        }
    }

    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the open grants of protected data, with the runs left.",
            discussion: "Example: clave data access 0x5a1e...d00d --user 0x70c0...1ce5"
        )

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "Only grants of this protected data.", transform: parseAddress)
        var protectedData: Address?

        @Option(help: "Only grants this app may use.", transform: parseAddress)
        var app: Address?

        @Option(help: "Only grants this requester may use.", transform: parseAddress)
        var user: Address?

        @Flag(help: "With --user: only grants naming exactly that requester, not those open to anyone.")
        var strict = false

        @Option(help: "The most grants to list (1 to 100).")
        var limit = 20

        @Option(help: "Continue after this cursor (printed under the previous page).")
        var cursor: String?

        func run() async throws {
            let protector = try remote.dataProtector()
            let cursor = try cursor.map { (text) throws in try OrderCursor(text) }
            let page = try await remote.ask {
                try await protector.grantedAccess(
                    GrantedAccessQuery(
                        protectedData: protectedData, authorizedApp: app, authorizedUser: user, isUserStrict: strict,
                        pageSize: limit, cursor: cursor))
            }
            let json: JSONValue = .object([
                "grants": .array(page.grants.map(\.entry.json)),
                "nextCursor": page.nextCursor.map { .string($0.description) } ?? .null,
            ])
            remote.emit(json) {
                guard !page.grants.isEmpty else { return ["No open grant."] }
                var lines = page.grants.flatMap { Format.grant($0) + [""] }
                if let next = page.nextCursor { lines.append("More: --cursor \(next)") }
                return lines
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a grant (or all grants of protected data): closed on the ledger, never matched again.",
            discussion: """
                A revoked grant also stops the SMS from releasing the data's key to tasks of deals already made with it.

                Examples: clave data revoke 0x9c0f...e2a1
                          clave data revoke --all 0x5a1e...d00d
                """
        )

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The grant's order hash.", transform: parseBytes32)
        var orderHash: Bytes32?

        @Option(
            name: .customLong("all"), help: "Revoke every open grant of this protected data.", transform: parseAddress)
        var all: Address?

        @Option(help: "With --all: only the grants this app may use.", transform: parseAddress)
        var app: Address?

        @Option(help: "With --all: only the grants this requester may use.", transform: parseAddress)
        var user: Address?

        func validate() throws {
            guard (orderHash == nil) != (all == nil) else {
                throw ValidationError(
                    "Give either a grant's order hash or --all <protected data>, not both or neither.")
            }
        }

        func run() async throws {
            let protector = try remote.dataProtector(owner: signer.key())
            let revoked: [Bytes32]
            if let orderHash {
                _ = try await remote.ask { try await protector.revokeOneAccess(orderHash) }
                revoked = [orderHash]
            } else {
                let all = all!
                revoked = try await remote.ask {
                    try await protector.revokeAllAccess(protectedData: all, authorizedApp: app, authorizedUser: user)
                }
            }
            remote.emit(.object(["revoked": .array(revoked.map { .string($0.description) })])) {
                revoked.isEmpty ? ["No open grant to revoke."] : revoked.map { "Revoked \($0)" }
            }
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hand protected data over to another account, which alone may grant it from then on.",
            discussion: "Example: clave data transfer 0x5a1e...d00d 0x70c0...1ce5"
        )

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The protected data's address.", transform: parseAddress)
        var protectedData: Address

        @Argument(help: "The new owner's address.", transform: parseAddress)
        var newOwner: Address

        func run() async throws {
            let protector = try remote.dataProtector(owner: signer.key())
            let receipt = try await remote.ask { try await protector.transferOwnership(protectedData, to: newOwner) }
            remote.emit(receipt.json) {
                ["\(protectedData) now belongs to \(newOwner)"] + Format.receipt(receipt)
            }
        }
    }
}

extension RemoteOptions {
    /// A DataProtector over the node's services; `owner` signs (a throwaway key when the command only reads).
    func dataProtector(owner: PrivateKey? = nil) throws -> DataProtector {
        let connection = try connection()
        return DataProtector(
            ledger: LedgerClient(connection: connection), orderbook: OrderbookClient(connection: connection),
            blobs: BlobStoreClient(connection: connection), sms: SecretServiceClient(connection: connection),
            owner: owner ?? .generate())
    }

    func secrets() throws -> SecretServiceClient { SecretServiceClient(connection: try connection()) }
}
