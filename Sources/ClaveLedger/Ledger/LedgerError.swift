import ClaveCore

/// Why the ledger could not do what was asked (besides a ``ClaveCore/Rejection`` of the transaction itself): an
/// opaque, stable ``Code`` to match on and a message a person can act on.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The same sender already has a transaction with this nonce waiting in the mempool.
        public static let duplicateNonce = Code("duplicateNonce")
        /// The sender has too many transactions waiting for an earlier nonce.
        public static let tooManyWaiting = Code("tooManyWaiting")
        /// A transaction waited too long for the transactions with the nonces before it.
        public static let nonceGapTimeout = Code("nonceGapTimeout")
        /// A transaction of a batch came after one of the batch that was refused, so it was not applied; sign it
        /// again at the sender's next nonce.
        public static let earlierInBatchRefused = Code("earlierInBatchRefused")
        /// A batch is not one sender's transactions at consecutive nonces, or holds too many.
        public static let malformedBatch = Code("malformedBatch")
        /// The ledger is shutting down and takes no more transactions.
        public static let shuttingDown = Code("shuttingDown")
        /// The store could not be read or written.
        public static let storage = Code("storage")
        /// The store holds something that does not replay: see ``LedgerVerifier``.
        public static let corruptStore = Code("corruptStore")
        /// The store belongs to another chain than the one configured.
        public static let genesisMismatch = Code("genesisMismatch")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension LedgerError {
    /// `transaction` came in a batch after one that was refused, so it was not applied.
    static func earlierInBatchRefused(_ transaction: SignedTransaction) -> LedgerError {
        LedgerError(
            .earlierInBatchRefused,
            "Transaction \(transaction.hash) (nonce \(transaction.transaction.nonce)) came in a batch after one that was refused, so it was not applied; sign it again at the sender's next nonce."
        )
    }
}
