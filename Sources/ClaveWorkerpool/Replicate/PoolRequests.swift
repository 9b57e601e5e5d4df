public import ClaveCrypto
import ClaveCore

/// A worker's report on one replicate, as `POST /v1/pool/reports` carries it (the arguments of
/// ``SchedulerService/report(session:taskId:status:message:logs:result:failure:)``):
/// `{"session", "taskId", "status", "message", "logs", "result", "failure"}`, the last four null when absent.
public struct ReplicateReportRequest: Sendable, Hashable {
    public var session: WorkerSession
    public var taskId: Bytes32
    public var status: ReplicateStatus
    public var message: String?
    public var logs: String?
    public var result: ReplicateResult?
    public var failure: ReplicateFailure?

    public init(
        session: WorkerSession, taskId: Bytes32, status: ReplicateStatus, message: String?, logs: String?,
        result: ReplicateResult?, failure: ReplicateFailure?
    ) {
        self.session = session
        self.taskId = taskId
        self.status = status
        self.message = message
        self.logs = logs
        self.result = result
        self.failure = failure
    }

    public var json: JSONValue {
        [
            "session": session.json, "taskId": .string(taskId.description), "status": .string(status.rawValue),
            "message": SchedulerJSON.optionalString(message), "logs": SchedulerJSON.optionalString(logs),
            "result": result?.json ?? .null, "failure": failure?.json ?? .null,
        ]
    }

    public init(json: JSONValue, path: String = "report") throws(SchedulerError) {
        var members: (session: JSONValue, result: JSONValue?, failure: JSONValue?) = (.null, nil, nil)
        let (taskId, status, message, logs) = try SchedulerJSON.read(json, path) {
            (fields) throws(TransactionFormatError) in
            members.session = try fields.member("session")
            members.result = fields.optional("result")
            members.failure = fields.optional("failure")
            return (
                try fields.bytes32("taskId"), try fields.replicateStatus("status"),
                try fields.optionalString("message"),
                try fields.optionalString("logs")
            )
        }
        self.init(
            session: try WorkerSession(json: members.session, path: "\(path).session"), taskId: taskId, status: status,
            message: message, logs: logs,
            result: try members.result.flatMap { $0.isNull ? nil : $0 }.map {
                (value) throws(SchedulerError) in try ReplicateResult(json: value, path: "\(path).result")
            },
            failure: try members.failure.flatMap { $0.isNull ? nil : $0 }.map {
                (value) throws(SchedulerError) in try ReplicateFailure(json: value, path: "\(path).failure")
            })
    }
}

/// A worker's long poll for its next assignment, as `POST /v1/pool/assignments` carries it (the arguments of
/// ``SchedulerService/nextAssignment(session:timeout:)``): `{"session", "timeoutMilliseconds": "20000"}`.
public struct AssignmentRequest: Sendable, Hashable {
    /// The longest a poll may wait.
    public static let maximumWait: Duration = .seconds(60)

    public var session: WorkerSession
    public var timeout: Duration

    public init(session: WorkerSession, timeout: Duration) {
        self.session = session
        self.timeout = timeout
    }

    public var json: JSONValue {
        ["session": session.json, "timeoutMilliseconds": SchedulerJSON.milliseconds(max(timeout, .zero))]
    }

    /// Reads a poll; a timeout over ``maximumWait`` is refused, not shortened, so that the worker learns its
    /// mistake.
    public init(json: JSONValue, path: String = "poll") throws(SchedulerError) {
        var session = JSONValue.null
        let timeout = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            session = try fields.member("session")
            return try fields.milliseconds("timeoutMilliseconds")
        }
        guard timeout <= Self.maximumWait else {
            throw SchedulerError(
                .invalidRequest,
                "\(path).timeoutMilliseconds: a poll waits at most \(Self.maximumWait); ask for 60000 or less.")
        }
        self.init(session: try WorkerSession(json: session, path: "\(path).session"), timeout: timeout)
    }
}
