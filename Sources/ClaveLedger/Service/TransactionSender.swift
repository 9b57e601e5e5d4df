public import ClaveCore
public import ClaveCrypto

/// Signs and submits one key's transactions, each at the account's next nonce.
///
/// Concurrent callers are served in the order they called. Those that call while a batch is out go together in the
/// next one (at most ``Ledger/maximumBatchSize``, at consecutive nonces): under load, a sender's transactions share a
/// block instead of taking one each. The next nonce is remembered between batches; a transaction the protocol refuses
/// does not use it up, and those batched after it are signed again and sent in the next batch. When the ledger says
/// the nonce is wrong (another process used the key, or the sender restarted), the nonce is read again from the
/// account and the transaction is signed again, once.
public actor TransactionSender {
    public nonisolated let address: Address
    private let key: PrivateKey
    private let ledger: any LedgerService
    private var chainId: UInt64?
    private var nextNonce: UInt64?

    private struct Queued {
        let body: TransactionBody
        let continuation: CheckedContinuation<Receipt, any Error>
        /// Sent again once after a wrong or duplicate nonce.
        var retried = false

        /// This one to send again, once, after its nonce was wrong (`error`): nil, with its caller answered, when it
        /// was sent again already.
        func again(after error: any Error) -> Queued? {
            guard !retried else {
                continuation.resume(throwing: error)
                return nil
            }
            var retry = self
            retry.retried = true
            return retry
        }
    }

    /// Waiting for the next batch, in the order they came.
    private var queue: [Queued] = []
    private var isSending = false

    /// - Parameter chainId: the ledger's chain id; nil reads it from the ledger on the first transaction.
    public init(key: PrivateKey, ledger: any LedgerService, chainId: UInt64? = nil) {
        self.key = key
        self.address = key.address
        self.ledger = ledger
        self.chainId = chainId
    }

    /// Signs `body` at the sender's next nonce, submits it, and returns its receipt once its block is stored.
    ///
    /// - Throws: the ``ClaveCore/Rejection`` of the transaction, or the ledger's error.
    @discardableResult
    public func send(_ body: TransactionBody) async throws -> Receipt {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Queued(body: body, continuation: continuation))
            guard !isSending else { return }
            isSending = true
            Task { await self.sendQueued() }
        }
    }

    private func sendQueued() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Ledger.maximumBatchSize))
            queue.removeFirst(batch.count)
            queue.insert(contentsOf: await submit(batch), at: 0)
        }
        isSending = false
    }

    /// Signs and submits `batch`, answers its callers, and returns those to send again: after a refused
    /// transaction, the ones batched behind it; after a wrong nonce, the batch from that transaction on (once).
    private func submit(_ batch: [Queued]) async -> [Queued] {
        let results: [Result<Receipt, any Error>]
        let firstNonce: UInt64
        do {
            let chainId = try await resolvedChainId()
            if let nextNonce {
                firstNonce = nextNonce
            } else {
                firstNonce = try await ledger.account(address).nonce
            }
            var signed: [SignedTransaction] = []
            for (offset, queued) in batch.enumerated() {
                signed.append(
                    try SignedTransaction(
                        Transaction(
                            chainId: chainId, from: address, nonce: firstNonce + UInt64(offset), body: queued.body),
                        signedWith: key))
            }
            results = try await ledger.submit(batch: signed)
        } catch {
            // Nothing of the batch was taken. A duplicate nonce means the remembered one is stale: read it again and
            // send the batch again, once, as for one transaction.
            nextNonce = nil
            guard let failure = error as? LedgerError, failure.code == .duplicateNonce else {
                for queued in batch { queued.continuation.resume(throwing: error) }
                return []
            }
            return batch.compactMap { $0.again(after: error) }
        }
        var applied: UInt64 = 0
        for (offset, queued) in batch.enumerated() {
            switch results[offset] {
            case .success(let receipt):
                applied += 1
                queued.continuation.resume(returning: receipt)
            case .failure(let error):
                return refused(
                    queued, error, behind: batch[(offset + 1)...], results[(offset + 1)...], at: firstNonce + applied)
            }
        }
        nextNonce = firstNonce + applied
        return []
    }

    /// Answers the first refused transaction of a batch, `queued` at `nonce`, and those `behind` it, and returns
    /// those to send again.
    private func refused(
        _ queued: Queued, _ error: any Error, behind: ArraySlice<Queued>,
        _ results: ArraySlice<Result<Receipt, any Error>>, at nonce: UInt64
    ) -> [Queued] {
        var again: [Queued] = []
        switch error {
        case let rejection as Rejection where rejection.code == .wrongNonce:
            nextNonce = nil
            if let retry = queued.again(after: rejection) { again.append(retry) }
        case is Rejection:
            // A refused transaction is stored nowhere: its nonce is still the next one.
            nextNonce = nonce
            queued.continuation.resume(throwing: error)
        case let failure as LedgerError where failure.code == .duplicateNonce:
            nextNonce = nil
            if let retry = queued.again(after: failure) { again.append(retry) }
        default:
            nextNonce = nil
            queued.continuation.resume(throwing: error)
        }
        for (follower, result) in zip(behind, results) {
            switch result {
            case .failure(let error as LedgerError) where error.code == .earlierInBatchRefused:
                // Refused for following the one before, not for itself.
                again.append(follower)
            case .failure(let error):
                follower.continuation.resume(throwing: error)
            case .success(let receipt):
                // Not after a refusal in a batch; answered all the same, and the nonce read again.
                nextNonce = nil
                follower.continuation.resume(returning: receipt)
            }
        }
        return again
    }

    private func resolvedChainId() async throws -> UInt64 {
        if let chainId { return chainId }
        let chainId = try await ledger.chainInfo().configuration.chainId
        self.chainId = chainId
        return chainId
    }
}
