import Crypto
public import Foundation

extension X25519PrivateKey {
    /// An X25519 key derived deterministically from another secret: HKDF-SHA256 (RFC 5869) with `secret` as input
    /// keying material, `salt`, and `label` as `info`, 32 bytes of output taken as the private scalar (RFC 7748
    /// clamps it when it is used, so every output is a valid key).
    ///
    /// The same secret and label always give the same key, and different labels give unrelated keys; callers pick a
    /// label per purpose (ClaveCore's `ResultKey` uses `clave-result-key-v1`).
    public static func derived(
        fromSecret secret: some DataProtocol, salt: some DataProtocol = [UInt8](), label: some DataProtocol
    ) -> X25519PrivateKey {
        let bytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secret)), salt: Array(salt), info: Array(label),
            outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
        // Every 32-byte string is an X25519 private key.
        return try! X25519PrivateKey(rawRepresentation: bytes)
    }
}
