public import ClaveCrypto
public import HashTreeCollections

/// The whole protocol state of one chain, as a value, and its only transition: ``apply(_:at:)``.
///
/// No I/O and no clock: the time of each transaction is an argument. The ledger around it checks signatures, orders
/// transactions into blocks and stores them; replaying the same transactions at the same times from the same genesis
/// gives the same state and the same events, everywhere.
///
/// Its tables are persistent hash maps (`TreeDictionary`, `TreeSet`): a copy shares them, and a change to the copy
/// copies only the path to what changed. The ledger holds two states at once (the last durable one, which it answers
/// from, and the one the next block is applied to), so with standard dictionaries every block copied each table it
/// touched whole, a cost that grew with the chain (docs/ledger.md, "Throughput").
public struct State: Sendable, Hashable {
    public let configuration: ChainConfiguration
    /// The EIP-712 domain of the chain's orders.
    public let orderDomain: OrderDomain

    /// Every account with something in it (an account with all fields zero is not stored).
    public private(set) var accounts: TreeDictionary<Address, Account>
    public private(set) var apps: TreeDictionary<Address, App>
    public private(set) var datasets: TreeDictionary<Address, Dataset>
    public private(set) var workerpools: TreeDictionary<Address, Workerpool>
    /// Who presigned each order hash.
    public private(set) var presignatures: TreeDictionary<Bytes32, Address>
    /// The volume consumed of each order hash (its volume once closed).
    public private(set) var consumedVolumes: TreeDictionary<Bytes32, UInt64>
    /// The hashes of the orders closed by their signer (`closeOrder`): revoked, whatever volume was left.
    public private(set) var closedOrders: TreeSet<Bytes32>
    public private(set) var deals: TreeDictionary<Bytes32, Deal>
    /// Initialized tasks.
    public private(set) var tasks: TreeDictionary<Bytes32, ComputeTask>
    /// The schedulers' stakes seized from failed tasks, paid back bit by bit to schedulers who complete tasks.
    public private(set) var kitty: UInt64

    /// A chain at its start: each address in `genesis` holds that amount in its wallet.
    public init(configuration: ChainConfiguration, genesis: [Address: UInt64] = [:]) {
        self.configuration = configuration
        self.orderDomain = configuration.orderDomain
        self.accounts = TreeDictionary(
            uniqueKeysWithValues: genesis.filter { $0.value > 0 }.mapValues { Account(wallet: $0) })
        self.apps = [:]
        self.datasets = [:]
        self.workerpools = [:]
        self.presignatures = [:]
        self.consumedVolumes = [:]
        self.closedOrders = []
        self.deals = [:]
        self.tasks = [:]
        self.kitty = 0
    }

    // MARK: Reading

    /// The account of `address` (all zero if it never held anything).
    public func account(_ address: Address) -> Account { accounts[address] ?? Account() }
    public func app(_ address: Address) -> App? { apps[address] }
    public func dataset(_ address: Address) -> Dataset? { datasets[address] }
    public func workerpool(_ address: Address) -> Workerpool? { workerpools[address] }
    public func deal(_ id: Bytes32) -> Deal? { deals[id] }
    /// The task, once initialized.
    public func task(_ id: Bytes32) -> ComputeTask? { tasks[id] }
    /// The volume consumed of the order with this hash.
    public func consumed(_ orderHash: Bytes32) -> UInt64 { consumedVolumes[orderHash] ?? 0 }
    /// Whether the order with this hash was closed by its signer. An order whose volume was used up by deals is not
    /// closed; a closed order can never be matched again.
    public func isClosed(_ orderHash: Bytes32) -> Bool { closedOrders.contains(orderHash) }
    /// Who presigned the order with this hash, if anyone did.
    public func presigner(_ orderHash: Bytes32) -> Address? { presignatures[orderHash] }

    /// The volume left of `order`: its volume minus what is consumed.
    public func remainingVolume(_ order: AnyOrder) -> UInt64 {
        let consumed = consumed(order.hash(in: orderDomain))
        return order.volume > consumed ? order.volume - consumed : 0
    }

    // MARK: Applying transactions

    /// Applies `transaction` at `time` (Unix seconds) and returns what happened, or throws why it was refused.
    ///
    /// A refused transaction changes nothing, not even the sender's nonce. Every check runs against the current state
    /// while the changes are collected on the side; only when all of them passed are the few touched
    /// entries written back, so a transaction costs the same whatever the size of the state.
    public mutating func apply(_ transaction: Transaction, at time: UInt64) throws(Rejection) -> [Event] {
        let outcome = try Draft.run(transaction, at: time, on: self)
        commit(outcome.changes)
        return outcome.events
    }

    /// Writes back the entries a transaction changed.
    private mutating func commit(_ changes: Draft.Changes) {
        for (address, account) in changes.accounts {
            if account.isEmpty {
                accounts.removeValue(forKey: address)
            } else {
                accounts[address] = account
            }
        }
        for (address, app) in changes.apps { apps[address] = app }
        for (address, dataset) in changes.datasets { datasets[address] = dataset }
        for (address, workerpool) in changes.workerpools { workerpools[address] = workerpool }
        for (hash, signer) in changes.presignatures { presignatures[hash] = signer }
        for (hash, volume) in changes.consumedVolumes { consumedVolumes[hash] = volume }
        closedOrders.formUnion(changes.closedOrders)
        for (id, deal) in changes.deals { deals[id] = deal }
        for (id, task) in changes.tasks { tasks[id] = task }
        if let kitty = changes.kitty { self.kitty = kitty }
    }
}
