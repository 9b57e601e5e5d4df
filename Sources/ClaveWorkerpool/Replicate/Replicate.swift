public import ClaveCrypto
public import ClaveSMS

/// One worker's run of one task, as the scheduler hands it out: the task, and the scheduler's authorization of this
/// worker in the task's enclave (PoCo's authorization: the pool owner's signature over worker ‖ taskId ‖
/// enclaveChallenge). The same authorization opens the task's SMS session and signs the contribution.
public struct WorkAssignment: Sendable, Hashable {
    public var taskId: Bytes32
    public var dealId: Bytes32
    /// The task's index in its deal.
    public var index: UInt64
    public var authorization: WorkerAuthorization

    public init(taskId: Bytes32, dealId: Bytes32, index: UInt64, authorization: WorkerAuthorization) {
        self.taskId = taskId
        self.dealId = dealId
        self.index = index
        self.authorization = authorization
    }

    /// The worker the assignment is for.
    public var worker: Address { authorization.worker }
}

/// iExec's replicate statuses: where one worker is in one task. Written as iExec writes them (`COMPUTING`, …).
public enum ReplicateStatus: String, Sendable, Hashable, CaseIterable {
    case created = "CREATED"
    case starting = "STARTING"
    case started = "STARTED"
    case startFailed = "START_FAILED"
    case appDownloading = "APP_DOWNLOADING"
    case appDownloaded = "APP_DOWNLOADED"
    case appDownloadFailed = "APP_DOWNLOAD_FAILED"
    case dataDownloading = "DATA_DOWNLOADING"
    case dataDownloaded = "DATA_DOWNLOADED"
    case dataDownloadFailed = "DATA_DOWNLOAD_FAILED"
    case computing = "COMPUTING"
    case computed = "COMPUTED"
    case computeFailed = "COMPUTE_FAILED"
    case resultUploading = "RESULT_UPLOADING"
    case resultUploaded = "RESULT_UPLOADED"
    case resultUploadFailed = "RESULT_UPLOAD_FAILED"
    case contributing = "CONTRIBUTING"
    case contributed = "CONTRIBUTED"
    case contributeFailed = "CONTRIBUTE_FAILED"
    case revealing = "REVEALING"
    case revealed = "REVEALED"
    case revealFailed = "REVEAL_FAILED"
    case contributeAndFinalizeOngoing = "CONTRIBUTE_AND_FINALIZE_ONGOING"
    case contributeAndFinalizeDone = "CONTRIBUTE_AND_FINALIZE_DONE"
    case contributeAndFinalizeFailed = "CONTRIBUTE_AND_FINALIZE_FAILED"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case aborted = "ABORTED"
    case workerLost = "WORKER_LOST"

    /// Whether the replicate can go no further.
    public var isFinal: Bool {
        switch self {
        case .completed, .failed, .aborted, .workerLost, .startFailed, .appDownloadFailed, .dataDownloadFailed,
            .computeFailed, .resultUploadFailed, .contributeFailed, .revealFailed, .contributeAndFinalizeFailed,
            .contributeAndFinalizeDone:
            true
        default: false
        }
    }
}

/// What a worker's enclave produced for a task, ready to contribute: the digest it commits to, and the enclave's
/// signature under the task's challenge key.
public struct ReplicateResult: Sendable, Hashable {
    /// The result digest (iExec's: of the deterministic output, or keccak of the callback data).
    public var resultDigest: Bytes32
    /// The address of the task's enclave challenge key, which signed ``enclaveSignature``.
    public var enclaveChallenge: Address
    /// EIP-191 by the enclave challenge key over keccak256(resultHash ‖ resultSeal) (PoCo's enclaveSign).
    public var enclaveSignature: Signature
    /// What finalize stores on the ledger as the task's `results`: where the result is (JSON, see
    /// docs/formats/result-receipt.md).
    public var results: [UInt8]
    /// The callback data (empty when the app wrote none).
    public var resultsCallback: [UInt8]
    /// Where the app's logs are, sealed to the beneficiary (`clave://<CID>`); nil when none were kept.
    public var logs: String?

    public init(
        resultDigest: Bytes32, enclaveChallenge: Address, enclaveSignature: Signature, results: [UInt8],
        resultsCallback: [UInt8], logs: String? = nil
    ) {
        self.logs = logs
        self.resultDigest = resultDigest
        self.enclaveChallenge = enclaveChallenge
        self.enclaveSignature = enclaveSignature
        self.results = results
        self.resultsCallback = resultsCallback
    }
}

/// Why a replicate failed, said for the requester: the app's own error-message, a timeout, a refused key release.
public struct ReplicateFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Cause: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The app's bundle could not be fetched, or is not a bundle.
        public static let appUnavailable = Cause(rawValue: "app-unavailable")
        /// The SMS refused to release the task's keys (wrong measurement, revoked grant, missing secret, …).
        public static let keyReleaseRefused = Cause(rawValue: "key-release-refused")
        /// The dataset or an input file could not be fetched, or failed its checksum or decryption.
        public static let inputUnavailable = Cause(rawValue: "input-unavailable")
        /// The app ran and failed: a non-zero exit, a crash, or an `error-message` in computed.json.
        public static let appFailed = Cause(rawValue: "app-failed")
        /// The app ran past its time or fuel budget.
        public static let timedOut = Cause(rawValue: "timed-out")
        /// The app passed a resource limit (memory, output size).
        public static let limitExceeded = Cause(rawValue: "limit-exceeded")
        /// The result could not be stored.
        public static let resultUploadFailed = Cause(rawValue: "result-upload-failed")
        /// Something on the worker itself failed (disk, sandbox).
        public static let workerError = Cause(rawValue: "worker-error")
    }

    public var cause: Cause
    /// What happened and, where it applies, what to do.
    public var message: String
    /// Whether running the task again elsewhere cannot help: the app itself failed, or the keys are refused for
    /// what the task is (not for where it ran). The scheduler then stops reassigning it.
    public var isDeterministic: Bool
    /// Where the app's logs are, sealed to the beneficiary (`clave://<CID>`); nil when the app did not run or none
    /// were kept.
    public var logs: String?

    public init(_ cause: Cause, _ message: String, isDeterministic: Bool, logs: String? = nil) {
        self.logs = logs
        self.cause = cause
        self.message = message
        self.isDeterministic = isDeterministic
    }

    public var description: String { "\(cause): \(message)" }
}

/// Runs one replicate inside an enclave: pre-compute, compute, post-compute. ``TaskExecutor`` is the real one.
public protocol TaskExecuting: Sendable {
    /// Runs `assignment` for `worker` and returns what to contribute, or why it failed. `progress` is told each
    /// replicate status the run passes (APP_DOWNLOADING, DATA_DOWNLOADING, COMPUTING, RESULT_UPLOADING, …).
    func execute(
        _ assignment: WorkAssignment, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async -> Result<ReplicateResult, ReplicateFailure>
}
