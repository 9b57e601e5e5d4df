public import ClaveCore
public import ClaveCrypto

// The JSON forms and query parameters of the market's API (docs/api.md), shared by the server and the client so
// that the two cannot drift apart.

extension OrderbookEntry {
    /// `{"orderHash", "kind", "order", "signature" (null when presigned), "signer", "publishedAt",
    /// "remainingVolume", "status"}`.
    public var json: JSONValue {
        [
            "orderHash": .bytes32(orderHash), "kind": .string(order.kind.rawValue), "order": order.json,
            "signature": signature.map { .string($0.description) } ?? .null, "signer": .address(signer),
            "publishedAt": .decimal(publishedAt), "remainingVolume": .decimal(remainingVolume),
            "status": .string(status.rawValue),
        ]
    }

    public init(json: JSONValue, path: String = "entry") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let orderHash = try fields.bytes32("orderHash")
        let kind = try fields.orderKind("kind")
        let order = try AnyOrder(kind: kind, json: fields.member("order"), path: "\(path).order")
        let signature = try fields.optionalSignature("signature")
        let signer = try fields.address("signer")
        let publishedAt = try fields.decimal("publishedAt")
        let remainingVolume = try fields.decimal("remainingVolume")
        let statusText = try fields.string("status")
        guard let status = OrderStatus(rawValue: statusText) else {
            throw TransactionFormatError(.invalidValue, at: "\(path).status", "'\(statusText)' is not an order status.")
        }
        try fields.finish()
        self.init(
            orderHash: orderHash, order: order, signature: signature, signer: signer, publishedAt: publishedAt,
            remainingVolume: remainingVolume, status: status)
    }
}

extension OrderPage {
    /// `{"entries": […], "nextCursor": "…" | null}`.
    public var json: JSONValue {
        ["entries": .array(entries.map(\.json)), "nextCursor": nextCursor.map { .string($0.description) } ?? .null]
    }

    public init(json: JSONValue, path: String = "page") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let entries = try fields.array("entries") { (value, path) throws(TransactionFormatError) in
            try OrderbookEntry(json: value, path: path)
        }
        var cursor: OrderCursor?
        if let value = fields.optional("nextCursor") {
            guard case .string(let text) = value, let parsed = try? OrderCursor(text) else {
                throw TransactionFormatError(
                    .invalidValue, at: "\(path).nextCursor", "is not a cursor of this orderbook.")
            }
            cursor = parsed
        }
        try fields.finish()
        self.init(entries: entries, nextCursor: cursor)
    }
}

/// The body of a publish request: `{"kind": "app", "order": {…}, "signature": "0x…" | null}`.
public struct PublishRequest: Sendable, Hashable {
    public var order: AnyOrder
    /// `nil` when the signer presigned the order on the ledger.
    public var signature: Signature?

    public init(order: AnyOrder, signature: Signature?) {
        self.order = order
        self.signature = signature
    }

    public var json: JSONValue {
        [
            "kind": .string(order.kind.rawValue), "order": order.json,
            "signature": signature.map { .string($0.description) } ?? .null,
        ]
    }

    public init(json: JSONValue, path: String = "$") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let kind = try fields.orderKind("kind")
        let order = try AnyOrder(kind: kind, json: fields.member("order"), path: "\(path).order")
        let signature = try fields.optionalSignature("signature")
        try fields.finish()
        self.init(order: order, signature: signature)
    }
}

extension OrderQuery {
    /// The query as URL query parameters, in a fixed order; absent filters are left out.
    public var parameters: [(name: String, value: String)] {
        var items: [(String, String)] = []
        func add(_ name: String, _ value: (some CustomStringConvertible)?) {
            if let value { items.append((name, value.description)) }
        }
        add("kind", kind?.rawValue)
        add("app", app?.checksummed)
        add("dataset", dataset?.checksummed)
        add("workerpool", workerpool?.checksummed)
        add("requester", requester?.checksummed)
        add("category", category)
        add("tagIncludes", tagIncludes)
        add("tagWithin", tagWithin)
        add("usableWithApp", usableWithApp?.checksummed)
        add("usableWithDataset", usableWithDataset?.checksummed)
        add("usableWithWorkerpool", usableWithWorkerpool?.checksummed)
        add("usableByRequester", usableByRequester?.checksummed)
        add("maxPrice", maxPrice)
        add("limit", limit)
        add("cursor", cursor)
        return items.map { (name: $0.0, value: $0.1) }
    }

    /// The names ``init(parameters:)`` reads.
    public static let parameterNames: [String] = [
        "kind", "app", "dataset", "workerpool", "requester", "category", "tagIncludes", "tagWithin", "usableWithApp",
        "usableWithDataset", "usableWithWorkerpool", "usableByRequester", "maxPrice", "limit", "cursor",
    ]

    /// Reads a query from URL query parameters; an unknown name, a repeated name or a malformed value is refused
    /// with ``MarketError/Code/invalidQuery`` naming it.
    public init(parameters: [(name: String, value: String)]) throws(MarketError) {
        self.init()
        var seen = Set<String>()
        for (name, value) in parameters {
            guard Self.parameterNames.contains(name) else {
                throw MarketError(
                    .invalidQuery,
                    "'\(name)' is not a query parameter; use \(Self.parameterNames.joined(separator: ", ")).")
            }
            guard seen.insert(name).inserted else {
                throw MarketError(.invalidQuery, "'\(name)' is given twice; give each parameter once.")
            }
            func fail(_ expected: String) -> MarketError {
                MarketError(.invalidQuery, "\(name)='\(value.prefix(80))' is not \(expected).")
            }
            func address() throws(MarketError) -> Address {
                guard let address = try? Address(value) else { throw fail("an address (0x and 40 hex digits)") }
                return address
            }
            func bytes32() throws(MarketError) -> Bytes32 {
                guard let bytes = try? Bytes32(hex: value) else { throw fail("a bytes32 (0x and 64 hex digits)") }
                return bytes
            }
            func number() throws(MarketError) -> UInt64 {
                guard let number = UInt64(value), value.allSatisfy(\.isASCII) else {
                    throw fail("a whole number from 0 to 18446744073709551615")
                }
                return number
            }
            switch name {
            case "kind":
                guard let kind = OrderKind(rawValue: value) else { throw fail("app, dataset, workerpool or request") }
                self.kind = kind
            case "app": app = try address()
            case "dataset": dataset = try address()
            case "workerpool": workerpool = try address()
            case "requester": requester = try address()
            case "category": category = try number()
            case "tagIncludes": tagIncludes = try bytes32()
            case "tagWithin": tagWithin = try bytes32()
            case "usableWithApp": usableWithApp = try address()
            case "usableWithDataset": usableWithDataset = try address()
            case "usableWithWorkerpool": usableWithWorkerpool = try address()
            case "usableByRequester": usableByRequester = try address()
            case "maxPrice": maxPrice = try number()
            case "limit":
                let limit = try number()
                guard limit <= 10_000 else { throw fail("a page size the orderbook serves (at most 100 by default)") }
                self.limit = Int(limit)
            default: cursor = try OrderCursor(value)
            }
        }
    }
}

extension JSONFields {
    mutating func orderKind(_ name: String) throws(TransactionFormatError) -> OrderKind {
        let text = try string(name)
        guard let kind = OrderKind(rawValue: text) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).\(name)", "'\(text)' is not app, dataset, workerpool or request.")
        }
        return kind
    }
}

/// The body of a cancel request: `{"signature": "0x…"}`, the signer's signature over the ``CancelRequest``.
public struct CancelBody: Sendable, Hashable {
    public var signature: Signature

    public init(signature: Signature) { self.signature = signature }

    public var json: JSONValue { ["signature": .string(signature.description)] }

    public init(json: JSONValue, path: String = "$") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        signature = try fields.signature("signature")
        try fields.finish()
    }
}
