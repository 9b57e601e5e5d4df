public import ClaveCore
public import ClaveCrypto

/// How a task is doing, as its scheduler knows it: the ledger's status, every replicate, and why it failed if it
/// did. What a requester's status query answers.
///
/// JSON: `{"taskId", "dealId", "index": "0", "status": "ACTIVE", "replicates": [...], "failure": {...} | null}`.
public struct TaskReport: Sendable, Hashable {
    public var taskId: Bytes32
    public var dealId: Bytes32
    public var index: UInt64
    /// The task's status on the ledger, as last seen.
    public var status: ComputeTask.Status
    /// The replicates in the order they were created.
    public var replicates: [ReplicateReport]
    /// The deterministic failure that stopped the scheduler from running the task again (the app's own
    /// error-message, a refused key release), if any.
    public var failure: ReplicateFailure?

    public init(
        taskId: Bytes32, dealId: Bytes32, index: UInt64, status: ComputeTask.Status, replicates: [ReplicateReport],
        failure: ReplicateFailure?
    ) {
        self.taskId = taskId
        self.dealId = dealId
        self.index = index
        self.status = status
        self.replicates = replicates
        self.failure = failure
    }

    /// The replicate of `worker`, if it has one.
    public func replicate(of worker: Address) -> ReplicateReport? {
        replicates.first { $0.worker == worker }
    }
}

/// One worker's run of a task, as reported.
///
/// JSON: `{"worker", "status", "message": "…" | null, "logs": "…" | null, "createdAt": "1700000000",
/// "updatedAt": "1700000001"}`.
public struct ReplicateReport: Sendable, Hashable {
    public var worker: Address
    public var status: ReplicateStatus
    /// The last message the worker or the scheduler gave (why it failed, for a failure).
    public var message: String?
    /// Where the replicate's logs are: an opaque reference the worker reported.
    public var logs: String?
    /// When the replicate was created and last changed (Unix seconds).
    public var createdAt: UInt64
    public var updatedAt: UInt64

    public init(
        worker: Address, status: ReplicateStatus, message: String?, logs: String?, createdAt: UInt64,
        updatedAt: UInt64
    ) {
        self.worker = worker
        self.status = status
        self.message = message
        self.logs = logs
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
