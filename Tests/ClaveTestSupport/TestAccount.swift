package import ClaveCrypto

/// A party in a test: a deterministic key and its address.
package struct TestAccount: Sendable, Hashable {
    package let key: PrivateKey
    package let address: Address

    /// The account whose private key is the number `seed` (which must not be 0).
    package init(_ seed: UInt64) {
        key = try! PrivateKey(rawRepresentation: Bytes32(uint64: seed).bytes)
        address = key.address
    }
}
