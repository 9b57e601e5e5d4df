import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import ClaveWorkerpool
import Foundation
import Testing

/// A scheduler that restarts keeps what the ledger cannot tell it (docs/workerpool.md, "Restarts").
@Suite struct SchedulerRestartTests {
    /// At trust 3 the scheduler finalizes with the results a winner reported, which the ledger does not hold. The
    /// first scheduler dies with the task REVEALING and both reveals in (its ledger refuses its finalize, as a crash
    /// right before it would); a new scheduler on the same journal finalizes with the journaled result, with no
    /// worker running.
    @Test func aRestartedSchedulerFinalizesWithTheResultsItJournaled() async throws {
        let f = try await WorkerpoolFixture()
        let journalPath = f.directory.path("scheduler.sqlite")
        let dealId = try await f.match(volume: 1, trust: 3, salt: 1)
        let taskId = ComputeTask.id(dealId: dealId, index: 0)

        let first = try f.scheduler(journal: journalPath, ledger: RefusingFinalize(base: f.ledger))
        let firstRun = Running(first)
        let workers = [
            Running(f.agent(f.workers[0], scheduler: first)), Running(f.agent(f.workers[1], scheduler: first)),
        ]
        try await eventually("both winners revealed") {
            guard let task = await f.ledger.task(taskId) else { return false }
            return task.status == .revealing && task.revealCounter == 2
        }
        for service in workers + [firstRun] { await service.stop() }
        #expect(await f.ledger.task(taskId)?.status == .revealing)

        let second = try f.scheduler(journal: journalPath)
        let secondRun = Running(second)
        try await eventually("the restarted scheduler finalized the task") {
            await f.ledger.task(taskId)?.status == .completed
        }
        let task = try #require(await f.ledger.task(taskId))
        #expect(task.results == TestExecutor.results(taskId))
        #expect(task.resultDigest == TestExecutor.honestDigest(taskId))
        try await eventually("the restored replicates are COMPLETED") {
            let replicates = try await second.taskReport(taskId)?.replicates ?? []
            return replicates.count == 2 && replicates.allSatisfy { $0.status == .completed }
        }
        await secondRun.stop()
        // The done task leaves the journal (at once, or at the next start when the stop came first), and a third
        // start restores nothing for it.
        let third = try f.scheduler(journal: journalPath, ledger: RefusingFinalize(base: f.ledger))
        let thirdRun = Running(third)
        try await eventually("the third scheduler adopted the deal") { try await third.taskReport(taskId) != nil }
        #expect(try await third.taskReport(taskId)?.replicates.isEmpty == true)
        await thirdRun.stop()
        #expect(try await SchedulerJournal(path: journalPath).entries().isEmpty)
    }

    /// A deterministic failure survives a restart: the restarted scheduler reports it and does not give the task to
    /// another worker, which meanwhile completes the task of another deal.
    @Test func aRestartedSchedulerRemembersADeterministicFailure() async throws {
        let f = try await WorkerpoolFixture()
        let journalPath = f.directory.path("scheduler.sqlite")
        let failing = try await f.match(volume: 1, trust: 1, salt: 1)
        let failedTask = ComputeTask.id(dealId: failing, index: 0)
        let failure = ReplicateFailure(.appFailed, "The app wrote error-message \"bad input\".", isDeterministic: true)
        let first = try f.scheduler(journal: journalPath)
        let firstRun = Running(first)
        let failingRun = Running(f.agent(f.workers[0], .fail(failure), scheduler: first))
        try await eventually("the failure reaches the scheduler") {
            try await first.taskReport(failedTask)?.failure == failure
        }
        for service in [failingRun, firstRun] { await service.stop() }

        let second = try f.scheduler(journal: journalPath)
        let secondRun = Running(second)
        let healthy = f.workers[1]
        let healthyRun = Running(f.agent(healthy, scheduler: second))
        let other = try await f.match(volume: 1, trust: 1, salt: 2)
        try await eventually("the healthy worker completes the other deal's task") {
            await f.ledger.task(ComputeTask.id(dealId: other, index: 0))?.status == .completed
        }
        let report = try #require(try await second.taskReport(failedTask))
        #expect(report.failure == failure)
        #expect(report.replicate(of: healthy.address) == nil)
        for service in [healthyRun, secondRun] { await service.stop() }
    }

    /// A journal that is not one is refused with a message that says what to do.
    @Test func aFileThatIsNotAJournalIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("scheduler.sqlite")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SchedulerError.self) { try SchedulerJournal(path: path) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("move it aside") == true)
    }
}

/// The fixture's ledger, except that a `finalize` is refused: a scheduler on it gets a task to REVEALING and no
/// further, as one that crashed right before finalizing.
private struct RefusingFinalize: ForwardingLedgerService {
    let base: any LedgerService

    struct Refused: Error {}

    func submit(_ transaction: SignedTransaction) async throws -> Receipt {
        if case .finalize = transaction.transaction.body { throw Refused() }
        return try await base.submit(transaction)
    }
}
