import ClaveCore
import ClaveCrypto

/// What the scheduler knows of its deals, tasks and replicates: a value with no I/O, changed by the scheduler as
/// the ledger and the workers tell it things, and asked which task a worker should run next.
struct SchedulerState {
    var deals: [Bytes32: Deal] = [:]
    var tasks: [Bytes32: TaskRecord] = [:]
    /// The ids of the tasks not done yet (neither COMPLETED nor FAILED on the ledger), in the order their deals came,
    /// then by index: the order tasks are handed out. Done tasks leave it, so that what the scheduler scans for each
    /// assignment and tick is the open work, not every task it ever scheduled.
    var order: [Bytes32] = []
    /// The done tasks, in the order they were seen done (``TaskRecord/doneAt``): what ``prune(before:keepingAtMost:)``
    /// forgets, oldest first. Entries before `finishedHead` are gone.
    private var finished: [Bytes32] = []
    private var finishedHead = 0
    /// How many records each deal still has: a deal is forgotten with its last task.
    private var recordsOfDeal: [Bytes32: Int] = [:]
    /// The open tasks each worker has a replicate of: what ``busyReplicates(of:)`` and ``loseWorker(_:at:message:)``
    /// look through, instead of every open task, so that assigning costs the same with ten open tasks or a deal of
    /// ten thousand waiting. A task leaves it when it is done.
    private var openTasksOfWorker: [Address: Set<Bytes32>] = [:]

    mutating func adopt(_ deal: Deal) {
        deals[deal.id] = deal
        for index in deal.botFirst..<(deal.botFirst + deal.botSize) {
            let taskId = ComputeTask.id(dealId: deal.id, index: index)
            guard tasks[taskId] == nil else { continue }
            tasks[taskId] = TaskRecord(taskId: taskId, dealId: deal.id, index: index, trust: deal.trust)
            recordsOfDeal[deal.id, default: 0] += 1
            order.append(taskId)
        }
    }

    /// Notes that `taskId` is done (COMPLETED or FAILED on the ledger), once, at `time` on the scheduler's clock.
    mutating func noteDone(_ taskId: Bytes32, at time: Duration) {
        guard let record = tasks[taskId], record.isDone, record.doneAt == nil else { return }
        tasks[taskId]?.doneAt = time
        finished.append(taskId)
    }

    /// How many done tasks are still recorded.
    var finishedCount: Int { finished.count - finishedHead }

    /// Forgets the done tasks seen done before `cutoff`, and the oldest beyond the `maximum` most recent, with their
    /// replicates and reports; a deal goes with its last task. Returns how many tasks were forgotten. Open tasks are
    /// never forgotten.
    @discardableResult
    mutating func prune(before cutoff: Duration, keepingAtMost maximum: Int) -> Int {
        var forgotten = 0
        while finishedHead < finished.count {
            let taskId = finished[finishedHead]
            if let doneAt = tasks[taskId]?.doneAt, doneAt >= cutoff, finishedCount <= maximum { break }
            finishedHead += 1
            guard let record = tasks.removeValue(forKey: taskId) else { continue }
            forgotten += 1
            let left = (recordsOfDeal[record.dealId] ?? 1) - 1
            if left > 0 {
                recordsOfDeal[record.dealId] = left
            } else {
                recordsOfDeal.removeValue(forKey: record.dealId)
                deals.removeValue(forKey: record.dealId)
            }
        }
        if finishedHead > 1024, finishedHead * 2 > finished.count {
            finished.removeFirst(finishedHead)
            finishedHead = 0
        }
        return forgotten
    }

    /// The ledger's task as read now; a finished task ends the replicates still running.
    mutating func refresh(_ task: ComputeTask, at time: UInt64) {
        guard var record = tasks[task.id] else { return }
        record.ledger = task
        for position in record.replicates.indices {
            var replicate = record.replicates[position]
            let contribution = task.contributions[replicate.worker]
            switch task.status {
            case .completed where contribution?.status == .proved:
                if replicate.status != .completed {
                    replicate.status = .completed
                    replicate.updatedAt = time
                }
            case .completed where !replicate.status.isFinal:
                replicate.status = contribution == nil ? .aborted : .failed
                replicate.message =
                    replicate.message
                    ?? (contribution == nil
                        ? "The task completed without this replicate." : "Its result differs from the consensus.")
                replicate.updatedAt = time
            case .failed where !replicate.status.isFinal:
                replicate.status = .failed
                replicate.message = replicate.message ?? "The task failed: claimed after its final deadline."
                replicate.updatedAt = time
            case .active where contribution?.status == .rejected && !replicate.status.isFinal:
                replicate.status = .failed
                replicate.message = "The task was reopened: its winners did not reveal before the reveal deadline."
                replicate.updatedAt = time
            default:
                break
            }
            record.replicates[position] = replicate
        }
        tasks[task.id] = record
        if record.isDone, let position = order.firstIndex(of: task.id) {
            order.remove(at: position)
            for replicate in record.replicates { forgetOpenTask(task.id, of: replicate.worker) }
        }
    }

    private mutating func forgetOpenTask(_ taskId: Bytes32, of worker: Address) {
        openTasksOfWorker[worker]?.remove(taskId)
        if openTasksOfWorker[worker]?.isEmpty == true { openTasksOfWorker[worker] = nil }
    }

    /// How many replicates `worker` runs that have not contributed yet: what its capacity limits.
    func busyReplicates(of worker: Address) -> UInt64 {
        var count: UInt64 = 0
        // A done task's replicates are all final (``refresh(_:at:)`` ends those still running).
        for taskId in openTasksOfWorker[worker] ?? [] {
            guard let record = tasks[taskId] else { continue }
            for replicate in record.replicates
            where replicate.worker == worker && !replicate.status.isFinal
                && record.ledger?.contributions[worker] == nil
            {
                count += 1
            }
        }
        return count
    }

    /// The first task that needs another replicate and that `worker` has not run: ACTIVE, without a deterministic
    /// failure, under `maximumReplicates`, and whose running replicates could not reach consensus even if they all
    /// agreed.
    func nextTask(for worker: Address, maximumReplicates: Int) -> Bytes32? {
        order.first { taskId in
            guard let record = tasks[taskId], let task = record.ledger, task.status == .active,
                record.failure == nil, record.replicates.count < maximumReplicates,
                !record.replicates.contains(where: { $0.worker == worker }), task.contributions[worker] == nil
            else { return false }
            return !Replication.couldReachConsensus(
                trust: record.trust, groupWeights: task.groupWeights, totalWeight: task.totalWeight,
                pending: record.pendingWeights)
        }
    }

    /// Puts back what the journal kept of `taskId` after a restart, once the task was read from the ledger: each
    /// reported result as its worker's replicate (CONTRIBUTED, or REVEALED once its contribution is proved; a
    /// worker that had not contributed is WORKER_LOST, as its session died with the scheduler), and a deterministic
    /// failure. A task done meanwhile needs none of it.
    mutating func restore(_ entry: SchedulerJournal.Entry, of taskId: Bytes32, at time: UInt64) {
        guard var record = tasks[taskId], !record.isDone else { return }
        record.failure = record.failure ?? entry.failure
        for (worker, kept) in entry.results.sorted(by: { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) })
        where !record.replicates.contains(where: { $0.worker == worker }) {
            let status: ReplicateStatus =
                switch record.ledger?.contributions[worker]?.status {
                case .proved?: .revealed
                case .some: .contributed
                case nil: .workerLost
                }
            var replicate = ReplicateRecord(
                worker: worker, weight: kept.weight, status: status, createdAt: time, updatedAt: time)
            replicate.result = kept.result
            if status == .workerLost {
                replicate.message = "The scheduler restarted before this replicate contributed."
            }
            record.replicates.append(replicate)
            openTasksOfWorker[worker, default: []].insert(taskId)
        }
        tasks[taskId] = record
        if let task = record.ledger { refresh(task, at: time) }
    }

    mutating func addReplicate(worker: Address, weight: UInt64, to taskId: Bytes32, at time: UInt64) {
        guard tasks[taskId] != nil else { return }
        tasks[taskId]?.replicates.append(
            ReplicateRecord(worker: worker, weight: weight, status: .created, createdAt: time, updatedAt: time))
        openTasksOfWorker[worker, default: []].insert(taskId)
    }

    /// Changes the replicate of `worker` on `taskId`, if there is one, and stamps it.
    mutating func update(
        _ taskId: Bytes32, worker: Address, at time: UInt64, _ change: (inout ReplicateRecord) -> Void
    ) {
        guard let position = tasks[taskId]?.replicates.firstIndex(where: { $0.worker == worker }) else { return }
        change(&tasks[taskId]!.replicates[position])
        tasks[taskId]!.replicates[position].updatedAt = time
    }

    /// Marks every running replicate of `worker` WORKER_LOST; returns their tasks.
    mutating func loseWorker(_ worker: Address, at time: UInt64, message: String) -> [Bytes32] {
        var lost: [Bytes32] = []
        // In the order tasks are handed out, as the scheduler reassigns them.
        let open = openTasksOfWorker[worker] ?? []
        for taskId in order where open.contains(taskId) {
            guard let record = tasks[taskId], !record.isDone,
                record.replicates.contains(where: { $0.worker == worker && !$0.status.isFinal })
            else { continue }
            update(taskId, worker: worker, at: time) { replicate in
                replicate.status = .workerLost
                replicate.message = message
            }
            lost.append(taskId)
        }
        return lost
    }
}

/// One task as the scheduler tracks it.
struct TaskRecord {
    var taskId: Bytes32
    var dealId: Bytes32
    var index: UInt64
    var trust: UInt64
    /// The task on the ledger, as last read; nil while UNSET.
    var ledger: ComputeTask?
    var replicates: [ReplicateRecord] = []
    /// A deterministic failure: the task is not run again.
    var failure: ReplicateFailure?
    /// initialize was refused because the contribution deadline passed: initializeAndClaim it.
    var tooLateToInitialize = false
    /// When the scheduler saw the task done, on its clock; nil while it is not.
    var doneAt: Duration?

    init(taskId: Bytes32, dealId: Bytes32, index: UInt64, trust: UInt64) {
        self.taskId = taskId
        self.dealId = dealId
        self.index = index
        self.trust = trust
    }

    var isDone: Bool { ledger?.status == .completed || ledger?.status == .failed }

    /// The weights of the replicates still running whose contribution is not on the ledger as last read (including
    /// those the worker says it completed, until the ledger is read again).
    var pendingWeights: [UInt64] {
        replicates.filter { replicate in
            (!replicate.status.isFinal || replicate.status == .contributeAndFinalizeDone
                || replicate.status == .completed) && ledger?.contributions[replicate.worker] == nil
        }.map(\.weight)
    }

    var hasPendingReplicate: Bool { !pendingWeights.isEmpty }

    /// What a worker whose revealed digest is the task's reported it computed: the results to finalize with.
    var winningResult: ReplicateResult? {
        guard let task = ledger else { return nil }
        return replicates.lazy.compactMap { replicate -> ReplicateResult? in
            guard task.contributions[replicate.worker]?.status == .proved, let result = replicate.result,
                result.resultDigest == task.resultDigest
            else { return nil }
            return result
        }.first
    }
}

/// One worker's run of one task.
struct ReplicateRecord {
    var worker: Address
    /// The worker's weight when it was chosen.
    var weight: UInt64
    var status: ReplicateStatus
    var message: String?
    var logs: String?
    var result: ReplicateResult?
    var createdAt: UInt64
    var updatedAt: UInt64
}

extension ReplicateStatus {
    /// The position of the status in a replicate's life, for "has it got that far" questions.
    var rank: Int { ReplicateStatus.allCases.firstIndex(of: self) ?? 0 }
}
