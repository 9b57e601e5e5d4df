public import ClaveCore
public import ClaveCrypto

/// The marketplace's book of signed orders: requesters find app, dataset and workerpool orders to match, and
/// workerpools find request orders.
///
/// Every order is checked on the way in (``publish(_:signature:)``); the ledger stays the authority on what is left of
/// each order, so every answer carries the remaining volume read from the ledger at that moment, and an order with
/// none left, cancelled, or whose asset changed owners is never returned as open.
public protocol Orderbook: Sendable {
    /// Checks `order` against the ledger and stores it; publishing an order already in the book returns its entry.
    ///
    /// - Parameter signature: the EIP-712 signature of the asset's current owner (the requester for a request
    ///   order) in the chain's order domain; `nil` when that signer presigned the order on the ledger.
    func publish(_ order: AnyOrder, signature: Signature?) async throws(MarketError) -> OrderbookEntry

    /// Cancels an order: `signature` is its signer's signature over the ``CancelRequest`` for `orderHash`.
    /// Cancelling an order already cancelled returns its entry.
    func cancel(_ orderHash: Bytes32, signature: Signature) async throws(MarketError) -> OrderbookEntry

    /// The entry of the order with this hash, whatever its status; `nil` when the book never held it.
    func order(_ orderHash: Bytes32) async throws(MarketError) -> OrderbookEntry?

    /// One page of the open orders that `query` selects, cheapest first.
    func query(_ query: OrderQuery) async throws(MarketError) -> OrderPage
}

extension Orderbook {
    /// Publishes a signed (or presigned) app order.
    public func publish(_ signed: SignedOrder<AppOrder>) async throws(MarketError) -> OrderbookEntry {
        try await publish(.app(signed.order), signature: signed.signature)
    }

    /// Publishes a signed (or presigned) dataset order.
    public func publish(_ signed: SignedOrder<DatasetOrder>) async throws(MarketError) -> OrderbookEntry {
        try await publish(.dataset(signed.order), signature: signed.signature)
    }

    /// Publishes a signed (or presigned) workerpool order.
    public func publish(_ signed: SignedOrder<WorkerpoolOrder>) async throws(MarketError) -> OrderbookEntry {
        try await publish(.workerpool(signed.order), signature: signed.signature)
    }

    /// Publishes a signed (or presigned) request order.
    public func publish(_ signed: SignedOrder<RequestOrder>) async throws(MarketError) -> OrderbookEntry {
        try await publish(.request(signed.order), signature: signed.signature)
    }
}

/// Where an order stands, as the book and the ledger say at the moment of reading.
public enum OrderStatus: String, Sendable, Hashable {
    /// Volume is left and the signature still matches who must sign: it can be matched.
    case open
    /// Cancelled in this orderbook.
    case cancelled
    /// The ledger says nothing is left: fully consumed by deals, or closed.
    case consumed
    /// The asset has another owner than the one who signed: the ledger would refuse the signature.
    case ownerChanged
}

/// An order in the book, with what the ledger says of it at the moment it was read.
public struct OrderbookEntry: Sendable, Hashable {
    /// The order hash: its EIP-712 digest in the chain's domain.
    public var orderHash: Bytes32
    public var order: AnyOrder
    /// The EIP-712 signature; `nil` for a presigned order.
    public var signature: Signature?
    /// Who signed (or presigned) the order when it was published.
    public var signer: Address
    /// When the order was published, Unix seconds.
    public var publishedAt: UInt64
    /// The order's volume minus what the ledger says is consumed.
    public var remainingVolume: UInt64
    public var status: OrderStatus

    public init(
        orderHash: Bytes32, order: AnyOrder, signature: Signature?, signer: Address, publishedAt: UInt64,
        remainingVolume: UInt64, status: OrderStatus
    ) {
        self.orderHash = orderHash
        self.order = order
        self.signature = signature
        self.signer = signer
        self.publishedAt = publishedAt
        self.remainingVolume = remainingVolume
        self.status = status
    }
}
