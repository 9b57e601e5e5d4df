import ClaveCore
import ClaveCrypto
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

    /// The ledger's own follower pages through the stored log, then takes the events it publishes: started while
    /// blocks are being stored, it gives every event of the log once, in order, and ends when the ledger shuts down.
    @Test func aFollowerGivesEveryEventOnceInOrderWhileBlocksAreStored() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await F.ledger(
            store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")), genesis: F.genesis(accounts: 2),
            clock: ManualClock(1_700_000_000))
        let (alice, bob) = (F.key(1), F.key(2))
        for nonce in 0..<5 { _ = try await ledger.submit(F.signed(alice, nonce: UInt64(nonce), .deposit(amount: 1))) }
        let first = try await ledger.events(matching: EventFilter(), after: nil, limit: 1).first
        // After the first event, in pages of 2, while bob's deposits are stored one after another.
        let followed = Task {
            var seen: [LedgerEvent] = []
            for try await event in ledger.follow(matching: EventFilter(), after: first?.position, pageSize: 2) {
                seen.append(event)
            }
            return seen
        }
        for nonce in 0..<20 { _ = try await ledger.submit(F.signed(bob, nonce: UInt64(nonce), .deposit(amount: 1))) }
        let expected = try await ledger.events(matching: EventFilter(), after: first?.position, limit: 1000)
        #expect(expected.count >= 24)
        // Shutting down ends the follower once it has handed on what it had.
        await ledger.shutDown()
        let seen = try await followed.value
        #expect(seen.map(\.position) == expected.map(\.position))
        #expect(seen == expected)
    }

    /// Once the ledger has shut down, a long poll or a follower started then ends at once with what is stored,
    /// instead of waiting for blocks that will not come.
    @Test func longPollsAndFollowersStartedAfterShutdownEndAtOnce() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await F.ledger(
            store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")), genesis: F.genesis(accounts: 1),
            clock: ManualClock(1_700_000_000))
        _ = try await ledger.submit(F.signed(F.key(1), nonce: 0, .deposit(amount: 1)))
        let stored = try await ledger.events(matching: EventFilter(), after: nil, limit: 100)
        await ledger.shutDown()
        let started = ContinuousClock.now
        // Long timeouts: waiting them out would be unmistakable, even on a loaded machine.
        #expect(await ledger.task(Bytes32(uint64: 7), unlike: [.unset], timeout: .seconds(300)) == nil)
        let page = try await ledger.events(
            matching: EventFilter(), after: stored.last?.position, limit: 100, timeout: .seconds(300))
        #expect(page.isEmpty)
        var followed: [LedgerEvent] = []
        for try await event in ledger.follow() { followed.append(event) }
        #expect(followed == stored)
        #expect(ContinuousClock.now - started < .seconds(120))
    }
}
