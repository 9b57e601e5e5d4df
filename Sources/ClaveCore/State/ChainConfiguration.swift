public import ClaveCrypto

/// What makes one Clave chain: its identity (chain id and hub address, the EIP-712 domain of its orders), whether it
/// is a development chain, its categories and the protocol's ratios.
public struct ChainConfiguration: Sendable, Hashable {
    /// The chain id: in every transaction and in the EIP-712 domain of every order.
    public var chainId: UInt64
    /// The hub address: the EIP-712 `verifyingContract` of every order.
    public var hub: Address
    /// Development chains have a faucet and the short `DEV` category.
    public var isDevelopment: Bool
    /// The most one faucet transaction gives (nano-units).
    public var faucetLimit: UInt64
    /// The categories, numbered by position.
    public var categories: [Category]
    /// The worker stake ratio (percent of the workerpool price) that new workerpools start with.
    public var workerStakeRatio: UInt64
    /// The scheduler reward ratio (percent of the workers' reward kept by the scheduler) that new workerpools
    /// start with.
    public var schedulerRewardRatio: UInt64
    /// The scheduler stake of a deal, per task, as a percent of the workerpool price (PoCo's
    /// `WORKERPOOL_STAKE_RATIO`).
    public var schedulerStakeRatio: UInt64
    /// The share of the kitty (percent) paid to a scheduler with each completed task, at least
    /// ``kittyMinimum`` (PoCo's `KITTY_RATIO`).
    public var kittyRatio: UInt64
    /// The least paid from the kitty with a completed task, if the kitty holds that much (PoCo's `KITTY_MIN`,
    /// 1 RLC in nano-units).
    public var kittyMinimum: UInt64

    /// A chain with iExec's defaults. `chainId` and `hub` have none: they name the chain, and orders signed for one
    /// chain must never be valid on another.
    ///
    /// - Parameter categories: the categories; `nil` gives ``Category/standard``, plus ``Category/development``
    ///   (id 5) on development chains.
    public init(
        chainId: UInt64,
        hub: Address,
        isDevelopment: Bool = false,
        faucetLimit: UInt64 = 1_000_000_000_000,
        categories: [Category]? = nil,
        workerStakeRatio: UInt64 = 30,
        schedulerRewardRatio: UInt64 = 1,
        schedulerStakeRatio: UInt64 = 30,
        kittyRatio: UInt64 = 10,
        kittyMinimum: UInt64 = 1_000_000_000
    ) {
        self.chainId = chainId
        self.hub = hub
        self.isDevelopment = isDevelopment
        self.faucetLimit = faucetLimit
        self.categories = categories ?? (Category.standard + (isDevelopment ? [Category.development] : []))
        self.workerStakeRatio = workerStakeRatio
        self.schedulerRewardRatio = schedulerRewardRatio
        self.schedulerStakeRatio = schedulerStakeRatio
        self.kittyRatio = kittyRatio
        self.kittyMinimum = kittyMinimum
    }

    /// The category with this id, if there is one.
    public func category(_ id: UInt64) -> Category? {
        id < UInt64(categories.count) ? categories[Int(id)] : nil
    }

    /// The EIP-712 domain of this chain's orders.
    public var orderDomain: OrderDomain { OrderDomain(chainId: chainId, verifyingContract: hub) }
}

extension ChainConfiguration {
    /// The scheduler stake a deal locks per task from the workerpool owner's escrow: `schedulerStakeRatio` percent of
    /// the pool's price per task, rounded down.
    public func schedulerStake(perTaskAt price: UInt64) throws(Rejection) -> UInt64 {
        try Checked.percentage(price, schedulerStakeRatio, "the scheduler stake of one task")
    }
}
