public import ClaveCore
public import ClaveCrypto
import Dispatch
public import Logging
import Synchronization

/// The ledger service: a mempool, the block sequencer and the queries, over a ``LedgerStore``.
///
/// Transactions arrive already checked (a ``ClaveCore/SignedTransaction`` always carries a valid signature by its
/// sender, so signatures are checked by the submitters, in parallel). The sequencer seals a block as soon as
/// transactions wait: it takes every transaction that arrived meanwhile and applies them in order to the state at the
/// block's timestamp, while the block before is still being written; it writes the block once that one is stored,
/// and answers the submitters only once their own block is. ``state`` and ``head`` are always those of the last
/// stored block. A transaction whose nonce is ahead of its sender's waits (bounded) for the ones before it; a refused
/// transaction is answered with its ``ClaveCore/Rejection`` and is stored nowhere. A batch (``submit(batch:)``) goes
/// into one block and stops at its first refused transaction.
///
/// The actor runs on a serial queue of its own, and its writes on another: submitters check signatures on the shared
/// cooperative pool, and the sequencer must not wait for a thread there behind all of them.
public actor Ledger {
    public struct Configuration: Sendable {
        /// The chain the store must hold (or is created with).
        public var genesis: Genesis
        /// The most transactions in one block.
        public var maximumBlockSize: Int
        /// The most transactions one sender may have waiting for an earlier nonce.
        public var maximumWaitingPerSender: Int
        /// How many blocks a transaction with a future nonce may wait before it is refused.
        public var maximumWaitBlocks: Int

        public init(
            genesis: Genesis, maximumBlockSize: Int = 10_000, maximumWaitingPerSender: Int = 64,
            maximumWaitBlocks: Int = 100
        ) {
            self.genesis = genesis
            self.maximumBlockSize = maximumBlockSize
            self.maximumWaitingPerSender = maximumWaitingPerSender
            self.maximumWaitBlocks = maximumWaitBlocks
        }
    }

    /// Unix seconds now; the ledger takes the larger of it and the last block's timestamp.
    public typealias TimeSource = @Sendable () -> UInt64

    public let configuration: Configuration
    private let store: any LedgerStore
    private let now: TimeSource
    private let logger: Logger
    /// The sequencer's own serial queue, on which this actor runs, and the queue its writes run on: neither waits
    /// behind the jobs of the shared cooperative pool, where every submitter checks its signature.
    private let sequencer = SerialQueueExecutor(label: "clave.ledger.sequencer")
    private let writer = SerialQueueExecutor(label: "clave.ledger.writer")

    /// The sequencer's serial queue: the actor's jobs run there, not on the shared cooperative pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { sequencer.asUnownedSerialExecutor() }

    /// The last stored block: its state, header and hash. The queries read it under its lock, without waiting for
    /// the sequencer's queue, where a block being applied would hold them up and every read would be a hop between
    /// threads; ``finish(_:)`` replaces it whole.
    private nonisolated let stored: Mutex<(state: State, head: BlockHeader, hash: Bytes32)>
    /// The state after the last stored block.
    public var state: State { storedState }
    /// The last stored block's header and hash.
    public var head: BlockHeader { stored.withLock { $0.head } }
    public var headHash: Bytes32 { stored.withLock { $0.hash } }
    /// The state, header and hash after the last sealed block: ``state``, ``head`` and ``headHash`` plus the block
    /// being written, if one is. The next block is applied to it.
    private var tip: State
    private var tipHeader: BlockHeader
    private var tipHash: Bytes32

    private var mempool = Mempool()
    private var nextBatchID = 0
    private var isSealing = false
    /// What the last write gave, once it finished and until ``writeCompletion()`` takes it.
    private var writeOutcome: (any Error)??
    /// The sequencer waiting in ``writeCompletion()``.
    private var writeWaiter: CheckedContinuation<(any Error)?, Never>?
    private var isClosed = false
    private var drained: [CheckedContinuation<Void, Never>] = []
    private var subscribers: [Int: Subscriber] = [:]
    private var nextSubscriberID = 0
    /// Set once the ledger shut down: a subscription made after that ends at once.
    private var subscriptionsFinished = false

    /// Opens the ledger on `store`: creates the genesis in an empty store, or replays the stored log (checking every
    /// signature, hash and link, as ``LedgerVerifier`` does) to rebuild the state.
    public init(
        configuration: Configuration, store: any LedgerStore, now: @escaping TimeSource, logger: Logger
    ) async throws {
        self.configuration = configuration
        self.store = store
        self.now = now
        self.logger = logger
        let genesis = configuration.genesis
        if let document = try await store.genesisDocument() {
            let expected = CanonicalJSON.encode(genesis.json)
            guard document == expected else {
                throw LedgerError(
                    .genesisMismatch,
                    "The store holds another chain's genesis (\(Keccak256.hash(document))) than the configured one (\(genesis.hash)); open the right database or fix the configuration."
                )
            }
        } else {
            try await store.initialize(genesis: genesis)
            logger.info("created the genesis", metadata: ["genesis": "\(genesis.hash)"])
        }
        let replay = try await LedgerVerifier.replay(store: store, genesis: genesis)
        if let divergence = replay.report.divergence {
            throw LedgerError(.corruptStore, "The stored log does not replay: \(divergence). Restore from a backup.")
        }
        stored = Mutex((replay.state, replay.head, replay.head.hash))
        tip = replay.state
        tipHeader = replay.head
        tipHash = replay.head.hash
        logger.info(
            "ledger open",
            metadata: ["height": "\(replay.head.height)", "transactions": "\(replay.report.transactions)"])
    }

    // MARK: Submitting

    /// Queues `transaction` and returns its receipt once the block holding it is durably stored.
    ///
    /// - Throws: the ``ClaveCore/Rejection`` that ``ClaveCore/State/apply(_:at:)`` gave, or a ``LedgerError``
    ///   (waiting too long for an earlier nonce, duplicate nonce, shutting down, storage failure).
    public nonisolated func submit(_ transaction: SignedTransaction) async throws -> Receipt {
        try await enqueue(transaction)
    }

    private func enqueue(_ transaction: SignedTransaction) async throws -> Receipt {
        try checkOpen()
        return try await withCheckedThrowingContinuation { continuation in
            do {
                try mempool.add(
                    transaction, waiter: Mempool.Waiter { continuation.resume(with: $0) },
                    maximumWaiting: configuration.maximumWaitingPerSender,
                    expectedNonce: tip.account(transaction.transaction.from).nonce)
            } catch {
                continuation.resume(throwing: error)
                return
            }
            startSealingIfNeeded()
        }
    }

    /// The most transactions in one batch.
    public static let maximumBatchSize = 64

    /// Queues `transactions`, one sender's at consecutive nonces, together: they arrive at once, go into one block,
    /// and stop at the first one refused (those after it are refused with
    /// ``LedgerError/Code/earlierInBatchRefused``, not applied). Returns each one's receipt or refusal, in order, once
    /// their block is durably stored: a sender with several transactions ready gets them into one block instead of
    /// one block each.
    ///
    /// - Throws: ``LedgerError/Code/malformedBatch`` for an empty batch, one of more than ``maximumBatchSize``, of
    ///   several senders, or at nonces that do not follow one another; the mempool's refusals of the whole batch
    ///   (duplicate nonce, too many waiting, shutting down). Nothing of a batch refused whole is queued.
    public nonisolated func submit(batch transactions: [SignedTransaction]) async throws -> [Result<Receipt, any Error>]
    {
        try Self.checkBatch(transactions)
        return try await enqueue(batch: transactions)
    }

    /// Refuses a batch of `count` transactions when it is empty or longer than ``maximumBatchSize``: what can be told
    /// before its transactions are read (a server checks it before it reads them, and their signatures).
    public static func checkBatchSize(_ count: Int) throws(LedgerError) {
        guard count > 0 else {
            throw LedgerError(.malformedBatch, "The batch holds no transaction; send at least one.")
        }
        guard count <= maximumBatchSize else {
            throw LedgerError(
                .malformedBatch,
                "The batch holds \(count) transactions; send at most \(maximumBatchSize) in one batch.")
        }
    }

    static func checkBatch(_ transactions: [SignedTransaction]) throws(LedgerError) {
        try checkBatchSize(transactions.count)
        let first = transactions[0]
        for (offset, signed) in transactions.enumerated() {
            let transaction = signed.transaction
            guard transaction.from == first.transaction.from else {
                throw LedgerError(
                    .malformedBatch,
                    "Transaction \(offset) of the batch is from \(transaction.from), not \(first.transaction.from) like the first; a batch is one sender's transactions."
                )
            }
            let (expected, overflow) = first.transaction.nonce.addingReportingOverflow(UInt64(offset))
            guard !overflow, transaction.nonce == expected else {
                throw LedgerError(
                    .malformedBatch,
                    "Transaction \(offset) of the batch has nonce \(transaction.nonce), not \(first.transaction.nonce) + \(offset); a batch's nonces follow one another."
                )
            }
        }
    }

    private func enqueue(batch transactions: [SignedTransaction]) async throws -> [Result<Receipt, any Error>] {
        try checkOpen()
        let id = nextBatchID
        nextBatchID += 1
        return try await withCheckedThrowingContinuation { continuation in
            let answers = BatchAnswers(count: transactions.count) { continuation.resume(returning: $0) }
            do {
                try mempool.add(
                    batch: transactions,
                    waiters: transactions.indices.map { index in Mempool.Waiter { answers.set(index, $0) } }, id: id,
                    maximumWaiting: configuration.maximumWaitingPerSender,
                    expectedNonce: tip.account(transactions[0].transaction.from).nonce)
            } catch {
                continuation.resume(throwing: error)
                return
            }
            startSealingIfNeeded()
        }
    }

    /// Refuses a submission once the ledger is shutting down.
    private func checkOpen() throws(LedgerError) {
        guard !isClosed else {
            throw LedgerError(.shuttingDown, "The ledger is shutting down; submit to a running ledger.")
        }
    }

    private func startSealingIfNeeded() {
        guard !isSealing, mempool.hasReady else { return }
        isSealing = true
        Task(executorPreference: sequencer) { await self.sealBlocks() }
    }

    /// A block applied to ``tip``, with the submitters waiting for it.
    private struct Sealing {
        /// Nil when every transaction taken was refused: nothing to store.
        var block: SealedBlock?
        var header: BlockHeader
        /// The state after the block.
        var state: State
        var waiters: [Mempool.Waiter]
        var events: [[Event]]
        var rejected: [(Mempool.Waiter, any Error)]
    }

    /// Seals blocks while transactions are ready, one block ahead of the store: block N+1 is applied (to ``tip``)
    /// while block N is being written, so that applying overlaps the write and its fsync. Block N+1 is handed to the
    /// store only once block N is durable, and its submitters (accepted or refused) are answered only once it is
    /// durable itself; if block N cannot be stored, block N+1, which builds on it, is dropped too.
    private func sealBlocks() async {
        var writing: Sealing?
        repeat {
            let next = mempool.hasReady ? applyNextBlock() : nil
            var parentFailure: (any Error)?
            if let current = writing {
                writing = nil
                if let error = await writeCompletion() {
                    parentFailure = error
                    fail(current, storageError: error)
                    (tip, tipHeader, tipHash) = stored.withLock { $0 }
                } else {
                    finish(current)
                }
            }
            guard let next else { continue }
            if let parentFailure {
                let failure = LedgerError(
                    .storage,
                    "The block before this transaction's could not be stored (\(parentFailure)); the transaction was not applied, retry."
                )
                for waiter in next.waiters { waiter.resume(throwing: failure) }
                for (waiter, _) in next.rejected { waiter.resume(throwing: failure) }
            } else if let block = next.block {
                write(block)
                writing = next
            } else {
                for (waiter, error) in next.rejected { waiter.resume(throwing: error) }
            }
        } while writing != nil || mempool.hasReady
        isSealing = false
        let waiting = drained
        drained = []
        for continuation in waiting { continuation.resume() }
    }

    /// Takes the ready transactions, applies them in arrival order to ``tip`` at one timestamp, and makes the block of
    /// those accepted the new tip.
    private func applyNextBlock() -> Sealing {
        let timestamp = max(now(), tipHeader.timestamp)
        var next = tip
        let batch = mempool.takeReady(limit: configuration.maximumBlockSize) { next.account($0).nonce }
        var included: [SignedTransaction] = []
        var transactionJSON: [[UInt8]] = []
        var eventJSON: [[[UInt8]]] = []
        var waiters: [Mempool.Waiter] = []
        var events: [[Event]] = []
        var rejected: [(Mempool.Waiter, any Error)] = []
        included.reserveCapacity(batch.count)
        transactionJSON.reserveCapacity(batch.count)
        eventJSON.reserveCapacity(batch.count)
        waiters.reserveCapacity(batch.count)
        events.reserveCapacity(batch.count)
        var digest = EventsDigest()
        var pending = batch
        // Apply in arrival order; after each success, the sender's next nonce may be waiting.
        var index = 0
        var refusedBatches: Set<Int> = []
        while index < pending.count {
            let entry = pending[index]
            index += 1
            if let batch = entry.batch, refusedBatches.contains(batch) {
                rejected.append((entry.waiter, LedgerError.earlierInBatchRefused(entry.transaction)))
                continue
            }
            do {
                let produced = try next.apply(entry.transaction.transaction, at: timestamp)
                let encoded = produced.map { CanonicalJSON.encode($0.json) }
                for bytes in encoded { digest.append(digest: Keccak256.hash(bytes)) }
                included.append(entry.transaction)
                // Made once, when the signature was checked on the submitter's task.
                transactionJSON.append(entry.transaction.canonicalJSON)
                eventJSON.append(encoded)
                waiters.append(entry.waiter)
                events.append(produced)
                let sender = entry.transaction.transaction.from
                if let following = mempool.take(sender: sender, nonce: next.account(sender).nonce) {
                    pending.append(following)
                }
            } catch {
                rejected.append((entry.waiter, error))
                // The rest of its batch waits for its nonce, which it did not use: none of it is applied.
                if let batch = entry.batch, refusedBatches.insert(batch).inserted {
                    for follower in mempool.takeRest(ofBatch: batch, sender: entry.transaction.transaction.from) {
                        rejected.append((follower.waiter, LedgerError.earlierInBatchRefused(follower.transaction)))
                    }
                }
            }
        }
        mempool.ageWaiting(maximumRounds: configuration.maximumWaitBlocks) { next.account($0).nonce }

        if included.isEmpty {
            return Sealing(
                block: nil, header: tipHeader, state: tip, waiters: [], events: [], rejected: rejected)
        }
        let block = Block(
            height: tipHeader.height + 1, parent: tipHash, timestamp: timestamp, transactions: included,
            eventsDigest: digest.value)
        let sealed = SealedBlock(
            block: block, events: events, transactionJSON: transactionJSON, eventJSON: eventJSON)
        let header = block.header
        tip = next
        tipHeader = header
        tipHash = sealed.hash
        return Sealing(
            block: sealed, header: header, state: next, waiters: waiters, events: events, rejected: rejected)
    }

    /// Writes `block` on a task of its own, on the writer's queue, so that the ledger goes on taking and applying
    /// transactions meanwhile; ``writeCompletion()`` gives the outcome.
    private func write(_ block: SealedBlock) {
        writeOutcome = nil
        let store = store
        Task.detached(executorPreference: writer) {
            var failure: (any Error)?
            do {
                try await store.append(block)
            } catch {
                failure = error
            }
            // Straight to this actor's queue: awaiting the task's value instead would resume the sequencer through
            // the shared pool, behind every signature check queued there.
            await self.writeDidFinish(failure)
        }
    }

    private func writeDidFinish(_ failure: (any Error)?) {
        if let waiter = writeWaiter {
            writeWaiter = nil
            waiter.resume(returning: failure)
        } else {
            writeOutcome = .some(failure)
        }
    }

    /// Waits for the write started last: nil once the block is durable, or why it could not be stored.
    private func writeCompletion() async -> (any Error)? {
        if let outcome = writeOutcome {
            writeOutcome = nil
            return outcome
        }
        return await withCheckedContinuation { writeWaiter = $0 }
    }

    /// The block is durable: it becomes the ledger's state and head, and its submitters get their answers.
    private func finish(_ sealing: Sealing) {
        guard let sealed = sealing.block else { return }
        let height = sealing.header.height
        stored.withLock { $0 = (sealing.state, sealing.header, sealed.hash) }
        logger.debug(
            "sealed block", metadata: ["height": "\(height)", "transactions": "\(sealing.waiters.count)"])
        for (offset, waiter) in sealing.waiters.enumerated() {
            waiter.resume(
                returning: Receipt(
                    transactionHash: sealed.block.transactions[offset].hash, height: height, index: offset,
                    blockHash: sealed.hash, events: sealing.events[offset]))
        }
        for (waiter, error) in sealing.rejected { waiter.resume(throwing: error) }
        publish(sealed)
    }

    /// The block could not be stored: nothing of it is applied, and its submitters are told to retry.
    private func fail(_ sealing: Sealing, storageError error: any Error) {
        let height = sealing.header.height
        logger.error("could not store block \(height): \(error)")
        let failure = LedgerError(
            .storage, "Block \(height) could not be stored (\(error)); the transaction was not applied, retry.")
        for waiter in sealing.waiters { waiter.resume(throwing: failure) }
        for (waiter, error) in sealing.rejected { waiter.resume(throwing: error) }
    }

    /// Stops taking transactions, seals what is ready and answers what still waits for an earlier nonce.
    public func shutDown() async {
        isClosed = true
        if isSealing {
            await withCheckedContinuation { drained.append($0) }
        }
        mempool.failAll(
            LedgerError(.shuttingDown, "The ledger shut down before this transaction's earlier nonces arrived."))
        finishSubscriptions()
    }

    /// No block is being sealed.
    public var isIdle: Bool { !isSealing }
    /// Transactions in the mempool (arrived, or waiting for an earlier nonce).
    public var waitingCount: Int { mempool.count }

    // MARK: Queries

    // The queries read the last stored state without hopping to the sequencer's queue (they stay async: callers
    // await them, as they await a ledger across the network).

    /// The state after the last stored block, as the queries see it.
    nonisolated var storedState: State { stored.withLock { $0.state } }
    public nonisolated func account(_ address: Address) async -> Account { storedState.account(address) }
    public nonisolated func app(_ address: Address) async -> App? { storedState.app(address) }
    public nonisolated func dataset(_ address: Address) async -> Dataset? { storedState.dataset(address) }
    public nonisolated func datasets(_ query: DatasetQuery) async -> DatasetPage { storedState.datasets(query) }
    public nonisolated func workerpool(_ address: Address) async -> Workerpool? { storedState.workerpool(address) }
    public nonisolated func consumed(_ orderHash: Bytes32) async -> UInt64 { storedState.consumed(orderHash) }
    public nonisolated func isClosed(_ orderHash: Bytes32) async -> Bool { storedState.isClosed(orderHash) }
    public nonisolated func deal(_ id: Bytes32) async -> Deal? { storedState.deal(id) }
    public nonisolated func task(_ id: Bytes32) async -> ComputeTask? { storedState.task(id) }

    /// The stored block at `height`, with its transactions.
    public func block(height: UInt64) async throws -> Block? {
        guard height <= head.height, let stored = try await store.blocks(from: height, limit: 1).first,
            stored.height == height
        else { return nil }
        var transactions: [SignedTransaction] = []
        for transaction in stored.transactions { transactions.append(try Self.decode(transaction)) }
        return Block(
            height: stored.height, parent: stored.parent, timestamp: stored.timestamp, transactions: transactions,
            eventsDigest: stored.eventsDigest)
    }

    /// The stored transaction with this hash, where it landed and its events.
    public func transaction(hash: Bytes32) async throws -> TransactionRecord? {
        let visible = head.height
        guard let stored = try await store.transaction(hash: hash), stored.height <= visible else { return nil }
        var events: [JSONValue] = []
        for json in stored.events {
            events.append(try JSONValue(parsing: json))
        }
        return TransactionRecord(
            transaction: try Self.decode(stored), height: stored.height, index: stored.index, events: events)
    }

    /// A page of stored events matching `filter`, after `cursor` (the position of the last event of the previous
    /// page), at most `limit`.
    ///
    /// Only the events of blocks up to ``head`` are given: a block is in the store a moment before it becomes the
    /// ledger's state, and a follower that saw its events then would read a deal or a task the state does not have yet.
    public nonisolated func events(matching filter: EventFilter, after cursor: EventCursor? = nil, limit: Int = 100)
        async throws -> [LedgerEvent]
    {
        let visible = stored.withLock { $0.head.height }
        let page = try await store.events(matching: filter, after: cursor, limit: limit)
        guard let last = page.last, last.position.height > visible else { return page }
        return Array(page.prefix { $0.position.height <= visible })
    }

    static func decode(_ stored: StoredTransaction) throws -> SignedTransaction {
        let json = try JSONValue(parsing: stored.canonicalJSON)
        return try SignedTransaction(Transaction(json: json), signature: Signature(bytes: stored.signature))
    }

    // MARK: Subscriptions

    struct Subscriber {
        var interest: Interest
        var continuation: AsyncStream<LedgerEvent>.Continuation
    }

    /// The events a subscriber is given.
    enum Interest {
        /// Those `filter` matches.
        case events(EventFilter)
        /// Those naming one of these tasks (every change of a task's status comes with one).
        case tasks(Set<Bytes32>)

        func matches(_ event: Event, subjects: EventSubjects, height: UInt64) -> Bool {
            switch self {
            case .events(let filter): filter.matches(event, subjects: subjects, height: height)
            case .tasks(let tasks): subjects.tasks.contains(where: tasks.contains)
            }
        }
    }

    /// The events matching `filter` of every block stored from now on, as blocks are stored.
    public func subscribe(matching filter: EventFilter = EventFilter()) -> AsyncStream<LedgerEvent> {
        subscribe(.events(filter))
    }

    /// The events naming one of `tasks`, of every block stored from now on: one subscription for the tasks of a deal.
    func subscribe(tasks: Set<Bytes32>) -> AsyncStream<LedgerEvent> {
        subscribe(.tasks(tasks))
    }

    private func subscribe(_ interest: Interest) -> AsyncStream<LedgerEvent> {
        let (stream, continuation) = AsyncStream<LedgerEvent>.makeStream(bufferingPolicy: .unbounded)
        let id = nextSubscriberID
        nextSubscriberID += 1
        guard !subscriptionsFinished else {
            continuation.finish()
            return stream
        }
        subscribers[id] = Subscriber(interest: interest, continuation: continuation)
        continuation.onTermination = { _ in
            Task { await self.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: Int) { subscribers[id] = nil }

    private func publish(_ sealed: SealedBlock) {
        guard !subscribers.isEmpty else { return }
        let height = sealed.block.height
        for (index, events) in sealed.events.enumerated() {
            let hash = sealed.block.transactions[index].hash
            for (eventIndex, event) in events.enumerated() {
                var json: JSONValue?
                let subjects = event.subjects
                for subscriber in subscribers.values
                where subscriber.interest.matches(event, subjects: subjects, height: height) {
                    if json == nil { json = event.json }
                    subscriber.continuation.yield(
                        LedgerEvent(
                            position: EventCursor(height: height, transactionIndex: index, eventIndex: eventIndex),
                            transactionHash: hash, json: json ?? .null))
                }
            }
        }
    }

    private func finishSubscriptions() {
        subscriptionsFinished = true
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers = [:]
    }
}

/// Runs jobs one at a time on a dispatch queue of its own: a serial executor for an actor, and a task executor for
/// tasks that should not wait for a thread of the shared cooperative pool.
final class SerialQueueExecutor: SerialExecutor, TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(
                isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    func checkIsolated() { dispatchPrecondition(condition: .onQueue(queue)) }
}

/// The answers of a batch's transactions, handed on together once the last one is in.
private final class BatchAnswers: Sendable {
    private let answers: Mutex<(results: [Result<Receipt, any Error>?], missing: Int)>
    private let done: @Sendable ([Result<Receipt, any Error>]) -> Void

    init(count: Int, done: @escaping @Sendable ([Result<Receipt, any Error>]) -> Void) {
        answers = Mutex((Array(repeating: nil, count: count), count))
        self.done = done
    }

    func set(_ index: Int, _ result: Result<Receipt, any Error>) {
        let complete = answers.withLock { answers -> [Result<Receipt, any Error>]? in
            guard answers.results[index] == nil else { return nil }
            answers.results[index] = result
            answers.missing -= 1
            return answers.missing == 0 ? answers.results.compactMap { $0 } : nil
        }
        if let complete { done(complete) }
    }
}
