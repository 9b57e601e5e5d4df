public import ClaveCrypto

/// A state change asked for by `from`. Checking the signature over it is the ledger's job; ``State/apply(_:at:)``
/// trusts `from`.
public struct Transaction: Sendable, Hashable {
    /// Must be the chain's id, so that a transaction signed for one chain is never valid on another.
    public var chainId: UInt64
    /// The sender.
    public var from: Address
    /// Must be the sender's next nonce: each transaction applies once, in order.
    public var nonce: UInt64
    public var body: TransactionBody

    public init(chainId: UInt64, from: Address, nonce: UInt64, body: TransactionBody) {
        self.chainId = chainId
        self.from = from
        self.nonce = nonce
        self.body = body
    }
}

/// The operations of the protocol, one case each.
public enum TransactionBody: Sendable, Hashable {
    // MARK: Escrow

    /// Development chains only: credits the sender's wallet with at most the faucet limit.
    case faucet(amount: UInt64)
    /// Moves `amount` from the sender's wallet into its escrow balance.
    case deposit(amount: UInt64)
    /// Moves `amount` from the sender's escrow balance to its wallet.
    case withdraw(amount: UInt64)

    // MARK: Assets

    /// Registers an app owned by the sender; `type` is `WASM`, `PROCESS` or `DOCKER`.
    case createApp(name: String, type: String, multiaddr: String, checksum: Bytes32, mrenclave: String)
    /// Registers a dataset owned by the sender.
    case createDataset(name: String, multiaddr: String, checksum: Bytes32, schema: String)
    /// Registers a workerpool whose scheduler is the sender.
    case createWorkerpool(description: String)
    /// The app's owner gives it to `newOwner`.
    case transferAppOwnership(app: Address, newOwner: Address)
    /// The dataset's owner gives it to `newOwner`.
    case transferDatasetOwnership(dataset: Address, newOwner: Address)
    /// The workerpool's owner gives it to `newOwner`.
    case transferWorkerpoolOwnership(workerpool: Address, newOwner: Address)
    /// The workerpool's owner sets its ratios (percentages, 0...100) for the deals matched from now on.
    case configureWorkerpool(workerpool: Address, workerStakeRatio: UInt64, schedulerRewardRatio: UInt64)

    // MARK: Orders

    /// The asset's owner (the requester for a request order) signs the order on the ledger instead of with a key.
    case presign(AnyOrder)
    /// The asset's owner (the requester for a request order) cancels what is left of the order.
    case closeOrder(AnyOrder)
    /// Matches four orders into a deal paid by the requester.
    case matchOrders(
        app: SignedOrder<AppOrder>, dataset: SignedOrder<DatasetOrder>?, workerpool: SignedOrder<WorkerpoolOrder>,
        request: SignedOrder<RequestOrder>)
    /// Matches four orders into a deal paid by the sender.
    case sponsorMatchOrders(
        app: SignedOrder<AppOrder>, dataset: SignedOrder<DatasetOrder>?, workerpool: SignedOrder<WorkerpoolOrder>,
        request: SignedOrder<RequestOrder>)

    // MARK: Tasks

    /// Starts task `index` of a deal.
    case initialize(dealId: Bytes32, index: UInt64)
    /// Starts task `indices[i]` of deal `dealIds[i]` for every `i`: all of them, or none if one cannot be.
    case initializeArray(dealIds: [Bytes32], indices: [UInt64])
    /// The sender (a worker) commits to a result.
    case contribute(
        taskId: Bytes32, resultHash: Bytes32, resultSeal: Bytes32, enclaveChallenge: Address, enclaveSign: Signature?,
        authorizationSign: Signature)
    /// The sender (a winning worker) reveals the digest behind its contribution.
    case reveal(taskId: Bytes32, resultDigest: Bytes32)
    /// The scheduler reopens a task whose winners did not reveal in time.
    case reopen(taskId: Bytes32)
    /// The scheduler completes a task and everyone is paid.
    case finalize(taskId: Bytes32, results: [UInt8], resultsCallback: [UInt8])
    /// Trust 1 only: the sender (a worker) contributes and the task completes at once.
    case contributeAndFinalize(
        taskId: Bytes32, resultDigest: Bytes32, results: [UInt8], resultsCallback: [UInt8], enclaveChallenge: Address,
        enclaveSign: Signature?, authorizationSign: Signature)
    /// Anyone fails a task after its final deadline: the sponsor is refunded.
    case claim(taskId: Bytes32)
    /// Anyone fails a task that was never initialized, after its final deadline.
    case initializeAndClaim(dealId: Bytes32, index: UInt64)

    /// The operation's stable name, as transactions name it (`"createApp"`, `"matchOrders"`, ...).
    public var type: String {
        switch self {
        case .faucet: "faucet"
        case .deposit: "deposit"
        case .withdraw: "withdraw"
        case .createApp: "createApp"
        case .createDataset: "createDataset"
        case .createWorkerpool: "createWorkerpool"
        case .transferAppOwnership: "transferAppOwnership"
        case .transferDatasetOwnership: "transferDatasetOwnership"
        case .transferWorkerpoolOwnership: "transferWorkerpoolOwnership"
        case .configureWorkerpool: "configureWorkerpool"
        case .presign: "presign"
        case .closeOrder: "closeOrder"
        case .matchOrders: "matchOrders"
        case .sponsorMatchOrders: "sponsorMatchOrders"
        case .initialize: "initialize"
        case .initializeArray: "initializeArray"
        case .contribute: "contribute"
        case .reveal: "reveal"
        case .reopen: "reopen"
        case .finalize: "finalize"
        case .contributeAndFinalize: "contributeAndFinalize"
        case .claim: "claim"
        case .initializeAndClaim: "initializeAndClaim"
        }
    }

    /// The most pairs one ``initializeArray(dealIds:indices:)`` takes.
    public static let initializeArrayLimit = 256

    /// Every operation's name.
    public static let types: [String] = [
        "faucet", "deposit", "withdraw", "createApp", "createDataset", "createWorkerpool", "transferAppOwnership",
        "transferDatasetOwnership", "transferWorkerpoolOwnership", "configureWorkerpool", "presign", "closeOrder",
        "matchOrders", "sponsorMatchOrders", "initialize", "initializeArray", "contribute", "reveal", "reopen",
        "finalize", "contributeAndFinalize", "claim", "initializeAndClaim",
    ]
}
