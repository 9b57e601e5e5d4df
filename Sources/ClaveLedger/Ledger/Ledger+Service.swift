public import ServiceLifecycle

extension Ledger: Service {
    /// Runs until graceful shutdown or cancellation, then stops taking transactions and drains the mempool: every
    /// transaction already taken is sealed and answered before this returns.
    public nonisolated func run() async throws {
        try? await gracefulShutdown()
        await shutDown()
    }
}
