public import ClaveCore
public import ClaveCrypto

/// One block of the ledger: the transactions the sequencer applied together, at one time, in order.
///
/// Every transaction in a block was applied successfully (a refused transaction is answered to its sender and never
/// stored). Its hash is keccak256 of the RFC 8785 canonical JSON of its ``header`` (docs/ledger.md).
public struct Block: Sendable, Hashable {
    public var height: UInt64
    /// The hash of the block before; block 0's parent is the hash of the genesis document.
    public var parent: Bytes32
    /// Unix seconds: the time every transaction of the block was applied at.
    public var timestamp: UInt64
    public var transactions: [SignedTransaction]
    /// The chain of the digests of every event the block's transactions produced (``EventsDigest``).
    public var eventsDigest: Bytes32

    public init(
        height: UInt64, parent: Bytes32, timestamp: UInt64, transactions: [SignedTransaction], eventsDigest: Bytes32
    ) {
        self.height = height
        self.parent = parent
        self.timestamp = timestamp
        self.transactions = transactions
        self.eventsDigest = eventsDigest
    }

    /// keccak256 of the concatenated hashes of the block's transactions (keccak256 of nothing for none).
    public var transactionsRoot: Bytes32 { Self.transactionsRoot(transactions.map(\.hash)) }

    public var header: BlockHeader {
        BlockHeader(
            height: height, parent: parent, timestamp: timestamp, transactionsRoot: transactionsRoot,
            eventsDigest: eventsDigest)
    }

    /// The block's id: keccak256 of the canonical JSON of its header.
    public var hash: Bytes32 { header.hash }

    /// keccak256 of the concatenation of `hashes`.
    public static func transactionsRoot(_ hashes: [Bytes32]) -> Bytes32 {
        var keccak = Keccak256()
        for hash in hashes { keccak.update(hash.bytes) }
        return keccak.finalize()
    }
}

/// What a block's hash covers: `{height, parent, timestamp, transactionsRoot, eventsDigest}`.
public struct BlockHeader: Sendable, Hashable {
    public var height: UInt64
    public var parent: Bytes32
    public var timestamp: UInt64
    public var transactionsRoot: Bytes32
    public var eventsDigest: Bytes32

    public init(height: UInt64, parent: Bytes32, timestamp: UInt64, transactionsRoot: Bytes32, eventsDigest: Bytes32) {
        self.height = height
        self.parent = parent
        self.timestamp = timestamp
        self.transactionsRoot = transactionsRoot
        self.eventsDigest = eventsDigest
    }

    /// `{"height": "1", "parent": "0x…", "timestamp": "1700000000", "transactionsRoot": "0x…", "eventsDigest": "0x…"}`.
    public var json: JSONValue {
        [
            "height": .string(String(height)), "parent": .string(parent.description),
            "timestamp": .string(String(timestamp)), "transactionsRoot": .string(transactionsRoot.description),
            "eventsDigest": .string(eventsDigest.description),
        ]
    }

    public var hash: Bytes32 { CanonicalJSON.digest(json) }
}

/// The running digest of a block's events: d₀ = zero, then dᵢ = keccak256(dᵢ₋₁ ‖ eventᵢ.digest) for every event of
/// every transaction, in order.
public struct EventsDigest: Sendable, Hashable {
    public private(set) var value: Bytes32 = .zero

    public init() {}

    public mutating func append(_ event: Event) { append(digest: event.digest) }

    public mutating func append(digest: Bytes32) {
        var keccak = Keccak256()
        keccak.update(value.bytes)
        keccak.update(digest.bytes)
        value = keccak.finalize()
    }
}
