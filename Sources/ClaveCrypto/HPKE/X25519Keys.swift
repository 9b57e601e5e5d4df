import Crypto
public import Foundation

/// An X25519 private key: what a beneficiary keeps to open the HPKE envelopes sealed to it.
///
/// Its `description` never shows the secret; use ``rawRepresentation`` deliberately when it must be written out.
public struct X25519PrivateKey: Sendable, CustomStringConvertible {
    let key: Curve25519.KeyAgreement.PrivateKey

    /// A new key from the operating system's cryptographically secure random number generator.
    public static func generate() -> X25519PrivateKey {
        X25519PrivateKey(key: Curve25519.KeyAgreement.PrivateKey())
    }

    private init(key: Curve25519.KeyAgreement.PrivateKey) {
        self.key = key
    }

    /// Wraps 32 secret bytes (RFC 7748 scalar encoding; every 32-byte string is a usable key).
    public init(rawRepresentation bytes: some DataProtocol) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == 32 else {
            throw CryptoError(.invalidLength, "An X25519 private key is 32 bytes, but \(bytes.count) were given.")
        }
        do {
            key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
        } catch {
            throw CryptoError(.libraryFailure, "swift-crypto refused a 32-byte X25519 private key: \(error).")
        }
    }

    /// Parses a private key written as 64 hex digits, with or without `0x`.
    public init(hex: some StringProtocol) throws(CryptoError) {
        try self.init(rawRepresentation: Hex.decode(hex, expectedCount: 32, what: "X25519 private key"))
    }

    /// The 32 secret bytes.
    public var rawRepresentation: [UInt8] { Array(key.rawRepresentation) }

    /// The public key to give to senders.
    public var publicKey: X25519PublicKey { X25519PublicKey(checked: key.publicKey) }

    public var description: String { "X25519PrivateKey(publicKey: \(publicKey))" }
}

/// An X25519 public key: where senders seal HPKE envelopes (a beneficiary's result key, an enclave's key).
///
/// Written as `0x` followed by 64 lowercase hex digits, in text and in JSON.
public struct X25519PublicKey: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The 32 bytes (RFC 7748 u-coordinate encoding).
    public let rawRepresentation: [UInt8]

    init(checked key: Curve25519.KeyAgreement.PublicKey) {
        rawRepresentation = Array(key.rawRepresentation)
    }

    /// Wraps 32 bytes. Refuses the low-order points, whose Diffie-Hellman output is all zeros whatever the other
    /// key: RFC 9180 (section 7.1.4) requires HPKE to abort on them, and nothing sealed to one would be secret.
    public init(rawRepresentation bytes: some DataProtocol) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == 32 else {
            throw CryptoError(.invalidLength, "An X25519 public key is 32 bytes, but \(bytes.count) were given.")
        }
        guard !Self.isLowOrder(bytes) else {
            throw CryptoError(
                .invalidPublicKey,
                "These 32 bytes are a low-order X25519 point, not a usable public key: anything sealed to it could be read by anyone. Ask the recipient for their real public key."
            )
        }
        rawRepresentation = bytes
    }

    /// Parses 64 hex digits, with or without `0x`.
    public init(hex: some StringProtocol) throws(CryptoError) {
        try self.init(rawRepresentation: Hex.decode(hex, expectedCount: 32, what: "X25519 public key"))
    }

    /// `0x` + 64 lowercase hex digits.
    public var hex: String { Hex.encode(rawRepresentation) }

    public var description: String { hex }

    var cryptoKey: Curve25519.KeyAgreement.PublicKey {
        // The bytes were validated on construction; swift-crypto only checks the length.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: rawRepresentation)
    }

    /// Whether X25519 with the point `bytes` yields the all-zero secret, whatever the scalar: exactly when the point's
    /// order divides the cofactor 8. Those points have seven encodings once X25519's ignored top bit is cleared
    /// (libsodium's list: 0, 1, the two u-coordinates of order 8, p − 1, and the non-canonical p and p + 1), compared
    /// here instead of computing a key agreement, which costs two scalar multiplications per key read.
    static func isLowOrder(_ bytes: [UInt8]) -> Bool {
        var point = bytes
        point[31] &= 0x7F
        return lowOrderPoints.contains(point)
    }

    static let lowOrderPoints: [[UInt8]] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ].map { try! Hex.decode($0, what: "a low-order X25519 point") }

    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(from: decoder) { (text) throws(CryptoError) in try X25519PublicKey(hex: text) }
    }

    public func encode(to encoder: any Encoder) throws {
        try TextCoding.encode(hex, to: encoder)
    }
}
