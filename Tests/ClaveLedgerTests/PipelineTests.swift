import ClaveCore
import ClaveCrypto
import ClaveLedger
import Synchronization
import ClaveTestSupport
import Testing

/// The sequencer applies the next block while the one before is being written: what the ledger shows, answers and
/// stores must still follow the durable blocks only.
@Suite struct PipelineTests {
    typealias F = LedgerFixture

    /// A ledger with one transaction per block whose store holds blocks 1 and 2 until released: block 1 (alice's
    /// nonce 0) is stored, then block 2 (alice's nonce 1) is held while block 3 (bob's nonce 0) is applied on it.
    struct Pipeline {
        let inner: SQLiteLedgerStore
        let store: GatedStore
        let ledger: Ledger
        let first: Receipt
        let stored: State
        let second: Task<Receipt, any Error>
        let third: Task<Receipt, any Error>

        init(_ directory: TemporaryDirectory) async throws {
            inner = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
            let store = GatedStore(inner, holding: [1, 2])
            self.store = store
            let ledger = try await Ledger(
                configuration: .init(genesis: F.genesis(accounts: 2), maximumBlockSize: 1), store: store,
                now: ManualClock(1_700_000_000).source, logger: quietLogger)
            self.ledger = ledger
            let (alice, bob) = (F.key(1), F.key(2))
            let first = Task { try await ledger.submit(F.signed(alice, nonce: 0, .deposit(amount: 10))) }
            try await store.waitUntilHeld(1)
            second = Task { try await ledger.submit(F.signed(alice, nonce: 1, .deposit(amount: 5))) }
            while await ledger.waitingCount < 1 { try await Task.sleep(for: .milliseconds(1)) }
            third = Task { try await ledger.submit(F.signed(bob, nonce: 0, .deposit(amount: 7))) }
            while await ledger.waitingCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
            store.release(1, storing: true)
            self.first = try await first.value
            try await store.waitUntilHeld(2)
            // Block 3 is applied on block 2 while block 2 is being written.
            while await ledger.waitingCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
            stored = await ledger.state
        }
    }

    @Test func blocksAreWrittenInOrderAndAnsweredOnlyOnceStored() async throws {
        let directory = try TemporaryDirectory()
        let pipeline = try await Pipeline(directory)
        #expect(pipeline.first.height == 1)
        #expect(await pipeline.ledger.head.height == 1, "the ledger shows only stored blocks")
        #expect(await pipeline.ledger.account(F.key(2).address).nonce == 0)
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await pipeline.inner.latestHeight() == 1, "block 3 is not written before block 2 is stored")

        pipeline.store.release(2, storing: true)
        #expect(try await pipeline.second.value.height == 2)
        let third = try await pipeline.third.value
        #expect(third.height == 3)
        #expect(try await pipeline.inner.latestHeight() == 3)
        #expect(await pipeline.ledger.head.height == 3)
        #expect(await pipeline.ledger.headHash == third.blockHash)
        await pipeline.ledger.shutDown()
        #expect(try await LedgerVerifier.verify(store: pipeline.inner).isValid)
    }

    /// A follower reading events as blocks are stored must not learn of a deal or a task before the ledger's state
    /// has it: events (and transactions) of a block in the store but not yet the head are not shown.
    @Test func eventsOfABlockStoredButNotYetTheHeadAreNotShown() async throws {
        let directory = try TemporaryDirectory()
        let inner = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let store = GatedStore(inner, holding: [1], afterStoring: true)
        let ledger = try await Ledger(
            configuration: .init(genesis: F.genesis(accounts: 1), maximumBlockSize: 1), store: store,
            now: ManualClock(1_700_000_000).source, logger: quietLogger)
        let alice = F.key(1)
        let deposit = F.signed(alice, nonce: 0, .deposit(amount: 10))
        let submitted = Task { try await ledger.submit(deposit) }
        try await store.waitUntilHeld(1)
        #expect(try await inner.latestHeight() == 1, "block 1 is in the store")
        #expect(try await inner.events(matching: EventFilter(), after: nil, limit: 100).isEmpty == false)
        #expect(try await ledger.events(matching: EventFilter(), after: nil, limit: 100).isEmpty)
        #expect(try await ledger.transaction(hash: deposit.hash) == nil)
        #expect(await ledger.head.height == 0)

        store.release(1, storing: true)
        #expect(try await submitted.value.height == 1)
        #expect(try await ledger.events(matching: EventFilter(), after: nil, limit: 100).isEmpty == false)
        #expect(try await ledger.transaction(hash: deposit.hash)?.height == 1)
        await ledger.shutDown()
    }

    @Test func aBlockThatCannotBeStoredTakesTheBlockAppliedOnItDownToo() async throws {
        let directory = try TemporaryDirectory()
        let pipeline = try await Pipeline(directory)
        pipeline.store.release(2, storing: false)
        for task in [pipeline.second, pipeline.third] {
            do {
                _ = try await task.value
                Issue.record("a transaction was acknowledged although its block, or the one before, was not stored")
            } catch let error as LedgerError {
                #expect(error.code == .storage)
            }
        }
        let ledger = pipeline.ledger
        #expect(await ledger.head.height == 1)
        #expect(await ledger.state == pipeline.stored)

        // The ledger goes on from the last stored block.
        let (alice, bob) = (F.key(1), F.key(2))
        let retried = try await ledger.submit(F.signed(alice, nonce: 1, .deposit(amount: 5)))
        #expect(retried.height == 2)
        #expect(try await ledger.block(height: 2)?.parent == pipeline.first.blockHash)
        #expect(try await ledger.submit(F.signed(bob, nonce: 0, .deposit(amount: 7))).height == 3)
        #expect(await ledger.account(alice.address).nonce == 2)
        await ledger.shutDown()
        let report = try await LedgerVerifier.verify(store: pipeline.inner)
        #expect(report.isValid, "\(report)")
        #expect(report.transactions == 3)
    }
}

/// A store whose appends of some heights wait until the test releases them, then store the block or fail; the other
/// blocks, and later blocks of the same heights, go straight to the store inside. With `afterStoring`, the held
/// appends store their block first and wait before returning (the block is in the store, not yet answered).
final class GatedStore: LedgerStore {
    struct Failure: Error {}

    private struct Gate {
        var held = false
        var decision: Bool?
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let inner: SQLiteLedgerStore
    private let gates: Mutex<[UInt64: Gate]>
    private let afterStoring: Bool

    init(_ inner: SQLiteLedgerStore, holding heights: Set<UInt64>, afterStoring: Bool = false) {
        self.inner = inner
        self.afterStoring = afterStoring
        gates = Mutex(Dictionary(uniqueKeysWithValues: heights.map { ($0, Gate()) }))
    }

    /// Waits until the append of block `height` has started and is held.
    func waitUntilHeld(_ height: UInt64) async throws {
        while !gates.withLock({ $0[height]?.held ?? false }) { try await Task.sleep(for: .milliseconds(1)) }
    }

    /// Lets the held append of block `height` go on: store the block, or fail.
    func release(_ height: UInt64, storing: Bool) {
        let waiter = gates.withLock { gates in
            gates[height]?.decision = storing
            defer { gates[height]?.waiter = nil }
            return gates[height]?.waiter
        }
        waiter?.resume(returning: storing)
    }

    func append(_ block: SealedBlock) async throws {
        let height = block.block.height
        let holds = gates.withLock { gates in gates[height].map { !$0.held && $0.decision == nil } ?? false }
        if holds && afterStoring { try await inner.append(block) }
        if holds {
            gates.withLock { $0[height]?.held = true }
            let storing = await withCheckedContinuation { continuation in
                let decided = gates.withLock { gates in
                    if gates[height]?.decision == nil { gates[height]?.waiter = continuation }
                    return gates[height]?.decision
                }
                if let decided { continuation.resume(returning: decided) }
            }
            guard storing else { throw Failure() }
            if afterStoring { return }
        }
        try await inner.append(block)
    }

    func genesisDocument() async throws -> [UInt8]? { try await inner.genesisDocument() }
    func initialize(genesis: Genesis) async throws { try await inner.initialize(genesis: genesis) }
    func latestHeight() async throws -> UInt64? { try await inner.latestHeight() }
    func blocks(from height: UInt64, limit: Int) async throws -> [StoredBlock] {
        try await inner.blocks(from: height, limit: limit)
    }
    func transaction(hash: Bytes32) async throws -> StoredTransaction? { try await inner.transaction(hash: hash) }
    func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int) async throws -> [LedgerEvent] {
        try await inner.events(matching: filter, after: cursor, limit: limit)
    }
}
