import ClaveCore
import ClaveLedger
import Logging
import ServiceLifecycle
import ClaveTestSupport
import Testing

@Suite struct ServiceTests {
    typealias F = LedgerFixture

    @Test func gracefulShutdownDrainsTheMempoolAndRefusesNewTransactions() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await F.ledger(
            store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")), genesis: F.genesis(accounts: 1),
            clock: ManualClock(1_700_000_000))
        let group = ServiceGroup(configuration: .init(services: [ledger], logger: quietLogger))
        let key = F.key(1)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await ledger.submit(F.signed(key, nonce: 0, .deposit(amount: 1)))
            // Nonce 2 waits for nonce 1, which never comes: shutdown answers it.
            tasks.addTask {
                do {
                    _ = try await ledger.submit(F.signed(key, nonce: 2, .deposit(amount: 1)))
                    Issue.record("a transaction with a nonce gap was accepted")
                } catch let error as LedgerError {
                    #expect(error.code == .shuttingDown)
                }
            }
            while true {
                let idle = await ledger.isIdle
                let waiting = await ledger.waitingCount
                if idle && waiting == 1 { break }
                await Task.yield()
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await #expect(throws: LedgerError.self) {
            _ = try await ledger.submit(F.signed(key, nonce: 1, .deposit(amount: 1)))
        }
        #expect(await ledger.account(key.address).nonce == 1)
    }
}
