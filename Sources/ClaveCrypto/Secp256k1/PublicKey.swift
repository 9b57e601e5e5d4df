import Foundation
internal import CSecp256k1

/// A secp256k1 public key.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The 64 bytes `x || y` (the uncompressed SEC 1 encoding without its `0x04` prefix).
    public let rawRepresentation: [UInt8]

    init(parsed pubkey: secp256k1_pubkey) {
        var pubkey = pubkey
        var output = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(
            Secp256k1Context.shared.pointer, &output, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        rawRepresentation = Array(output[1..<65])
    }

    /// Parses a public key: 33 bytes (compressed), 65 bytes (uncompressed, `0x04` prefix) or 64 bytes (`x || y`).
    /// The point must lie on the curve.
    public init(bytes: some Sequence<UInt8>) throws(CryptoError) {
        var input = Array(bytes)
        if input.count == 64 { input.insert(0x04, at: 0) }
        guard input.count == 33 || input.count == 65 else {
            throw CryptoError(
                .invalidLength,
                "A public key is 33 bytes (compressed) or 64/65 bytes (uncompressed), but \(input.count) were given."
            )
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &pubkey, input, input.count) == 1 else {
            throw CryptoError(.invalidPublicKey, "These bytes are not a point on the secp256k1 curve.")
        }
        self.init(parsed: pubkey)
    }

    /// The 33-byte compressed SEC 1 encoding.
    public var compressedRepresentation: [UInt8] {
        [rawRepresentation[63] & 1 == 0 ? 0x02 : 0x03] + rawRepresentation[0..<32]
    }

    /// The account address: the last 20 bytes of keccak256(x || y).
    public var address: Address { Address(unchecked: Array(Keccak256.hash(rawRepresentation).bytes[12...])) }

    /// True when `signature` over `digest` was made by this key's private key.
    /// High-s signatures are refused, as Ethereum refuses them.
    public func isValidSignature(_ signature: Signature, for digest: Bytes32) -> Bool {
        (try? signature.recoverPublicKey(digest: digest)) == self
    }

    public var description: String { Hex.encode(rawRepresentation) }
}
