import ClaveCore
import ClaveCrypto
import ClaveSMS
import ClaveTestSupport
import ClaveWorkerpool
import Testing

/// Every value a worker or a requester exchanges with the scheduler reads back from its JSON, strictly.
@Suite struct SchedulerJSONTests {
    let worker = TestAccount(5)
    let pool = TestAccount(8).address

    @Test func valuesRoundTrip() throws {
        let taskId = Keccak256.hash(Array("task".utf8))
        let authorization = WorkerAuthorization(
            worker: worker.address, taskId: taskId, enclaveChallenge: TestAccount(9).address,
            signedWith: TestAccount(4).key)
        let assignment = WorkAssignment(
            taskId: taskId, dealId: Keccak256.hash(Array("deal".utf8)), index: 3, authorization: authorization)
        #expect(try WorkAssignment(json: assignment.json) == assignment)

        let result = ReplicateResult(
            resultDigest: Keccak256.hash(Array("digest".utf8)), enclaveChallenge: TestAccount(9).address,
            enclaveSignature: TestAccount(9).key.signPersonalMessage([1, 2, 3]), results: Array("{}".utf8),
            resultsCallback: [])
        #expect(try ReplicateResult(json: result.json) == result)

        let challenge = LoginChallenge(workerpool: pool, worker: worker.address, nonce: .random())
        #expect(try LoginChallenge(json: challenge.json) == challenge)
        let login = WorkerLogin(answering: challenge, capacity: 2, signedWith: worker.key)
        #expect(try WorkerLogin(json: login.json) == login)
        #expect(login.signer == worker.address)

        let session = WorkerSession(
            token: .random(), workerpool: pool, worker: worker.address, capacity: 2,
            heartbeatInterval: .seconds(10), leaseDuration: .milliseconds(30_500))
        #expect(try WorkerSession(json: session.json) == session)

        let report = TaskReport(
            taskId: taskId, dealId: assignment.dealId, index: 3, status: .active,
            replicates: [
                ReplicateReport(
                    worker: worker.address, status: .computeFailed, message: "boom", logs: "bafylogs",
                    createdAt: 1_700_000_000, updatedAt: 1_700_000_005),
                ReplicateReport(
                    worker: TestAccount(6).address, status: .workerLost, message: nil, logs: nil, createdAt: 1,
                    updatedAt: 2),
            ],
            failure: ReplicateFailure(.appFailed, "boom", isDeterministic: true))
        #expect(try TaskReport(json: report.json) == report)

        let status = PoolStatus(
            workerpool: pool,
            workers: [PoolStatus.Worker(worker: worker.address, capacity: 2, running: 1, lastSeen: .milliseconds(120))],
            tasks: [.active: 1, .completed: 4])
        #expect(try PoolStatus(json: status.json) == status)
    }

    @Test func unknownMembersAndStatusesAreRefused() throws {
        let challenge = LoginChallenge(workerpool: pool, worker: worker.address, nonce: .random())
        guard case .object(var members) = challenge.json else { throw FixtureError("not an object") }
        members["extra"] = .string("x")
        let unknown = #expect(throws: SchedulerError.self) { try LoginChallenge(json: .object(members)) }
        #expect(unknown?.code == .invalidRequest)
        #expect(unknown?.message.contains("challenge.extra") == true)

        let replicate = ReplicateReport(
            worker: worker.address, status: .computing, message: nil, logs: nil, createdAt: 1, updatedAt: 1)
        guard case .object(var fields) = replicate.json else { throw FixtureError("not an object") }
        fields["status"] = .string("RUNNING")
        #expect(throws: SchedulerError.self) { try ReplicateReport(json: .object(fields)) }

        let status = PoolStatus(workerpool: pool, workers: [], tasks: [.active: 1])
        guard case .object(var counted) = status.json else { throw FixtureError("not an object") }
        counted["tasks"] = ["RUNNING": "1"]
        let unknownStatus = #expect(throws: SchedulerError.self) { try PoolStatus(json: .object(counted)) }
        #expect(unknownStatus?.message.contains("status.tasks.RUNNING") == true)
    }
}
