public import ClaveCrypto

/// The four kinds of order.
public enum OrderKind: String, Sendable, Hashable, CaseIterable {
    case app
    case dataset
    case workerpool
    case request
}

/// Any one of iExec's four orders.
public enum AnyOrder: Sendable, Hashable {
    case app(AppOrder)
    case dataset(DatasetOrder)
    case workerpool(WorkerpoolOrder)
    case request(RequestOrder)

    public var kind: OrderKind {
        switch self {
        case .app: .app
        case .dataset: .dataset
        case .workerpool: .workerpool
        case .request: .request
        }
    }

    /// The order's volume.
    public var volume: UInt64 {
        switch self {
        case .app(let order): order.volume
        case .dataset(let order): order.volume
        case .workerpool(let order): order.volume
        case .request(let order): order.volume
        }
    }

    /// The order hash (the full EIP-712 digest) in `domain`.
    public func hash(in domain: OrderDomain) -> Bytes32 {
        switch self {
        case .app(let order): order.hash(in: domain)
        case .dataset(let order): order.hash(in: domain)
        case .workerpool(let order): order.hash(in: domain)
        case .request(let order): order.hash(in: domain)
        }
    }
}

/// An order with its EIP-712 signature, or with none when its signer presigned it on the ledger.
public struct SignedOrder<Order: EIP712Order>: Sendable, Hashable {
    public var order: Order
    /// The signature by the asset's owner (by the requester for a request order) over the order hash; `nil` when the
    /// order was presigned.
    public var signature: Signature?

    public init(order: Order, signature: Signature?) {
        self.order = order
        self.signature = signature
    }

    /// A presigned order: no signature, the ledger's presign record stands for it.
    public static func presigned(_ order: Order) -> SignedOrder { SignedOrder(order: order, signature: nil) }

    /// The order signed with `key` in `domain`.
    public static func signed(_ order: Order, with key: PrivateKey, in domain: OrderDomain) -> SignedOrder {
        SignedOrder(order: order, signature: order.sign(with: key, in: domain))
    }
}
