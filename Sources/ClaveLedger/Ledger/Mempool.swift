import ClaveCore
import ClaveCrypto

/// The transactions waiting for a block, in arrival order, and those waiting for an earlier nonce of their sender.
///
/// A batch (one sender's transactions at consecutive nonces, submitted together) arrives whole, is taken into one
/// block whole, and stops at its first refused transaction: those after it are refused with
/// ``LedgerError/Code/earlierInBatchRefused`` and never applied, so what a batch did is always a prefix of it.
///
/// Not thread-safe: the ``Ledger`` actor owns it.
struct Mempool {
    /// Who is answered once the transaction's block is stored (or the transaction refused).
    struct Waiter: Sendable {
        let answer: @Sendable (Result<Receipt, any Error>) -> Void
        func resume(returning receipt: Receipt) { answer(.success(receipt)) }
        func resume(throwing error: any Error) { answer(.failure(error)) }
    }

    struct Entry {
        var transaction: SignedTransaction
        var waiter: Waiter
        /// The batch it came in, if any.
        var batch: Int?
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
        _ transaction: SignedTransaction, waiter: Waiter, maximumWaiting: Int, expectedNonce: UInt64
    ) throws(LedgerError) {
        try checkRoom(for: transaction, waiting: 0, maximumWaiting: maximumWaiting, expectedNonce: expectedNonce)
        arrived.append(Entry(transaction: transaction, waiter: waiter))
    }

    /// Adds a batch, all of it or none: `transactions` must be one sender's, at consecutive nonces (checked by
    /// ``Ledger``), with room for all of them.
    mutating func add(
        batch transactions: [SignedTransaction], waiters: [Waiter], id: Int, maximumWaiting: Int,
        expectedNonce: UInt64
    ) throws(LedgerError) {
        for (offset, transaction) in transactions.enumerated() {
            try checkRoom(
                for: transaction, waiting: offset, maximumWaiting: maximumWaiting, expectedNonce: expectedNonce)
        }
        for (transaction, waiter) in zip(transactions, waiters) {
            arrived.append(Entry(transaction: transaction, waiter: waiter, batch: id))
        }
    }

    /// Refuses `transaction` when its sender already has one waiting at its nonce, or, with the `waiting` before it
    /// in its batch, too many waiting.
    private func checkRoom(
        for transaction: SignedTransaction, waiting before: Int, maximumWaiting: Int, expectedNonce: UInt64
    ) throws(LedgerError) {
        let sender = transaction.transaction.from
        let nonce = transaction.transaction.nonce
        guard let queued = waiting[sender] else { return }
        if queued[nonce] != nil {
            throw LedgerError(
                .duplicateNonce,
                "\(sender) already has a transaction with nonce \(nonce) waiting; wait for its receipt before replacing it."
            )
        }
        if queued.count + before >= maximumWaiting {
            throw LedgerError(
                .tooManyWaiting,
                "\(sender) has \(queued.count) transactions waiting for nonce \(expectedNonce); send that one first."
            )
        }
    }

    /// Up to `limit` arrived transactions, in arrival order, and the rest of the last batch they cut into; those
    /// ahead of their sender's nonce (by `nextNonce`) are kept back, waiting.
    mutating func takeReady(limit: Int, nextNonce: (Address) -> UInt64) -> [Entry] {
        var count = min(limit, arrived.count)
        while count > 0, count < arrived.count, let batch = arrived[count - 1].batch, arrived[count].batch == batch {
            count += 1
        }
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

    /// The transactions of batch `batch` from `sender` still waiting, taken out, by nonce: those after a refused one.
    mutating func takeRest(ofBatch batch: Int, sender: Address) -> [Entry] {
        guard let entries = waiting[sender] else { return [] }
        let rest = entries.values.filter { $0.batch == batch }.sorted {
            $0.transaction.transaction.nonce < $1.transaction.transaction.nonce
        }
        for entry in rest { waiting[sender]?[entry.transaction.transaction.nonce] = nil }
        if waiting[sender]?.isEmpty == true { waiting[sender] = nil }
        return rest
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
