/// Why the market refused a request: an opaque, stable ``Code`` to match on and a message a person can act on (what
/// was wrong, with the values involved, and what to do).
public struct MarketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of refusal. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        // MARK: Publishing

        /// The order's volume is zero.
        public static let zeroVolume = Code("zeroVolume")
        /// The app, dataset or workerpool the order names is not registered on the ledger.
        public static let unknownAsset = Code("unknownAsset")
        /// The order names a category the chain does not have.
        public static let unknownCategory = Code("unknownCategory")
        /// The signature is malformed: no signer can be recovered from it.
        public static let invalidSignature = Code("invalidSignature")
        /// The signature recovers to someone else than who must sign (the asset's current owner, or the requester),
        /// or it was made in another chain's domain.
        public static let wrongSigner = Code("wrongSigner")
        /// The order has no signature and its signer did not presign it on the ledger.
        public static let missingSignature = Code("missingSignature")
        /// The ledger says the order is fully consumed or closed.
        public static let noRemainingVolume = Code("noRemainingVolume")
        /// The order was cancelled in this orderbook; it cannot be published again.
        public static let orderCancelled = Code("orderCancelled")

        // MARK: Cancelling and reading

        /// The orderbook holds no order with this hash.
        public static let unknownOrder = Code("unknownOrder")
        /// A query asks for something the orderbook cannot give (a page size out of range, ...).
        public static let invalidQuery = Code("invalidQuery")
        /// A paging cursor is not one the orderbook gave out.
        public static let invalidCursor = Code("invalidCursor")

        // MARK: Infrastructure

        /// The ledger could not be read.
        public static let ledgerUnavailable = Code("ledgerUnavailable")
        /// The orderbook could not be reached (a client's connection failed, or the server is shutting down).
        public static let unavailable = Code("unavailable")
        /// The orderbook's database failed, or holds a row it cannot read.
        public static let storage = Code("storage")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
