import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import ClaveMarket
public import Logging
public import ServiceLifecycle

/// The market side of running a workerpool: registering it once, and keeping a WorkerpoolOrder open for each
/// category it serves, as iExec's schedulers publish theirs (docs/workerpool.md, "Orders").
public struct PoolMarket: Service {
    public struct Configuration: Sendable {
        /// The workerpool's description on the ledger.
        public var description: String
        /// What a task costs in this pool, in nano-units.
        public var price: UInt64
        /// The highest trust the pool accepts (how many agreeing workers a requester may ask for).
        public var maximumTrust: UInt64
        /// How many tasks each published order offers; a new order is published when one runs low.
        public var volume: UInt64
        /// The categories served; nil for every category of the chain.
        public var categories: [UInt64]?
        /// How often the orders and the stake are checked.
        public var interval: Duration
        /// How many tasks' scheduler stake the owner keeps free in its escrow when the price is not 0: each deal locks
        /// the stake of its tasks (a share of the price, the chain's `schedulerStakeRatio`) until they end. When the
        /// free balance falls under half of this, the pool deposits from the owner's wallet back up to it.
        public var stakeReserve: UInt64

        public init(
            description: String = "Clave node workerpool", price: UInt64 = 0, maximumTrust: UInt64 = 8,
            volume: UInt64 = 1_000_000, categories: [UInt64]? = nil, interval: Duration = .seconds(5),
            stakeReserve: UInt64 = 1_000
        ) {
            self.description = description
            self.price = price
            self.maximumTrust = maximumTrust
            self.volume = volume
            self.categories = categories
            self.interval = interval
            self.stakeReserve = stakeReserve
        }
    }

    public let configuration: Configuration
    public let workerpool: Address
    private let ledger: any LedgerService
    private let orderbook: any Orderbook
    private let owner: PrivateKey
    /// Signs the owner's transactions; the pool's scheduler signs with the same key, and should be given this sender
    /// (its `sender:` parameter) so that the two never race for a nonce.
    public let sender: TransactionSender
    private let logger: Logger

    /// Registers the workerpool owned by `owner` (or finds the one it registered before) and publishes its orders.
    public init(
        configuration: Configuration = Configuration(), ledger: any LedgerService, orderbook: any Orderbook,
        owner: PrivateKey, logger: Logger
    ) async throws {
        self.configuration = configuration
        self.ledger = ledger
        self.orderbook = orderbook
        self.owner = owner
        self.logger = logger
        let sender = TransactionSender(key: owner, ledger: ledger)
        self.sender = sender
        workerpool = try await Self.register(
            description: configuration.description, sender: sender, ledger: ledger, logger: logger)
        try await keepStake()
        try await publishWhereLow()
    }

    /// Keeps the orders open until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: configuration.interval)
                } catch {
                    return
                }
                do {
                    try await keepStake()
                } catch {
                    logger.warning("could not deposit the scheduler stake", metadata: ["reason": "\(error)"])
                }
                do {
                    try await publishWhereLow()
                } catch {
                    logger.warning("could not publish the workerpool's orders", metadata: ["reason": "\(error)"])
                }
            }
        }
    }

    /// Publishes an order for each served category that has none open with at least a tenth of the volume left.
    public func publishWhereLow() async throws {
        let chain = try await ledger.chainInfo().configuration
        let categories = configuration.categories ?? Array(0..<UInt64(chain.categories.count))
        for category in categories {
            let open = try await orderbook.query(
                OrderQuery(kind: .workerpool, workerpool: workerpool, category: category, limit: 100)
            ).entries
            let left = open.reduce(UInt64(0)) { $0 &+ $1.remainingVolume }
            guard left < max(configuration.volume / 10, 1) else { continue }
            let order = WorkerpoolOrder(
                workerpool: workerpool, workerpoolprice: configuration.price, volume: configuration.volume,
                tag: .zero, category: category, trust: configuration.maximumTrust, apprestrict: .zero,
                datasetrestrict: .zero, requesterrestrict: .zero, salt: .random())
            let entry = try await orderbook.publish(.signed(order, with: owner, in: chain.orderDomain))
            logger.info(
                "published a workerpool order",
                metadata: ["category": "\(category)", "orderHash": "\(entry.orderHash)", "volume": "\(order.volume)"])
        }
    }

    /// Deposits from the owner's wallet into its escrow when less than half of ``Configuration/stakeReserve`` tasks'
    /// scheduler stake is free there, back up to the whole reserve (or what the wallet holds). Without it, a pool with
    /// a price could match no deal: matchOrders locks the scheduler stake of every task.
    public func keepStake() async throws {
        guard configuration.price > 0, configuration.stakeReserve > 0 else { return }
        let perTask = try await ledger.chainInfo().configuration.schedulerStake(perTaskAt: configuration.price)
        let (product, overflow) = perTask.multipliedReportingOverflow(by: configuration.stakeReserve)
        let reserve = overflow ? UInt64.max : product
        guard reserve > 0 else { return }
        let account = try await ledger.account(owner.address)
        guard account.balance < reserve / 2 else { return }
        let amount = min(reserve - account.balance, account.wallet)
        guard amount > 0 else {
            logger.warning(
                "the owner's wallet is empty: deals will be refused once the stake in escrow is locked",
                metadata: ["owner": "\(owner.address)", "escrow": "\(account.balance)"])
            return
        }
        try await sender.send(.deposit(amount: amount))
        logger.info("deposited for the scheduler stake", metadata: ["amount": "\(amount)"])
    }

    /// The workerpool `sender`'s key registered with `description`, registered now when there is none.
    static func register(description: String, sender: TransactionSender, ledger: any LedgerService, logger: Logger)
        async throws -> Address
    {
        let owner = sender.address
        let created = try await ledger.events(
            matching: EventFilter(account: owner, name: "WorkerpoolCreated"), after: nil, limit: 1000,
            timeout: .zero)
        for record in created {
            guard case .workerpoolCreated(let pool, let creator) = record.event, creator == owner,
                let current = try await ledger.workerpool(pool), current.owner == owner,
                current.description == description
            else { continue }
            return pool
        }
        let receipt = try await sender.send(.createWorkerpool(description: description))
        for event in receipt.events {
            if case .workerpoolCreated(let pool, _) = event {
                logger.info("registered the workerpool", metadata: ["workerpool": "\(pool)"])
                return pool
            }
        }
        throw SchedulerError(
            .unavailable, "The ledger registered the workerpool but reported no WorkerpoolCreated event.")
    }
}
