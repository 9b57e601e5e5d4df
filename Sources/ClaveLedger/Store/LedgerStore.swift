public import ClaveCore
public import ClaveCrypto

/// Where the ledger keeps its log: the genesis document and blocks, with their transactions and events, exactly as
/// they were hashed. Reading back gives the stored bytes, so ``LedgerVerifier`` can check them instead of trusting
/// them.
public protocol LedgerStore: Sendable {
    /// The canonical JSON of the genesis document, or nil for an empty store.
    func genesisDocument() async throws -> [UInt8]?
    /// Writes the genesis document and block 0 into an empty store.
    func initialize(genesis: Genesis) async throws
    /// Writes one block with its transactions and events, all or nothing, durably, before returning.
    func append(_ block: SealedBlock) async throws
    /// The height of the last stored block, nil for an empty store.
    func latestHeight() async throws -> UInt64?
    /// Up to `limit` blocks from `height` on, in order, as stored.
    func blocks(from height: UInt64, limit: Int) async throws -> [StoredBlock]
    /// One stored transaction with its position and events.
    func transaction(hash: Bytes32) async throws -> StoredTransaction?
    /// Stored events matching `filter`, after `cursor`, at most `limit`.
    func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int) async throws -> [LedgerEvent]
}

/// A block with the events each of its transactions produced (`events[i]` are transaction `i`'s).
public struct SealedBlock: Sendable, Hashable {
    public var block: Block
    public var events: [[Event]]
    public var hash: Bytes32
    /// The canonical JSON of each transaction (what its hash covers).
    public var transactionJSON: [[UInt8]]
    /// The canonical JSON of each event of each transaction.
    public var eventJSON: [[[UInt8]]]

    /// A block and its events; the canonical JSON of its transactions and events is computed unless given (the
    /// sequencer computes it once, while hashing).
    public init(block: Block, events: [[Event]], transactionJSON: [[UInt8]]? = nil, eventJSON: [[[UInt8]]]? = nil) {
        self.block = block
        self.events = events
        self.hash = block.hash
        self.transactionJSON = transactionJSON ?? block.transactions.map(\.canonicalJSON)
        self.eventJSON = eventJSON ?? events.map { $0.map { CanonicalJSON.encode($0.json) } }
    }
}

/// A block as stored: the header fields and hash the sequencer wrote, and its transactions' and events' bytes.
public struct StoredBlock: Sendable, Hashable {
    public var height: UInt64
    public var hash: Bytes32
    public var parent: Bytes32
    public var timestamp: UInt64
    public var transactionsRoot: Bytes32
    public var eventsDigest: Bytes32
    public var transactions: [StoredTransaction]

    public init(
        height: UInt64, hash: Bytes32, parent: Bytes32, timestamp: UInt64, transactionsRoot: Bytes32,
        eventsDigest: Bytes32, transactions: [StoredTransaction]
    ) {
        self.height = height
        self.hash = hash
        self.parent = parent
        self.timestamp = timestamp
        self.transactionsRoot = transactionsRoot
        self.eventsDigest = eventsDigest
        self.transactions = transactions
    }
}

/// A transaction as stored: its hash, position, the canonical JSON that was signed, the signature, and the
/// canonical JSON of each event it produced.
public struct StoredTransaction: Sendable, Hashable {
    public var hash: Bytes32
    public var height: UInt64
    public var index: Int
    public var canonicalJSON: [UInt8]
    public var signature: [UInt8]
    public var events: [[UInt8]]

    public init(
        hash: Bytes32, height: UInt64, index: Int, canonicalJSON: [UInt8], signature: [UInt8], events: [[UInt8]]
    ) {
        self.hash = hash
        self.height = height
        self.index = index
        self.canonicalJSON = canonicalJSON
        self.signature = signature
        self.events = events
    }
}

/// Which events to return: every condition given must hold.
public struct EventFilter: Sendable, Hashable {
    public var account: Address?
    public var asset: Address?
    /// Matches events naming the deal, including escrow movements that reference it.
    public var deal: Bytes32?
    /// Matches events naming the task, including escrow movements that reference it.
    public var task: Bytes32?
    /// The event's name (`Deposit`, `OrdersMatched`, ...).
    public var name: String?
    public var fromBlock: UInt64?
    public var toBlock: UInt64?

    public init(
        account: Address? = nil, asset: Address? = nil, deal: Bytes32? = nil, task: Bytes32? = nil,
        name: String? = nil, fromBlock: UInt64? = nil, toBlock: UInt64? = nil
    ) {
        self.account = account
        self.asset = asset
        self.deal = deal
        self.task = task
        self.name = name
        self.fromBlock = fromBlock
        self.toBlock = toBlock
    }

    /// Whether `event`, produced in block `height`, matches.
    public func matches(_ event: Event, height: UInt64) -> Bool {
        matches(event, subjects: event.subjects, height: height)
    }

    /// ``matches(_:height:)`` with the event's subjects already worked out (once for every filter it is matched
    /// against).
    func matches(_ event: Event, subjects: EventSubjects, height: UInt64) -> Bool {
        if let fromBlock, height < fromBlock { return false }
        if let toBlock, height > toBlock { return false }
        if let name, event.name != name { return false }
        if let account, !subjects.accounts.contains(account) { return false }
        if let asset, !subjects.assets.contains(asset) { return false }
        if let deal, !subjects.deals.contains(deal), !subjects.references.contains(deal) { return false }
        if let task, !subjects.tasks.contains(task), !subjects.references.contains(task) { return false }
        return true
    }

    /// The subject keys that the store indexes, one per condition given.
    var subjectKeys: [String] {
        var keys: [String] = []
        if let account { keys.append(EventSubjects.key(account: account)) }
        if let asset { keys.append(EventSubjects.key(asset: asset)) }
        if let deal { keys.append(EventSubjects.key(deal: deal)) }
        if let task { keys.append(EventSubjects.key(task: task)) }
        return keys
    }
}

extension EventSubjects {
    // Lowercase hex: the keys are only compared, and checksumming costs a keccak256 per address.
    static func key(account: Address) -> String { "account:\(Hex.encode(account.bytes))" }
    static func key(asset: Address) -> String { "asset:\(Hex.encode(asset.bytes))" }
    static func key(deal: Bytes32) -> String { "deal:\(deal.description)" }
    static func key(task: Bytes32) -> String { "task:\(task.description)" }

    /// Every key under which the store indexes the event (a reference is indexed as both a deal and a task).
    var keys: Set<String> {
        var keys = Set<String>()
        for account in accounts { keys.insert(Self.key(account: account)) }
        for asset in assets { keys.insert(Self.key(asset: asset)) }
        for deal in deals + references { keys.insert(Self.key(deal: deal)) }
        for task in tasks + references { keys.insert(Self.key(task: task)) }
        return keys
    }
}

/// The position of an event in the log: block, transaction index, event index. Pass the last one you received to
/// get the next page.
public struct EventCursor: Sendable, Hashable, Comparable {
    public var height: UInt64
    public var transactionIndex: Int
    public var eventIndex: Int

    public init(height: UInt64, transactionIndex: Int, eventIndex: Int) {
        self.height = height
        self.transactionIndex = transactionIndex
        self.eventIndex = eventIndex
    }

    public static func < (lhs: EventCursor, rhs: EventCursor) -> Bool {
        (lhs.height, lhs.transactionIndex, lhs.eventIndex) < (rhs.height, rhs.transactionIndex, rhs.eventIndex)
    }
}

/// An event where it happened: its position, the transaction that produced it, and its JSON.
public struct LedgerEvent: Sendable, Hashable {
    public var position: EventCursor
    public var transactionHash: Bytes32
    /// ``ClaveCore/Event/json``: `{"event": name, ...fields}`.
    public var json: JSONValue

    public init(position: EventCursor, transactionHash: Bytes32, json: JSONValue) {
        self.position = position
        self.transactionHash = transactionHash
        self.json = json
    }

    /// The event's name (`Deposit`, ...).
    public var name: String { json["event"]?.stringValue ?? "" }
}
