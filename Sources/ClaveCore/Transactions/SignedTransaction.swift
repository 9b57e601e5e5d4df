public import ClaveCrypto
public import Foundation

/// A transaction with its sender's signature, as the ledger receives, stores and replays it:
/// `{"transaction": {chainId, from, nonce, type, body}, "signature": "0x…"}`.
///
/// The signature is an EIP-191 personal-message signature whose message is the 32-byte keccak256 of the
/// transaction's RFC 8785 canonical JSON (docs/formats/transaction-signature.md). A value of this type has always
/// been checked: its signature recovers to `transaction.from`.
public struct SignedTransaction: Sendable, Hashable {
    public let transaction: Transaction
    public let signature: Signature
    /// The RFC 8785 canonical JSON of `transaction`: the bytes that are hashed, signed and stored.
    public let canonicalJSON: [UInt8]
    /// keccak256 of ``canonicalJSON``: the transaction's id, and what was signed.
    public let hash: Bytes32

    /// Checks that `signature` is `transaction.from`'s over this transaction.
    public init(_ transaction: Transaction, signature: Signature) throws(TransactionFormatError) {
        let canonicalJSON = CanonicalJSON.encode(transaction.json)
        let hash = Keccak256.hash(canonicalJSON)
        let signer: Address
        do {
            signer = try signature.recoverPersonalMessageSigner(hash.bytes)
        } catch {
            throw TransactionFormatError(.badSignature, at: "signature", error.message)
        }
        guard signer == transaction.from else {
            throw TransactionFormatError(
                .badSignature, at: "signature",
                "is by \(signer), not by the sender \(transaction.from), or the transaction was changed after signing; sign it with the sender's key."
            )
        }
        self.transaction = transaction
        self.signature = signature
        self.canonicalJSON = canonicalJSON
        self.hash = hash
    }

    /// Signs `transaction` with `key`, which must be the sender's.
    public init(_ transaction: Transaction, signedWith key: PrivateKey) throws(TransactionFormatError) {
        guard key.address == transaction.from else {
            throw TransactionFormatError(
                .badSignature, at: "transaction.from",
                "is \(transaction.from), but the signing key is \(key.address)'s; sign with the sender's key or change from."
            )
        }
        let canonicalJSON = CanonicalJSON.encode(transaction.json)
        let hash = Keccak256.hash(canonicalJSON)
        self.transaction = transaction
        self.signature = key.signPersonalMessage(hash.bytes)
        self.canonicalJSON = canonicalJSON
        self.hash = hash
    }

    /// Reads and checks a signed transaction from its JSON form.
    public init(json: JSONValue) throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: "$")
        let transaction = try Transaction(json: fields.member("transaction"))
        let signature = try fields.signature("signature")
        try fields.finish()
        try self.init(transaction, signature: signature)
    }

    /// Reads and checks a signed transaction from JSON bytes (strict RFC 8259: duplicate keys are refused).
    public init(jsonBytes: some DataProtocol) throws(TransactionFormatError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: jsonBytes)
        } catch {
            throw TransactionFormatError(.invalidJSON, at: "$", error.message)
        }
        try self.init(json: value)
    }

    /// `{"transaction": …, "signature": …}`.
    public var json: JSONValue {
        ["transaction": transaction.json, "signature": .string(signature.description)]
    }
}
