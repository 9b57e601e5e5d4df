import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import ClaveWorkerpool
import Testing

/// A scheduler keeps the reports of done tasks for a while, not forever: a node that runs for months must not grow
/// with every task it ever ran.
@Suite struct SchedulerRetentionTests {
    @Test func aDoneTasksReportIsForgottenAfterTheRetention() async throws {
        let f = try await WorkerpoolFixture()
        let dealId = try await f.match(volume: 2, trust: 1, salt: 41)
        let scheduler = try f.scheduler(configuration: .init(finishedTaskRetention: .seconds(600)))
        let running = Running(scheduler)
        let agent = Running(f.agent(f.workers[0], scheduler: scheduler))
        let taskIds = f.taskIds(dealId, count: 2)
        try await eventually("both tasks are reported COMPLETED") {
            for taskId in taskIds where try await scheduler.taskReport(taskId)?.status != .completed { return false }
            return true
        }
        await agent.stop()
        #expect(try await scheduler.status().tasks[.completed] == 2)

        // Within the retention, a tick keeps them.
        f.clock.advance(by: .seconds(300))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await scheduler.taskReport(taskIds[0])?.replicates.first?.status == .completed)
        // Past it, the next tick forgets them, and their deal.
        f.clock.advance(by: .seconds(305))
        try await eventually("the done tasks are forgotten") {
            for taskId in taskIds where try await scheduler.taskReport(taskId) != nil { return false }
            return true
        }
        #expect(try await scheduler.status().tasks[.completed] == nil)
        // The ledger still has them: only the scheduler's reports are gone.
        for taskId in taskIds { #expect(await f.ledger.task(taskId)?.status == .completed) }
        await running.stop()
    }

    @Test func beyondTheMostDoneTasksKeptTheOldestAreForgotten() async throws {
        let f = try await WorkerpoolFixture()
        let dealId = try await f.match(volume: 3, trust: 1, salt: 42)
        let scheduler = try f.scheduler(configuration: .init(maximumFinishedTasks: 1))
        let running = Running(scheduler)
        let agent = Running(f.agent(f.workers[0], scheduler: scheduler))
        let taskIds = f.taskIds(dealId, count: 3)
        try await eventually("the three tasks are reported COMPLETED") {
            for taskId in taskIds where try await scheduler.taskReport(taskId)?.status != .completed { return false }
            return true
        }
        await agent.stop()
        f.clock.advance(by: .seconds(5))
        try await eventually("two of the three reports are forgotten") {
            var kept = 0
            for taskId in taskIds where try await scheduler.taskReport(taskId) != nil { kept += 1 }
            return kept == 1
        }
        #expect(try await scheduler.status().tasks[.completed] == 1)
        await running.stop()
    }
}
