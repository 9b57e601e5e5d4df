public import ClaveCore
public import ClaveCrypto
import Synchronization

/// What the orderbook reads from the ledger: who owns each asset, how much of each order is consumed, who presigned
/// what, which categories exist, and the chain's order domain.
///
/// The ledger is the authority; the orderbook is an index of signed orders that it checks against one view per
/// request. ``ClaveCore/State`` is a view (a snapshot value).
public protocol LedgerView: Sendable {
    /// The EIP-712 domain of the chain's orders (its chain id and hub).
    var orderDomain: OrderDomain { get }
    /// The current owner of the asset of `kind` at `address`, or `nil` when none is registered there.
    func owner(of kind: AssetKind, _ address: Address) -> Address?
    /// The volume consumed of the order with this hash (its whole volume once closed).
    func consumed(_ orderHash: Bytes32) -> UInt64
    /// Who presigned the order with this hash on the ledger, if anyone did.
    func presigner(_ orderHash: Bytes32) -> Address?
    /// Whether the chain has the category `id`.
    func categoryExists(_ id: UInt64) -> Bool
}

extension LedgerView {
    /// Who must sign `order` now: the current owner of its asset (`nil` if the asset is not registered), or the
    /// requester of a request order.
    public func signer(of order: AnyOrder) -> Address? {
        switch order {
        case .app(let order): owner(of: .app, order.app)
        case .dataset(let order): owner(of: .dataset, order.dataset)
        case .workerpool(let order): owner(of: .workerpool, order.workerpool)
        case .request(let order): order.requester
        }
    }

    /// The volume left of `order`: its volume minus what the ledger says is consumed.
    public func remainingVolume(of order: AnyOrder, hash: Bytes32) -> UInt64 {
        let consumed = consumed(hash)
        return order.volume > consumed ? order.volume - consumed : 0
    }
}

extension State: LedgerView {
    public func owner(of kind: AssetKind, _ address: Address) -> Address? {
        switch kind {
        case .app: app(address)?.owner
        case .dataset: dataset(address)?.owner
        case .workerpool: workerpool(address)?.owner
        }
    }

    public func categoryExists(_ id: UInt64) -> Bool { configuration.category(id) != nil }
}

/// Where the orderbook gets the ledger's latest view, once per request.
public protocol LedgerViewSource: Sendable {
    /// The ledger as it is now.
    func currentView() async throws -> any LedgerView
}

/// A ledger view source that serves the ``ClaveCore/State`` it was last given: for a node that applies blocks in
/// the same process, and for tests.
public final class LatestState: LedgerViewSource {
    private let latest: Mutex<State>

    public init(_ state: State) {
        latest = Mutex(state)
    }

    /// The state served now.
    public var state: State { latest.withLock { $0 } }

    /// Serves `state` from now on.
    public func update(_ state: State) {
        latest.withLock { $0 = state }
    }

    public func currentView() -> any LedgerView { state }
}
