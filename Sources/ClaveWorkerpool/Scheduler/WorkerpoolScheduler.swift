import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import ClaveSMS
import Foundation
public import Logging
public import ServiceLifecycle

/// The scheduler of one workerpool: it takes the pool's deals from the ledger, initializes their tasks, hands
/// replicates to workers, and drives each task to COMPLETED (finalize) or FAILED (claim).
///
/// It follows every ledger event from genesis, so after a restart it rebuilds its deals and tasks from the ledger;
/// the results workers reported for tasks it finalizes itself, and deterministic failures, are kept in its
/// ``SchedulerJournal`` when it has one; the rest of what workers reported (statuses, messages, logs) lives in memory
/// only. Leases and its periodic work (lost workers, reveal deadlines, claims) run on the injected clock. See
/// docs/workerpool.md.
public actor WorkerpoolScheduler: SchedulerService, Service {
    public struct Configuration: Sendable {
        /// How long a worker's replicates stay leased without a heartbeat before they are WORKER_LOST.
        public var leaseDuration: Duration
        /// How often workers are asked to heartbeat (well under ``leaseDuration``).
        public var heartbeatInterval: Duration
        /// The most replicates one task is given, failed and lost ones included.
        public var maximumReplicates: Int
        /// How long a login challenge may be answered.
        public var loginChallengeLifetime: Duration
        /// How often the scheduler checks leases and deadlines.
        public var tickInterval: Duration
        /// How long a done task's report (its replicates, messages and logs) is kept after the task ends.
        public var finishedTaskRetention: Duration
        /// The most done tasks whose reports are kept: beyond it, the oldest are forgotten sooner.
        public var maximumFinishedTasks: Int

        public init(
            leaseDuration: Duration = .seconds(30), heartbeatInterval: Duration = .seconds(10),
            maximumReplicates: Int = 8, loginChallengeLifetime: Duration = .seconds(60),
            tickInterval: Duration = .seconds(5), finishedTaskRetention: Duration = .seconds(3600),
            maximumFinishedTasks: Int = 100_000
        ) {
            self.leaseDuration = leaseDuration
            self.heartbeatInterval = heartbeatInterval
            self.maximumReplicates = maximumReplicates
            self.loginChallengeLifetime = loginChallengeLifetime
            self.tickInterval = tickInterval
            self.finishedTaskRetention = finishedTaskRetention
            self.maximumFinishedTasks = maximumFinishedTasks
        }
    }

    public nonisolated let workerpool: Address
    public nonisolated let configuration: Configuration
    private let ownerKey: PrivateKey
    private let ledger: any LedgerService
    private let sms: any SecretService
    private let clock: ElapsedClock
    private let wallClock: @Sendable () -> UInt64
    private let logger: Logger
    private let sender: TransactionSender
    private let journal: SchedulerJournal?
    private let changes = ChangeSignal()
    /// What the journal held when the scheduler started, by task, until the task's deal is adopted again.
    private var journaled: [Bytes32: SchedulerJournal.Entry] = [:]
    /// The tasks with rows in the journal, which go when the task is done.
    private var inJournal: Set<Bytes32> = []

    private var state = SchedulerState()
    private var sessions: [Bytes32: SessionRecord] = [:]
    private var challenges: [Bytes32: (worker: Address, expiry: Duration)] = [:]
    /// The tasks whose initialize is being sent.
    private var initializing: Set<Bytes32> = []

    /// - Parameters:
    ///   - workerpool: the workerpool scheduled; `ownerKey` must be its owner's key (it signs initialize, finalize,
    ///     reopen, claim and the workers' authorizations).
    ///   - sender: what signs with `ownerKey`, when something else signs with it too (``PoolMarket/sender``); a new
    ///     one by default.
    ///   - journal: where the results of tasks it finalizes and deterministic failures are kept across restarts;
    ///     without one, a restart loses them.
    ///   - clock: the clock of leases and periodic work.
    ///   - wallClock: Unix seconds, for the times shown in ``TaskReport``; the system's by default.
    public init(
        workerpool: Address, ownerKey: PrivateKey, sender: TransactionSender? = nil, journal: SchedulerJournal? = nil,
        ledger: any LedgerService, sms: any SecretService,
        configuration: Configuration = Configuration(), clock: some Clock<Duration> = ContinuousClock(),
        wallClock: (@Sendable () -> UInt64)? = nil,
        logger: Logger
    ) {
        self.workerpool = workerpool
        self.ownerKey = ownerKey
        self.ledger = ledger
        self.sms = sms
        self.configuration = configuration
        self.clock = ElapsedClock(clock)
        self.wallClock = wallClock ?? { UInt64(Date().timeIntervalSince1970) }
        var logger = logger
        logger[metadataKey: "clave.workerpool"] = "\(workerpool)"
        self.logger = logger
        precondition(sender.map { $0.address == ownerKey.address } ?? true, "the sender must sign with ownerKey")
        self.sender = sender ?? TransactionSender(key: ownerKey, ledger: ledger)
        self.journal = journal
    }

    // MARK: Service

    /// Follows the ledger and does the periodic work until cancelled or shut down gracefully.
    public func run() async throws {
        if let journal {
            journaled = try await journal.entries()
            inJournal = Set(journaled.keys)
            if !journaled.isEmpty {
                logger.info("journal read", metadata: ["tasks": "\(journaled.count)"])
            }
        }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.followLedger() }
                group.addTask { await self.tickLoop() }
                _ = try await group.next()
                group.cancelAll()
            }
        }
        changes.signal()
    }

    private func followLedger() async throws {
        for try await event in ledger.follow() {
            guard let decoded = try? Event(json: event.json) else { continue }
            await handle(decoded)
        }
    }

    private func tickLoop() async {
        while !Task.isCancelled {
            do { try await clock.sleep(configuration.tickInterval) } catch { return }
            await tick()
        }
    }

    // MARK: Login and sessions

    public func loginChallenge(for worker: Address) async throws -> LoginChallenge {
        let now = clock.now()
        challenges = challenges.filter { $0.value.expiry > now }
        let nonce = Bytes32.random()
        challenges[nonce] = (worker, now + configuration.loginChallengeLifetime)
        return LoginChallenge(workerpool: workerpool, worker: worker, nonce: nonce)
    }

    public func login(_ request: WorkerLogin) async throws -> WorkerSession {
        guard request.workerpool == workerpool else {
            throw SchedulerError(
                .wrongWorkerpool,
                "The login is for workerpool \(request.workerpool), but this scheduler runs \(workerpool); log in to the scheduler of \(request.workerpool)."
            )
        }
        // The challenge is used up whatever the outcome, so that a login is never tried twice.
        guard let challenge = challenges.removeValue(forKey: request.nonce), challenge.worker == request.worker,
            challenge.expiry > clock.now()
        else {
            throw SchedulerError(
                .unknownChallenge,
                "The login nonce \(request.nonce) for \(request.worker) was not issued by this scheduler, was already used, or expired; ask for a new challenge and sign it."
            )
        }
        guard let signer = request.signer, signer == request.worker else {
            let actual = request.signer.map { "was signed by \($0)" } ?? "is not a valid signature"
            throw SchedulerError(
                .invalidSignature,
                "The login of \(request.worker) \(actual); sign keccak256(\"\(WorkerLogin.domain)\" ‖ workerpool ‖ worker ‖ nonce) as an EIP-191 personal message with the worker's own key."
            )
        }
        guard request.capacity >= 1 else {
            throw SchedulerError(.invalidRequest, "A worker's capacity must be at least 1 task; it was 0.")
        }
        sessions = sessions.filter { $0.value.session.worker != request.worker }
        let session = WorkerSession(
            token: Bytes32.random(), workerpool: workerpool, worker: request.worker, capacity: request.capacity,
            heartbeatInterval: configuration.heartbeatInterval, leaseDuration: configuration.leaseDuration)
        sessions[session.token] = SessionRecord(session: session, lastSeen: clock.now())
        logger.info(
            "worker logged in", metadata: ["clave.worker": "\(request.worker)", "capacity": "\(request.capacity)"])
        changes.signal()
        return session
    }

    public func heartbeat(session: WorkerSession) async throws {
        _ = try touch(session)
    }

    /// The session's worker, after renewing its leases.
    private func touch(_ session: WorkerSession) throws(SchedulerError) -> Address {
        guard var record = sessions[session.token], record.session.worker == session.worker else {
            throw SchedulerError(
                .unknownSession,
                "No session of \(session.worker) has this token: it expired (no heartbeat for \(configuration.leaseDuration)) or the scheduler restarted; log in again."
            )
        }
        record.lastSeen = clock.now()
        sessions[session.token] = record
        return record.session.worker
    }

    // MARK: Assignments

    public func nextAssignment(session: WorkerSession, timeout: Duration) async throws -> WorkAssignment? {
        let start = clock.now()
        while true {
            let worker = try touch(session)
            let seen = changes.generation
            if let assignment = try await assign(to: worker, capacity: session.capacity) { return assignment }
            let remaining = timeout - (clock.now() - start)
            if remaining <= .zero || Task.isCancelled { return nil }
            await changes.wait(after: seen, timeout: remaining, clock: clock)
        }
    }

    private func assign(to worker: Address, capacity: UInt64) async throws -> WorkAssignment? {
        guard state.busyReplicates(of: worker) < capacity,
            state.nextTask(for: worker, maximumReplicates: configuration.maximumReplicates) != nil
        else { return nil }
        let weight: UInt64
        do {
            weight = ComputeTask.weight(score: try await ledger.account(worker).score)
        } catch {
            throw SchedulerError(.unavailable, "The ledger could not be read for the score of \(worker): \(error).")
        }
        // The state may have changed while the ledger answered: choose again, and reserve before the next wait.
        guard state.busyReplicates(of: worker) < capacity,
            let taskId = state.nextTask(for: worker, maximumReplicates: configuration.maximumReplicates)
        else { return nil }
        state.addReplicate(worker: worker, weight: weight, to: taskId, at: wallClock())
        changes.signal()
        do {
            let challenge = try await sms.enclaveChallenge(for: taskId)
            guard let record = state.tasks[taskId] else { return nil }
            logger.info(
                "replicate assigned",
                metadata: .replicate(
                    task: taskId, worker: worker, ["clave.deal": "\(record.dealId)", "weight": "\(weight)"]))
            return WorkAssignment(
                taskId: taskId, dealId: record.dealId, index: record.index,
                authorization: WorkerAuthorization(
                    worker: worker, taskId: taskId, enclaveChallenge: challenge, signedWith: ownerKey))
        } catch {
            logger.warning(
                "no enclave challenge for the task",
                metadata: .replicate(task: taskId, worker: worker, ["error": "\(error)"]))
            state.update(taskId, worker: worker, at: wallClock()) { replicate in
                replicate.status = .aborted
                replicate.message = "The SMS gave no enclave challenge for the task: \(error)"
            }
            changes.signal()
            return nil
        }
    }

    // MARK: Reports

    public func report(
        session: WorkerSession, taskId: Bytes32, status: ReplicateStatus, message: String?, logs: String?,
        result: ReplicateResult?, failure: ReplicateFailure?
    ) async throws {
        try await receive(
            ReplicateReportRequest(
                session: session, taskId: taskId, status: status, message: message, logs: logs, result: result,
                failure: failure))
    }

    /// The reports one after the other, in this actor: one entry for a worker's batch.
    public func report(_ reports: [ReplicateReportRequest]) async -> [(any Error)?] {
        await ReplicateReportRequest.handle(reports) { try await self.receive($0) }
    }

    private func receive(_ report: ReplicateReportRequest) async throws {
        let (taskId, status, message, logs, result, failure) = (
            report.taskId, report.status, report.message, report.logs, report.result, report.failure
        )
        let worker = try touch(report.session)
        guard let replicate = state.tasks[taskId]?.replicates.first(where: { $0.worker == worker }) else {
            throw SchedulerError(
                .notAssigned,
                "\(worker) reports on task \(taskId), which this scheduler did not assign to it; report only on assignments received."
            )
        }
        guard replicate.status != .workerLost else {
            throw SchedulerError(
                .notAssigned,
                "The replicate of \(worker) on task \(taskId) was declared WORKER_LOST (no heartbeat for \(configuration.leaseDuration)); the task went to another worker."
            )
        }
        state.update(taskId, worker: worker, at: wallClock()) { replicate in
            // A replicate that ended stays ended: a late report does not undo what the ledger settled.
            if !replicate.status.isFinal { replicate.status = status }
            if let message { replicate.message = message }
            if let logs { replicate.logs = logs }
            if let result { replicate.result = result }
        }
        logger.debug(
            "replicate status", metadata: .replicate(task: taskId, worker: worker, ["status": "\(status.rawValue)"]))
        // At trust 1 the worker finalizes with contributeAndFinalize; above, this scheduler does, with this result.
        if let result, let journal, let record = state.tasks[taskId], record.trust > 1 {
            await remember("result", of: taskId, worker: worker) {
                try await journal.recordResult(result, of: worker, weight: replicate.weight, for: taskId)
            }
        }
        if let failure {
            if failure.isDeterministic {
                if let journal {
                    await remember("deterministic failure", of: taskId, worker: worker) {
                        try await journal.recordFailure(failure, for: taskId)
                    }
                }
                state.tasks[taskId]?.failure = failure
                logger.notice(
                    "deterministic failure: the task will not be run again",
                    metadata: .replicate(task: taskId, worker: worker, ["reason": "\(failure)"]))
            } else {
                logger.info(
                    "replicate failed; another worker may run it",
                    metadata: .replicate(task: taskId, worker: worker, ["reason": "\(failure)"]))
            }
        }
        let readsLedger = status.rank >= ReplicateStatus.contributed.rank && failure == nil
        if readsLedger { await refresh(taskId) }
        // Only what can free a worker's slot or make a task need a replicate again wakes the workers waiting for an
        // assignment: a replicate that ended, a failure, the task read again from the ledger. A replicate going from
        // one running status to the next does not.
        if readsLedger || failure != nil || (status.isFinal && !replicate.status.isFinal) { changes.signal() }
    }

    public func taskReport(_ taskId: Bytes32) async throws -> TaskReport? {
        guard let record = state.tasks[taskId] else { return nil }
        return TaskReport(
            taskId: taskId, dealId: record.dealId, index: record.index, status: record.ledger?.status ?? .unset,
            replicates: record.replicates.map {
                ReplicateReport(
                    worker: $0.worker, status: $0.status, message: $0.message, logs: $0.logs, createdAt: $0.createdAt,
                    updatedAt: $0.updatedAt)
            }, failure: record.failure)
    }

    public func status() async throws -> PoolStatus {
        let now = clock.now()
        var workers: [Address: PoolStatus.Worker] = [:]
        for record in sessions.values {
            let session = record.session
            let seen = now - record.lastSeen
            if let known = workers[session.worker], known.lastSeen <= seen { continue }
            workers[session.worker] = PoolStatus.Worker(
                worker: session.worker, capacity: session.capacity, running: state.busyReplicates(of: session.worker),
                lastSeen: seen)
        }
        var tasks: [ComputeTask.Status: UInt64] = [:]
        for record in state.tasks.values { tasks[record.ledger?.status ?? .unset, default: 0] += 1 }
        return PoolStatus(
            workerpool: workerpool, workers: workers.values.sorted { $0.worker.description < $1.worker.description },
            tasks: tasks)
    }

    // MARK: Ledger events

    private func handle(_ event: Event) async {
        switch event {
        case .schedulerNotice(let pool, let dealId) where pool == workerpool:
            await adopt(dealId)
        case .taskInitialized(let taskId, _, _, let pool) where pool == workerpool:
            await refresh(taskId)
        case .taskContribute(let taskId, let worker, _):
            guard state.tasks[taskId] != nil else { return }
            await refresh(taskId)
            state.update(taskId, worker: worker, at: wallClock()) { replicate in
                if !replicate.status.isFinal && replicate.status.rank < ReplicateStatus.contributed.rank {
                    replicate.status = .contributed
                }
            }
        case .taskConsensus(let taskId, _), .taskReopen(let taskId):
            guard state.tasks[taskId] != nil else { return }
            await refresh(taskId)
        case .taskReveal(let taskId, let worker, _):
            guard state.tasks[taskId] != nil else { return }
            await refresh(taskId)
            state.update(taskId, worker: worker, at: wallClock()) { replicate in
                if !replicate.status.isFinal { replicate.status = .revealed }
            }
            await finalizeIfReady(taskId)
        case .taskFinalize(let taskId, _), .taskClaimed(let taskId):
            guard state.tasks[taskId] != nil else { return }
            await refresh(taskId)
        case .faultyContribution(let worker, let taskId):
            state.update(taskId, worker: worker, at: wallClock()) { replicate in
                replicate.status = .failed
                replicate.message = "Its result differs from the consensus: the worker's stake was seized."
            }
        default:
            return
        }
        changes.signal()
    }

    /// Takes a new deal: records its tasks and initializes those not initialized yet.
    private func adopt(_ dealId: Bytes32) async {
        guard state.deals[dealId] == nil else { return }
        var logger = logger
        logger[metadataKey: "clave.deal"] = .stringConvertible(dealId)
        let deal: Deal
        do {
            guard let found = try await ledger.deal(dealId) else {
                logger.error("the ledger announced the deal but does not have it; its tasks are not scheduled")
                return
            }
            deal = found
        } catch {
            logger.error("the deal could not be read", metadata: ["error": "\(error)"])
            return
        }
        state.adopt(deal)
        logger.info("deal taken", metadata: ["tasks": "\(deal.botSize)", "trust": "\(deal.trust)"])
        var uninitialized: [Bytes32] = []
        for index in deal.botFirst..<(deal.botFirst + deal.botSize) {
            let taskId = ComputeTask.id(dealId: dealId, index: index)
            await refresh(taskId)
            if let entry = journaled.removeValue(forKey: taskId) {
                state.restore(entry, of: taskId, at: wallClock())
                await forgetIfDone(taskId)
            }
            if state.tasks[taskId]?.ledger == nil { uninitialized.append(taskId) }
        }
        await initialize(uninitialized)
        changes.signal()
    }

    /// Initializes `taskIds` (a deal's, or those a tick retries) with `initializeArray`, as many per transaction as
    /// the ledger takes: one block rather than one per task. A batch the ledger refuses is initialized task by task, so
    /// that one task past its deadline does not hold back the others; a single task is sent as `initialize`.
    private func initialize(_ taskIds: [Bytes32]) async {
        let pending = taskIds.filter { state.tasks[$0] != nil && !initializing.contains($0) }
        for start in stride(from: 0, to: pending.count, by: TransactionBody.initializeArrayLimit) {
            let batch = Array(pending[start..<min(start + TransactionBody.initializeArrayLimit, pending.count)])
            guard batch.count > 1 else {
                await initialize(batch[0])
                continue
            }
            let records = batch.compactMap { state.tasks[$0] }
            initializing.formUnion(batch)
            var sent = true
            do {
                try await sender.send(.initializeArray(dealIds: records.map(\.dealId), indices: records.map(\.index)))
                let deals = Set(records.map(\.dealId))
                logger.info(
                    "tasks initialized",
                    metadata: ["tasks": "\(batch.count)", "deals": "\(deals.map(\.description).sorted())"])
            } catch {
                logger.debug(
                    "initializeArray refused; initializing its tasks one by one", metadata: ["error": "\(error)"])
                sent = false
            }
            initializing.subtract(batch)
            for taskId in batch {
                if sent { await refresh(taskId) } else { await initialize(taskId) }
            }
        }
    }

    private func initialize(_ taskId: Bytes32) async {
        // The periodic work may come to a task while its deal's adoption is initializing it.
        guard let record = state.tasks[taskId], initializing.insert(taskId).inserted else { return }
        defer { initializing.remove(taskId) }
        // Given with each line, not set on a copy of the logger, as `Logger.Metadata.replicate` explains.
        func metadata(_ more: Logger.Metadata) -> Logger.Metadata {
            more.merging(["clave.deal": .stringConvertible(record.dealId), "clave.task": .stringConvertible(taskId)]) {
                $1
            }
        }
        do {
            try await sender.send(.initialize(dealId: record.dealId, index: record.index))
            logger.info("task initialized", metadata: metadata(["index": "\(record.index)"]))
        } catch let rejection as Rejection where rejection.code == .deadlinePassed {
            state.tasks[taskId]?.tooLateToInitialize = true
            logger.warning(
                "the task can no longer be initialized", metadata: metadata(["reason": "\(rejection.message)"]))
        } catch {
            logger.warning("initialize failed; retrying later", metadata: metadata(["error": "\(error)"]))
        }
        await refresh(taskId)
    }

    /// Reads the task from the ledger again; finalized and claimed tasks end their replicates.
    private func refresh(_ taskId: Bytes32) async {
        guard let task = try? await ledger.task(taskId) else { return }
        state.refresh(task, at: wallClock())
        state.noteDone(taskId, at: clock.now())
        await forgetIfDone(taskId)
    }

    // MARK: Journal

    /// Writes to the journal; a failure is logged, and the scheduler goes on (it would forget this on a restart).
    private func remember(
        _ what: String, of taskId: Bytes32, worker: Address, _ write: () async throws -> Void
    ) async {
        do {
            try await write()
            inJournal.insert(taskId)
        } catch {
            logger.error(
                "the \(what) could not be written to the journal; a restart before the task ends would lose it",
                metadata: .replicate(task: taskId, worker: worker, ["error": "\(error)"]))
        }
    }

    /// Drops a done task's rows from the journal.
    private func forgetIfDone(_ taskId: Bytes32) async {
        guard let journal, inJournal.contains(taskId), state.tasks[taskId]?.isDone == true else { return }
        do {
            try await journal.forget(taskId)
            inJournal.remove(taskId)
        } catch {
            logger.warning(
                "a done task's rows could not be removed from the journal; they are tried again at its next event",
                metadata: ["clave.task": "\(taskId)", "error": "\(error)"])
        }
    }

    // MARK: Finalize, reopen, claim

    private func finalizeIfReady(_ taskId: Bytes32) async {
        guard let record = state.tasks[taskId], let task = record.ledger, task.status == .revealing,
            task.revealCounter > 0
        else { return }
        var logger = logger
        logger[metadataKey: "clave.deal"] = .stringConvertible(record.dealId)
        logger[metadataKey: "clave.task"] = .stringConvertible(taskId)
        guard let result = record.winningResult else {
            logger.error(
                "no winner reported the results to store; the task cannot be finalized by this scheduler",
                metadata: ["resultDigest": "\(task.resultDigest)"])
            return
        }
        do {
            try await sender.send(
                .finalize(taskId: taskId, results: result.results, resultsCallback: result.resultsCallback))
            logger.info("task finalized")
        } catch let rejection as Rejection where rejection.code == .revealsPending {
            return
        } catch {
            logger.warning("finalize failed", metadata: ["error": "\(error)"])
        }
        await refresh(taskId)
    }

    /// The periodic work: lost workers, reveal deadlines, tasks to initialize again or to claim.
    private func tick() async {
        let now = clock.now()
        challenges = challenges.filter { $0.value.expiry > now }
        for (token, record) in sessions where now - record.lastSeen > configuration.leaseDuration {
            sessions.removeValue(forKey: token)
            let lost = state.loseWorker(
                record.session.worker, at: wallClock(),
                message: "No heartbeat for more than \(configuration.leaseDuration): the worker is lost.")
            for taskId in lost {
                logger.warning(
                    "worker lost", metadata: ["clave.worker": "\(record.session.worker)", "clave.task": "\(taskId)"])
            }
        }
        // Done tasks are kept for their reports a while, not forever: a node that runs for months would grow.
        let forgotten = state.prune(
            before: now - configuration.finishedTaskRetention, keepingAtMost: configuration.maximumFinishedTasks)
        if forgotten > 0 {
            logger.debug("forgot done tasks", metadata: ["tasks": "\(forgotten)", "kept": "\(state.finishedCount)"])
        }
        changes.signal()
        var uninitialized: [Bytes32] = []
        for taskId in state.order {
            guard let record = state.tasks[taskId], !record.isDone else { continue }
            guard let task = record.ledger else {
                if record.tooLateToInitialize {
                    await submitIgnoringTooEarly(
                        .initializeAndClaim(dealId: record.dealId, index: record.index), taskId: taskId)
                } else {
                    uninitialized.append(taskId)
                }
                continue
            }
            switch task.status {
            case .revealing where task.revealCounter == 0:
                await submitIgnoringTooEarly(.reopen(taskId: taskId), taskId: taskId)
            case .revealing:
                await finalizeIfReady(taskId)
            case .active where !record.hasPendingReplicate:
                // Nobody works on it: claim it once the ledger's final deadline passes (refused before).
                await submitIgnoringTooEarly(.claim(taskId: taskId), taskId: taskId)
            default:
                break
            }
        }
        await initialize(uninitialized)
        changes.signal()
    }

    private func submitIgnoringTooEarly(_ body: TransactionBody, taskId: Bytes32) async {
        do {
            try await sender.send(body)
            logger.info("\(body.type) done", metadata: ["clave.task": "\(taskId)"])
        } catch let rejection as Rejection where rejection.code == .tooEarly {
            return
        } catch {
            logger.debug("\(body.type) refused", metadata: ["clave.task": "\(taskId)", "error": "\(error)"])
        }
        await refresh(taskId)
    }
}

struct SessionRecord {
    var session: WorkerSession
    var lastSeen: Duration
}
