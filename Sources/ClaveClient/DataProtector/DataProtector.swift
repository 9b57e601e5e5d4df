import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import ClaveMarket
public import ClaveSMS
public import ClaveStorage
import Foundation

/// The data owner's side of Clave, as iExec's DataProtector: protect data, grant and revoke access to it, list it, and
/// hand it over (docs/data-protector.md).
///
/// It works against the services' protocols, so the same code runs against a node over HTTP (``LedgerClient``,
/// ``OrderbookClient``) or against the services in process. Every transaction and order is signed here, with
/// ``owner``'s key, which never leaves the process.
public struct DataProtector: Sendable {
    public let ledger: any LedgerService
    public let orderbook: any Orderbook
    /// Where protected payloads are stored; needed to protect data.
    public let blobs: (any BlobStore)?
    /// Where dataset keys are escrowed; needed to protect data.
    public let sms: (any SecretService)?
    /// The account that owns the protected data and signs for it.
    public let owner: PrivateKey
    /// The time, in Unix seconds, that signed SMS pushes expire from.
    public let now: @Sendable () -> UInt64
    /// Signs and submits ``owner``'s transactions in order, remembering the chain id and the next nonce between them.
    let sender: TransactionSender
    /// What the ledger said that cannot change: the chain's configuration, registered assets.
    let facts = LedgerFacts()
    /// ``owner``'s result key, which decrypts the results of its deals (``ClaveCore/ResultKey``).
    let resultKey: X25519PrivateKey

    public init(
        ledger: any LedgerService, orderbook: any Orderbook, blobs: (any BlobStore)? = nil,
        sms: (any SecretService)? = nil, owner: PrivateKey,
        now: @escaping @Sendable () -> UInt64 = DataProtector.systemTime
    ) {
        self.now = now
        self.ledger = ledger
        self.orderbook = orderbook
        self.blobs = blobs
        self.sms = sms
        self.owner = owner
        self.sender = TransactionSender(key: owner, ledger: ledger)
        self.resultKey = ResultKey.derive(from: owner)
    }

    /// The system's clock, in Unix seconds.
    public static let systemTime: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }

    /// Signs `body` from ``owner`` at its next nonce and submits it; returns the receipt once its block is stored.
    @discardableResult
    func submit(_ body: TransactionBody) async throws -> Receipt {
        try await sender.send(body)
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
