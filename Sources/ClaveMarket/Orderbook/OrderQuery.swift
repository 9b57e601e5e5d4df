public import ClaveCore
public import ClaveCrypto

/// Which open orders to list, and which page of them.
///
/// Every filter left `nil` selects everything. Results are sorted by price ascending (see ``OrderPrice``), then by
/// publication order, and carry the remaining volume the ledger gives at query time; orders with none left are
/// excluded.
public struct OrderQuery: Sendable, Hashable {
    /// Only orders of this kind.
    public var kind: OrderKind?
    /// Only orders of this app: app orders for it, and request orders asking for it.
    public var app: Address?
    /// Only orders of this dataset: dataset orders for it, and request orders asking for it.
    public var dataset: Address?
    /// Only orders of this workerpool: workerpool orders for it, and request orders naming it.
    public var workerpool: Address?
    /// Only request orders of this requester.
    public var requester: Address?
    /// Only workerpool and request orders of this category.
    public var category: UInt64?
    /// Only orders whose tag has every bit of this one: a requester looking for workerpool orders passes the tag its
    /// deal needs.
    public var tagIncludes: Bytes32?
    /// Only orders whose tag has no bit outside this one: a workerpool looking for app, dataset or request orders
    /// passes the tag it offers.
    public var tagWithin: Bytes32?
    /// Only orders whose app restriction lets this app use them (`apprestrict` is zero or this app).
    public var usableWithApp: Address?
    /// Only orders whose dataset restriction lets this dataset use them (`datasetrestrict` is zero or this dataset).
    public var usableWithDataset: Address?
    /// Only orders whose workerpool restriction lets this workerpool use them (`workerpoolrestrict` is zero or this
    /// workerpool).
    public var usableWithWorkerpool: Address?
    /// Only orders whose requester restriction lets this requester use them (`requesterrestrict` is zero or this
    /// requester).
    public var usableByRequester: Address?
    /// Only orders whose price (``OrderPrice``) is at most this.
    public var maxPrice: UInt64?
    /// The most entries in a page: 1 to ``SQLiteOrderbook/Configuration/maximumPageSize`` (100 by default).
    public var limit: Int
    /// Where the page starts: the ``OrderPage/nextCursor`` of the previous page; `nil` for the first page.
    public var cursor: OrderCursor?

    public init(
        kind: OrderKind? = nil, app: Address? = nil, dataset: Address? = nil, workerpool: Address? = nil,
        requester: Address? = nil, category: UInt64? = nil, tagIncludes: Bytes32? = nil, tagWithin: Bytes32? = nil,
        usableWithApp: Address? = nil, usableWithDataset: Address? = nil, usableWithWorkerpool: Address? = nil,
        usableByRequester: Address? = nil, maxPrice: UInt64? = nil, limit: Int = 20, cursor: OrderCursor? = nil
    ) {
        self.kind = kind
        self.app = app
        self.dataset = dataset
        self.workerpool = workerpool
        self.requester = requester
        self.category = category
        self.tagIncludes = tagIncludes
        self.tagWithin = tagWithin
        self.usableWithApp = usableWithApp
        self.usableWithDataset = usableWithDataset
        self.usableWithWorkerpool = usableWithWorkerpool
        self.usableByRequester = usableByRequester
        self.maxPrice = maxPrice
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of a query's results.
public struct OrderPage: Sendable, Hashable {
    /// The open orders, cheapest first, then in publication order.
    public var entries: [OrderbookEntry]
    /// Pass it as ``OrderQuery/cursor`` for the next page; `nil` when this page is the last.
    public var nextCursor: OrderCursor?

    public init(entries: [OrderbookEntry], nextCursor: OrderCursor?) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// A position in a query's order (after this price and this publication): opaque to clients, who pass back the text
/// they were given (hex digits, safe in a URL).
///
/// A cursor marks the last entry of a page, not an offset, so orders published, cancelled or consumed between two
/// pages never make the next page repeat or skip an order that stays open.
public struct OrderCursor: Sendable, Hashable, CustomStringConvertible {
    /// The price key of the last entry (``OrderPrice/key``).
    let price: String
    /// The publication sequence number of the last entry.
    let sequence: Int64

    init(price: String, sequence: Int64) {
        self.price = price
        self.sequence = sequence
    }

    /// Reads a cursor from the text a page gave out.
    public init(_ text: String) throws(MarketError) {
        let invalid = MarketError(
            .invalidCursor,
            "'\(text.prefix(80))' is not a cursor of this orderbook; pass back a page's nextCursor as it was given, or none for the first page."
        )
        guard text.count <= 128, let bytes = try? Hex.decode(text, what: "cursor"),
            let plain = String(validating: bytes, as: UTF8.self)
        else {
            throw invalid
        }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", parts[1].count == OrderPrice.keyLength,
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let sequence = Int64(parts[2]), sequence >= 0
        else { throw invalid }
        self.init(price: String(parts[1]), sequence: sequence)
    }

    /// The cursor's text.
    public var description: String { Hex.encode("v1:\(price):\(sequence)".utf8, prefix: false) }
}

/// The price an order is listed at: the app, dataset or workerpool price of an asset order; for a request order, the
/// most it pays per task (`appmaxprice + datasetmaxprice + workerpoolmaxprice`).
public enum OrderPrice {
    /// The price of `order`.
    public static func of(_ order: AnyOrder) -> UInt128 {
        switch order {
        case .app(let order): UInt128(order.appprice)
        case .dataset(let order): UInt128(order.datasetprice)
        case .workerpool(let order): UInt128(order.workerpoolprice)
        case .request(let order):
            UInt128(order.appmaxprice) + UInt128(order.datasetmaxprice) + UInt128(order.workerpoolmaxprice)
        }
    }

    /// The digits of a key: enough for three times the largest 64-bit price.
    static let keyLength = 21

    /// `price` as fixed-width decimal text, which sorts and compares as the numbers do.
    static func key(_ price: UInt128) -> String {
        let digits = String(price)
        return String(repeating: "0", count: keyLength - digits.count) + digits
    }
}
