import ClaveCore
import ClaveCrypto
import Foundation
import GRDB

/// One row of the `orders` table, read back.
struct StoredOrder: Sendable {
    var sequence: Int64
    var hash: Bytes32
    var order: AnyOrder
    var signature: Signature?
    var signer: Address
    var publishedAt: UInt64
    var isCancelled: Bool
    var priceKey: String

    init(row: Row) throws(MarketError) {
        guard let sequence = row["sequence"] as Int64?, let hashBytes = row["hash"] as Data?,
            let kindText = row["kind"] as String?, let body = row["body"] as String?,
            let signerBytes = row["signer"] as Data?, let publishedAt = row["publishedAt"] as Int64?,
            let priceKey = row["price"] as String?
        else {
            throw MarketError(
                .storage, "A row of the orders table misses a column; the database is not an orderbook's.")
        }
        do {
            guard let kind = OrderKind(rawValue: kindText) else {
                throw MarketError(
                    .storage, "The order of row \(sequence) has kind '\(kindText)', which is not an order kind.")
            }
            self.sequence = sequence
            self.hash = try Bytes32(hashBytes)
            self.order = try AnyOrder(kind: kind, json: JSONValue(parsing: body), path: "orders[\(sequence)]")
            self.signature = try (row["signature"] as Data?).map { (bytes) throws(CryptoError) in
                try Signature(bytes: bytes)
            }
            self.signer = try Address(bytes: signerBytes)
            self.publishedAt = UInt64(clamping: publishedAt)
            self.isCancelled = (row["cancelledAt"] as Int64?) != nil
            self.priceKey = priceKey
        } catch let error as MarketError {
            throw error
        } catch {
            throw MarketError(
                .storage, "Row \(sequence) of the orders table cannot be read (\(error)); the database is damaged.")
        }
    }

    /// The entry, with what `ledger` says of the order now.
    func entry(on ledger: some LedgerView) -> OrderbookEntry {
        let remaining = ledger.remainingVolume(of: order, hash: hash)
        let status: OrderStatus =
            if isCancelled {
                .cancelled
            } else if remaining == 0 {
                .consumed
            } else if ledger.signer(of: order) != signer {
                .ownerChanged
            } else {
                .open
            }
        return OrderbookEntry(
            orderHash: hash, order: order, signature: signature, signer: signer, publishedAt: publishedAt,
            remainingVolume: remaining, status: status)
    }

    /// Where this order stands in the listing order.
    var cursor: OrderCursor { OrderCursor(price: priceKey, sequence: sequence) }
}
