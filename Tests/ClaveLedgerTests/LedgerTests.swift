import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import Testing

@Suite struct LedgerTests {
    typealias F = LedgerFixture

    @Test func submitReturnsAReceiptAndQueriesSeeTheBlock() async throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock(1_700_000_100)
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        #expect(try store.synchronousSetting() == 2)
        let ledger = try await F.ledger(store: store, genesis: F.genesis(accounts: 3), clock: clock)
        let alice = F.key(1)
        let deposit = F.signed(alice, nonce: 0, .deposit(amount: 100))

        let receipt = try await ledger.submit(deposit)
        #expect(receipt.transactionHash == deposit.hash)
        #expect(receipt.height == 1)
        #expect(receipt.index == 0)
        #expect(receipt.events == [.deposit(account: alice.address, amount: 100)])

        let account = await ledger.account(alice.address)
        #expect(account == Account(wallet: 999_900, balance: 100, nonce: 1))
        let block = try #require(try await ledger.block(height: 1))
        #expect(block.hash == receipt.blockHash)
        #expect(block.timestamp == 1_700_000_100)
        #expect(block.transactions == [deposit])
        let record = try #require(try await ledger.transaction(hash: deposit.hash))
        #expect(record.transaction == deposit)
        #expect(record.height == 1)
        #expect(record.events == [Event.deposit(account: alice.address, amount: 100).json])
        #expect(try await ledger.transaction(hash: .zero) == nil)
        #expect(try await ledger.block(height: 2) == nil)

        clock.advance(by: 10)
        let withdraw = F.signed(alice, nonce: 1, .withdraw(amount: 40))
        let second = try await ledger.submit(withdraw)
        #expect(second.height == 2)
        #expect(try await ledger.block(height: 2)?.timestamp == 1_700_000_110)
        #expect(try await ledger.block(height: 2)?.parent == receipt.blockHash)
    }

    @Test func eventQueriesFilterAndPage() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: 2), clock: ManualClock(1_700_000_000))
        let (alice, bob) = (F.key(1), F.key(2))
        for nonce in 0..<3 {
            _ = try await ledger.submit(F.signed(alice, nonce: UInt64(nonce), .deposit(amount: 10)))
        }
        _ = try await ledger.submit(F.signed(bob, nonce: 0, .deposit(amount: 7)))
        _ = try await ledger.submit(F.signed(bob, nonce: 1, .withdraw(amount: 7)))

        #expect(try await ledger.events(matching: EventFilter(account: alice.address)).count == 3)
        #expect(try await ledger.events(matching: EventFilter(account: bob.address)).count == 2)
        #expect(try await ledger.events(matching: EventFilter(name: "Withdraw")).map(\.name) == ["Withdraw"])
        #expect(try await ledger.events(matching: EventFilter(fromBlock: 2, toBlock: 3)).count == 2)
        // A subject's events page by its own positions, and combine with the other conditions.
        let alices = try await ledger.events(matching: EventFilter(account: alice.address), limit: 2)
        #expect(alices.count == 2)
        let rest = try await ledger.events(matching: EventFilter(account: alice.address), after: alices.last?.position)
        #expect(rest.map(\.position.height) == [3])
        #expect(
            try await ledger.events(matching: EventFilter(account: bob.address, name: "Withdraw", fromBlock: 5))
                .map(\.name) == ["Withdraw"])
        #expect(try await ledger.events(matching: EventFilter(account: bob.address, toBlock: 4)).count == 1)
        #expect(try await ledger.events(matching: EventFilter(account: alice.address, deal: Bytes32.zero)).isEmpty)

        var pages: [[LedgerEvent]] = []
        var cursor: EventCursor?
        while true {
            let page = try await ledger.events(matching: EventFilter(), after: cursor, limit: 2)
            if page.isEmpty { break }
            pages.append(page)
            cursor = page.last?.position
        }
        #expect(pages.map(\.count) == [2, 2, 1])
        let all = pages.flatMap { $0 }
        #expect(all.map(\.position) == all.map(\.position).sorted())
        #expect(all.last?.json == Event.withdraw(account: bob.address, amount: 7).json)
    }

    @Test func manyConcurrentSubmittersAllLandInNonceOrderAndBlocksBatch() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let accounts = 50
        let perAccount = 20
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: accounts), clock: ManualClock(1_700_000_000))
        let receipts = try await withThrowingTaskGroup(of: [Receipt].self) { group in
            for index in 1...accounts {
                group.addTask {
                    let key = F.key(index)
                    var receipts: [Receipt] = []
                    for nonce in 0..<perAccount {
                        let body: TransactionBody = nonce % 2 == 0 ? .deposit(amount: 3) : .withdraw(amount: 1)
                        receipts.append(try await ledger.submit(F.signed(key, nonce: UInt64(nonce), body)))
                    }
                    return receipts
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == accounts)
        for accountReceipts in receipts {
            let positions = accountReceipts.map { ($0.height, $0.index) }
            #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 })
        }
        for index in 1...accounts {
            let account = await ledger.account(F.key(index).address)
            #expect(account.nonce == UInt64(perAccount))
            #expect(account.balance == 20)
        }
        let height = await ledger.head.height
        #expect(height < UInt64(accounts * perAccount), "blocks batch several transactions")
        let report = try await LedgerVerifier.verify(store: store)
        #expect(report.isValid, "\(report)")
        #expect(report.transactions == accounts * perAccount)
    }

    @Test func futureNoncesWaitForTheMissingOnes() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: 1), clock: ManualClock(1_700_000_000))
        let key = F.key(1)
        let receipts = try await withThrowingTaskGroup(of: Receipt.self) { group in
            for nonce in (0..<10).reversed() {
                group.addTask { try await ledger.submit(F.signed(key, nonce: UInt64(nonce), .deposit(amount: 1))) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == 10)
        #expect(await ledger.account(key.address).nonce == 10)
        #expect(try await LedgerVerifier.verify(store: store).isValid)
    }

    @Test func refusedTransactionsAreThrownAndStoredNowhere() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: 1), clock: ManualClock(1_700_000_000), maximumWaitBlocks: 0)
        let key = F.key(1)
        _ = try await ledger.submit(F.signed(key, nonce: 0, .deposit(amount: 10)))
        let before = await ledger.state
        let height = await ledger.head.height

        let stale = F.signed(key, nonce: 0, .deposit(amount: 1))
        await #expect(throws: Rejection.self) { try await ledger.submit(stale) }
        do {
            _ = try await ledger.submit(F.signed(key, nonce: 1, .withdraw(amount: 11)))
            Issue.record("an overdraft was accepted")
        } catch let rejection as Rejection {
            #expect(rejection.code == .insufficientBalance)
        }
        do {
            _ = try await ledger.submit(F.signed(key, nonce: 7, .deposit(amount: 1)))
            Issue.record("a nonce gap was accepted")
        } catch let error as LedgerError {
            #expect(error.code == .nonceGapTimeout)
        }
        #expect(await ledger.state == before)
        #expect(await ledger.head.height == height)
        #expect(try await ledger.transaction(hash: stale.hash) == nil)
        #expect(try await LedgerVerifier.verify(store: store).blocks == height + 1)
    }

    @Test func restartRebuildsTheSameStateAndContinues() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ledger.sqlite")
        let clock = ManualClock(1_700_000_000)
        let genesis = F.genesis(accounts: 4)
        let first = try await F.ledger(store: try SQLiteLedgerStore(path: path), genesis: genesis, clock: clock)
        for index in 1...4 {
            for nonce in 0..<3 {
                _ = try await first.submit(F.signed(F.key(index), nonce: UInt64(nonce), .deposit(amount: 5)))
                clock.advance(by: 1)
            }
        }
        _ = try await first.submit(F.signed(F.key(1), nonce: 3, .createWorkerpool(description: "pool")))
        let state = await first.state
        let head = await first.head
        await first.shutDown()

        let second = try await F.ledger(store: try SQLiteLedgerStore(path: path), genesis: genesis, clock: clock)
        #expect(await second.state == state)
        #expect(await second.head == head)
        let receipt = try await second.submit(F.signed(F.key(2), nonce: 3, .withdraw(amount: 1)))
        #expect(receipt.height == head.height + 1)
        #expect(try await second.block(height: receipt.height)?.parent == head.hash)

        var other = genesis
        other.timestamp += 1
        await #expect(throws: LedgerError.self) {
            _ = try await F.ledger(store: try SQLiteLedgerStore(path: path), genesis: other, clock: clock)
        }
    }

    @Test func subscribersReceiveTheEventsOfNewBlocks() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: 2), clock: ManualClock(1_700_000_000))
        let (alice, bob) = (F.key(1), F.key(2))
        let all = await ledger.subscribe()
        let bobs = await ledger.subscribe(matching: EventFilter(account: bob.address))
        let first = try await ledger.submit(F.signed(alice, nonce: 0, .deposit(amount: 1)))
        let second = try await ledger.submit(F.signed(bob, nonce: 0, .deposit(amount: 2)))

        var iterator = all.makeAsyncIterator()
        let a = try #require(await iterator.next())
        let b = try #require(await iterator.next())
        #expect(a.transactionHash == first.transactionHash)
        #expect(a.position == EventCursor(height: 1, transactionIndex: 0, eventIndex: 0))
        #expect(b.json == Event.deposit(account: bob.address, amount: 2).json)
        var bobsIterator = bobs.makeAsyncIterator()
        let onlyBob = try #require(await bobsIterator.next())
        #expect(onlyBob.transactionHash == second.transactionHash)
        await ledger.shutDown()
        #expect(await bobsIterator.next() == nil)
    }
}
