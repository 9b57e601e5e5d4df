import ClaveCore
import ClaveCrypto
import Foundation

/// Replays a stored log from genesis and checks everything the sequencer wrote: each transaction's hash against its
/// stored canonical bytes, each signature, each transition (re-applied to a fresh ``ClaveCore/State``), each
/// event, each block's `eventsDigest`, `transactionsRoot`, hash and parent link.
public enum LedgerVerifier {
    /// Checks the whole log of `store` against the genesis document it holds.
    public static func verify(store: any LedgerStore) async throws -> VerificationReport {
        guard let document = try await store.genesisDocument() else {
            return VerificationReport(
                blocks: 0, transactions: 0,
                divergence: Divergence(height: 0, kind: .genesis, message: "The store holds no genesis document."))
        }
        let genesis: Genesis
        do {
            genesis = try Genesis(json: try JSONValue(parsing: document))
        } catch {
            return VerificationReport(
                blocks: 0, transactions: 0,
                divergence: Divergence(
                    height: 0, kind: .genesis, message: "The stored genesis document is unreadable: \(error)."))
        }
        guard CanonicalJSON.encode(genesis.json) == document else {
            return VerificationReport(
                blocks: 0, transactions: 0,
                divergence: Divergence(
                    height: 0, kind: .genesis,
                    message: "The stored genesis document is not in canonical form: it was edited after it was written."
                ))
        }
        return try await replay(store: store, genesis: genesis).report
    }

    struct Replay {
        var state: State
        var head: BlockHeader
        var report: VerificationReport
    }

    /// Stored blocks, with each of their transactions decoded and checked as far as it can be without the state.
    typealias Batch = ([StoredBlock], [[Result<SignedTransaction, Divergence>]])

    /// Replays `store` from `genesis`, stopping at the first divergence.
    ///
    /// The blocks are read and their transactions decoded (the part that needs no state: hashes and signatures, in
    /// parallel) one batch ahead: while one batch is re-applied, which only one core can do, the next is read and
    /// decoded. A batch is about `batchTransactions` transactions, as many blocks as the last batch's blocks held.
    static func replay(store: any LedgerStore, genesis: Genesis, batchTransactions: Int = 4_096) async throws -> Replay
    {
        var state = genesis.state
        var head = genesis.block.header
        var previousHash = genesis.hash
        var blocks: UInt64 = 0
        var transactions = 0
        var height: UInt64 = 0
        func read(from height: UInt64, limit: Int) -> Task<Batch, any Error> {
            Task {
                let stored = try await store.blocks(from: height, limit: limit)
                return (stored, await decodeAll(stored))
            }
        }
        var next = read(from: 0, limit: 16)
        defer { next.cancel() }
        while true {
            let (stored, decoded) = try await next.value
            if stored.isEmpty { break }
            let perBlock = max(1, stored.reduce(0) { $0 + $1.transactions.count } / stored.count)
            next = read(
                from: stored[stored.count - 1].height + 1, limit: max(1, min(256, batchTransactions / perBlock)))
            for (position, block) in stored.enumerated() {
                var replayed = state
                let outcome = check(
                    block, expectedHeight: height, previousHash: previousHash, decoded: decoded[position],
                    state: &replayed, previousTimestamp: height == 0 ? genesis.timestamp : head.timestamp)
                switch outcome {
                case .failure(let divergence):
                    return Replay(
                        state: state, head: head,
                        report: VerificationReport(blocks: blocks, transactions: transactions, divergence: divergence))
                case .success(let header):
                    state = replayed
                    head = header
                    previousHash = header.hash
                    blocks += 1
                    transactions += block.transactions.count
                    height += 1
                }
            }
        }
        if blocks == 0 {
            return Replay(
                state: state, head: head,
                report: VerificationReport(
                    blocks: 0, transactions: 0,
                    divergence: Divergence(height: 0, kind: .missingBlock, message: "The store holds no block 0.")))
        }
        return Replay(
            state: state, head: head,
            report: VerificationReport(blocks: blocks, transactions: transactions, divergence: nil))
    }

    private static func check(
        _ block: StoredBlock, expectedHeight: UInt64, previousHash: Bytes32,
        decoded: [Result<SignedTransaction, Divergence>], state: inout State, previousTimestamp: UInt64
    ) -> Result<BlockHeader, Divergence> {
        let height = block.height
        func fail(_ kind: Divergence.Kind, _ message: String, transaction: Int? = nil) -> Result<
            BlockHeader, Divergence
        > {
            .failure(Divergence(height: height, kind: kind, transactionIndex: transaction, message: message))
        }
        guard height == expectedHeight else {
            return .failure(
                Divergence(
                    height: expectedHeight, kind: .missingBlock,
                    message: "Block \(expectedHeight) is missing: the next stored block is \(height)."))
        }
        guard block.parent == previousHash else {
            return fail(
                .brokenLink,
                height == 0
                    ? "Block 0's parent is \(block.parent), not the genesis document's hash \(previousHash): the genesis or block 0 was changed."
                    : "Block \(height)'s parent is \(block.parent), but block \(height - 1) hashes to \(previousHash): the chain was cut or rewritten here."
            )
        }
        guard block.timestamp >= previousTimestamp else {
            return fail(
                .timestamp,
                "Block \(height)'s timestamp \(block.timestamp) is before the previous block's \(previousTimestamp).")
        }
        if height == 0, !block.transactions.isEmpty {
            return fail(.forgedTransaction, "Block 0 holds transactions; the genesis block holds none.", transaction: 0)
        }
        var digest = EventsDigest()
        var hashes: [Bytes32] = []
        hashes.reserveCapacity(block.transactions.count)
        for (index, stored) in block.transactions.enumerated() {
            guard stored.index == index else {
                return fail(
                    .missingTransaction, "Transaction \(index) of block \(height) is missing.", transaction: index)
            }
            let signed: SignedTransaction
            switch decoded[index] {
            case .success(let transaction): signed = transaction
            case .failure(let divergence): return .failure(divergence)
            }
            let events: [Event]
            do {
                events = try state.apply(signed.transaction, at: block.timestamp)
            } catch {
                return fail(
                    .refusedTransaction,
                    "Transaction \(index) of block \(height) (\(stored.hash)) is refused on replay (\(error.code)): \(error.message). The sequencer included a transaction the rules refuse.",
                    transaction: index)
            }
            guard events.count == stored.events.count else {
                return fail(
                    .wrongEvent,
                    "Transaction \(index) of block \(height) produces \(events.count) events on replay, but \(stored.events.count) are stored.",
                    transaction: index)
            }
            for (eventIndex, event) in events.enumerated() {
                let encoded = CanonicalJSON.encode(event.json)
                guard encoded == stored.events[eventIndex] else {
                    return fail(
                        .wrongEvent,
                        "Event \(eventIndex) of transaction \(index) of block \(height) is stored as \(String(decoding: stored.events[eventIndex], as: UTF8.self)), but replay produces \(String(decoding: encoded, as: UTF8.self)).",
                        transaction: index)
                }
                // The event's digest, from the bytes just compared (as the sequencer does).
                digest.append(digest: Keccak256.hash(encoded))
            }
            hashes.append(signed.hash)
        }
        guard digest.value == block.eventsDigest else {
            return fail(
                .eventsDigest,
                "Block \(height)'s eventsDigest is \(block.eventsDigest), but its events chain to \(digest.value).")
        }
        let root = Block.transactionsRoot(hashes)
        guard root == block.transactionsRoot else {
            return fail(
                .transactionsRoot,
                "Block \(height)'s transactionsRoot is \(block.transactionsRoot), but its transactions hash to \(root): a transaction was added, removed or moved."
            )
        }
        let header = BlockHeader(
            height: height, parent: block.parent, timestamp: block.timestamp, transactionsRoot: root,
            eventsDigest: digest.value)
        guard header.hash == block.hash else {
            return fail(
                .blockHash,
                "Block \(height) is stored with hash \(block.hash), but its header hashes to \(header.hash).")
        }
        return .success(header)
    }

    /// Checks one stored transaction's hash, form and signature: the part of the replay that needs no state, so it
    /// runs in parallel.
    private static func decode(_ stored: StoredTransaction, height: UInt64) -> Result<SignedTransaction, Divergence> {
        let index = stored.index
        func fail(_ kind: Divergence.Kind, _ message: String, transaction: Int? = nil) -> Result<
            SignedTransaction, Divergence
        > {
            .failure(Divergence(height: height, kind: kind, transactionIndex: transaction, message: message))
        }
        let recomputed = Keccak256.hash(stored.canonicalJSON)
        guard recomputed == stored.hash else {
            return fail(
                .alteredTransaction,
                "Transaction \(index) of block \(height) (\(stored.hash)) was altered: its stored JSON hashes to \(recomputed). Restore it from a backup or another node's copy.",
                transaction: index)
        }
        do {
            let json = try JSONValue(parsing: stored.canonicalJSON)
            let transaction = try Transaction(json: json)
            guard CanonicalJSON.encode(transaction.json) == stored.canonicalJSON else {
                return fail(
                    .alteredTransaction,
                    "Transaction \(index) of block \(height) (\(stored.hash)) is not stored in canonical form.",
                    transaction: index)
            }
            let signature: Signature
            do { signature = try Signature(bytes: stored.signature) } catch {
                return fail(
                    .badSignature,
                    "Transaction \(index) of block \(height) (\(stored.hash)) has no valid signature: \(error).",
                    transaction: index)
            }
            return .success(try SignedTransaction(transaction, signature: signature))
        } catch let error as TransactionFormatError where error.code == .badSignature {
            return fail(
                .badSignature,
                "Transaction \(index) of block \(height) (\(stored.hash)) is not signed by its sender: \(error.message)",
                transaction: index)
        } catch {
            return fail(
                .alteredTransaction,
                "Transaction \(index) of block \(height) (\(stored.hash)) is not a readable transaction: \(error).",
                transaction: index)
        }
    }

    /// ``decode(_:height:)`` for every transaction of `blocks`, split across the cores.
    private static func decodeAll(_ blocks: [StoredBlock]) async -> [[Result<SignedTransaction, Divergence>]] {
        let work = blocks.flatMap { block in block.transactions.map { ($0, block.height) } }
        // More lanes than cores, so that a core that finishes early (or that the serial re-apply frees) takes more.
        let lanes = max(1, min(4 * ProcessInfo.processInfo.activeProcessorCount, work.count / 64))
        var flat = [Result<SignedTransaction, Divergence>?](repeating: nil, count: work.count)
        await withTaskGroup(of: (Int, [Result<SignedTransaction, Divergence>]).self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    let range = (work.count * lane / lanes)..<(work.count * (lane + 1) / lanes)
                    return (range.lowerBound, range.map { decode(work[$0].0, height: work[$0].1) })
                }
            }
            for await (start, results) in group {
                for (offset, result) in results.enumerated() { flat[start + offset] = result }
            }
        }
        var decoded: [[Result<SignedTransaction, Divergence>]] = []
        var position = 0
        for block in blocks {
            decoded.append(flat[position..<(position + block.transactions.count)].map { $0! })
            position += block.transactions.count
        }
        return decoded
    }
}

/// What ``LedgerVerifier`` found.
public struct VerificationReport: Sendable, Hashable, CustomStringConvertible {
    /// Blocks checked and found right (block 0 included).
    public var blocks: UInt64
    /// Transactions in those blocks.
    public var transactions: Int
    /// The first block that does not replay, nil when the whole log is right.
    public var divergence: Divergence?

    public var isValid: Bool { divergence == nil }

    public var description: String {
        if let divergence { return "verification failed after \(blocks) good blocks: \(divergence)" }
        return "OK: \(blocks) blocks, \(transactions) transactions replayed"
    }
}

/// The first place where the stored log and its replay differ.
public struct Divergence: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case genesis, missingBlock, brokenLink, timestamp, alteredTransaction, forgedTransaction, missingTransaction,
            badSignature, refusedTransaction, wrongEvent, eventsDigest, transactionsRoot, blockHash
    }

    public var height: UInt64
    public var kind: Kind
    /// The transaction at fault, when one is.
    public var transactionIndex: Int?
    public var message: String

    public init(height: UInt64, kind: Kind, transactionIndex: Int? = nil, message: String) {
        self.height = height
        self.kind = kind
        self.transactionIndex = transactionIndex
        self.message = message
    }

    public var description: String { "block \(height): \(kind): \(message)" }
}
