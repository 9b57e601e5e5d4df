import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import ClaveWorkerpool
import Testing

/// A scheduler and its workers against a real ledger and a real SMS, in process.
@Suite struct SchedulerLifecycleTests {
    @Test func aTrustOneDealCompletesWithTwoWorkersAndEveryoneIsPaid() async throws {
        let f = try await WorkerpoolFixture()
        let dealId = try await f.match(volume: 4, trust: 1, salt: 1)
        let deal = try #require(await f.ledger.deal(dealId))
        let before = (
            requester: await f.holdings(f.requester), app: await f.holdings(f.appOwner),
            dataset: await f.holdings(f.datasetOwner), owner: await f.holdings(f.owner),
            workers: [await f.holdings(f.workers[0]), await f.holdings(f.workers[1])]
        )
        let scheduler = try f.scheduler()
        let running = [
            Running(scheduler), Running(f.agent(f.workers[0], scheduler: scheduler)),
            Running(f.agent(f.workers[1], scheduler: scheduler)),
        ]
        let taskIds = f.taskIds(dealId, count: 4)
        try await eventually("every task is COMPLETED") {
            for taskId in taskIds where await f.ledger.task(taskId)?.status != .completed { return false }
            return true
        }
        for service in running { await service.stop() }

        // The scheduler started the deal's four tasks with one initializeArray, in one block.
        let initialized = try await f.ledger.events(matching: EventFilter(deal: dealId, name: "TaskInitialized"))
        #expect(initialized.count == 4)
        let hashes = Set(initialized.map(\.transactionHash))
        #expect(hashes.count == 1)
        let hash = try #require(hashes.first)
        let transaction = try #require(try await f.ledger.transaction(hash: hash))
        #expect(transaction.transaction.transaction.body.type == "initializeArray")
        #expect(transaction.transaction.transaction.from == f.owner.address)

        for taskId in taskIds {
            let task = try #require(await f.ledger.task(taskId))
            #expect(task.results == TestExecutor.results(taskId))
            #expect(task.resultDigest == TestExecutor.honestDigest(taskId))
            let report = try #require(try await scheduler.taskReport(taskId))
            #expect(report.status == .completed)
            #expect(report.failure == nil)
            #expect(report.replicates.count == 1)
            #expect(report.replicates.first?.status == .completed)
        }
        // Each task pays the app and dataset owners their prices; the pool price is shared between the worker who
        // ran it ((100 − scheduler ratio) %) and the scheduler (the rest); the requester pays the task price.
        let workerReward = WorkerpoolFixture.poolPrice * (100 - deal.schedulerRewardRatio) / 100
        #expect(await f.holdings(f.requester) == before.requester - 4 * deal.taskPrice)
        #expect(await f.holdings(f.appOwner) == before.app + 4 * WorkerpoolFixture.appPrice)
        #expect(await f.holdings(f.datasetOwner) == before.dataset + 4 * WorkerpoolFixture.datasetPrice)
        #expect(await f.holdings(f.owner) == before.owner + 4 * (WorkerpoolFixture.poolPrice - workerReward))
        let earned = [
            await f.holdings(f.workers[0]) - before.workers[0], await f.holdings(f.workers[1]) - before.workers[1],
        ]
        #expect(earned.reduce(0, +) == 4 * workerReward)
        #expect(earned.allSatisfy { $0 % workerReward == 0 })
    }

    /// Fresh workers weigh 2: two honest ones and a liar cannot reach trust 3 (4 × 3 > (6 + 1) × 2 is false). Two
    /// honest workers first earn a score of 12 (weight 3) on a replicated deal run by the same code; then the liar's
    /// contribution (weight 2) is outweighed: 9 × 3 > (11 + 1) × 2.
    @Test func aLiarIsOutvotedAtTrustThreeAndLosesItsStake() async throws {
        let f = try await WorkerpoolFixture()
        let (honest1, honest2, liar) = (f.workers[0], f.workers[1], f.workers[2])
        let scheduler = try f.scheduler()
        let schedulerRun = Running(scheduler)

        // Twelve tasks at trust 3: each needs both fresh workers, and each completion scores them 1.
        let warmUp = try await f.match(volume: 12, trust: 3, salt: 1)
        var honest = [Running(f.agent(honest1, scheduler: scheduler)), Running(f.agent(honest2, scheduler: scheduler))]
        // Twenty-four replicates, each a ledger transaction or two: well under a second alone, but the whole suite
        // starts hundreds of tests at once on two cores, and this wait once passed 60 s there.
        try await eventually("the warm-up deal is COMPLETED", timeout: .seconds(180)) {
            for taskId in f.taskIds(warmUp, count: 12) where await f.ledger.task(taskId)?.status != .completed {
                return false
            }
            return true
        }
        for service in honest { await service.stop() }
        #expect(await f.ledger.account(honest1.address).score == 12)
        #expect(await f.ledger.account(honest2.address).score == 12)
        #expect(ComputeTask.weight(score: 12) == 3)

        let dealId = try await f.match(volume: 1, trust: 3, salt: 2)
        let deal = try #require(await f.ledger.deal(dealId))
        let taskId = ComputeTask.id(dealId: dealId, index: 0)
        let liarBefore = await f.holdings(liar)
        let honestBefore = [await f.holdings(honest1), await f.holdings(honest2)]

        // The liar alone (weight 2) cannot reach consensus, so it takes the task first and contributes.
        let liarRun = Running(f.agent(liar, .liar, scheduler: scheduler))
        try await eventually("the liar contributed") {
            await f.ledger.task(taskId)?.contributions[liar.address] != nil
        }
        honest = [Running(f.agent(honest1, scheduler: scheduler)), Running(f.agent(honest2, scheduler: scheduler))]
        try await eventually("the task is COMPLETED") { await f.ledger.task(taskId)?.status == .completed }
        try await eventually("the liar's replicate is FAILED") {
            try await scheduler.taskReport(taskId)?.replicate(of: liar.address)?.status == .failed
        }
        for service in honest + [liarRun, schedulerRun] { await service.stop() }

        let task = try #require(await f.ledger.task(taskId))
        #expect(task.contributors.count == 3)
        #expect(task.resultDigest == TestExecutor.honestDigest(taskId))
        #expect(task.contributions[honest1.address]?.status == .proved)
        #expect(task.contributions[honest2.address]?.status == .proved)
        #expect(task.contributions[liar.address]?.status == .contributed)
        let faulty = try await f.ledger.events(
            matching: EventFilter(task: taskId, name: "FaultyContribution"), after: nil, limit: 10, timeout: .zero)
        #expect(faulty.count == 1)
        // The liar's stake is seized; the honest workers share the pool's reward and the seized stake.
        #expect(await f.holdings(liar) == liarBefore - deal.workerStake)
        let reward = (WorkerpoolFixture.poolPrice + deal.workerStake) * (100 - deal.schedulerRewardRatio) / 100
        #expect(await f.holdings(honest1) == honestBefore[0] + reward / 2)
        #expect(await f.holdings(honest2) == honestBefore[1] + reward / 2)
        #expect(await f.ledger.account(liar.address).score == 0)
        #expect(await f.ledger.account(honest1.address).score == 13)
    }
}
