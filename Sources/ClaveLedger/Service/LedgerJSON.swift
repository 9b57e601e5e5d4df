public import ClaveCore
public import ClaveCrypto

// The JSON forms the ledger's API serves (docs/api.md). Heights and indexes are JSON numbers; amounts are decimal
// strings; hashes are 0x-hex. Reading is strict, so a client notices a server speaking another version.

extension Receipt {
    public var json: JSONValue {
        [
            "transactionHash": .bytes32(transactionHash), "height": .number(.init(height)),
            "index": .number(.init(index)), "blockHash": .bytes32(blockHash), "events": .array(events.map(\.json)),
        ]
    }

    public init(json: JSONValue, path: String = "receipt") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            transactionHash: try fields.bytes32("transactionHash"), height: try fields.number("height"),
            index: try fields.index("index"), blockHash: try fields.bytes32("blockHash"),
            events: try fields.array("events") { (value, path) throws(TransactionFormatError) in
                try Event(json: value, path: path)
            })
        try fields.finish()
    }
}

extension TransactionRecord {
    /// `{"hash", "height", "index", "transaction": {"transaction", "signature"}, "events": […]}`.
    public var json: JSONValue {
        [
            "hash": .bytes32(transaction.hash), "height": .number(.init(height)), "index": .number(.init(index)),
            "transaction": transaction.json, "events": .array(events),
        ]
    }

    public init(json: JSONValue, path: String = "record") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let hash = try fields.bytes32("hash")
        let transaction = try SignedTransaction(json: fields.member("transaction"))
        guard transaction.hash == hash else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).hash", "is \(hash), but the transaction hashes to \(transaction.hash).")
        }
        self.init(
            transaction: transaction, height: try fields.number("height"), index: try fields.index("index"),
            events: try fields.array("events") { (value, _) throws(TransactionFormatError) in value })
        try fields.finish()
    }
}

extension Block {
    /// The header's fields with the block's `hash` (``BlockHeader/apiFields(hash:)``), and its signed transactions.
    public var json: JSONValue {
        let header = header
        var object = header.apiFields(hash: header.hash)
        object["transactions"] = .array(transactions.map(\.json))
        return .object(object)
    }

    /// Reads a block and checks that its transactions and header hash to the `transactionsRoot` and `hash` given.
    public init(json: JSONValue, path: String = "block") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let (header, hash) = try BlockHeader.read(&fields)
        self.init(
            height: header.height, parent: header.parent, timestamp: header.timestamp,
            transactions: try fields.array("transactions") { (value, _) throws(TransactionFormatError) in
                try SignedTransaction(json: value)
            },
            eventsDigest: header.eventsDigest)
        try fields.finish()
        guard transactionsRoot == header.transactionsRoot else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).transactionsRoot",
                "is \(header.transactionsRoot), but the transactions hash to \(transactionsRoot).")
        }
        guard self.hash == hash else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).hash", "is \(hash), but the header hashes to \(self.hash).")
        }
    }
}

extension BlockHeader {
    /// The header as the API serves it: `{"hash", "height", "parent", "timestamp", "transactionsRoot",
    /// "eventsDigest"}`, the height a JSON number (``json``, which the hash covers, writes every integer as a string).
    public func apiFields(hash: Bytes32) -> JSONValue.Object {
        [
            "hash": .bytes32(hash), "height": .number(.init(height)), "parent": .bytes32(parent),
            "timestamp": .decimal(timestamp), "transactionsRoot": .bytes32(transactionsRoot),
            "eventsDigest": .bytes32(eventsDigest),
        ]
    }

    /// Reads the members ``apiFields(hash:)`` writes, leaving the others to the caller.
    static func read(_ fields: inout JSONFields) throws(TransactionFormatError) -> (header: BlockHeader, hash: Bytes32)
    {
        let hash = try fields.bytes32("hash")
        let header = BlockHeader(
            height: try fields.number("height"), parent: try fields.bytes32("parent"),
            timestamp: try fields.decimal("timestamp"), transactionsRoot: try fields.bytes32("transactionsRoot"),
            eventsDigest: try fields.bytes32("eventsDigest"))
        return (header, hash)
    }
}

extension EventCursor: CustomStringConvertible, LosslessStringConvertible {
    /// `height.transactionIndex.eventIndex`, for URLs.
    public var description: String { "\(height).\(transactionIndex).\(eventIndex)" }

    /// Reads `height.transactionIndex.eventIndex`.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let height = UInt64(parts[0]), let transaction = Int(parts[1]), transaction >= 0,
            let event = Int(parts[2]), event >= 0
        else { return nil }
        self.init(height: height, transactionIndex: transaction, eventIndex: event)
    }
}

extension LedgerEvent {
    /// The event as the API serves it: `{"cursor": "height.transaction.event", "height", "transactionHash",
    /// "event": {…}}` (``json`` is the `event` member).
    public var apiJSON: JSONValue {
        [
            "cursor": .string(position.description), "height": .number(.init(position.height)),
            "transactionHash": .bytes32(transactionHash), "event": json,
        ]
    }

    /// Reads an event written by ``apiJSON``.
    public init(apiJSON json: JSONValue, path: String = "event") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let text = try fields.string("cursor")
        guard let position = EventCursor(text) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).cursor", "'\(text)' is not a cursor (height.transaction.event).")
        }
        guard try fields.number("height") == position.height else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).height", "differs from the height of the cursor \(position).")
        }
        let transactionHash = try fields.bytes32("transactionHash")
        let event = try fields.member("event")
        _ = try Event(json: event, path: "\(path).event")
        try fields.finish()
        self.init(position: position, transactionHash: transactionHash, json: event)
    }

    /// The typed event, nil when the JSON is not an event this version knows.
    public var event: Event? { try? Event(json: json) }
}

extension ChainInfo {
    /// `{"genesis": {…}, "genesisHash", "head": {header with hash}}`.
    public var json: JSONValue {
        [
            "genesis": genesis.json, "genesisHash": .bytes32(genesis.hash),
            "head": .object(head.apiFields(hash: headHash)),
        ]
    }

    public init(json: JSONValue, path: String = "chain") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let genesis: Genesis
        do {
            genesis = try Genesis(json: fields.member("genesis"))
        } catch let error as TransactionFormatError {
            throw error
        } catch {
            throw TransactionFormatError(.invalidValue, at: "\(path).genesis", "\(error)")
        }
        let genesisHash = try fields.bytes32("genesisHash")
        guard genesis.hash == genesisHash else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).genesisHash",
                "is \(genesisHash), but the genesis hashes to \(genesis.hash).")
        }
        var head = try JSONFields(fields.member("head"), at: "\(path).head")
        let (header, hash) = try BlockHeader.read(&head)
        try head.finish()
        try fields.finish()
        guard header.hash == hash else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).head.hash", "is \(hash), but the header hashes to \(header.hash).")
        }
        self.init(genesis: genesis, head: header, headHash: hash)
    }
}

extension JSONFields {
    /// A JSON number that fits in Int (an index).
    mutating func index(_ name: String) throws(TransactionFormatError) -> Int {
        let value = try number(name)
        guard value <= UInt64(Int.max) else {
            throw TransactionFormatError(.invalidValue, at: "\(path).\(name)", "\(value) is too large for an index.")
        }
        return Int(value)
    }
}

/// A page of events as the API serves it: `{"events": […], "nextCursor": "…" | null}`; `nextCursor` is the cursor
/// of the last event, to pass as `after` for the next page (null for an empty page: ask again with the same cursor).
public struct EventPage: Sendable, Hashable {
    public var events: [LedgerEvent]

    public init(events: [LedgerEvent]) { self.events = events }

    public var nextCursor: EventCursor? { events.last?.position }

    public var json: JSONValue {
        [
            "events": .array(events.map(\.apiJSON)),
            "nextCursor": nextCursor.map { .string($0.description) } ?? .null,
        ]
    }

    public init(json: JSONValue, path: String = "page") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        events = try fields.array("events") { (value, path) throws(TransactionFormatError) in
            try LedgerEvent(apiJSON: value, path: path)
        }
        _ = fields.optional("nextCursor")
        try fields.finish()
    }
}

extension EventFilter {
    /// The query parameter names of a filter.
    public static let parameterNames = ["account", "asset", "deal", "task", "name", "fromBlock", "toBlock"]

    /// The filter as URL query parameters; absent conditions are left out.
    public var parameters: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let account { items.append(("account", account.checksummed)) }
        if let asset { items.append(("asset", asset.checksummed)) }
        if let deal { items.append(("deal", deal.description)) }
        if let task { items.append(("task", task.description)) }
        if let name { items.append(("name", name)) }
        if let fromBlock { items.append(("fromBlock", String(fromBlock))) }
        if let toBlock { items.append(("toBlock", String(toBlock))) }
        return items
    }
}
