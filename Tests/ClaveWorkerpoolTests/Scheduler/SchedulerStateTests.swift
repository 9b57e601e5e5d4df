import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Testing

@testable import ClaveWorkerpool

/// What the scheduler's state counts against a worker's capacity, and which tasks it takes back from a lost worker:
/// the replicates still running on open tasks, looked up by worker.
@Suite struct SchedulerStateTests {
    /// A state holding a deal of `volume` tasks, each ACTIVE on the ledger.
    private static func state(volume: UInt64) async throws -> (SchedulerState, [ComputeTask]) {
        let f = try await WorkerpoolFixture()
        let dealId = try await f.match(volume: volume, trust: 1, salt: 7)
        let deal = try #require(await f.ledger.deal(dealId))
        var state = SchedulerState()
        state.adopt(deal)
        let tasks = f.taskIds(dealId, count: volume).enumerated().map { index, taskId in
            ComputeTask(
                id: taskId, dealId: dealId, index: UInt64(index), status: .active, timeref: 60,
                contributionDeadline: 1_000, finalDeadline: 2_000)
        }
        for task in tasks { state.refresh(task, at: 1) }
        return (state, tasks)
    }

    private static func address(_ byte: UInt8) throws -> Address {
        try Address(bytes: [UInt8](repeating: byte, count: 20))
    }

    private static func contribution(weight: UInt64) -> Contribution {
        Contribution(
            status: .contributed, resultHash: Keccak256.hash(utf8: "result"), resultSeal: Keccak256.hash(utf8: "seal"),
            enclaveChallenge: .zero, weight: weight, stake: 0)
    }

    @Test func aWorkerIsBusyWithItsRunningReplicatesOfOpenTasksOnly() async throws {
        var (state, tasks) = try await Self.state(volume: 6)
        let (a, b) = (try Self.address(0xA), try Self.address(0xB))
        for task in tasks.prefix(4) { state.addReplicate(worker: a, weight: 1, to: task.id, at: 2) }
        state.addReplicate(worker: b, weight: 1, to: tasks[0].id, at: 2)
        #expect(state.busyReplicates(of: a) == 4)
        #expect(state.busyReplicates(of: b) == 1)

        // A replicate that ended (here WORKER_LOST) frees its place.
        state.update(tasks[1].id, worker: a, at: 3) { $0.status = .workerLost }
        #expect(state.busyReplicates(of: a) == 3)
        // So does one whose contribution the ledger shows.
        var contributed = tasks[2]
        contributed.contributions[a] = Self.contribution(weight: 1)
        state.refresh(contributed, at: 4)
        #expect(state.busyReplicates(of: a) == 2)
        // A task done on the ledger ends its replicates: neither worker counts it any more.
        var completed = tasks[0]
        completed.status = .completed
        state.refresh(completed, at: 5)
        #expect(state.busyReplicates(of: a) == 1)
        #expect(state.busyReplicates(of: b) == 0)
        #expect(!state.order.contains(tasks[0].id))

        // Losing a worker ends its replicates still running on open tasks (the one that contributed too: it would
        // have revealed), in the order tasks are handed out; not the ended one, nor that of the done task.
        state.addReplicate(worker: a, weight: 1, to: tasks[5].id, at: 6)
        let lost = state.loseWorker(a, at: 7, message: "silent")
        #expect(lost == [tasks[2].id, tasks[3].id, tasks[5].id])
        #expect(state.busyReplicates(of: a) == 0)
        #expect(state.tasks[tasks[3].id]?.replicates.first?.status == .workerLost)
        // The other worker's are untouched.
        state.addReplicate(worker: b, weight: 1, to: tasks[4].id, at: 8)
        #expect(state.busyReplicates(of: b) == 1)
        #expect(state.loseWorker(a, at: 9, message: "silent").isEmpty)
    }

    @Test func aReplicateOnAnUnknownTaskIsNotCounted() async throws {
        var (state, _) = try await Self.state(volume: 1)
        let worker = try Self.address(0xC)
        state.addReplicate(worker: worker, weight: 1, to: Keccak256.hash(utf8: "no such task"), at: 1)
        #expect(state.busyReplicates(of: worker) == 0)
    }
}
