public import Foundation
internal import CSecp256k1

/// A recoverable secp256k1 ECDSA signature as Ethereum writes it.
///
/// - 65 bytes `r || s || v` with `v` = 27 + yParity (``rawRepresentation``); parsing also takes v = 0 or 1.
/// - 64 bytes EIP-2098 compact `r || (yParity << 255 | s)` (``compactRepresentation``).
///
/// Only low-s signatures exist as values: parsing refuses a high s (EIP-2), and signing never makes one.
public struct Signature: Sendable, Hashable, CustomStringConvertible, Codable {
    public let r: Bytes32
    public let s: Bytes32
    /// 0 or 1: the parity of the y coordinate of the nonce point (the recovery id).
    public let yParity: UInt8

    init(r: Bytes32, s: Bytes32, yParity: UInt8) {
        self.r = r
        self.s = s
        self.yParity = yParity
    }

    /// Parses 65 bytes (`r || s || v`, v in 0, 1, 27, 28) or 64 bytes (EIP-2098 compact).
    public init(bytes: some Sequence<UInt8>) throws(CryptoError) {
        let bytes = Array(bytes)
        let r = Array(bytes.prefix(32))
        var s: [UInt8]
        let parity: UInt8
        switch bytes.count {
        case 65:
            s = Array(bytes[32..<64])
            switch bytes[64] {
            case 0, 1: parity = bytes[64]
            case 27, 28: parity = bytes[64] - 27
            default:
                throw CryptoError(
                    .invalidSignature,
                    "The signature's recovery byte v is \(bytes[64]); it must be 27 or 28 (or 0 or 1)."
                )
            }
        case 64:
            s = Array(bytes[32..<64])
            parity = s[0] >> 7
            s[0] &= 0x7F
        default:
            throw CryptoError(
                .invalidLength,
                "A signature is 65 bytes (r, s, v) or 64 bytes (EIP-2098 compact), but \(bytes.count) were given."
            )
        }
        try Signature.checkScalar(r, name: "r")
        try Signature.checkScalar(s, name: "s")
        if Secp256k1Curve.halfOrder.lexicographicallyPrecedes(s) {
            throw CryptoError(
                .highS,
                "The signature has a high s value, which Ethereum refuses (EIP-2) because it is malleable; sign again with a library that normalizes s."
            )
        }
        self.init(r: Bytes32(unchecked: r), s: Bytes32(unchecked: s), yParity: parity)
    }

    /// Parses hex text of a 65- or 64-byte signature.
    public init(hex: some StringProtocol) throws(CryptoError) {
        try self.init(bytes: Hex.decode(hex, what: "signature"))
    }

    private static func checkScalar(_ value: [UInt8], name: String) throws(CryptoError) {
        guard value.contains(where: { $0 != 0 }), value.lexicographicallyPrecedes(Secp256k1Curve.order) else {
            throw CryptoError(
                .invalidSignature,
                "The signature's \(name) is zero or not below the curve order, so it cannot be a valid signature."
            )
        }
    }

    /// 65 bytes `r || s || v` with v = 27 or 28, as `eth_sign` and iExec return it.
    public var rawRepresentation: [UInt8] { r.bytes + s.bytes + [27 + yParity] }

    /// 64 bytes, EIP-2098 compact form.
    public var compactRepresentation: [UInt8] {
        var yParityAndS = s.bytes
        yParityAndS[0] |= yParity << 7
        return r.bytes + yParityAndS
    }

    /// The public key that made this signature over `digest`.
    public func recoverPublicKey(digest: Bytes32) throws(CryptoError) -> PublicKey {
        let context = Secp256k1Context.shared.pointer
        var recoverable = secp256k1_ecdsa_recoverable_signature()
        let compact = r.bytes + s.bytes
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &recoverable, compact, Int32(yParity)) == 1
        else {
            throw CryptoError(.invalidSignature, "The signature could not be parsed; it is malformed.")
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pubkey, &recoverable, digest.bytes) == 1 else {
            throw CryptoError(
                .invalidSignature,
                "No public key can be recovered from this signature and digest; the signature is invalid.")
        }
        return PublicKey(parsed: pubkey)
    }

    /// The address that made this signature over `digest`.
    public func recoverAddress(digest: Bytes32) throws(CryptoError) -> Address {
        try recoverPublicKey(digest: digest).address
    }

    /// The address that signed `message` as an EIP-191 personal message.
    public func recoverPersonalMessageSigner(_ message: some DataProtocol) throws(CryptoError) -> Address {
        try recoverAddress(digest: EIP191.hash(personalMessage: message))
    }

    /// Checks that `expected` signed `digest`; throws ``CryptoError/Code/signatureMismatch`` naming who did.
    public func verify(signer expected: Address, digest: Bytes32, what: String = "message") throws(CryptoError) {
        let actual = try recoverAddress(digest: digest)
        guard actual == expected else {
            throw CryptoError(
                .signatureMismatch,
                "The \(what) is signed by \(actual), not by \(expected); have \(expected) sign it."
            )
        }
    }

    public var description: String { Hex.encode(rawRepresentation) }

    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(from: decoder) { (text) throws(CryptoError) in try Signature(hex: text) }
    }

    public func encode(to encoder: any Encoder) throws {
        try TextCoding.encode(description, to: encoder)
    }
}
