public import ClaveCrypto

/// An agreement made by `matchOrders`: a bag of `botSize` tasks, numbered from `botFirst`, at fixed prices.
public struct Deal: Sendable, Hashable {
    /// An asset of the deal with its owner at match time (who is paid) and its price per task.
    public struct Resource: Sendable, Hashable {
        public var address: Address
        public var owner: Address
        public var price: UInt64

        public init(address: Address, owner: Address, price: UInt64) {
            self.address = address
            self.owner = owner
            self.price = price
        }
    }

    public var id: Bytes32
    public var app: Resource
    /// Address and owner are zero when the deal has no dataset.
    public var dataset: Resource
    /// The owner is the scheduler.
    public var workerpool: Resource
    /// max(request trust, 1).
    public var trust: UInt64
    public var category: UInt64
    /// `app.tag | (dataset.tag with bits 1-3 cleared) | request.tag`.
    public var tag: Bytes32
    public var requester: Address
    public var beneficiary: Address
    public var callback: Address
    public var params: String
    /// When the orders were matched (Unix seconds); the task deadlines count from it.
    public var startTime: UInt64
    /// The index of the deal's first task: the request order's consumed volume before this match.
    public var botFirst: UInt64
    /// The number of tasks.
    public var botSize: UInt64
    /// What each contributing worker stakes: workerpool price × workerpool's worker stake ratio / 100.
    public var workerStake: UInt64
    /// What the scheduler locked per task: workerpool price × the chain's scheduler stake ratio / 100. Unlocked when
    /// the task completes, seized into the kitty when it fails.
    public var schedulerStake: UInt64
    /// Percent of each task's reward the scheduler keeps.
    public var schedulerRewardRatio: UInt64
    /// Who pays: the requester, or the sender of `sponsorMatchOrders`.
    public var sponsor: Address

    public init(
        id: Bytes32, app: Resource, dataset: Resource, workerpool: Resource, trust: UInt64, category: UInt64,
        tag: Bytes32, requester: Address, beneficiary: Address, callback: Address, params: String,
        startTime: UInt64, botFirst: UInt64, botSize: UInt64, workerStake: UInt64, schedulerStake: UInt64,
        schedulerRewardRatio: UInt64,
        sponsor: Address
    ) {
        self.id = id
        self.app = app
        self.dataset = dataset
        self.workerpool = workerpool
        self.trust = trust
        self.category = category
        self.tag = tag
        self.requester = requester
        self.beneficiary = beneficiary
        self.callback = callback
        self.params = params
        self.startTime = startTime
        self.botFirst = botFirst
        self.botSize = botSize
        self.workerStake = workerStake
        self.schedulerStake = schedulerStake
        self.schedulerRewardRatio = schedulerRewardRatio
        self.sponsor = sponsor
    }

    /// The deal id, as PoCo derives it: keccak256(requestOrderHash ‖ uint256(consumedBefore)), where
    /// `consumedBefore` is the request order's consumed volume before the match.
    public static func id(requestOrderHash: Bytes32, consumedBefore: UInt64) -> Bytes32 {
        Hashing.keccak(requestOrderHash.bytes, Hashing.uint256(consumedBefore))
    }

    /// The price of one task: app + dataset + workerpool, as the sponsor pays it.
    public var taskPrice: UInt64 {
        // matchOrders checked that this sum times the volume fits.
        app.price &+ dataset.price &+ workerpool.price
    }

    /// Whether the deal runs in a TEE (tag bit 0).
    public var isTEE: Bool { Tag.isSet(Tag.tee, in: tag) }

    /// Whether `index` is one of the deal's task indices.
    public func contains(index: UInt64) -> Bool {
        index >= botFirst && index - botFirst < botSize
    }
}
