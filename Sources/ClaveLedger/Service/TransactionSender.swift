public import ClaveCore
public import ClaveCrypto

/// Signs and submits one key's transactions one at a time, each at the account's next nonce.
///
/// Concurrent callers are served in the order they called. The next nonce is remembered between transactions; a
/// transaction the protocol refuses does not use it up. When the ledger says the nonce is wrong (another process
/// used the key, or the sender restarted), the nonce is read again from the account and the transaction is signed
/// again, once.
public actor TransactionSender {
    public nonisolated let address: Address
    private let key: PrivateKey
    private let ledger: any LedgerService
    private var chainId: UInt64?
    private var nextNonce: UInt64?
    /// The last transaction queued; the next one waits for it.
    private var tail: Task<Void, Never>?

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
        let previous = tail
        let submission = Task {
            await previous?.value
            return try await self.submit(body)
        }
        tail = Task { _ = await submission.result }
        return try await submission.value
    }

    private func submit(_ body: TransactionBody) async throws -> Receipt {
        let chainId = try await resolvedChainId()
        var retried = false
        while true {
            let nonce: UInt64
            if let nextNonce {
                nonce = nextNonce
            } else {
                nonce = try await ledger.account(address).nonce
            }
            let signed = try SignedTransaction(
                Transaction(chainId: chainId, from: address, nonce: nonce, body: body), signedWith: key)
            do {
                let receipt = try await ledger.submit(signed)
                nextNonce = nonce + 1
                return receipt
            } catch let rejection as Rejection {
                if rejection.code == .wrongNonce && !retried {
                    nextNonce = nil
                    retried = true
                    continue
                }
                // A refused transaction is stored nowhere: the nonce is still the next one, unless it was wrong.
                nextNonce = rejection.code == .wrongNonce ? nil : nonce
                throw rejection
            } catch let error as LedgerError {
                nextNonce = nil
                if error.code == .duplicateNonce && !retried {
                    retried = true
                    continue
                }
                throw error
            } catch {
                nextNonce = nil
                throw error
            }
        }
    }

    private func resolvedChainId() async throws -> UInt64 {
        if let chainId { return chainId }
        let chainId = try await ledger.chainInfo().configuration.chainId
        self.chainId = chainId
        return chainId
    }
}
