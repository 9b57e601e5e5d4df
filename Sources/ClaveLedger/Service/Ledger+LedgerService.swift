public import ClaveCore
public import ClaveCrypto
import ServiceLifecycle

extension Ledger: LedgerService {
    public func chainInfo() -> ChainInfo {
        ChainInfo(genesis: configuration.genesis, head: head, headHash: headHash)
    }

    public nonisolated func task(_ id: Bytes32, unlike status: ComputeTask.Status, timeout: Duration) async
        -> ComputeTask?
    {
        /// The task when its status is another than `status`, nil while it is not.
        @Sendable func changed() -> ComputeTask?? {
            let task = storedState.task(id)
            return (task?.status ?? .unset) != status ? .some(task) : nil
        }
        if let task = changed() { return task }
        guard timeout > .zero else { return storedState.task(id) }
        // Subscribe before looking again, so that a block stored between the two is not missed. Every change of a
        // task's status comes with an event naming it, published once the state holds the block.
        let stream = await subscribe(matching: EventFilter(task: id))
        if let task = changed() { return task }
        return await withTaskGroup(of: ComputeTask??.self) { group in
            group.addTask {
                for await _ in stream {
                    if let task = changed() { return task }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            // A server shutting down answers its long polls at once instead of holding the shutdown for them.
            group.addTask {
                try? await gracefulShutdown()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? storedState.task(id)
        }
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
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in stream { return }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            // A server shutting down answers its long polls at once instead of holding the shutdown for them.
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
        return try await events(matching: filter, after: cursor, limit: limit)
    }
}
