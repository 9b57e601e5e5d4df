import ClaveCrypto
import Foundation
import Testing
import ClaveTestSupport

/// clave-stream-v1: round trips, incremental use, the documented test vector, and the independent reference.
@Suite struct StreamTests {
    // MARK: Round trips

    @Test(arguments: [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 32 * 7, 32 * 7 + 1, 1000])
    func roundTripSmallSegments(size: Int) throws {
        let plaintext = StreamFixture.bytes(size, seed: UInt64(size))
        let sealed = try ClaveStream.seal(plaintext, key: StreamFixture.key, segmentSize: 32)
        #expect(sealed.count == ClaveStream.sealedByteCount(plaintextByteCount: size, segmentSize: 32))
        #expect(try ClaveStream.open(sealed, key: StreamFixture.key) == plaintext)
    }

    @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 5])
    func roundTripDefaultSegments(size: Int) throws {
        let plaintext = StreamFixture.bytes(size, seed: 99)
        let sealed = try ClaveStream.seal(plaintext, key: StreamFixture.key)
        #expect(sealed.count == ClaveStream.sealedByteCount(plaintextByteCount: size))
        #expect(try ClaveStream.open(sealed, key: StreamFixture.key) == plaintext)
    }

    @Test func roundTripData() throws {
        let plaintext = Data(StreamFixture.bytes(5_000))
        let sealed: Data = try ClaveStream.seal(plaintext, key: StreamFixture.key, segmentSize: 1024)
        let opened: Data = try ClaveStream.open(sealed, key: StreamFixture.key)
        #expect(opened == plaintext)
    }

    @Test func emptyPlaintextSealsToSixtyFourBytes() throws {
        let sealed = try ClaveStream.seal([UInt8](), key: StreamFixture.key)
        #expect(sealed.count == 64)
        #expect(try ClaveStream.open(sealed, key: StreamFixture.key).isEmpty)
    }

    @Test func sealingDrawsAFreshSaltAndNoncePrefix() throws {
        let plaintext = StreamFixture.bytes(100)
        let first = try ClaveStream.seal(plaintext, key: StreamFixture.key)
        let second = try ClaveStream.seal(plaintext, key: StreamFixture.key)
        #expect(first[9..<41] != second[9..<41], "salt")
        #expect(first[41..<48] != second[41..<48], "nonce prefix")
        #expect(first[48...] != second[48...])
    }

    @Test func headerLayout() throws {
        let sealed = try StreamFixture.seal([1, 2, 3], segmentSize: 0x0001_0203)
        #expect(Array(sealed[0..<4]) == Array("CLVS".utf8))
        #expect(sealed[4] == 1)
        #expect(Array(sealed[5..<9]) == [0x00, 0x01, 0x02, 0x03])
        #expect(Array(sealed[9..<41]) == StreamFixture.bytes(32, seed: 7))
        #expect(Array(sealed[41..<48]) == StreamFixture.bytes(7, seed: 8))
    }

    // MARK: Incremental use

    /// Feeding random chunk sizes, including empty chunks, gives exactly the one-shot output, both ways.
    @Test(arguments: [16, 32, 100, 4096])
    func chunkedFeedingMatchesOneShot(segmentSize: Int) throws {
        var random = SplitMix64(seed: UInt64(segmentSize))
        for size in [0, 1, segmentSize - 1, segmentSize, segmentSize + 1, 5 * segmentSize, 7 * segmentSize + 3, 20_011]
        {
            let plaintext = StreamFixture.bytes(size, seed: UInt64(size))
            let oneShot = try StreamFixture.seal(plaintext, segmentSize: segmentSize)

            let sealer = try StreamSealer(
                key: StreamFixture.key,
                segmentSize: segmentSize,
                salt: StreamFixture.bytes(32, seed: 7),
                noncePrefix: StreamFixture.bytes(7, seed: 8)
            )
            var sealed: [UInt8] = []
            for chunk in Self.randomChunks(of: plaintext, maximum: 3 * segmentSize, using: &random) {
                try sealer.update(chunk) { sealed.append(contentsOf: $0) }
            }
            try sealer.finish { sealed.append(contentsOf: $0) }
            #expect(sealed == oneShot, "sealing \(size) bytes")

            let opener = StreamOpener(key: StreamFixture.key)
            var opened: [UInt8] = []
            for chunk in Self.randomChunks(of: oneShot, maximum: 3 * segmentSize, using: &random) {
                opened += try opener.update(chunk)
            }
            opened += try opener.finish()
            #expect(opened == plaintext, "opening \(size) bytes")
            #expect(opener.segmentSize == segmentSize)
        }
    }

    /// Byte-at-a-time feeding, the worst case for the held-back segment logic.
    @Test func byteAtATime() throws {
        let plaintext = StreamFixture.bytes(200)
        let sealer = try StreamSealer(key: StreamFixture.key, segmentSize: 16)
        var sealed: [UInt8] = []
        for byte in plaintext { sealed += try sealer.update([byte]) }
        sealed += try sealer.finish()
        let opener = StreamOpener(key: StreamFixture.key)
        var opened: [UInt8] = []
        for byte in sealed { opened += try opener.update([byte]) }
        opened += try opener.finish()
        #expect(opened == plaintext)
    }

    /// The opener hands out a segment's plaintext only once the whole segment (and its tag) has arrived.
    @Test func openerReleasesOnlyWholeAuthenticatedSegments() throws {
        let plaintext = StreamFixture.bytes(100)
        let sealed = try StreamFixture.seal(plaintext, segmentSize: 32)
        let opener = StreamOpener(key: StreamFixture.key)
        // Header + first segment + one more byte: only now is segment 0 known not to be the last one.
        #expect(try opener.update(sealed[..<(48 + 48)]).isEmpty)
        #expect(try opener.update(sealed[96..<97]) == Array(plaintext[0..<32]))
    }

    @Test func sinkErrorsAreRethrownUnchanged() throws {
        struct Full: Error {}
        let sealer = try StreamSealer(key: StreamFixture.key, segmentSize: 16)
        #expect(throws: Full.self) { try sealer.update(StreamFixture.bytes(100)) { _ in throw Full() } }
        // The sealer is now unusable: it refuses rather than producing a stream with a hole in it.
        #expect(throws: CryptoError.self) { try sealer.finish() }
    }

    @Test(arguments: [0, 15, 16 * 1024 * 1024 + 1, -1])
    func sealerRefusesSegmentSizesOutsideTheRange(size: Int) {
        let error = #expect(throws: CryptoError.self) {
            _ = try StreamSealer(key: StreamFixture.key, segmentSize: size)
        }
        #expect(error?.code == .invalidLength)
    }

    static func randomChunks(of bytes: [UInt8], maximum: Int, using random: inout SplitMix64) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < bytes.count {
            let size = Int.random(in: 0...maximum, using: &random)
            chunks.append(bytes[offset..<min(offset + size, bytes.count)])
            offset += size
        }
        return chunks
    }

    // MARK: Keys

    @Test func keys() throws {
        #expect(throws: CryptoError.self) { try StreamKey(rawRepresentation: [UInt8](repeating: 1, count: 31)) }
        let a = StreamKey.generate()
        let b = StreamKey.generate()
        #expect(a.rawRepresentation.count == 32)
        #expect(a.rawRepresentation != b.rawRepresentation)
        #expect(!a.description.contains(Hex.encode(a.rawRepresentation, prefix: false)))
    }

    /// Each stream draws its own salt and nonce prefix (header bytes 9–40 and 41–47), in one call to the system's
    /// generator: two streams under one key never share them, and neither is left zero.
    @Test func everyStreamDrawsAFreshSaltAndNoncePrefix() throws {
        let key = StreamKey.generate()
        let headers = try (0..<8).map { _ in Array(try ClaveStream.seal([1, 2, 3], key: key).prefix(48)) }
        #expect(Set(headers.map { $0[9..<41] }).count == headers.count)
        #expect(Set(headers.map { $0[41..<48] }).count == headers.count)
        for header in headers {
            #expect(header[9..<41].contains { $0 != 0 })
            #expect(header[41..<48].contains { $0 != 0 })
        }
    }

    // MARK: Vectors

    /// The test vector printed in docs/formats/clave-stream-v1.md.
    @Test func documentedVector() throws {
        let key = try StreamKey(rawRepresentation: Hex.decode(StreamVector.key))
        let sealer = try StreamSealer(
            key: key,
            segmentSize: StreamVector.segmentSize,
            salt: Hex.decode(StreamVector.salt),
            noncePrefix: Hex.decode(StreamVector.noncePrefix)
        )
        let plaintext = Array(StreamVector.plaintext.utf8)
        let sealed = try sealer.update(plaintext) + sealer.finish()
        #expect(Hex.encode(sealed, prefix: false) == StreamVector.stream)
        #expect(try ClaveStream.open(sealed, key: key) == plaintext)
    }

    /// The documented empty-plaintext vector: a header and one empty last segment.
    @Test func documentedEmptyVector() throws {
        let key = try StreamKey(rawRepresentation: Hex.decode(StreamVector.key))
        let sealer = try StreamSealer(
            key: key,
            segmentSize: StreamVector.segmentSize,
            salt: Hex.decode(StreamVector.salt),
            noncePrefix: Hex.decode(StreamVector.noncePrefix)
        )
        let sealed = try sealer.finish()
        #expect(Hex.encode(sealed, prefix: false) == StreamVector.emptyStream)
        #expect(try ClaveStream.open(sealed, key: key).isEmpty)
    }

    /// OpenSSL (the library's path) and swift-crypto's BoringSSL, following the specification, agree byte for byte.
    @Test(arguments: [16, 32, 1000])
    func matchesIndependentReference(segmentSize: Int) throws {
        for size in [0, 1, segmentSize - 1, segmentSize, segmentSize + 1, 4 * segmentSize, 4 * segmentSize + 7] {
            let plaintext = StreamFixture.bytes(size, seed: UInt64(size) &+ 11)
            let expected = try ReferenceStream.seal(
                plaintext,
                key: StreamFixture.key.rawRepresentation,
                segmentSize: segmentSize,
                salt: StreamFixture.bytes(32, seed: 7),
                noncePrefix: StreamFixture.bytes(7, seed: 8)
            )
            #expect(try StreamFixture.seal(plaintext, segmentSize: segmentSize) == expected, "\(size) bytes")
        }
    }

    /// A stream whose whole-segment plaintext ends with an extra empty last segment (which this implementation
    /// never writes, but the format allows) opens.
    @Test func readersAcceptAnEmptyLastSegmentAfterFullOnes() throws {
        let plaintext = StreamFixture.bytes(64)
        let stream = try ReferenceStream.seal(
            plaintext,
            key: StreamFixture.key.rawRepresentation,
            segmentSize: 32,
            salt: StreamFixture.bytes(32, seed: 7),
            noncePrefix: StreamFixture.bytes(7, seed: 8),
            emptyLastSegment: true
        )
        #expect(stream.count == 48 + 3 * 16 + 64)
        #expect(try ClaveStream.open(stream, key: StreamFixture.key) == plaintext)
    }
}

/// The vector in docs/formats/clave-stream-v1.md ("Test vector"), checked there by an independent implementation.
enum StreamVector {
    static let key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let salt = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    static let noncePrefix = "c0c1c2c3c4c5c6"
    static let segmentSize = 32
    static let plaintext = "clave-stream-v1 seals data of any size, one authenticated segment at a time."
    static let stream =
        "434c56530100000020a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6"
        + "b20f8ba94c4a0bba45be6b36f9cd1666bf91b9e3e12983debebcb16318bda3263f034826c47d322ffce3b9e97709c02b"
        + "115fc63eee989a76ef4be3353561117c545d31606a7c40c3d927c6e26f022459482e7c5075835e6fb51466dd23ab4a79"
        + "95c94165d3eada33e4419ce73922299fc5c0b19655e0a5880ed2944a"
    static let emptyStream =
        "434c56530100000020a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6"
        + "e916cecc75196c80f0803430d4cd709c"
}
