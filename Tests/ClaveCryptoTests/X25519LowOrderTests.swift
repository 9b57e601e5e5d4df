import ClaveCrypto
import ClaveTestSupport
import Crypto
import Foundation
import Testing

/// X25519PublicKey refuses the low-order points by comparing against their seven encodings; these tests check that
/// list against what a key agreement with them gives, so that neither a low-order point gets in nor a real key is
/// refused.
@Suite struct X25519LowOrderTests {
    /// Whether X25519 of a fresh private key with `bytes` gives the all-zero secret (or swift-crypto refuses it).
    func agreementIsZero(_ bytes: [UInt8]) throws -> Bool {
        let point = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        guard let secret = try? Curve25519.KeyAgreement.PrivateKey().sharedSecretFromKeyAgreement(with: point) else {
            return true
        }
        return secret.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
    }

    static let lowOrder = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]

    @Test(arguments: lowOrder)
    func aLowOrderPointIsRefusedWithOrWithoutTheTopBit(hex: String) throws {
        var bytes = try Hex.decode(hex, what: "point")
        #expect(try agreementIsZero(bytes))
        let error = #expect(throws: ClaveCrypto.CryptoError.self) { try X25519PublicKey(rawRepresentation: bytes) }
        #expect(error?.code == .invalidPublicKey)
        // X25519 ignores the top bit: the same point with it set is refused too.
        bytes[31] |= 0x80
        #expect(try agreementIsZero(bytes))
        #expect(throws: ClaveCrypto.CryptoError.self) { try X25519PublicKey(rawRepresentation: bytes) }
    }

    /// Every bit of each low-order encoding but the top one flipped: each is accepted exactly when the key agreement
    /// with it is not zero.
    @Test func pointsNextToTheLowOrderOnesAgreeWithTheKeyAgreement() throws {
        for hex in Self.lowOrder {
            let point = try Hex.decode(hex, what: "point")
            for bit in 0..<255 {
                var near = point
                near[bit / 8] ^= UInt8(1) << (bit % 8)
                let refused = (try? X25519PublicKey(rawRepresentation: near)) == nil
                #expect(refused == (try agreementIsZero(near)), "\(Hex.encode(near))")
            }
        }
    }

    @Test func randomPointsAndRealKeysAreAccepted() throws {
        var random = SplitMix64(seed: 25519)
        for _ in 0..<500 {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(!(try agreementIsZero(bytes)))
            #expect(throws: Never.self) { try X25519PublicKey(rawRepresentation: bytes) }
        }
        let key = X25519PrivateKey.generate()
        #expect(try X25519PublicKey(rawRepresentation: key.publicKey.rawRepresentation) == key.publicKey)
    }
}
