public import ClaveCrypto

/// What a workerpool's scheduler offers its workers, and requesters who ask how their task is doing.
///
/// ``WorkerpoolScheduler`` implements it in process; an HTTP client will implement it over the network, which is why
/// every value exchanged has a JSON form (`json` / `init(json:)`).
///
/// A worker first asks for a ``LoginChallenge``, signs it (``WorkerLogin``) and gets a ``WorkerSession``; it then
/// long-polls ``nextAssignment(session:timeout:)``, heartbeats every ``WorkerSession/heartbeatInterval`` so that its
/// leases are renewed, and reports each replicate's progress with ``report(session:taskId:status:message:logs:result:failure:)``.
public protocol SchedulerService: Sendable {
    /// A fresh, single-use challenge for `worker` to sign in ``WorkerLogin``.
    func loginChallenge(for worker: Address) async throws -> LoginChallenge
    /// Checks the worker's signature over its challenge and opens a session with its capacity.
    ///
    /// - Throws: ``SchedulerError`` `invalidSignature`, `unknownChallenge` or `wrongWorkerpool`.
    func login(_ request: WorkerLogin) async throws -> WorkerSession
    /// The worker's next assignment, waiting up to `timeout` for one (a long poll); nil when none came.
    func nextAssignment(session: WorkerSession, timeout: Duration) async throws -> WorkAssignment?
    /// Renews the leases of the worker's replicates.
    func heartbeat(session: WorkerSession) async throws
    /// The worker's report on its replicate of `taskId`: its status, a message for the requester, a reference to its
    /// logs, what it computed (with ``ReplicateStatus/computed``) and, for a failure, why.
    func report(
        session: WorkerSession, taskId: Bytes32, status: ReplicateStatus, message: String?, logs: String?,
        result: ReplicateResult?, failure: ReplicateFailure?
    ) async throws
    /// Several of a worker's reports, handled in order as ``report(session:taskId:status:message:logs:result:failure:)``
    /// handles each: a worker sends those that queued while its last one was out together. The answer holds, for each
    /// report, nil or why it was refused; a refused report does not stop those after it.
    func report(_ reports: [ReplicateReportRequest]) async -> [(any Error)?]
    /// How the task is doing, as the scheduler knows it; nil for a task it does not schedule.
    func taskReport(_ taskId: Bytes32) async throws -> TaskReport?
    /// The workers logged in now, and how many of the tasks the scheduler follows are in each status.
    func status() async throws -> PoolStatus
}

extension SchedulerService {
    /// One report after the other.
    public func report(_ reports: [ReplicateReportRequest]) async -> [(any Error)?] {
        await ReplicateReportRequest.handle(reports) { try await self.report($0) }
    }

    /// The report `request` carries.
    public func report(_ request: ReplicateReportRequest) async throws {
        try await report(
            session: request.session, taskId: request.taskId, status: request.status, message: request.message,
            logs: request.logs, result: request.result, failure: request.failure)
    }

    /// A report without a failure.
    public func report(
        session: WorkerSession, taskId: Bytes32, status: ReplicateStatus, message: String?, logs: String?,
        result: ReplicateResult?
    ) async throws {
        try await report(
            session: session, taskId: taskId, status: status, message: message, logs: logs, result: result,
            failure: nil)
    }
}

extension ReplicateReportRequest {
    /// Runs `handle` on each of `reports` in order, on the caller's actor, and gives each one's refusal or nil: a
    /// refused report does not stop those after it.
    static func handle(
        _ reports: [ReplicateReportRequest], isolation: isolated (any Actor)? = #isolation,
        _ handle: (ReplicateReportRequest) async throws -> Void
    ) async -> [(any Error)?] {
        var answers: [(any Error)?] = []
        answers.reserveCapacity(reports.count)
        for report in reports {
            do {
                try await handle(report)
                answers.append(nil)
            } catch {
                answers.append(error)
            }
        }
        return answers
    }
}
