/// Why ``State/apply(_:at:)`` refused a transaction: an opaque, stable ``Code`` to match on and a message a
/// person can act on (what was wrong, with the values involved, and what to do).
///
/// A rejected transaction changes nothing, not even the sender's nonce.
public struct Rejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of refusal. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        // MARK: Transactions

        /// The transaction names another chain id than this ledger's.
        public static let wrongChain = Code("wrongChain")
        /// The transaction's nonce is not the sender's next nonce.
        public static let wrongNonce = Code("wrongNonce")
        /// A sum or product of amounts does not fit in 64 bits.
        public static let arithmeticOverflow = Code("arithmeticOverflow")
        /// A field of the transaction has a value the protocol does not allow.
        public static let invalidArgument = Code("invalidArgument")

        // MARK: Escrow

        /// The faucet exists only on development chains.
        public static let faucetDisabled = Code("faucetDisabled")
        /// The faucet gives at most the chain's faucet limit per transaction.
        public static let faucetLimitExceeded = Code("faucetLimitExceeded")
        /// The wallet (outside escrow) holds less than the amount to deposit.
        public static let insufficientWallet = Code("insufficientWallet")
        /// The free escrow balance is less than what must be withdrawn, locked or paid.
        public static let insufficientBalance = Code("insufficientBalance")
        /// The workerpool owner's free escrow balance cannot cover the scheduler stake of a deal.
        public static let insufficientSchedulerStake = Code("insufficientSchedulerStake")
        /// Locked escrow is less than what the protocol must release or seize (an accounting invariant is broken).
        public static let insufficientFrozen = Code("insufficientFrozen")

        // MARK: Assets

        /// An app's type is not `WASM`, `PROCESS` or `DOCKER`.
        public static let invalidAppType = Code("invalidAppType")
        /// An asset already exists at the derived address.
        public static let assetExists = Code("assetExists")
        /// No app is registered at this address.
        public static let unknownApp = Code("unknownApp")
        /// No dataset is registered at this address.
        public static let unknownDataset = Code("unknownDataset")
        /// No workerpool is registered at this address.
        public static let unknownWorkerpool = Code("unknownWorkerpool")
        /// Only the owner (of the asset, or the requester of a request order) may do this.
        public static let notOwner = Code("notOwner")
        /// An asset cannot be given to the zero address.
        public static let invalidOwner = Code("invalidOwner")
        /// A workerpool ratio is not a percentage in 0...100.
        public static let invalidRatio = Code("invalidRatio")

        // MARK: matchOrders

        /// The request's category is not one of the chain's categories.
        public static let unknownCategory = Code("unknownCategory")
        /// The request and workerpool orders name different categories.
        public static let categoryMismatch = Code("categoryMismatch")
        /// The request asks for more trust than the workerpool order offers.
        public static let trustMismatch = Code("trustMismatch")
        /// The app order's price is above the request's `appmaxprice`.
        public static let appPriceTooHigh = Code("appPriceTooHigh")
        /// The dataset order's price is above the request's `datasetmaxprice`.
        public static let datasetPriceTooHigh = Code("datasetPriceTooHigh")
        /// The workerpool order's price is above the request's `workerpoolmaxprice`.
        public static let workerpoolPriceTooHigh = Code("workerpoolPriceTooHigh")
        /// The combined tag asks for a feature (TEE framework, GPU, ...) the workerpool order does not offer.
        public static let tagNotSupported = Code("tagNotSupported")
        /// The combined tag asks for a TEE but the app order is not a TEE app, or the other way round.
        public static let teeMismatch = Code("teeMismatch")
        /// The request names another app than the app order's.
        public static let appMismatch = Code("appMismatch")
        /// The request names another dataset than the dataset order's (or a dataset order is missing or extra).
        public static let datasetMismatch = Code("datasetMismatch")
        /// The request names another workerpool than the workerpool order's.
        public static let workerpoolMismatch = Code("workerpoolMismatch")
        /// The app order's `datasetrestrict` excludes this dataset.
        public static let appOrderRestrictsDataset = Code("appOrderRestrictsDataset")
        /// The app order's `workerpoolrestrict` excludes this workerpool.
        public static let appOrderRestrictsWorkerpool = Code("appOrderRestrictsWorkerpool")
        /// The app order's `requesterrestrict` excludes this requester.
        public static let appOrderRestrictsRequester = Code("appOrderRestrictsRequester")
        /// The dataset order's `apprestrict` excludes this app.
        public static let datasetOrderRestrictsApp = Code("datasetOrderRestrictsApp")
        /// The dataset order's `workerpoolrestrict` excludes this workerpool.
        public static let datasetOrderRestrictsWorkerpool = Code("datasetOrderRestrictsWorkerpool")
        /// The dataset order's `requesterrestrict` excludes this requester.
        public static let datasetOrderRestrictsRequester = Code("datasetOrderRestrictsRequester")
        /// The workerpool order's `apprestrict` excludes this app.
        public static let workerpoolOrderRestrictsApp = Code("workerpoolOrderRestrictsApp")
        /// The workerpool order's `datasetrestrict` excludes this dataset.
        public static let workerpoolOrderRestrictsDataset = Code("workerpoolOrderRestrictsDataset")
        /// The workerpool order's `requesterrestrict` excludes this requester.
        public static let workerpoolOrderRestrictsRequester = Code("workerpoolOrderRestrictsRequester")
        /// The app order is neither signed by the app's owner nor presigned by them.
        public static let invalidAppOrderSignature = Code("invalidAppOrderSignature")
        /// The dataset order is neither signed by the dataset's owner nor presigned by them.
        public static let invalidDatasetOrderSignature = Code("invalidDatasetOrderSignature")
        /// The workerpool order is neither signed by the workerpool's owner nor presigned by them.
        public static let invalidWorkerpoolOrderSignature = Code("invalidWorkerpoolOrderSignature")
        /// The request order is neither signed by its requester nor presigned by them.
        public static let invalidRequestOrderSignature = Code("invalidRequestOrderSignature")
        /// One of the orders has no volume left (fully consumed or closed).
        public static let orderConsumed = Code("orderConsumed")
        /// One of the orders was closed (revoked) by its signer.
        public static let orderClosed = Code("orderClosed")
        /// A deal with this id already exists.
        public static let dealExists = Code("dealExists")

        // MARK: Tasks

        /// No deal has this id.
        public static let unknownDeal = Code("unknownDeal")
        /// The task index is outside the deal's bag of tasks.
        public static let taskIndexOutOfRange = Code("taskIndexOutOfRange")
        /// No task with this id has been initialized.
        public static let unknownTask = Code("unknownTask")
        /// The task is not in the status this operation needs.
        public static let wrongTaskStatus = Code("wrongTaskStatus")
        /// The deadline for this operation has passed.
        public static let deadlinePassed = Code("deadlinePassed")
        /// The deadline this operation waits for has not passed yet.
        public static let tooEarly = Code("tooEarly")
        /// Only the workerpool's owner (the scheduler) may do this.
        public static let notScheduler = Code("notScheduler")
        /// The worker has already contributed to this task.
        public static let alreadyContributed = Code("alreadyContributed")
        /// The sender has no contribution that can be revealed.
        public static let notContributor = Code("notContributor")
        /// A result hash or seal is zero.
        public static let invalidResult = Code("invalidResult")
        /// The scheduler's authorization is missing, malformed or signed by someone else.
        public static let invalidAuthorization = Code("invalidAuthorization")
        /// A TEE task's enclave challenge or enclave signature is missing or wrong.
        public static let invalidEnclaveSignature = Code("invalidEnclaveSignature")
        /// The revealed digest does not match the contribution's result hash or seal.
        public static let invalidReveal = Code("invalidReveal")
        /// Finalize was called before every winner revealed and before the reveal deadline.
        public static let revealsPending = Code("revealsPending")
        /// Reopen was called although a winner has revealed.
        public static let alreadyRevealed = Code("alreadyRevealed")
        /// The callback results do not hash to the result digest.
        public static let invalidCallbackResults = Code("invalidCallbackResults")
        /// contributeAndFinalize needs a deal of trust 1 and a task nobody contributed to.
        public static let replicationRequired = Code("replicationRequired")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
