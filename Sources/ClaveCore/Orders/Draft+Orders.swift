import ClaveCrypto

extension Draft {
    mutating func presign(_ order: AnyOrder) throws(Rejection) {
        let hash = try checkOrderSigner(order, doing: "presign")
        set(presigner: sender, of: hash)
        emit(.orderPresigned(kind: order.kind, orderHash: hash, signer: sender))
    }

    mutating func closeOrder(_ order: AnyOrder) throws(Rejection) {
        let hash = try checkOrderSigner(order, doing: "close")
        set(consumed: order.volume, of: hash)
        close(hash)
        emit(.orderClosed(kind: order.kind, orderHash: hash))
    }

    /// Checks that the sender is who signs `order` (the asset's owner, or the requester) and returns its hash.
    private func checkOrderSigner(_ order: AnyOrder, doing action: String) throws(Rejection) -> Bytes32 {
        let signer = try self.signer(of: order)
        guard signer == sender else {
            throw Rejection(
                .notOwner,
                "Only \(signer), who signs this \(order.kind.rawValue) order, may \(action) it, not \(sender); send the transaction from \(signer)."
            )
        }
        return order.hash(in: state.orderDomain)
    }

    /// Who must sign `order`: the owner of its asset, or the requester of a request order.
    func signer(of order: AnyOrder) throws(Rejection) -> Address {
        switch order {
        case .app(let order): try owner(of: .app, order.app)
        case .dataset(let order): try owner(of: .dataset, order.dataset)
        case .workerpool(let order): try owner(of: .workerpool, order.workerpool)
        case .request(let order): order.requester
        }
    }
}
