extension Signature {
    /// The address that signed `value` with ``PrivateKey/signCanonical(_:)``: EIP-191 over the keccak-256 of its
    /// RFC 8785 bytes.
    public func recoverCanonicalSigner(_ value: JSONValue) throws(CryptoError) -> Address {
        try recoverPersonalMessageSigner(CanonicalJSON.digest(value).bytes)
    }

    /// Checks that `signer` signed `value` with ``PrivateKey/signCanonical(_:)``; throws
    /// ``CryptoError/Code/signatureMismatch`` naming who did.
    public func verifyCanonical(_ value: JSONValue, signer: Address, what: String = "document") throws(CryptoError) {
        try verify(signer: signer, digest: EIP191.hash(personalMessage: CanonicalJSON.digest(value).bytes), what: what)
    }
}
