import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import ClaveWorkerpool
import Testing

/// Lost workers, failures and logins.
@Suite struct SchedulerFailureTests {
    /// Moves the fixture's clock (leases and ledger time) by `total` in steps, giving the services a moment after each
    /// step to heartbeat and tick, as they would while time passes.
    func pass(_ total: Duration, in f: WorkerpoolFixture, step: Duration = .seconds(5)) async throws {
        var passed = Duration.zero
        while passed < total {
            f.clock.advance(by: step)
            passed += step
            try await Task.sleep(for: .milliseconds(40))
        }
    }

    @Test func aWorkerThatStopsHeartbeatingIsLostAndItsTaskGoesToAnother() async throws {
        let f = try await WorkerpoolFixture()
        let (dying, healthy) = (f.workers[0], f.workers[1])
        let scheduler = try f.scheduler()
        let schedulerRun = Running(scheduler)
        let dealId = try await f.match(volume: 1, trust: 1, salt: 1)
        let taskId = ComputeTask.id(dealId: dealId, index: 0)

        let dyingRun = Running(f.agent(dying, .hang, scheduler: scheduler))
        try await eventually("the first worker computes") {
            try await scheduler.taskReport(taskId)?.replicate(of: dying.address)?.status == .computing
        }
        await dyingRun.stop()
        let healthyRun = Running(f.agent(healthy, scheduler: scheduler))
        // Its lease holds for 30 s: until then nobody else gets the task.
        try await pass(.seconds(25), in: f)
        #expect(try await scheduler.taskReport(taskId)?.replicate(of: healthy.address) == nil)
        try await pass(.seconds(15), in: f)
        try await eventually("the task is COMPLETED by the other worker") {
            await f.ledger.task(taskId)?.status == .completed
        }
        // The worker reports COMPLETED once the ledger says so; under load that report can trail the ledger.
        try await eventually("the other worker reports its replicate COMPLETED") {
            try await scheduler.taskReport(taskId)?.replicate(of: healthy.address)?.status == .completed
        }
        for service in [healthyRun, schedulerRun] { await service.stop() }

        let report = try #require(try await scheduler.taskReport(taskId))
        #expect(report.replicate(of: dying.address)?.status == .workerLost)
        #expect(report.replicate(of: dying.address)?.message?.contains("heartbeat") == true)
        #expect(report.replicate(of: healthy.address)?.status == .completed)
        #expect(await f.ledger.task(taskId)?.contributors == [healthy.address])
    }

    @Test func aDeterministicFailureIsReportedNotRetriedAndTheSponsorIsRefunded() async throws {
        let f = try await WorkerpoolFixture()
        let (failing, other) = (f.workers[0], f.workers[1])
        let scheduler = try f.scheduler()
        let schedulerRun = Running(scheduler)
        let requesterBefore = await f.ledger.account(f.requester.address)
        let dealId = try await f.match(volume: 1, trust: 1, salt: 1)
        let taskId = ComputeTask.id(dealId: dealId, index: 0)
        let failure = ReplicateFailure(
            .appFailed, "The app wrote error-message \"no such column: email\" in computed.json.",
            isDeterministic: true)

        let failingRun = Running(f.agent(failing, .fail(failure), scheduler: scheduler))
        try await eventually("the failure reaches the scheduler") {
            try await scheduler.taskReport(taskId)?.failure == failure
        }
        let otherRun = Running(f.agent(other, scheduler: scheduler))
        try await pass(.seconds(60), in: f)
        var report = try #require(try await scheduler.taskReport(taskId))
        #expect(report.replicates.map(\.worker) == [failing.address])
        #expect(report.replicates.first?.status == .computeFailed)
        #expect(report.replicates.first?.message == failure.message)
        #expect(report.status == .active)

        // Past the final deadline (deal start + 10 × 20 s), the scheduler claims the task.
        try await pass(.seconds(160), in: f, step: .seconds(10))
        // The clock keeps moving while the test waits: under load the scheduler's last tick can run before the
        // deadline, and it ticks again only when the clock moves.
        try await eventually("the task is FAILED") {
            f.clock.advance(by: .seconds(5))
            return await f.ledger.task(taskId)?.status == .failed
        }
        for service in [failingRun, otherRun, schedulerRun] { await service.stop() }

        report = try #require(try await scheduler.taskReport(taskId))
        #expect(report.status == .failed)
        #expect(report.failure == failure)
        #expect(report.replicates.count == 1)
        let requester = await f.ledger.account(f.requester.address)
        #expect(requester.balance == requesterBefore.balance)
        #expect(requester.frozen == requesterBefore.frozen)
    }

    /// The scheduler comes to a deal after its contribution deadline (deal start + 7 × 20 s): the ledger refuses the
    /// initializeArray of its tasks, then each initialize; past the final deadline each task is claimed with
    /// initializeAndClaim and the requester gets the price back.
    @Test func aDealTakenTooLateToInitializeIsClaimedTaskByTask() async throws {
        let f = try await WorkerpoolFixture()
        let requesterBefore = await f.ledger.account(f.requester.address)
        let dealId = try await f.match(volume: 2, trust: 1, salt: 1)
        let taskIds = f.taskIds(dealId, count: 2)
        f.clock.advance(by: .seconds(141))
        let scheduler = try f.scheduler()
        let schedulerRun = Running(scheduler)
        try await pass(.seconds(60), in: f, step: .seconds(10))
        try await eventually("both tasks are FAILED") {
            f.clock.advance(by: .seconds(5))
            for taskId in taskIds where await f.ledger.task(taskId)?.status != .failed { return false }
            return true
        }
        await schedulerRun.stop()

        for taskId in taskIds {
            let claimed = try await f.ledger.events(matching: EventFilter(task: taskId, name: "TaskClaimed"))
            #expect(claimed.count == 1)
            let event = try #require(claimed.first)
            let record = try #require(try await f.ledger.transaction(hash: event.transactionHash))
            #expect(record.transaction.transaction.body.type == "initializeAndClaim")
        }
        let requester = await f.ledger.account(f.requester.address)
        #expect(requester.balance == requesterBefore.balance)
        #expect(requester.frozen == requesterBefore.frozen)
    }

    @Test func aLoginWithABadSignatureOrAReplayedChallengeIsRefused() async throws {
        let f = try await WorkerpoolFixture()
        let scheduler = try f.scheduler()
        let worker = f.workers[0]

        let challenge = try await scheduler.loginChallenge(for: worker.address)
        var forged = WorkerLogin(answering: challenge, capacity: 1, signedWith: f.workers[1].key)
        forged.worker = worker.address
        let refusal = await #expect(throws: SchedulerError.self) { try await scheduler.login(forged) }
        #expect(refusal?.code == .invalidSignature)
        #expect(refusal?.message.contains("EIP-191") == true)

        // The challenge was used up by the refused attempt; a fresh one works once, and only once.
        let honest = WorkerLogin(answering: challenge, capacity: 1, signedWith: worker.key)
        let reused = await #expect(throws: SchedulerError.self) { try await scheduler.login(honest) }
        #expect(reused?.code == .unknownChallenge)
        let fresh = WorkerLogin(
            answering: try await scheduler.loginChallenge(for: worker.address), capacity: 2, signedWith: worker.key)
        let session = try await scheduler.login(fresh)
        #expect(session.worker == worker.address)
        #expect(session.capacity == 2)
        let replayed = await #expect(throws: SchedulerError.self) { try await scheduler.login(fresh) }
        #expect(replayed?.code == .unknownChallenge)

        // A login for another pool is refused too, and a forgotten session cannot heartbeat.
        var elsewhere = WorkerLogin(
            answering: try await scheduler.loginChallenge(for: worker.address), capacity: 1, signedWith: worker.key)
        elsewhere.workerpool = f.app
        let wrongPool = await #expect(throws: SchedulerError.self) { try await scheduler.login(elsewhere) }
        #expect(wrongPool?.code == .wrongWorkerpool)
        var stranger = session
        stranger.token = .random()
        let unknown = await #expect(throws: SchedulerError.self) { try await scheduler.heartbeat(session: stranger) }
        #expect(unknown?.code == .unknownSession)
    }

    /// A worker's queued reports go as one batch: taken in order, each answered, and a refused one (a task it was not
    /// assigned) stops none of the others.
    @Test func aBatchOfReportsIsTakenInOrderAndARefusedReportStopsNone() async throws {
        let f = try await WorkerpoolFixture()
        let scheduler = try f.scheduler()
        let schedulerRun = Running(scheduler)
        let worker = f.workers[0]
        let dealId = try await f.match(volume: 2, trust: 1, salt: 1)
        let session = try await scheduler.login(
            WorkerLogin(
                answering: try await scheduler.loginChallenge(for: worker.address), capacity: 1,
                signedWith: worker.key))
        let assignment = try #require(try await scheduler.nextAssignment(session: session, timeout: .seconds(5)))
        let unassigned = try #require(f.taskIds(dealId, count: 2).first { $0 != assignment.taskId })
        func report(_ taskId: Bytes32, _ status: ReplicateStatus, _ message: String?) -> ReplicateReportRequest {
            ReplicateReportRequest(
                session: session, taskId: taskId, status: status, message: message, logs: nil, result: nil,
                failure: nil)
        }
        let answers = await scheduler.report([
            report(assignment.taskId, .dataDownloading, nil),
            report(unassigned, .computing, "not mine"),
            report(assignment.taskId, .computing, "running the app"),
        ])
        #expect(answers.count == 3)
        #expect(answers[0] == nil)
        #expect((answers[1] as? SchedulerError)?.code == .notAssigned)
        #expect(answers[2] == nil)
        let replicate = try #require(try await scheduler.taskReport(assignment.taskId)?.replicate(of: worker.address))
        #expect(replicate.status == .computing)
        #expect(replicate.message == "running the app")
        #expect(try await scheduler.taskReport(unassigned)?.replicate(of: worker.address) == nil)
        await schedulerRun.stop()
    }
}
