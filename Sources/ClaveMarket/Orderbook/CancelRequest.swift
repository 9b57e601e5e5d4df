public import ClaveCrypto

/// What an order's signer signs to cancel it in the orderbook: the JSON document
/// `{"cancel": "0x<order hash>", "chainId": <chain id>}`, signed as Clave signs documents (an EIP-191 personal message
/// over keccak-256 of its RFC 8785 bytes, ``ClaveCrypto/PrivateKey/signCanonical(_:)``).
///
/// Cancelling in the book only stops the book from showing the order. Whoever already holds the signed order can still
/// match it on the ledger; to make the ledger refuse it, send a `closeOrder` transaction, which the book then sees as
/// the order being consumed.
public struct CancelRequest: Sendable, Hashable {
    public var orderHash: Bytes32
    public var chainId: UInt64

    public init(orderHash: Bytes32, chainId: UInt64) {
        self.orderHash = orderHash
        self.chainId = chainId
    }

    /// The document that is signed.
    public var json: JSONValue {
        ["cancel": .string(orderHash.description), "chainId": .number(.init(chainId))]
    }

    /// The signature of `key`'s owner over this request.
    public func sign(with key: PrivateKey) -> Signature {
        key.signCanonical(json)
    }

    /// Who signed this request with `signature`.
    public func signer(of signature: Signature) throws(CryptoError) -> Address {
        try signature.recoverCanonicalSigner(json)
    }
}
