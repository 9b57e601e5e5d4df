import ClaveCrypto
import Crypto
import CryptoExtras
import Foundation
import Testing
import ClaveTestSupport

/// Clave's own scrypt (`Scrypt`, whose ROMix is the C target `CClaveScrypt`), which keystores use for the parameters
/// swift-crypto refuses.
@Suite struct ScryptTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let password: String
        let salt: String
        let n: Int
        let r: Int
        let p: Int
        let derivedKey: String

        var testDescription: String { "\"\(password)\" / \"\(salt)\", n=\(n), r=\(r), p=\(p)" }
    }

    /// RFC 7914 section 12, "Test Vectors for scrypt", all with dkLen 64. The fourth (n = 2^20, 1 GiB) is left out:
    /// it takes too long in a debug build, and swift-crypto runs those parameters for keystores anyway.
    static let rfc7914: [Vector] = [
        Vector(
            password: "",
            salt: "",
            n: 16,
            r: 1,
            p: 1,
            derivedKey: "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        ),
        Vector(
            password: "password",
            salt: "NaCl",
            n: 1024,
            r: 8,
            p: 16,
            derivedKey: "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        ),
        Vector(
            password: "pleaseletmein",
            salt: "SodiumChloride",
            n: 16384,
            r: 8,
            p: 1,
            derivedKey: "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                + "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"
        ),
    ]

    /// Parameters swift-crypto refuses, computed by pycryptodome 3.24.1 (the scrypt eth-account uses):
    /// `Crypto.Protocol.KDF.scrypt(b"clave", b"pycryptodome", 32, n, r, p).hex()`.
    static let refusedBySwiftCrypto: [Vector] = [
        // n = 2^16 with r = 1 breaks RFC 7914's n < 2^(16·r).
        Vector(
            password: "clave",
            salt: "pycryptodome",
            n: 65536,
            r: 1,
            p: 1,
            derivedKey: "ae44131d4bf7af35698de650006a201e2c204474ba7f92769013f2da6a0e8d3a"
        ),
        // p = 1 with r > 16 is above swift-crypto's fixed memory limit.
        Vector(
            password: "clave",
            salt: "pycryptodome",
            n: 16,
            r: 17,
            p: 1,
            derivedKey: "5b92b48b98974161320e49140ec7cd3df8f25d2b481fee3124d1e580e9c06ef3"
        ),
        Vector(
            password: "clave",
            salt: "pycryptodome",
            n: 1024,
            r: 32,
            p: 1,
            derivedKey: "49d3e9ddb75815f525c7c199099b7a3c26257cbd11197028c433a79f6ec1a7c0"
        ),
    ]

    @Test(arguments: rfc7914)
    func rfc7914Vectors(_ vector: Vector) throws {
        #expect(try derive(vector, outputByteCount: 64) == (try Hex.decode(vector.derivedKey)))
    }

    @Test(arguments: refusedBySwiftCrypto)
    func matchesPycryptodomeWhereSwiftCryptoRefuses(_ vector: Vector) throws {
        #expect(!Scrypt.swiftCryptoAccepts(n: vector.n, r: vector.r, p: vector.p))
        #expect(throws: (any Error).self) { try swiftCrypto(vector, outputByteCount: 32) }
        #expect(try derive(vector, outputByteCount: 32) == (try Hex.decode(vector.derivedKey)))
    }

    /// Random parameters that swift-crypto accepts, random passwords, salts and output lengths: both implementations
    /// derive the same bytes. Seeded, so a failure repeats.
    @Test(arguments: 0..<10)
    func matchesSwiftCrypto(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let n = 1 << Int.random(in: 1...10, using: &random)
        let r = Int.random(in: 1...8, using: &random)
        let p = Int.random(in: 1...4, using: &random)
        let password = random.bytes(count: 0...40)
        let salt = random.bytes(count: 0...40)
        let outputByteCount = Int.random(in: 1...100, using: &random)
        #expect(Scrypt.swiftCryptoAccepts(n: n, r: r, p: p))

        let ours = try Scrypt.deriveKey(
            password: password,
            salt: salt,
            n: n,
            r: r,
            p: p,
            outputByteCount: outputByteCount
        )
        let theirs = try CryptoExtras.KDF.Scrypt.deriveKey(
            from: password,
            salt: salt,
            outputByteCount: outputByteCount,
            rounds: n,
            blockSize: r,
            parallelism: p
        )
        #expect(bytes(ours) == bytes(theirs), "n=\(n), r=\(r), p=\(p), password \(password), salt \(salt)")
    }

    /// `swiftCryptoAccepts` answers what swift-crypto does, at the edges of each of its rules: never true where it
    /// throws (the keystore would fail), and, with 4 KiB pages, never false where it runs.
    @Test(arguments: [
        (16, 1, 1), (1 << 15, 1, 1), (1 << 16, 1, 1), (1 << 17, 1, 8), (1 << 18, 1, 8), (1 << 16, 2, 1),
        (16, 16, 1), (16, 17, 1), (16, 32, 1), (16, 17, 2), (2, 32, 2), (2, 33, 2), (4, 33, 2), (1024, 8, 16),
    ])
    func predictsSwiftCrypto(n: Int, r: Int, p: Int) {
        let predicted = Scrypt.swiftCryptoAccepts(n: n, r: r, p: p)
        // Refusals are parameter checks that return at once; only the accepted cases do the work.
        let vector = Vector(password: "", salt: "", n: n, r: r, p: p, derivedKey: "")
        let ran = (try? swiftCrypto(vector, outputByteCount: 32)) != nil
        #expect(!predicted || ran, "predicted that swift-crypto runs n=\(n), r=\(r), p=\(p), but it refused")
        if sysconf(Int32(_SC_PAGESIZE)) == 4096 {
            #expect(predicted || !ran, "predicted that swift-crypto refuses n=\(n), r=\(r), p=\(p), but it ran")
        }
    }

    @Test func refusesParametersScryptIsNotDefinedFor() {
        for (n, r, p, count) in [(1000, 8, 1, 32), (1, 8, 1, 32), (0, 8, 1, 32), (16, 0, 1, 32), (16, 1, 0, 32)]
            + [(16, 1, 1, 0), (16, -1, 1, 32), (16, 1 << 40, 1 << 40, 32), (16, 1 << 33, 1, 32)]
        {
            let error = expectCryptoError(.invalidFormat) {
                try Scrypt.deriveKey(password: [], salt: [], n: n, r: r, p: p, outputByteCount: count)
            }
            #expect(error?.message.contains("n=\(n), r=\(r), p=\(p)") == true)
        }
    }

    /// Sizes that overflow the ROMix working memory, (n + 2)·128·r bytes, are refused before any allocation.
    @Test func refusesWorkingMemoryThatOverflows() {
        let error = expectCryptoError(.invalidFormat) {
            try Scrypt.deriveKey(password: [], salt: [], n: 1 << 62, r: 1, p: 1, outputByteCount: 32)
        }
        #expect(error?.message.contains("does not fit in memory") == true)
    }

    /// 2^57 bytes of working memory: the allocation fails, and says so, rather than crashing.
    @Test func reportsAllocationFailure() {
        let error = expectCryptoError(.libraryFailure) {
            try Scrypt.deriveKey(password: [], salt: [], n: 1 << 50, r: 1, p: 1, outputByteCount: 32)
        }
        #expect(error?.message.contains("could not allocate") == true)
    }

    // MARK: Helpers

    private func derive(_ vector: Vector, outputByteCount: Int) throws -> [UInt8] {
        try bytes(
            Scrypt.deriveKey(
                password: Array(vector.password.utf8),
                salt: Array(vector.salt.utf8),
                n: vector.n,
                r: vector.r,
                p: vector.p,
                outputByteCount: outputByteCount
            )
        )
    }

    private func swiftCrypto(_ vector: Vector, outputByteCount: Int) throws -> [UInt8] {
        try bytes(
            CryptoExtras.KDF.Scrypt.deriveKey(
                from: Array(vector.password.utf8),
                salt: Array(vector.salt.utf8),
                outputByteCount: outputByteCount,
                rounds: vector.n,
                blockSize: vector.r,
                parallelism: vector.p
            )
        )
    }

    private func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }
}
