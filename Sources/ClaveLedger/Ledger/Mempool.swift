import ClaveCore
import ClaveCrypto

/// The transactions waiting for a block, in arrival order, and those waiting for an earlier nonce of their sender.
///
/// Not thread-safe: the ``Ledger`` actor owns it.
struct Mempool {
    struct Waiter {
        let continuation: CheckedContinuation<Receipt, any Error>
        func resume(returning receipt: Receipt) { continuation.resume(returning: receipt) }
        func resume(throwing error: any Error) { continuation.resume(throwing: error) }
    }

    struct Entry {
        var transaction: SignedTransaction
        var waiter: Waiter
        /// Sealing rounds spent waiting for an earlier nonce.
        var age = 0
    }

    /// Arrived since the last block was sealed.
    private var arrived: [Entry] = []
    /// Ahead of their sender's nonce, by sender and nonce.
    private var waiting: [Address: [UInt64: Entry]] = [:]

    var hasReady: Bool { !arrived.isEmpty }
    var isEmpty: Bool { arrived.isEmpty && waiting.isEmpty }
    var count: Int { arrived.count + waiting.values.reduce(0) { $0 + $1.count } }

    mutating func add(
        _ transaction: SignedTransaction, continuation: CheckedContinuation<Receipt, any Error>,
        maximumWaiting: Int,
        expectedNonce: UInt64
    ) throws(LedgerError) {
        let sender = transaction.transaction.from
        let nonce = transaction.transaction.nonce
        if let queued = waiting[sender] {
            if queued[nonce] != nil {
                throw LedgerError(
                    .duplicateNonce,
                    "\(sender) already has a transaction with nonce \(nonce) waiting; wait for its receipt before replacing it."
                )
            }
            if queued.count >= maximumWaiting {
                throw LedgerError(
                    .tooManyWaiting,
                    "\(sender) has \(queued.count) transactions waiting for nonce \(expectedNonce); send that one first."
                )
            }
        }
        arrived.append(
            Entry(transaction: transaction, waiter: Waiter(continuation: continuation)))
    }

    /// Up to `limit` arrived transactions, in arrival order; those ahead of their sender's nonce (by `nextNonce`) are
    /// kept back, waiting.
    mutating func takeReady(limit: Int, nextNonce: (Address) -> UInt64) -> [Entry] {
        let count = min(limit, arrived.count)
        let taken = arrived.prefix(count)
        arrived.removeFirst(count)
        var ready: [Entry] = []
        ready.reserveCapacity(count)
        for entry in taken {
            let transaction = entry.transaction.transaction
            if transaction.nonce > nextNonce(transaction.from), waiting[transaction.from]?[transaction.nonce] == nil {
                waiting[transaction.from, default: [:]][transaction.nonce] = entry
            } else {
                ready.append(entry)
            }
        }
        return ready
    }

    /// The waiting transaction of `sender` with `nonce`, if any, taken out.
    mutating func take(sender: Address, nonce: UInt64) -> Entry? {
        guard let entry = waiting[sender]?.removeValue(forKey: nonce) else { return nil }
        if waiting[sender]?.isEmpty == true { waiting[sender] = nil }
        return entry
    }

    /// One more sealing round for every waiting transaction; those that waited too long are refused.
    mutating func ageWaiting(maximumRounds: Int, nextNonce: (Address) -> UInt64) {
        for (sender, entries) in waiting {
            var kept: [UInt64: Entry] = [:]
            for (nonce, var entry) in entries {
                entry.age += 1
                if entry.age > maximumRounds {
                    entry.waiter.resume(
                        throwing: LedgerError(
                            .nonceGapTimeout,
                            "Transaction \(entry.transaction.hash) has nonce \(nonce) but \(sender)'s next nonce is \(nextNonce(sender)); it waited \(maximumRounds) blocks for the missing ones. Send them, then this one again."
                        ))
                } else {
                    kept[nonce] = entry
                }
            }
            waiting[sender] = kept.isEmpty ? nil : kept
        }
    }

    /// Answers every transaction still here with `error`.
    mutating func failAll(_ error: LedgerError) {
        for entry in arrived { entry.waiter.resume(throwing: error) }
        for entries in waiting.values {
            for entry in entries.values { entry.waiter.resume(throwing: error) }
        }
        arrived = []
        waiting = [:]
    }
}
