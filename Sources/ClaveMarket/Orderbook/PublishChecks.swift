import ClaveCore
import ClaveCrypto

/// The checks an order passes before the orderbook stores it, against one view of the ledger.
enum PublishChecks {
    /// Checks `order` and its `signature` against `ledger`; returns the order hash and its signer.
    static func check(
        _ order: AnyOrder, signature: Signature?, on ledger: some LedgerView
    ) throws(MarketError) -> (hash: Bytes32, signer: Address) {
        let kind = order.kind.rawValue
        guard order.volume > 0 else {
            throw MarketError(
                .zeroVolume,
                "This \(kind) order has volume 0, so it can never be matched; sign one with a volume of at least 1.")
        }
        try checkReferences(order, on: ledger)
        guard let signer = ledger.signer(of: order) else {
            // checkReferences found the asset, so this cannot happen; keep a clear answer all the same.
            throw MarketError(.unknownAsset, "The asset of this \(kind) order is not registered on the ledger.")
        }
        let domain = ledger.orderDomain
        let hash = order.hash(in: domain)
        if let signature {
            let recovered: Address
            do {
                recovered = try signature.recoverAddress(digest: hash)
            } catch {
                throw MarketError(
                    .invalidSignature,
                    "The signature of this \(kind) order is malformed (\(error.message)); sign the order hash \(hash) with EIP-712."
                )
            }
            guard recovered == signer else {
                throw MarketError(
                    .wrongSigner,
                    "The signature of this \(kind) order recovers to \(recovered), but \(signer) must sign it\(ownerNote(order)). Sign it with \(signer)'s key in this chain's domain (chainId \(domain.chainId), verifyingContract \(domain.verifyingContract)): a signature made in another domain recovers to another address."
                )
            }
        } else {
            guard ledger.presigner(hash) == signer else {
                throw MarketError(
                    .missingSignature,
                    "This \(kind) order has no signature and \(signer) did not presign it on the ledger; send it with \(signer)'s EIP-712 signature, or presign it first."
                )
            }
        }
        guard ledger.remainingVolume(of: order, hash: hash) > 0 else {
            throw MarketError(
                .noRemainingVolume,
                "The ledger says this \(kind) order \(hash) has nothing left (all \(order.volume) consumed, or closed); sign a new order with another salt."
            )
        }
        return (hash, signer)
    }

    private static func ownerNote(_ order: AnyOrder) -> String {
        switch order {
        case .app: " (the app's owner on the ledger)"
        case .dataset: " (the dataset's owner on the ledger)"
        case .workerpool: " (the workerpool's owner on the ledger)"
        case .request: " (its requester)"
        }
    }

    /// Checks that the assets and the category the order names exist on the ledger.
    private static func checkReferences(_ order: AnyOrder, on ledger: some LedgerView) throws(MarketError) {
        switch order {
        case .app(let order):
            try requireAsset(.app, order.app, on: ledger)
        case .dataset(let order):
            try requireAsset(.dataset, order.dataset, on: ledger)
        case .workerpool(let order):
            try requireAsset(.workerpool, order.workerpool, on: ledger)
            try requireCategory(order.category, of: "workerpool", on: ledger)
        case .request(let order):
            try requireAsset(.app, order.app, on: ledger)
            if order.dataset != .zero { try requireAsset(.dataset, order.dataset, on: ledger) }
            if order.workerpool != .zero { try requireAsset(.workerpool, order.workerpool, on: ledger) }
            try requireCategory(order.category, of: "request", on: ledger)
        }
    }

    private static func requireAsset(_ kind: AssetKind, _ address: Address, on ledger: some LedgerView)
        throws(MarketError)
    {
        guard ledger.owner(of: kind, address) != nil else {
            throw MarketError(
                .unknownAsset,
                "No \(kind.rawValue) is registered at \(address) on this ledger; register it (create\(kind == .app ? "App" : kind == .dataset ? "Dataset" : "Workerpool")) or correct the address."
            )
        }
    }

    private static func requireCategory(_ id: UInt64, of kind: String, on ledger: some LedgerView)
        throws(MarketError)
    {
        guard ledger.categoryExists(id) else {
            throw MarketError(
                .unknownCategory,
                "This \(kind) order names category \(id), which this chain does not have; use one of its categories.")
        }
    }
}
