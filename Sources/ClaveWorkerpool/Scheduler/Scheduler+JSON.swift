import ClaveCore
public import ClaveCrypto
import ClaveSMS

/// Strict reading of the scheduler's JSON documents with ClaveCore's ``JSONFields``: its errors become
/// ``SchedulerError/Code/invalidRequest``, naming the member at fault.
enum SchedulerJSON {
    static func read<T>(
        _ json: JSONValue, _ path: String, _ body: (inout JSONFields) throws(TransactionFormatError) -> T
    ) throws(SchedulerError) -> T {
        do {
            return try JSONFields.read(json, at: path, body)
        } catch {
            throw SchedulerError(.invalidRequest, "\(error.path): \(error.message)")
        }
    }

    static func decimal(_ value: UInt64) -> JSONValue { .string(String(value)) }
    static func address(_ value: Address) -> JSONValue { .string(value.checksummed) }
    static func hex(_ value: [UInt8]) -> JSONValue { .string(Hex.encode(value)) }
    static func optionalString(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    static func milliseconds(_ duration: Duration) -> JSONValue {
        let (seconds, attoseconds) = duration.components
        return decimal(UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000_000)
    }
}

extension JSONFields {
    mutating func optionalString(_ name: String) throws(TransactionFormatError) -> String? {
        guard let value = optional(name) else { return nil }
        guard case .string(let text) = value else {
            throw TransactionFormatError(.invalidValue, at: "\(path).\(name)", "expected a string or null.")
        }
        return text
    }

    mutating func replicateStatus(_ name: String) throws(TransactionFormatError) -> ReplicateStatus {
        let text = try string(name)
        guard let status = ReplicateStatus(rawValue: text) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).\(name)",
                "'\(text)' is not a replicate status (\(ReplicateStatus.allCases.map(\.rawValue).joined(separator: ", ")))."
            )
        }
        return status
    }

    mutating func milliseconds(_ name: String) throws(TransactionFormatError) -> Duration {
        .milliseconds(try decimal(name))
    }

    mutating func taskStatus(_ name: String) throws(TransactionFormatError) -> ComputeTask.Status {
        let text = try string(name)
        guard let status = ComputeTask.Status(rawValue: text) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).\(name)",
                "'\(text)' is not a task status (\(ComputeTask.Status.allCases.map(\.rawValue).joined(separator: ", ")))."
            )
        }
        return status
    }
}

// MARK: Replicate values

extension ReplicateResult {
    /// `{"resultDigest", "enclaveChallenge", "enclaveSignature", "results": "0x…", "resultsCallback": "0x…"}`.
    public var json: JSONValue {
        [
            "resultDigest": .string(resultDigest.description),
            "enclaveChallenge": SchedulerJSON.address(enclaveChallenge),
            "enclaveSignature": .string(enclaveSignature.description), "results": SchedulerJSON.hex(results),
            "resultsCallback": SchedulerJSON.hex(resultsCallback),
        ]
    }

    public init(json: JSONValue, path: String = "result") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            ReplicateResult(
                resultDigest: try fields.bytes32("resultDigest"),
                enclaveChallenge: try fields.address("enclaveChallenge"),
                enclaveSignature: try fields.signature("enclaveSignature"), results: try fields.bytes("results"),
                resultsCallback: try fields.bytes("resultsCallback"))
        }
    }
}

extension ReplicateFailure {
    /// `{"cause": "app-failed", "message": "…", "deterministic": true}`.
    public var json: JSONValue {
        ["cause": .string(cause.rawValue), "message": .string(message), "deterministic": .bool(isDeterministic)]
    }

    public init(json: JSONValue, path: String = "failure") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            ReplicateFailure(
                Cause(rawValue: try fields.string("cause")), try fields.string("message"),
                isDeterministic: try fields.bool("deterministic"))
        }
    }
}

extension WorkAssignment {
    /// `{"taskId", "dealId", "index": "0", "authorization": {…}}`.
    public var json: JSONValue {
        [
            "taskId": .string(taskId.description), "dealId": .string(dealId.description),
            "index": SchedulerJSON.decimal(index), "authorization": authorization.json,
        ]
    }

    public init(json: JSONValue, path: String = "assignment") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            let taskId = try fields.bytes32("taskId")
            let dealId = try fields.bytes32("dealId")
            let index = try fields.decimal("index")
            let member = try fields.member("authorization")
            let authorization: WorkerAuthorization
            do {
                authorization = try WorkerAuthorization(json: member, path: "\(fields.path).authorization")
            } catch {
                throw TransactionFormatError(.invalidValue, at: "\(fields.path).authorization", "\(error)")
            }
            guard authorization.taskId == taskId else {
                throw TransactionFormatError(
                    .invalidValue, at: "\(fields.path).authorization.taskId",
                    "authorizes task \(authorization.taskId), not the assignment's task \(taskId).")
            }
            return WorkAssignment(taskId: taskId, dealId: dealId, index: index, authorization: authorization)
        }
    }
}

// MARK: Login and sessions

extension LoginChallenge {
    public var json: JSONValue {
        [
            "workerpool": SchedulerJSON.address(workerpool), "worker": SchedulerJSON.address(worker),
            "nonce": .string(nonce.description),
        ]
    }

    public init(json: JSONValue, path: String = "challenge") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            LoginChallenge(
                workerpool: try fields.address("workerpool"), worker: try fields.address("worker"),
                nonce: try fields.bytes32("nonce"))
        }
    }
}

extension WorkerLogin {
    public var json: JSONValue {
        [
            "workerpool": SchedulerJSON.address(workerpool), "worker": SchedulerJSON.address(worker),
            "nonce": .string(nonce.description), "capacity": SchedulerJSON.decimal(capacity),
            "signature": .string(signature.description),
        ]
    }

    public init(json: JSONValue, path: String = "login") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            WorkerLogin(
                workerpool: try fields.address("workerpool"), worker: try fields.address("worker"),
                nonce: try fields.bytes32("nonce"), capacity: try fields.decimal("capacity"),
                signature: try fields.signature("signature"))
        }
    }
}

extension WorkerSession {
    public var json: JSONValue {
        [
            "token": .string(token.description), "workerpool": SchedulerJSON.address(workerpool),
            "worker": SchedulerJSON.address(worker), "capacity": SchedulerJSON.decimal(capacity),
            "heartbeatIntervalMilliseconds": SchedulerJSON.milliseconds(heartbeatInterval),
            "leaseMilliseconds": SchedulerJSON.milliseconds(leaseDuration),
        ]
    }

    public init(json: JSONValue, path: String = "session") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            WorkerSession(
                token: try fields.bytes32("token"), workerpool: try fields.address("workerpool"),
                worker: try fields.address("worker"), capacity: try fields.decimal("capacity"),
                heartbeatInterval: try fields.milliseconds("heartbeatIntervalMilliseconds"),
                leaseDuration: try fields.milliseconds("leaseMilliseconds"))
        }
    }
}

// MARK: Reports

extension ReplicateReport {
    public var json: JSONValue {
        [
            "worker": SchedulerJSON.address(worker), "status": .string(status.rawValue),
            "message": SchedulerJSON.optionalString(message), "logs": SchedulerJSON.optionalString(logs),
            "createdAt": SchedulerJSON.decimal(createdAt), "updatedAt": SchedulerJSON.decimal(updatedAt),
        ]
    }

    public init(json: JSONValue, path: String = "replicate") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            try Self.read(&fields)
        }
    }

    static func read(_ fields: inout JSONFields) throws(TransactionFormatError) -> ReplicateReport {
        ReplicateReport(
            worker: try fields.address("worker"), status: try fields.replicateStatus("status"),
            message: try fields.optionalString("message"), logs: try fields.optionalString("logs"),
            createdAt: try fields.decimal("createdAt"), updatedAt: try fields.decimal("updatedAt"))
    }
}

extension TaskReport {
    public var json: JSONValue {
        [
            "taskId": .string(taskId.description), "dealId": .string(dealId.description),
            "index": SchedulerJSON.decimal(index), "status": .string(status.rawValue),
            "replicates": .array(replicates.map(\.json)), "failure": failure?.json ?? .null,
        ]
    }

    public init(json: JSONValue, path: String = "report") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            let taskId = try fields.bytes32("taskId")
            let dealId = try fields.bytes32("dealId")
            let index = try fields.decimal("index")
            let status = try fields.taskStatus("status")
            let replicates = try fields.array("replicates") { (item, path) throws(TransactionFormatError) in
                var member = try JSONFields(item, at: path)
                let replicate = try ReplicateReport.read(&member)
                try member.finish()
                return replicate
            }
            var failure: ReplicateFailure?
            if let value = fields.optional("failure") {
                do {
                    failure = try ReplicateFailure(json: value, path: "\(fields.path).failure")
                } catch {
                    throw TransactionFormatError(.invalidValue, at: "\(fields.path).failure", "\(error)")
                }
            }
            return TaskReport(
                taskId: taskId, dealId: dealId, index: index, status: status, replicates: replicates, failure: failure)
        }
    }
}

extension PoolStatus {
    public var json: JSONValue {
        [
            "workerpool": SchedulerJSON.address(workerpool),
            "workers": .array(
                workers.map { worker in
                    [
                        "worker": SchedulerJSON.address(worker.worker),
                        "capacity": SchedulerJSON.decimal(worker.capacity),
                        "running": SchedulerJSON.decimal(worker.running),
                        "lastSeenMilliseconds": SchedulerJSON.milliseconds(worker.lastSeen),
                    ]
                }),
            "tasks": .object(
                JSONValue.Object(
                    Dictionary(uniqueKeysWithValues: tasks.map { ($0.key.rawValue, SchedulerJSON.decimal($0.value)) }))),
        ]
    }

    public init(json: JSONValue, path: String = "status") throws(SchedulerError) {
        self = try SchedulerJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            let workerpool = try fields.address("workerpool")
            let workers = try fields.array("workers") { (item, path) throws(TransactionFormatError) in
                try JSONFields.read(item, at: path) { (worker) throws(TransactionFormatError) in
                    Worker(
                        worker: try worker.address("worker"), capacity: try worker.decimal("capacity"),
                        running: try worker.decimal("running"),
                        lastSeen: try worker.milliseconds("lastSeenMilliseconds"))
                }
            }
            // One member per status; a name that is no task status is refused as an unknown member.
            let tasks = try JSONFields.read(try fields.member("tasks"), at: "\(fields.path).tasks") {
                (counts) throws(TransactionFormatError) in
                var tasks: [ComputeTask.Status: UInt64] = [:]
                for status in ComputeTask.Status.allCases where counts.optional(status.rawValue) != nil {
                    tasks[status] = try counts.decimal(status.rawValue)
                }
                return tasks
            }
            return PoolStatus(workerpool: workerpool, workers: workers, tasks: tasks)
        }
    }
}
