import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveServer
import ClaveTestSupport
import ClaveWorkerpool
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The workerpool scheduler over HTTP: a worker logs in, polls and heartbeats; each refusal has its status and a
/// scheduler error body; and ``SchedulerClient`` against a live server rebuilds the scheduler's errors.
@Suite struct PoolRouteTests {
    @Test func aWorkerLogsInPollsAndHeartbeats() async throws {
        let fixture = try await ServerFixture()
        let worker = fixture.worker
        try await fixture.application().test(.router) { client in
            let challengeAnswer = try await client.call(
                .post, "/v1/pool/login-challenges", json: ["worker": .string(worker.address.checksummed)])
            #expect(challengeAnswer.status == .ok)
            let challenge = try LoginChallenge(json: challengeAnswer.json)
            #expect(challenge.workerpool == fixture.workerpool)
            let login = WorkerLogin(answering: challenge, capacity: 2, signedWith: worker.key)
            let sessionAnswer = try await client.call(.post, "/v1/pool/sessions", json: login.json)
            #expect(sessionAnswer.status == .ok)
            let session = try WorkerSession(json: sessionAnswer.json)
            #expect(session.capacity == 2)

            let poll = try await client.call(
                .post, "/v1/pool/assignments", json: AssignmentRequest(session: session, timeout: .zero).json)
            #expect(poll.status == .ok)
            #expect(poll.json["assignment"] == .null)
            let heartbeat = try await client.call(.post, "/v1/pool/heartbeats", json: ["session": session.json])
            #expect(heartbeat.status == .ok)
        }
    }

    @Test func refusalsHaveTheirStatusAndASchedulerErrorBody() async throws {
        let fixture = try await ServerFixture()
        let worker = fixture.worker
        try await fixture.application().test(.router) { client in
            func expect(
                _ path: String, _ body: JSONValue, _ status: Int, _ code: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let answer = try await client.call(.post, path, json: body)
                #expect(Int(answer.status.code) == status, "\(path) \(code)", sourceLocation: sourceLocation)
                #expect(answer.code == code, sourceLocation: sourceLocation)
                #expect(answer.message?.isEmpty == false, sourceLocation: sourceLocation)
            }
            let challenge = try LoginChallenge(
                json: try await client.call(
                    .post, "/v1/pool/login-challenges", json: ["worker": .string(worker.address.checksummed)]
                ).json)
            // Signed by another key than the worker's.
            let forged = WorkerLogin(answering: challenge, capacity: 1, signedWith: fixture.stranger.key)
            var misattributed = forged
            misattributed.worker = worker.address
            try await expect("/v1/pool/sessions", misattributed.json, 403, "invalidSignature")
            // The challenge is used up by the attempt: the honest answer now finds none.
            try await expect(
                "/v1/pool/sessions", WorkerLogin(answering: challenge, capacity: 1, signedWith: worker.key).json, 403,
                "unknownChallenge")
            try await expect("/v1/pool/login-challenges", ["worker": "not an address"], 400, "invalidRequest")
            try await expect("/v1/pool/sessions", ["worker": 1], 400, "invalidRequest")

            let unknown = WorkerSession(
                token: .random(), workerpool: fixture.workerpool, worker: worker.address, capacity: 1,
                heartbeatInterval: .seconds(10), leaseDuration: .seconds(30))
            try await expect(
                "/v1/pool/assignments", AssignmentRequest(session: unknown, timeout: .zero).json, 401, "unknownSession")
            try await expect("/v1/pool/heartbeats", ["session": unknown.json], 401, "unknownSession")
            // A poll longer than a minute, or whose timeout is not a number, is refused rather than cut.
            try await expect(
                "/v1/pool/assignments", ["session": unknown.json, "timeoutMilliseconds": "60001"], 400,
                "invalidRequest")
            try await expect(
                "/v1/pool/assignments", ["session": unknown.json, "timeoutMilliseconds": "soon"], 400,
                "invalidRequest")
            try await expect(
                "/v1/pool/reports",
                ReplicateReportRequest(
                    session: unknown, taskId: .random(), status: .computing, message: nil, logs: nil, result: nil,
                    failure: nil
                ).json, 401, "unknownSession")

            let report = try await client.call(.get, "/v1/pool/tasks/\(Bytes32.random())")
            #expect(report.status == .notFound)
            #expect(report.code == "notFound")
        }
    }

    @Test func aNodeWithoutAWorkerpoolSaysSo() async throws {
        let fixture = try await ServerFixture()
        let api = ClaveAPI(ledger: fixture.ledger, orderbook: fixture.orderbook, blobs: fixture.blobs, sms: fixture.sms)
        let application = Application(
            router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: .quiet)
        try await application.test(.router) { client in
            let answer = try await client.call(.get, "/v1/pool/tasks/\(Bytes32.zero)")
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.code == "unavailable")
            #expect(answer.message?.contains("clave node --workers") == true)
        }
    }

    @Test func theClientRebuildsTheSchedulersErrors() async throws {
        let fixture = try await ServerFixture()
        try await fixture.application().test(.live) { client in
            let scheduler = SchedulerClient(connection: try NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            let challenge = try await scheduler.loginChallenge(for: fixture.worker.address)
            var forged = WorkerLogin(answering: challenge, capacity: 1, signedWith: fixture.stranger.key)
            forged.worker = fixture.worker.address
            await #expect(throws: SchedulerError.self) { try await scheduler.login(forged) }
            do {
                _ = try await scheduler.login(forged)
            } catch let error as SchedulerError {
                #expect(error.code == .unknownChallenge)
            }
            #expect(try await scheduler.taskReport(.random()) == nil)
            let session = try await scheduler.login(
                WorkerLogin(
                    answering: try await scheduler.loginChallenge(for: fixture.worker.address), capacity: 1,
                    signedWith: fixture.worker.key))
            #expect(try await scheduler.nextAssignment(session: session, timeout: .milliseconds(10)) == nil)
        }
    }
}
