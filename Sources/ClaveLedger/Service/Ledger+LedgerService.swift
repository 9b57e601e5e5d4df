import ClaveCore
import ClaveCrypto
import ServiceLifecycle

extension Ledger: LedgerService {
    public func chainInfo() -> ChainInfo {
        ChainInfo(genesis: configuration.genesis, head: head, headHash: headHash)
    }

    public func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int, timeout: Duration)
        async throws -> [LedgerEvent]
    {
        let page = try await events(matching: filter, after: cursor, limit: limit)
        guard page.isEmpty, timeout > .zero else { return page }
        // Subscribe before reading again, so that a block stored between the two is not missed.
        let stream = subscribe(matching: filter)
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
