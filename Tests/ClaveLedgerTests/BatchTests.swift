import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import Testing

/// A sender's transactions submitted together: one block for all of them, and nothing applied after the first one
/// refused.
@Suite struct BatchTests {
    typealias F = LedgerFixture

    private static func ledger(accounts: Int = 2) async throws -> (Ledger, SQLiteLedgerStore, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: accounts), clock: ManualClock(1_700_000_000))
        return (ledger, store, directory)
    }

    @Test func aBatchGoesIntoOneBlockInOrder() async throws {
        let (ledger, store, directory) = try await Self.ledger()
        defer { _ = directory }
        let key = F.key(1)
        let batch = (0..<5).map { F.signed(key, nonce: UInt64($0), .deposit(amount: UInt64($0 + 1))) }
        let receipts = try await ledger.submit(batch: batch).map { try $0.get() }
        #expect(receipts.map(\.transactionHash) == batch.map(\.hash))
        #expect(Set(receipts.map(\.height)) == [1])
        #expect(receipts.map(\.index) == Array(0..<5))
        #expect(await ledger.account(key.address).balance == 15)
        #expect(try await LedgerVerifier.verify(store: store).isValid)
    }

    @Test func nothingAfterARefusedTransactionIsApplied() async throws {
        let (ledger, store, directory) = try await Self.ledger()
        defer { _ = directory }
        let key = F.key(1)
        let batch = [
            F.signed(key, nonce: 0, .deposit(amount: 10)),
            F.signed(key, nonce: 1, .withdraw(amount: 11)),  // more than the balance: refused
            F.signed(key, nonce: 2, .deposit(amount: 1)),
            F.signed(key, nonce: 3, .deposit(amount: 1)),
        ]
        let results = try await ledger.submit(batch: batch)
        #expect(results.count == 4)
        #expect((try? results[0].get())?.height == 1)
        #expect(Self.rejection(results[1])?.code == .insufficientBalance)
        for result in results[2...] { #expect(Self.ledgerError(result)?.code == .earlierInBatchRefused) }
        let account = await ledger.account(key.address)
        #expect(account.nonce == 1 && account.balance == 10)
        for signed in batch.dropFirst() { #expect(try await ledger.transaction(hash: signed.hash) == nil) }
        // The nonce the refused one did not use is the next one: the sender goes on from it.
        #expect(try await ledger.submit(F.signed(key, nonce: 1, .deposit(amount: 2))).height == 2)
        #expect(try await LedgerVerifier.verify(store: store).isValid)
    }

    @Test func aBatchAtAStaleNonceAppliesNothingEvenWhereANonceFits() async throws {
        let (ledger, _, directory) = try await Self.ledger()
        defer { _ = directory }
        let key = F.key(1)
        _ = try await ledger.submit(F.signed(key, nonce: 0, .deposit(amount: 10)))
        // Nonces 0, 1, 2 when the account is at 1: the second one's nonce fits, but it was signed to follow the first.
        let batch = (0..<3).map { F.signed(key, nonce: UInt64($0), .deposit(amount: 1)) }
        let results = try await ledger.submit(batch: batch)
        #expect(Self.rejection(results[0])?.code == .wrongNonce)
        #expect(Self.ledgerError(results[1])?.code == .earlierInBatchRefused)
        #expect(Self.ledgerError(results[2])?.code == .earlierInBatchRefused)
        #expect(await ledger.account(key.address) == Account(wallet: 999_990, balance: 10, nonce: 1))
    }

    @Test func aMalformedBatchIsRefusedWholeAndQueuesNothing() async throws {
        let (ledger, _, directory) = try await Self.ledger()
        defer { _ = directory }
        let (alice, bob) = (F.key(1), F.key(2))
        let cases: [(batch: [SignedTransaction], says: String)] = [
            ([], "holds no transaction"),
            (
                (0...UInt64(Ledger.maximumBatchSize)).map { F.signed(alice, nonce: $0, .deposit(amount: 1)) },
                "send at most 64"
            ),
            (
                [F.signed(alice, nonce: 0, .deposit(amount: 1)), F.signed(bob, nonce: 1, .deposit(amount: 1))],
                "one sender's transactions"
            ),
            (
                [F.signed(alice, nonce: 0, .deposit(amount: 1)), F.signed(alice, nonce: 2, .deposit(amount: 1))],
                "nonces follow one another"
            ),
        ]
        for (batch, says) in cases {
            do {
                _ = try await ledger.submit(batch: batch)
                Issue.record("a malformed batch was taken: \(says)")
            } catch let error as LedgerError {
                #expect(error.code == .malformedBatch)
                #expect(error.message.contains(says), "\(error.message)")
            }
        }
        #expect(await ledger.head.height == 0)
        #expect(await ledger.waitingCount == 0)
        #expect(await ledger.account(alice.address).nonce == 0)
    }

    @Test func aSendersConcurrentTransactionsShareBlocksInTheOrderTheyWereSent() async throws {
        let (ledger, store, directory) = try await Self.ledger()
        defer { _ = directory }
        let sender = TransactionSender(key: F.key(1), ledger: ledger)
        let receipts = try await withThrowingTaskGroup(of: Receipt.self) { group in
            for _ in 0..<40 { group.addTask { try await sender.send(.deposit(amount: 1)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == 40)
        // One block for the first, which went alone, and few for the 39 that queued behind it.
        #expect(Set(receipts.map(\.height)).count < 10)
        #expect(await ledger.account(F.key(1).address).nonce == 40)
        #expect(try await LedgerVerifier.verify(store: store).isValid)
    }

    @Test func aSendersRefusedTransactionDoesNotTakeTheOnesQueuedWithItDown() async throws {
        let (ledger, _, directory) = try await Self.ledger()
        defer { _ = directory }
        let key = F.key(1)
        let sender = TransactionSender(key: key, ledger: ledger)
        _ = try await sender.send(.deposit(amount: 10))
        // Rounds of three sends at once, which queue together: the overdraft is refused wherever it falls in the
        // batch, and the deposits batched behind it are signed again at the nonce it did not use.
        for round in 0..<10 {
            let outcomes = await withTaskGroup(of: (Bool, Result<Receipt, any Error>).self) { group in
                for body: TransactionBody in [.deposit(amount: 1), .withdraw(amount: 1_000), .deposit(amount: 2)] {
                    group.addTask {
                        do {
                            return (body == .withdraw(amount: 1_000), .success(try await sender.send(body)))
                        } catch {
                            return (body == .withdraw(amount: 1_000), .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for (isOverdraft, outcome) in outcomes {
                if isOverdraft {
                    #expect(Self.rejection(outcome)?.code == .insufficientBalance)
                } else {
                    #expect((try? outcome.get()) != nil, "round \(round): \(outcome)")
                }
            }
            let account = await ledger.account(key.address)
            #expect(account.nonce == UInt64(1 + 2 * (round + 1)))
            #expect(account.balance == UInt64(10 + 3 * (round + 1)))
        }
    }

    @Test func aSenderWhoseNonceWentStaleReadsItAgainAndSignsAgain() async throws {
        let (ledger, _, directory) = try await Self.ledger()
        defer { _ = directory }
        let key = F.key(1)
        let sender = TransactionSender(key: key, ledger: ledger)
        _ = try await sender.send(.deposit(amount: 1))  // the sender now expects nonce 1
        // Another process uses the key meanwhile: the sender's nonce 1 is refused (wrongNonce), read again, used.
        _ = try await ledger.submit(F.signed(key, nonce: 1, .deposit(amount: 2)))
        let receipt = try await sender.send(.deposit(amount: 3))
        let record = try #require(try await ledger.transaction(hash: receipt.transactionHash))
        #expect(record.transaction.transaction.nonce == 2)
        #expect(await ledger.account(key.address).balance == 6)
    }

    /// A service without a batch route of its own (`LedgerService`'s default `submit(batch:)`) sends one after the
    /// other, each in a block of its own, with the same rules: stopped at the first refused one, and a malformed batch
    /// refused whole.
    @Test func aServiceWithoutBatchesSubmitsOneAfterTheOtherWithTheSameRules() async throws {
        let (ledger, _, directory) = try await Self.ledger()
        defer { _ = directory }
        let service = OneAtATime(base: ledger)
        let key = F.key(1)
        let results = try await service.submit(batch: [
            F.signed(key, nonce: 0, .deposit(amount: 10)),
            F.signed(key, nonce: 1, .deposit(amount: 1)),
            F.signed(key, nonce: 2, .withdraw(amount: 100)),
            F.signed(key, nonce: 3, .deposit(amount: 1)),
        ])
        #expect(Set(results.prefix(2).compactMap { try? $0.get().height }) == [1, 2])
        #expect(Self.rejection(results[2])?.code == .insufficientBalance)
        #expect(Self.ledgerError(results[3])?.code == .earlierInBatchRefused)
        let account = await ledger.account(key.address)
        #expect(account.nonce == 2 && account.balance == 11)
        let refusal = await #expect(throws: LedgerError.self) {
            try await service.submit(batch: [
                F.signed(key, nonce: 2, .deposit(amount: 1)), F.signed(key, nonce: 4, .deposit(amount: 1)),
            ])
        }
        #expect(refusal?.code == .malformedBatch)
        #expect(await ledger.account(key.address).nonce == 2)
    }

    private static func rejection(_ result: Result<Receipt, any Error>) -> Rejection? {
        guard case .failure(let error) = result else { return nil }
        return error as? Rejection
    }

    private static func ledgerError(_ result: Result<Receipt, any Error>) -> LedgerError? {
        guard case .failure(let error) = result else { return nil }
        return error as? LedgerError
    }
}

/// The ledger, through `LedgerService`'s requirements only: `submit(batch:)` is the protocol's default.
private struct OneAtATime: ForwardingLedgerService {
    let base: any LedgerService
}
