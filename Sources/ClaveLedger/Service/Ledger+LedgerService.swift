public import ClaveCore
public import ClaveCrypto
import ServiceLifecycle

extension Ledger: LedgerService {
    public func chainInfo() -> ChainInfo {
        ChainInfo(genesis: configuration.genesis, head: head, headHash: headHash)
    }

    public nonisolated func task(_ id: Bytes32, unlike statuses: Set<ComputeTask.Status>, timeout: Duration) async
        -> ComputeTask?
    {
        await tasks([id], unlike: statuses, timeout: timeout)[0]
    }

    public nonisolated func tasks(
        ofDeal dealId: Bytes32, indices: Range<UInt64>, unlike statuses: Set<ComputeTask.Status>, timeout: Duration
    ) async -> [ComputeTask?] {
        await tasks(indices.map { ComputeTask.id(dealId: dealId, index: $0) }, unlike: statuses, timeout: timeout)
    }

    /// The tasks `ids` as soon as none of them is in `statuses`, or as they are once `timeout` has passed: the long
    /// poll of one task and of a deal's.
    private nonisolated func tasks(_ ids: [Bytes32], unlike statuses: Set<ComputeTask.Status>, timeout: Duration)
        async -> [ComputeTask?]
    {
        @Sendable func read() -> [ComputeTask?] {
            let state = storedState
            return ids.map { state.task($0) }
        }
        @Sendable func ended() -> Bool { read().allSatisfy { !statuses.contains($0?.status ?? .unset) } }
        guard !ended(), timeout > .zero else { return read() }
        // Subscribe before looking again, so that a block stored between the two is not missed. Every change of a
        // task's status comes with an event naming it, published once the state holds its block.
        let stream = await subscribe(tasks: Set(ids))
        if !ended() { await wait(on: stream, timeout: timeout, until: ended) }
        return read()
    }

    public nonisolated func events(
        matching filter: EventFilter, after cursor: EventCursor?, limit: Int, timeout: Duration
    ) async throws -> [LedgerEvent] {
        let page = try await events(matching: filter, after: cursor, limit: limit)
        guard page.isEmpty, timeout > .zero else { return page }
        // Subscribe before reading again, so that a block stored between the two is not missed.
        let stream = await subscribe(matching: filter)
        let again = try await events(matching: filter, after: cursor, limit: limit)
        guard again.isEmpty else { return again }
        await wait(on: stream, timeout: timeout) { true }
        return try await events(matching: filter, after: cursor, limit: limit)
    }

    /// Pages through the stored log after `cursor`, then hands on the events of each block as it is stored, from a
    /// subscription made before the first page: a block stored meanwhile is both read and published, and is given
    /// once. A follower at the end of the log then costs no query per block. Ends when the ledger shuts down.
    public nonisolated func eventStream(
        matching filter: EventFilter, after cursor: EventCursor?, pageSize: Int, poll: Duration
    ) -> AsyncThrowingStream<LedgerEvent, any Error> {
        eventTask { continuation in
            var position = cursor
            let live = await self.subscribe(matching: filter)
            while true {
                try Task.checkCancellation()
                let page = try await self.events(matching: filter, after: position, limit: pageSize)
                for event in page { continuation.yield(event) }
                if let last = page.last { position = last.position }
                if page.count < pageSize { break }
            }
            for await event in live {
                if let position, event.position <= position { continue }
                continuation.yield(event)
                position = event.position
            }
        }
    }

    /// Takes `stream`'s events until `isDone` holds after one, for `timeout` at most; a server shutting down ends the
    /// wait at once instead of holding the shutdown for its long polls.
    private nonisolated func wait(
        on stream: AsyncStream<LedgerEvent>, timeout: Duration, until isDone: @escaping @Sendable () -> Bool
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in stream where isDone() { return }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
    }
}
