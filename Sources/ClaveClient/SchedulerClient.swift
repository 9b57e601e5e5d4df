public import ClaveCrypto
public import ClaveWorkerpool

/// A node's workerpool scheduler over HTTP: the same ``ClaveWorkerpool/SchedulerService`` as the node's own
/// ``ClaveWorkerpool/WorkerpoolScheduler``, so `clave worker --pool URL` runs the same ``WorkerAgent`` as the
/// node's in-process workers.
///
/// Every failure is a ``ClaveWorkerpool/SchedulerError``: the scheduler's refusals keep their code and message, and a
/// node that cannot be reached is ``ClaveWorkerpool/SchedulerError/Code/unavailable``.
public struct SchedulerClient: SchedulerService {
    public let connection: NodeConnection

    public init(connection: NodeConnection) {
        self.connection = connection
    }

    public func loginChallenge(for worker: Address) async throws -> LoginChallenge {
        let json = try await call {
            try await connection.post("/v1/pool/login-challenges", body: ["worker": .string(worker.checksummed)])
        }
        return try LoginChallenge(json: json)
    }

    public func login(_ request: WorkerLogin) async throws -> WorkerSession {
        try WorkerSession(json: try await call { try await connection.post("/v1/pool/sessions", body: request.json) })
    }

    public func nextAssignment(session: WorkerSession, timeout: Duration) async throws -> WorkAssignment? {
        let request = AssignmentRequest(session: session, timeout: min(timeout, AssignmentRequest.maximumWait))
        let json = try await call {
            try await connection.post("/v1/pool/assignments", body: request.json, timeout: request.timeout)
        }
        guard let assignment = json["assignment"], !assignment.isNull else { return nil }
        return try WorkAssignment(json: assignment)
    }

    public func heartbeat(session: WorkerSession) async throws {
        _ = try await call { try await connection.post("/v1/pool/heartbeats", body: ["session": session.json]) }
    }

    public func report(
        session: WorkerSession, taskId: Bytes32, status: ReplicateStatus, message: String?, logs: String?,
        result: ReplicateResult?, failure: ReplicateFailure?
    ) async throws {
        let request = ReplicateReportRequest(
            session: session, taskId: taskId, status: status, message: message, logs: logs, result: result,
            failure: failure)
        _ = try await call { try await connection.post("/v1/pool/reports", body: request.json) }
    }

    public func taskReport(_ taskId: Bytes32) async throws -> TaskReport? {
        guard let json = try await call({ try await connection.get("/v1/pool/tasks/\(taskId)") }) else { return nil }
        return try TaskReport(json: json)
    }

    public func status() async throws -> PoolStatus {
        try PoolStatus(json: try await call { try await connection.get("/v1/pool/status") } ?? .null)
    }

    private func call<Value>(_ request: () async throws -> Value) async throws(SchedulerError) -> Value {
        do {
            return try await request()
        } catch let error as RemoteError {
            throw SchedulerError(SchedulerError.Code(error.code), error.message)
        } catch let error as ClientError {
            throw SchedulerError(.unavailable, error.message)
        } catch {
            throw SchedulerError(.unavailable, "\(connection.baseURL) could not be asked: \(error).")
        }
    }
}
