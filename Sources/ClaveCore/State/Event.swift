public import ClaveCrypto

/// What a transaction did, in order, with enough detail for an indexer to follow every account, asset, order, deal
/// and task without reading the state.
///
/// Escrow movements are explicit: `lock` (balance → frozen), `unlock` (frozen → balance), `seize` (frozen → the
/// task's pot), `reward` (the task's pot → balance), `kittyFilled` (the task's pot → kitty), `kittyReleased`
/// (kitty → the task's pot). Within one transaction what is seized and released equals what is rewarded and filled.
/// Movements of zero are not reported.
public enum Event: Sendable, Hashable {
    // MARK: Escrow

    case faucet(account: Address, amount: UInt64)
    case deposit(account: Address, amount: UInt64)
    case withdraw(account: Address, amount: UInt64)
    /// `reference` is the deal id (deal payment and scheduler stake) or the task id (worker stake).
    case lock(account: Address, amount: UInt64, reference: Bytes32)
    case unlock(account: Address, amount: UInt64, reference: Bytes32)
    case seize(account: Address, amount: UInt64, reference: Bytes32)
    case reward(account: Address, amount: UInt64, reference: Bytes32)
    case kittyFilled(amount: UInt64, taskId: Bytes32)
    case kittyReleased(amount: UInt64, taskId: Bytes32)

    // MARK: Assets

    case appCreated(app: Address, owner: Address)
    case datasetCreated(dataset: Address, owner: Address)
    case workerpoolCreated(workerpool: Address, owner: Address)
    case ownershipTransferred(kind: AssetKind, asset: Address, from: Address, to: Address)
    case workerpoolConfigured(workerpool: Address, workerStakeRatio: UInt64, schedulerRewardRatio: UInt64)

    // MARK: Orders and deals

    case orderPresigned(kind: OrderKind, orderHash: Bytes32, signer: Address)
    case orderClosed(kind: OrderKind, orderHash: Bytes32)
    /// `datasetOrderHash` is zero when the deal has no dataset.
    case ordersMatched(
        dealId: Bytes32, appOrderHash: Bytes32, datasetOrderHash: Bytes32, workerpoolOrderHash: Bytes32,
        requestOrderHash: Bytes32, volume: UInt64)
    /// Tells the workerpool's scheduler that it has a new deal.
    case schedulerNotice(workerpool: Address, dealId: Bytes32)

    // MARK: Tasks

    case taskInitialized(taskId: Bytes32, dealId: Bytes32, index: UInt64, workerpool: Address)
    case taskContribute(taskId: Bytes32, worker: Address, resultHash: Bytes32)
    case taskConsensus(taskId: Bytes32, consensus: Bytes32)
    case taskReveal(taskId: Bytes32, worker: Address, resultDigest: Bytes32)
    case taskReopen(taskId: Bytes32)
    case taskFinalize(taskId: Bytes32, results: [UInt8])
    case taskClaimed(taskId: Bytes32)
    case accurateContribution(worker: Address, taskId: Bytes32)
    case faultyContribution(worker: Address, taskId: Bytes32)

    /// The event's stable name, in iExec's style (`OrdersMatched`, `TaskFinalize`, ...).
    public var name: String {
        switch self {
        case .faucet: "Faucet"
        case .deposit: "Deposit"
        case .withdraw: "Withdraw"
        case .lock: "Lock"
        case .unlock: "Unlock"
        case .seize: "Seize"
        case .reward: "Reward"
        case .kittyFilled: "KittyFilled"
        case .kittyReleased: "KittyReleased"
        case .appCreated: "AppCreated"
        case .datasetCreated: "DatasetCreated"
        case .workerpoolCreated: "WorkerpoolCreated"
        case .ownershipTransferred: "OwnershipTransferred"
        case .workerpoolConfigured: "WorkerpoolConfigured"
        case .orderPresigned: "OrderPresigned"
        case .orderClosed: "OrderClosed"
        case .ordersMatched: "OrdersMatched"
        case .schedulerNotice: "SchedulerNotice"
        case .taskInitialized: "TaskInitialized"
        case .taskContribute: "TaskContribute"
        case .taskConsensus: "TaskConsensus"
        case .taskReveal: "TaskReveal"
        case .taskReopen: "TaskReopen"
        case .taskFinalize: "TaskFinalize"
        case .taskClaimed: "TaskClaimed"
        case .accurateContribution: "AccurateContribution"
        case .faultyContribution: "FaultyContribution"
        }
    }
}
