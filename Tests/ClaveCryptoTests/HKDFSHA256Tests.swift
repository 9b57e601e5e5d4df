import ClaveTestSupport
import Crypto
import Testing

@testable import ClaveCrypto

/// The HKDF-SHA256 that clave-stream derives its segment keys with: RFC 5869's vectors, and swift-crypto's output on
/// inputs of every length class (an empty salt, a salt longer than SHA-256's block, long info).
@Suite struct HKDFSHA256Tests {
    @Test func rfc5869Vectors() throws {
        let key = [UInt8](repeating: 0x0b, count: 22)
        // Test case 1: the first 32 bytes of its 42.
        #expect(
            HKDFSHA256.derive32(key: key, salt: Array(0x00...0x0c), info: Array(0xf0...0xf9))
                == Array(try Hex.decode("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf")))
        // Test case 3: no salt, no info.
        #expect(
            HKDFSHA256.derive32(key: key, salt: [], info: [])
                == Array(try Hex.decode("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d")))
    }

    @Test(arguments: [(0, 0, 0), (32, 32, 75), (1, 64, 1), (22, 65, 200), (100, 200, 0), (64, 13, 64)])
    func sameBytesAsSwiftCrypto(keyCount: Int, saltCount: Int, infoCount: Int) {
        var generator = SplitMix64(seed: UInt64(keyCount * 1_000_000 + saltCount * 1000 + infoCount))
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
        let (key, salt, info) = (bytes(keyCount), bytes(saltCount), bytes(infoCount))
        let expected = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: key), salt: salt, info: info, outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
        #expect(HKDFSHA256.derive32(key: key, salt: salt, info: info) == expected)
        let mac = HMAC<SHA256>.authenticationCode(for: info, using: SymmetricKey(data: salt))
        #expect(HKDFSHA256.hmac(key: salt, info) == Array(mac))
    }
}
