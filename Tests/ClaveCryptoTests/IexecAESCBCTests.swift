import ClaveCrypto
import ClaveTestSupport
import Foundation
import Testing

/// iExec's `IV || AES-256-CBC(PKCS#7)` layout against `cryptography` and pycryptodome (iexec_aes_cbc.json).
@Suite struct IexecAESCBCTests {
    struct Vector: Decodable {
        let key: String
        let keyBase64: String
        let iv: String
        let plaintext: String
        let encrypted: String
        let checksum: String
    }

    static func vectors() throws -> [Vector] { try Fixtures.load([Vector].self, "iexec_aes_cbc.json") }

    @Test func matchesTheIndependentImplementation() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count >= 10)
        for vector in vectors {
            let key = try IexecAESCBC.Key(rawRepresentation: Hex.decode(vector.key))
            #expect(try IexecAESCBC.Key(base64: vector.keyBase64).rawRepresentation == key.rawRepresentation)
            #expect(key.base64 == vector.keyBase64)
            let plaintext = try Hex.decode(vector.plaintext)
            let encrypted = try Hex.decode(vector.encrypted)
            #expect(try IexecAESCBC.encrypt(plaintext, key: key, iv: Hex.decode(vector.iv)) == encrypted)
            #expect(encrypted.count == IexecAESCBC.encryptedByteCount(plaintextByteCount: plaintext.count))
            #expect(try IexecAESCBC.decrypt(encrypted, key: key) == plaintext)
            #expect(IexecAESCBC.checksum(encrypted) == vector.checksum)
        }
    }

    @Test func streamsInAnyChunks() throws {
        let vector = try Self.vectors().last!
        let key = try IexecAESCBC.Key(rawRepresentation: Hex.decode(vector.key))
        let plaintext = try Hex.decode(vector.plaintext)
        let encrypted = try Hex.decode(vector.encrypted)
        for chunk in [1, 5, 16, 17, 4096, 100_000] {
            let encryptor = try IexecAESCBCEncryptor(key: key, iv: Hex.decode(vector.iv))
            var sealed: [UInt8] = []
            var start = 0
            while start < plaintext.count {
                try encryptor.update(plaintext[start..<min(plaintext.count, start + chunk)]) { sealed += $0 }
                start += chunk
            }
            try encryptor.finish { sealed += $0 }
            #expect(sealed == encrypted, "chunks of \(chunk)")

            let decryptor = try IexecAESCBCDecryptor(key: key)
            var opened: [UInt8] = []
            start = 0
            while start < encrypted.count {
                try decryptor.update(encrypted[start..<min(encrypted.count, start + chunk)]) { opened += $0 }
                start += chunk
            }
            try decryptor.finish { opened += $0 }
            #expect(opened == plaintext, "chunks of \(chunk)")
        }
    }

    @Test func freshIVsEveryTime() throws {
        let key = IexecAESCBC.Key.generate()
        let a = try IexecAESCBC.encrypt(Array("same".utf8), key: key)
        let b = try IexecAESCBC.encrypt(Array("same".utf8), key: key)
        #expect(a != b)
        #expect(try IexecAESCBC.decrypt(a, key: key) == Array("same".utf8))
        #expect("\(key)" == "IexecAESCBC.Key(32 bytes, redacted)")
    }

    @Test func refusesShortOrRaggedInput() throws {
        let key = IexecAESCBC.Key.generate()
        for count in [0, 1, 15, 16, 31, 33, 47] {
            #expect(throws: CryptoError.self, "\(count) bytes") {
                try IexecAESCBC.decrypt([UInt8](repeating: 0, count: count), key: key)
            }
            do {
                _ = try IexecAESCBC.decrypt([UInt8](repeating: 0, count: count), key: key)
            } catch {
                #expect(error.code == .invalidLength)
                #expect(error.message.contains("16-byte IV and whole 16-byte blocks"))
            }
        }
        #expect(throws: CryptoError.self) { try IexecAESCBC.Key(rawRepresentation: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try IexecAESCBC.Key(base64: "not base64") }
        #expect(throws: CryptoError.self) { try IexecAESCBCEncryptor(key: key, iv: [0]) }
    }

    @Test func wrongKeyOrTamperingBreaksThePadding() throws {
        // Fixed keys and IV, so that the outcome of each padding check is fixed too.
        var generator = SplitMix64(seed: 9)
        let key = try IexecAESCBC.Key(
            rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let plaintext = Array("a protected zip would go here, at least a few blocks long".utf8)
        let encrypted = try IexecAESCBC.encrypt(plaintext, key: key, iv: [UInt8](repeating: 7, count: 16))

        // A wrong key: the padding check fails (with probability about 255/256).
        var wrongKeyFailures = 0
        for _ in 0..<20 {
            let other = try IexecAESCBC.Key(
                rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            do {
                _ = try IexecAESCBC.decrypt(encrypted, key: other)
            } catch {
                #expect(error.code == .authenticationFailed)
                #expect(error.message.contains("padding is wrong"))
                wrongKeyFailures += 1
            }
        }
        #expect(wrongKeyFailures >= 18)

        // The last block changed: its padding breaks.
        var tampered = encrypted
        tampered[tampered.count - 1] ^= 0x55
        #expect(throws: CryptoError.self) { try IexecAESCBC.decrypt(tampered, key: key) }
        // A bit flipped earlier decrypts to different plaintext without an error: CBC is not authenticated, which
        // is why the checksum exists.
        var flipped = encrypted
        flipped[20] ^= 0x01
        #expect(try IexecAESCBC.decrypt(flipped, key: key) != plaintext)
        #expect(IexecAESCBC.checksum(flipped) != IexecAESCBC.checksum(encrypted))
    }

    @Test func filesRoundTripAtomically() throws {
        let directory = try TemporaryDirectory(prefix: "clave-iexec-cbc")
        let source = directory.url.appendingPathComponent("data.zip")
        let sealed = directory.url.appendingPathComponent("data.zip.enc")
        let opened = directory.url.appendingPathComponent("data.out")
        var generator = SplitMix64(seed: 3)
        let plaintext = Data((0..<(3 << 20) + 123).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try plaintext.write(to: source)
        let key = IexecAESCBC.Key.generate()

        try IexecAESCBC.encryptFile(at: source, to: sealed, key: key)
        let sealedBytes = try Data(contentsOf: sealed)
        #expect(sealedBytes.count == IexecAESCBC.encryptedByteCount(plaintextByteCount: plaintext.count))
        #expect(try IexecAESCBC.checksumFile(at: sealed) == IexecAESCBC.checksum(sealedBytes))
        #expect(try IexecAESCBC.decrypt(sealedBytes, key: key) == Array(plaintext))

        try IexecAESCBC.decryptFile(at: sealed, to: opened, key: key)
        #expect(try Data(contentsOf: opened) == plaintext)

        // A wrong key leaves the destination untouched and no temporary file behind. The ciphertext is random, so
        // try keys until one breaks the padding, as about 255 in 256 do.
        var refused = false
        for seed in 0..<8 where !refused {
            var keyGenerator = SplitMix64(seed: UInt64(seed))
            let wrong = try IexecAESCBC.Key(
                rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &keyGenerator) })
            do {
                try IexecAESCBC.decryptFile(at: sealed, to: opened, key: wrong)
                try plaintext.write(to: opened)  // a padding that came out right by chance: put the file back
            } catch {
                #expect((error as? CryptoError)?.code == .authenticationFailed)
                refused = true
            }
        }
        #expect(refused)
        #expect(try Data(contentsOf: opened) == plaintext)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == [
                "data.out", "data.zip", "data.zip.enc",
            ])
    }
}
