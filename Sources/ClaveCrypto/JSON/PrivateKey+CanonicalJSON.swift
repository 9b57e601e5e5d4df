extension PrivateKey {
    /// Signs a JSON document the way Clave signs transactions: an EIP-191 personal message whose message is the
    /// 32-byte keccak-256 of the document's RFC 8785 bytes (``CanonicalJSON/digest(_:)``).
    ///
    /// Any Ethereum library checks it: `Account.recover_message(encode_defunct(primitive=digest), signature=...)`.
    public func signCanonical(_ value: JSONValue) -> Signature {
        signPersonalMessage(CanonicalJSON.digest(value).bytes)
    }
}
