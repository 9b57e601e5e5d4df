import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import ClaveMarket

/// The data owner's side of Clave, as iExec's DataProtector: protect data, grant and revoke access to it, list it, and
/// hand it over (docs/data-protector.md).
///
/// It works against the services' protocols, so the same code runs against a node over HTTP (``LedgerClient``,
/// ``OrderbookClient``) or against the services in process. Every transaction and order is signed here, with
/// ``owner``'s key, which never leaves the process.
public struct DataProtector: Sendable {
    public let ledger: any LedgerService
    public let orderbook: any Orderbook
    /// The account that owns the protected data and signs for it.
    public let owner: PrivateKey

    public init(ledger: any LedgerService, orderbook: any Orderbook, owner: PrivateKey) {
        self.ledger = ledger
        self.orderbook = orderbook
        self.owner = owner
    }

    /// Signs `body` from ``owner`` at its next nonce and submits it; returns the receipt once its block is stored.
    @discardableResult
    func submit(_ body: TransactionBody) async throws -> Receipt {
        let chainId = try await ledger.chainInfo().configuration.chainId
        let nonce = try await ledger.account(owner.address).nonce
        let transaction = try SignedTransaction(
            Transaction(chainId: chainId, from: owner.address, nonce: nonce, body: body), signedWith: owner)
        return try await ledger.submit(transaction)
    }

    /// The dataset at `address`, checked to be owned by ``owner``.
    func ownedDataset(_ address: Address) async throws -> Dataset {
        guard let dataset = try await ledger.dataset(address) else {
            throw DataProtectorError(
                .unknownProtectedData,
                "No protected data is registered at \(address); check the address (`clave data list` shows yours).")
        }
        guard dataset.owner == owner.address else {
            throw DataProtectorError(
                .notOwner,
                "The protected data \(address) belongs to \(dataset.owner), not to \(owner.address); sign with its owner's account."
            )
        }
        return dataset
    }
}
