import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import Logging
public import ServiceLifecycle

/// A worker of one workerpool: logs in to its scheduler, long-polls for assignments up to its capacity, heartbeats,
/// runs each assignment with a ``TaskExecuting``, reports every replicate status, and contributes on the ledger —
/// `contributeAndFinalize` for a trust-1 deal; otherwise `contribute`, then `reveal` once it sees on the ledger that
/// its result won the consensus.
///
/// A graceful shutdown stops taking work; the replicates already taken run to their end (heartbeats go on until
/// then). Cancelling ``run()`` stops everything at once, as a crash would: the scheduler declares its replicates
/// WORKER_LOST when their leases expire.
public actor WorkerAgent: Service {
    public struct Configuration: Sendable {
        /// How many replicates the worker computes at once (a replicate that contributed no longer counts).
        public var capacity: UInt64
        /// How long one long poll for an assignment waits.
        public var pollTimeout: Duration
        /// How long to wait after the scheduler could not be reached before asking again.
        public var retryDelay: Duration
        /// How long one long poll of the ledger's events waits while the worker waits for consensus.
        public var ledgerPollTimeout: Duration

        public init(
            capacity: UInt64 = 1, pollTimeout: Duration = .seconds(20), retryDelay: Duration = .seconds(1),
            ledgerPollTimeout: Duration = .seconds(20)
        ) {
            self.capacity = capacity
            self.pollTimeout = pollTimeout
            self.retryDelay = retryDelay
            self.ledgerPollTimeout = ledgerPollTimeout
        }
    }

    public nonisolated let address: Address
    public nonisolated let configuration: Configuration
    private let key: PrivateKey
    private let scheduler: any SchedulerService
    private let ledger: any LedgerService
    private let executor: any TaskExecuting
    private let sender: TransactionSender
    /// The deals of the replicates run, read once per deal (their trust and worker stake).
    private let deals = DealCache()
    private let clock: ElapsedClock
    private let logger: Logger
    private let slots = ChangeSignal()

    private var session: WorkerSession?
    /// Reports not sent yet, in order: those that queue while a send is out go together in the next.
    private var queuedReports: [QueuedReport] = []
    /// The task sending the queued reports; nil when none wait.
    private var reportSender: Task<Void, Never>?
    /// Replicates taken that have not contributed (or failed) yet.
    private var busy: UInt64 = 0

    /// - Parameters:
    ///   - key: the worker's key: its address is the worker, it signs the login and the worker's transactions.
    ///   - clock: the clock of heartbeats and retries.
    public init(
        key: PrivateKey, scheduler: any SchedulerService, ledger: any LedgerService, executor: any TaskExecuting,
        configuration: Configuration = Configuration(), clock: some Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) {
        self.key = key
        self.address = key.address
        self.scheduler = scheduler
        self.ledger = ledger
        self.executor = executor
        self.configuration = configuration
        self.sender = TransactionSender(key: key, ledger: ledger)
        self.clock = ElapsedClock(clock)
        var logger = logger
        logger[metadataKey: "clave.worker"] = "\(key.address)"
        self.logger = logger
    }

    // MARK: Service

    public func run() async throws {
        _ = try await currentSession()
        let (assignments, continuation) = AsyncStream.makeStream(of: WorkAssignment.self)
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask { await self.heartbeatLoop() }
            // Discarding: a task group keeps each finished child, with all the memory its run took, until its result
            // is taken, and this one runs a child per replicate for as long as the worker runs (30 KB a task, 8 MB/s
            // at 300 tasks/s, before it discarded them). It waits for every child before it returns.
            await withDiscardingTaskGroup { inner in
                inner.addTask {
                    await cancelWhenGracefulShutdown { await self.pollLoop(continuation) }
                    continuation.finish()
                }
                for await assignment in assignments {
                    inner.addTask { await self.runReplicate(assignment) }
                }
            }
            // A worker stopping gracefully says how its last replicates ended before it goes.
            if !Task.isCancelled { await reportsSent() }
            outer.cancelAll()
        }
    }

    private func currentSession() async throws -> WorkerSession {
        if let session { return session }
        let challenge = try await scheduler.loginChallenge(for: address)
        let session = try await scheduler.login(
            WorkerLogin(answering: challenge, capacity: configuration.capacity, signedWith: key))
        self.session = session
        logger.info("logged in", metadata: ["clave.workerpool": "\(session.workerpool)"])
        return session
    }

    private func forget(_ error: any Error) {
        if let error = error as? SchedulerError, error.code == .unknownSession { session = nil }
    }

    private func heartbeatLoop() async {
        while !Task.isCancelled {
            let interval = session?.heartbeatInterval ?? .seconds(10)
            do { try await clock.sleep(interval) } catch { return }
            do {
                try await scheduler.heartbeat(session: try await currentSession())
            } catch {
                forget(error)
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func pollLoop(_ assignments: AsyncStream<WorkAssignment>.Continuation) async {
        while !Task.isCancelled {
            let seen = slots.generation
            if busy >= configuration.capacity {
                await slots.wait(after: seen, timeout: configuration.pollTimeout, clock: clock)
                continue
            }
            do {
                let session = try await currentSession()
                guard
                    let assignment = try await scheduler.nextAssignment(
                        session: session, timeout: configuration.pollTimeout)
                else { continue }
                if Task.isCancelled {
                    // Taken while stopping: give it back at once rather than let it wait for a lease to expire.
                    try? await scheduler.report(
                        session: session, taskId: assignment.taskId, status: .aborted,
                        message: "The worker is shutting down.", logs: nil, result: nil,
                        failure: ReplicateFailure(.workerError, "The worker is shutting down.", isDeterministic: false)
                    )
                    return
                }
                busy += 1
                assignments.yield(assignment)
            } catch {
                if Task.isCancelled { return }
                forget(error)
                logger.warning("no assignment", metadata: ["error": "\(error)"])
                do { try await clock.sleep(configuration.retryDelay) } catch { return }
            }
        }
    }

    private func releaseSlot() {
        busy -= 1
        slots.signal()
    }

    // MARK: Replicates

    private func runReplicate(_ assignment: WorkAssignment) async {
        var logger = logger
        logger[metadataKey: "clave.deal"] = .stringConvertible(assignment.dealId)
        logger[metadataKey: "clave.task"] = .stringConvertible(assignment.taskId)
        var holdsSlot = true
        defer { if holdsSlot { releaseSlot() } }
        await report(assignment.taskId, .starting)
        let deal: Deal
        do {
            // From the deal cache: a deal never changes, and its tasks come one after the other.
            deal = try await deals.entry(of: assignment.dealId, ledger: ledger).deal
            if deal.trust > 1 { try await ensureStake(deal.workerStake) }
        } catch let failure as ReplicateFailure {
            await fail(assignment, .startFailed, failure)
            return
        } catch {
            await fail(
                assignment, .startFailed,
                ReplicateFailure(
                    .workerError, "The ledger could not be read: \(error).", isDeterministic: false))
            return
        }
        await report(assignment.taskId, .started)
        let outcome = await executor.execute(assignment) { status in
            await self.report(assignment.taskId, status)
        }
        let result: ReplicateResult
        switch outcome {
        case .failure(let failure):
            logger.notice("replicate failed", metadata: ["reason": "\(failure)"])
            await fail(assignment, Self.failedStatus(failure.cause), failure)
            return
        case .success(let computed):
            result = computed
        }
        await report(assignment.taskId, .computed, result: result)
        if deal.trust == 1 {
            await report(assignment.taskId, .contributeAndFinalizeOngoing)
            do {
                try await sender.send(
                    .contributeAndFinalize(
                        taskId: assignment.taskId, resultDigest: result.resultDigest, results: result.results,
                        resultsCallback: result.resultsCallback, enclaveChallenge: result.enclaveChallenge,
                        enclaveSign: result.enclaveSignature, authorizationSign: assignment.authorization.signature))
                logger.info("contributed and finalized")
                await report(assignment.taskId, .contributeAndFinalizeDone)
            } catch {
                await fail(
                    assignment, .contributeAndFinalizeFailed,
                    ReplicateFailure(
                        .workerError, "contributeAndFinalize was refused: \(error)", isDeterministic: false))
            }
            return
        }
        let resultHash = ComputeTask.resultHash(taskId: assignment.taskId, resultDigest: result.resultDigest)
        let resultSeal = ComputeTask.resultSeal(
            worker: address, taskId: assignment.taskId, resultDigest: result.resultDigest)
        await report(assignment.taskId, .contributing)
        // The scheduler finalizes with the results a winner reported: they reach it before the contribution does.
        await reportsSent()
        do {
            try await sender.send(
                .contribute(
                    taskId: assignment.taskId, resultHash: resultHash, resultSeal: resultSeal,
                    enclaveChallenge: result.enclaveChallenge, enclaveSign: result.enclaveSignature,
                    authorizationSign: assignment.authorization.signature))
        } catch {
            await fail(
                assignment, .contributeFailed,
                ReplicateFailure(
                    .workerError, "contribute was refused: \(error)", isDeterministic: false))
            return
        }
        logger.info("contributed")
        await report(assignment.taskId, .contributed)
        holdsSlot = false
        releaseSlot()
        await revealWhenConsensus(assignment, resultHash: resultHash, resultDigest: result.resultDigest, logger: logger)
    }

    /// Makes sure the escrow balance covers `stake`, depositing from the wallet what is missing.
    private func ensureStake(_ stake: UInt64) async throws {
        let account = try await ledger.account(address)
        guard account.balance < stake else { return }
        let missing = stake - account.balance
        guard account.wallet >= missing else {
            throw ReplicateFailure(
                .workerError,
                "The worker's escrow balance \(account.balance) does not cover the worker stake \(stake), and its wallet holds only \(account.wallet); fund the wallet of \(address) or deposit into its escrow.",
                isDeterministic: false)
        }
        try await sender.send(.deposit(amount: missing))
        logger.info("deposited for the worker stake", metadata: ["amount": "\(missing)"])
    }

    /// Follows the task on the ledger after contributing: reveals when its result won the consensus, and reports how
    /// the task ended for this replicate.
    private func revealWhenConsensus(
        _ assignment: WorkAssignment, resultHash: Bytes32, resultDigest: Bytes32, logger: Logger
    ) async {
        let taskId = assignment.taskId
        var cursor: EventCursor?
        while !Task.isCancelled {
            do {
                guard let task = try await ledger.task(taskId) else { return }
                let mine = task.contributions[address]
                switch task.status {
                case .revealing where task.consensusValue == resultHash && mine?.status == .contributed:
                    await report(taskId, .revealing)
                    do {
                        try await sender.send(.reveal(taskId: taskId, resultDigest: resultDigest))
                        logger.info("revealed")
                        await report(taskId, .revealed)
                    } catch {
                        await fail(
                            assignment, .revealFailed,
                            ReplicateFailure(
                                .workerError, "reveal was refused: \(error)", isDeterministic: false))
                        return
                    }
                    continue
                case .completed:
                    if mine?.status == .proved {
                        await report(taskId, .completed)
                    } else {
                        await report(taskId, .failed, message: "The task completed with another result.")
                    }
                    return
                case .failed:
                    await report(taskId, .failed, message: "The task failed: claimed after its final deadline.")
                    return
                case .active where mine?.status == .rejected:
                    await report(
                        taskId, .failed, message: "The task was reopened without this contribution (not revealed).")
                    return
                default:
                    break
                }
                let page = try await ledger.events(
                    matching: EventFilter(task: taskId), after: cursor, limit: 100,
                    timeout: configuration.ledgerPollTimeout)
                if let last = page.last { cursor = last.position }
            } catch {
                if Task.isCancelled { return }
                logger.warning("the ledger could not be read", metadata: ["error": "\(error)"])
                do { try await clock.sleep(configuration.retryDelay) } catch { return }
            }
        }
    }

    // MARK: Reporting

    /// Queues a report: reports go to the scheduler one after the other, in the order they were made, while the
    /// replicate goes on (a report is a round trip, and a replicate makes a dozen). ``reportsSent()`` waits for them.
    private func report(
        _ taskId: Bytes32, _ status: ReplicateStatus, message: String? = nil, result: ReplicateResult? = nil,
        failure: ReplicateFailure? = nil
    ) async {
        // A cancelled (killed) worker says nothing more: its leases expire and the scheduler declares it lost.
        guard !Task.isCancelled else { return }
        queuedReports.append(
            QueuedReport(taskId: taskId, status: status, message: message, result: result, failure: failure))
        if reportSender == nil { reportSender = Task { await self.sendQueuedReports() } }
    }

    /// A report as ``report(_:_:message:result:failure:)`` queued it; the session is the one current when it goes.
    private struct QueuedReport {
        var taskId: Bytes32
        var status: ReplicateStatus
        var message: String?
        var result: ReplicateResult?
        var failure: ReplicateFailure?

        func request(_ session: WorkerSession) -> ReplicateReportRequest {
            ReplicateReportRequest(
                session: session, taskId: taskId, status: status, message: message,
                logs: result?.logs ?? failure?.logs, result: result, failure: failure)
        }
    }

    /// Sends what queued, all of it at a time, until nothing does.
    private func sendQueuedReports() async {
        while !queuedReports.isEmpty {
            let reports = queuedReports
            queuedReports = []
            let answers: [(any Error)?]
            do {
                let session = try await currentSession()
                answers = await scheduler.report(reports.map { $0.request(session) })
            } catch {
                answers = reports.map { _ in error }
            }
            for (report, error) in zip(reports, answers) {
                guard let error else { continue }
                forget(error)
                logger.warning(
                    "report failed",
                    metadata: [
                        "clave.task": "\(report.taskId)", "status": "\(report.status.rawValue)", "error": "\(error)",
                    ])
            }
        }
        reportSender = nil
    }

    /// Waits until every report queued so far was answered.
    private func reportsSent() async {
        await reportSender?.value
    }

    private func fail(_ assignment: WorkAssignment, _ status: ReplicateStatus, _ failure: ReplicateFailure) async {
        await report(assignment.taskId, status, message: failure.message, failure: failure)
    }

    /// The replicate status of a failure with this cause.
    static func failedStatus(_ cause: ReplicateFailure.Cause) -> ReplicateStatus {
        switch cause {
        case .appUnavailable: .appDownloadFailed
        case .inputUnavailable: .dataDownloadFailed
        case .keyReleaseRefused: .startFailed
        case .resultUploadFailed: .resultUploadFailed
        default: .computeFailed
        }
    }
}
