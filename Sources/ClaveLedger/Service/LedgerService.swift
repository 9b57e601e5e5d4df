public import ClaveCore
public import ClaveCrypto

/// The ledger as its users reach it: submit signed transactions, read the state, the log and its events.
///
/// ``Ledger`` implements it in process; `ClaveClient.LedgerClient` implements it over HTTP, so schedulers, workers and
/// the CLI run the same code against either.
public protocol LedgerService: Sendable {
    /// Submits `transaction` and returns its receipt once the block holding it is durably stored.
    ///
    /// - Throws: a ``ClaveCore/Rejection`` (the protocol refused it), a ``LedgerError`` (mempool or storage), or,
    ///   over HTTP, a ``ClaveCore/TransactionFormatError`` for a document the server could not read.
    func submit(_ transaction: SignedTransaction) async throws -> Receipt
    /// Submits one sender's transactions at consecutive nonces together, and returns each one's receipt or refusal,
    /// in order. They stop at the first one refused: those after it are refused with
    /// ``LedgerError/Code/earlierInBatchRefused`` and not applied, so what was applied is always a prefix. ``Ledger``
    /// puts a batch into one block.
    ///
    /// - Throws: when the batch as a whole was not taken: ``LedgerError/Code/malformedBatch`` (empty, more than
    ///   ``Ledger/maximumBatchSize``, several senders, nonces that do not follow one another), the mempool's
    ///   refusals, or the service could not be reached. Nothing of it was applied then.
    func submit(batch transactions: [SignedTransaction]) async throws -> [Result<Receipt, any Error>]
    /// The chain's genesis and its head.
    func chainInfo() async throws -> ChainInfo
    func account(_ address: Address) async throws -> Account
    func app(_ address: Address) async throws -> App?
    func dataset(_ address: Address) async throws -> Dataset?
    /// A page of the registered datasets `query` selects (by owner, by schema), by address.
    func datasets(_ query: DatasetQuery) async throws -> DatasetPage
    func workerpool(_ address: Address) async throws -> Workerpool?
    /// The consumed volume of the order with this hash (its whole volume once closed).
    func consumed(_ orderHash: Bytes32) async throws -> UInt64
    /// Whether the order with this hash was closed (revoked) by its signer; an order used up by deals is not closed.
    func isClosed(_ orderHash: Bytes32) async throws -> Bool
    func deal(_ id: Bytes32) async throws -> Deal?
    func task(_ id: Bytes32) async throws -> ComputeTask?
    /// The task `id` as soon as its status is none of `statuses` (a task not initialized yet is
    /// ``ClaveCore/ComputeTask/Status/unset`` and nil), or as it is once `timeout` has passed: a long poll on one
    /// task, one round trip where following its events takes two per change. A requester waits with every status
    /// before the end (UNSET, ACTIVE, REVEALING) in one wait, not one per status.
    func task(_ id: Bytes32, unlike statuses: Set<ComputeTask.Status>, timeout: Duration) async throws -> ComputeTask?
    /// The tasks of deal `dealId` at `indices`, in that order (nil for one not initialized yet, UNSET), as soon as
    /// none of them is in `statuses`, or as they are once `timeout` has passed: one long poll for the tasks of a deal
    /// (a bag of tasks), where ``task(_:unlike:timeout:)`` takes one per task. An index outside the deal's
    /// (`botFirst ..< botFirst + botSize`) names a task that never exists: it stays nil.
    func tasks(
        ofDeal dealId: Bytes32, indices: Range<UInt64>, unlike statuses: Set<ComputeTask.Status>, timeout: Duration
    )
        async throws -> [ComputeTask?]
    /// The stored block at `height` with its transactions, or nil above the head.
    func block(height: UInt64) async throws -> Block?
    /// The stored transaction with this hash, or nil when no block holds it.
    func transaction(hash: Bytes32) async throws -> TransactionRecord?
    /// A page of stored events matching `filter` after `cursor`. When none is stored yet and `timeout` is positive,
    /// waits up to `timeout` for a block that has some (a long poll), then answers with what there is.
    func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int, timeout: Duration) async throws
        -> [LedgerEvent]
    /// What ``follow(matching:after:pageSize:poll:)`` gives. The default pages through ``events(matching:after:limit:timeout:)``;
    /// ``Ledger`` pages through its store, then hands on the events it publishes as it stores blocks.
    func eventStream(matching filter: EventFilter, after cursor: EventCursor?, pageSize: Int, poll: Duration)
        -> AsyncThrowingStream<LedgerEvent, any Error>
}

extension LedgerService {
    /// ``submit(batch:)`` one transaction after the other, for a service that takes no batches: what it applied is
    /// a prefix too, but each transaction takes a block of its own.
    public func submit(batch transactions: [SignedTransaction]) async throws -> [Result<Receipt, any Error>] {
        try Ledger.checkBatch(transactions)
        var results: [Result<Receipt, any Error>] = []
        results.reserveCapacity(transactions.count)
        var refused = false
        for signed in transactions {
            guard !refused else {
                results.append(.failure(LedgerError.earlierInBatchRefused(signed)))
                continue
            }
            do {
                results.append(.success(try await submit(signed)))
            } catch {
                results.append(.failure(error))
                refused = true
            }
        }
        return results
    }

    /// ``task(_:unlike:timeout:)`` by following the task's events: for a service that has no long poll of its own.
    public func task(_ id: Bytes32, unlike statuses: Set<ComputeTask.Status>, timeout: Duration) async throws
        -> ComputeTask?
    {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var cursor: EventCursor?
        while true {
            let current = try await task(id)
            let left = deadline - clock.now
            guard statuses.contains(current?.status ?? .unset), left > .zero else { return current }
            let page = try await events(matching: EventFilter(task: id), after: cursor, limit: 100, timeout: left)
            if let last = page.last { cursor = last.position }
        }
    }

    /// ``tasks(ofDeal:indices:unlike:timeout:)`` as one ``task(_:unlike:timeout:)`` after the other, within the
    /// one timeout: for a service that has no long poll of its own.
    public func tasks(
        ofDeal dealId: Bytes32, indices: Range<UInt64>, unlike statuses: Set<ComputeTask.Status>, timeout: Duration
    ) async throws -> [ComputeTask?] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var tasks: [ComputeTask?] = []
        for index in indices {
            let left = max(.zero, deadline - clock.now)
            tasks.append(try await task(ComputeTask.id(dealId: dealId, index: index), unlike: statuses, timeout: left))
        }
        return tasks
    }

    /// Every event matching `filter` after `cursor`, then each new one as blocks are stored, in log order, without
    /// gaps or repeats: it pages through the log and long-polls at its end. Ends when the task is cancelled.
    public func follow(
        matching filter: EventFilter = EventFilter(), after cursor: EventCursor? = nil, pageSize: Int = 100,
        poll: Duration = .seconds(20)
    ) -> AsyncThrowingStream<LedgerEvent, any Error> {
        eventStream(matching: filter, after: cursor, pageSize: pageSize, poll: poll)
    }

    /// ``follow(matching:after:pageSize:poll:)`` by paging through ``events(matching:after:limit:timeout:)``, each
    /// page at the end of the log a long poll of `poll`.
    public func eventStream(matching filter: EventFilter, after cursor: EventCursor?, pageSize: Int, poll: Duration)
        -> AsyncThrowingStream<LedgerEvent, any Error>
    {
        eventTask { continuation in
            var position = cursor
            while !Task.isCancelled {
                let page = try await events(matching: filter, after: position, limit: pageSize, timeout: poll)
                for event in page { continuation.yield(event) }
                if let last = page.last { position = last.position }
            }
        }
    }
}

/// A stream whose events `body` yields on a task of its own: it ends when `body` returns or is cancelled, fails with
/// what `body` throws, and cancels `body` when its reader stops.
func eventTask(
    _ body: @escaping @Sendable (AsyncThrowingStream<LedgerEvent, any Error>.Continuation) async throws -> Void
) -> AsyncThrowingStream<LedgerEvent, any Error> {
    AsyncThrowingStream { continuation in
        let task = Task {
            do {
                try await body(continuation)
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
    }
}

/// The chain a ledger runs and where its head is.
public struct ChainInfo: Sendable, Hashable {
    public var genesis: Genesis
    /// The last stored block.
    public var head: BlockHeader
    public var headHash: Bytes32

    public init(genesis: Genesis, head: BlockHeader, headHash: Bytes32) {
        self.genesis = genesis
        self.head = head
        self.headHash = headHash
    }

    public var configuration: ChainConfiguration { genesis.configuration }
}
