import ClaveCore
import ClaveCrypto
import ClaveWorkerpool
import HTTPTypes
import Hummingbird

// The workerpool scheduler's routes under /v1/pool (docs/workerpool.md, docs/api.md): worker login, assignments,
// heartbeats and reports, and task reports for requesters.

extension ClaveAPI {
    /// Adds the handlers of the `/v1/pool` routes of ``routes`` through `on`.
    func addPoolRoutes<Context: RequestContext>(
        _ on: (Route, @escaping @Sendable (inout Request, Context) async throws -> Response) -> Void
    ) {
        let scheduler = scheduler
        @Sendable func pool() throws -> any SchedulerService {
            guard let scheduler else {
                throw SchedulerError(
                    .unavailable,
                    "This node runs no workerpool scheduler; start it with `clave node --workers N`, or give the URL of a node that does."
                )
            }
            return scheduler
        }
        on(Route(.post, "/v1/pool/login-challenges")) { request, _ in
            let body = try await JSONRequest.body(of: &request)
            guard let text = body["worker"]?.stringValue, let worker = try? Address(text) else {
                throw APIError(
                    .badRequest, code: "invalidRequest", "Give {\"worker\": \"0x…\"}: the address that logs in.")
            }
            return JSONResponse.make(try await pool().loginChallenge(for: worker).json)
        }
        on(Route(.post, "/v1/pool/sessions")) { request, _ in
            let login = try WorkerLogin(json: try await JSONRequest.body(of: &request))
            return JSONResponse.make(try await pool().login(login).json)
        }
        on(Route(.post, "/v1/pool/assignments")) { request, _ in
            let poll = try AssignmentRequest(json: try await JSONRequest.body(of: &request))
            let assignment = try await pool().nextAssignment(session: poll.session, timeout: poll.timeout)
            return JSONResponse.make(["assignment": assignment?.json ?? .null])
        }
        on(Route(.post, "/v1/pool/heartbeats")) { request, _ in
            let body = try await JSONRequest.body(of: &request)
            try await pool().heartbeat(session: try WorkerSession(json: body["session"] ?? .null))
            return JSONResponse.make(["renewed": .bool(true)])
        }
        on(Route(.post, "/v1/pool/reports")) { request, _ in
            try await pool().report(try ReplicateReportRequest(json: try await JSONRequest.body(of: &request)))
            return JSONResponse.make(["recorded": .bool(true)])
        }
        on(Route(.get, "/v1/pool/status")) { _, _ in
            JSONResponse.make(try await pool().status().json)
        }
        on(Route(.get, "/v1/pool/tasks/{taskId}")) { _, context in
            let taskId = try Parameters.bytes32(context, "taskId")
            guard let report = try await pool().taskReport(taskId) else {
                throw APIError.notFound("This node's workerpool schedules no task \(taskId).")
            }
            return JSONResponse.make(report.json)
        }
    }
}

extension APIError {
    /// The status of a scheduler refusal: 400 for a request that cannot be read or is for another pool, 401 for an
    /// unknown session, 403 for a bad login, 409 for a report on a task not assigned to the worker, 503 when the
    /// scheduler is not there or stopping.
    static func status(of code: SchedulerError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidRequest, .wrongWorkerpool: .badRequest
        case .unknownSession: .unauthorized
        case .invalidSignature, .unknownChallenge: .forbidden
        case .notAssigned: .conflict
        case .unavailable, .shuttingDown: .serviceUnavailable
        default: .unprocessableContent
        }
    }
}
