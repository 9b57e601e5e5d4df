public import Foundation
internal import CSecp256k1

/// A secp256k1 private key: the secret behind an account.
///
/// Its `description` never shows the secret; use ``rawRepresentation`` deliberately when it must be written out.
public struct PrivateKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 secret bytes, big-endian.
    public let rawRepresentation: [UInt8]
    /// The public key of this private key (computed once, as the key is made: every transaction, order and request
    /// a key signs names its address).
    public let publicKey: PublicKey
    /// The account address of this key.
    public let address: Address

    /// Validates and wraps 32 secret bytes: they must be a number in `1 ..< n`.
    public init(rawRepresentation bytes: some Sequence<UInt8>) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == 32 else {
            throw CryptoError(.invalidLength, "A private key is 32 bytes, but \(bytes.count) were given.")
        }
        guard secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, bytes) == 1 else {
            throw CryptoError(
                .invalidPrivateKey,
                "These 32 bytes are not a valid secp256k1 private key (zero or not below the curve order); generate a new key."
            )
        }
        rawRepresentation = bytes
        var pubkey = secp256k1_pubkey()
        let created = secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &pubkey, bytes)
        precondition(created == 1, "libsecp256k1 refused a private key it had validated")
        publicKey = PublicKey(parsed: pubkey)
        address = publicKey.address
    }

    /// Parses a private key written as 64 hex digits, with or without `0x`.
    public init(hex: some StringProtocol) throws(CryptoError) {
        try self.init(rawRepresentation: Hex.decode(hex, expectedCount: 32, what: "private key"))
    }

    /// A new key from the operating system's cryptographically secure random number generator.
    public static func generate() -> PrivateKey {
        var generator = SystemRandomNumberGenerator()
        while true {
            var bytes = [UInt8](repeating: 0, count: 32)
            for index in stride(from: 0, to: 32, by: 8) {
                let word = generator.next() as UInt64
                for byte in 0..<8 { bytes[index + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(byte))) }
            }
            if let key = try? PrivateKey(rawRepresentation: bytes) { return key }
        }
    }

    /// Signs a 32-byte digest: deterministic nonce (RFC 6979), low s, with the recovery id.
    public func sign(digest: Bytes32) -> Signature {
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        let signed = secp256k1_ecdsa_sign_recoverable(context, &signature, digest.bytes, rawRepresentation, nil, nil)
        precondition(signed == 1, "libsecp256k1 failed to sign with a valid key")
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature)
        return Signature(
            r: Bytes32(unchecked: Array(compact[0..<32])),
            s: Bytes32(unchecked: Array(compact[32..<64])),
            yParity: UInt8(recoveryID)
        )
    }

    /// Signs `message` as an EIP-191 personal message (`personal_sign`).
    public func signPersonalMessage(_ message: some DataProtocol) -> Signature {
        sign(digest: EIP191.hash(personalMessage: message))
    }

    public var description: String { "PrivateKey(address: \(address))" }
}
