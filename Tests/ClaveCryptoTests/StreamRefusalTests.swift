import ClaveCrypto
import Foundation
import Testing

/// Every way a clave-stream-v1 stream can be damaged or forged is refused, with a code and a useful message.
@Suite struct StreamRefusalTests {
    static let segmentSize = 32
    /// 3 full segments and a 4-byte last one.
    static let plaintext = StreamFixture.bytes(100)
    static let sealed = try! StreamFixture.seal(plaintext, segmentSize: segmentSize)
    /// Exactly 3 full segments: the last segment is full too.
    static let alignedPlaintext = StreamFixture.bytes(96)
    static let aligned = try! StreamFixture.seal(alignedPlaintext, segmentSize: segmentSize)

    static func segments(_ stream: [UInt8]) -> [[UInt8]] {
        StreamFixture.segments(of: stream, segmentSize: segmentSize)
    }

    // MARK: Truncation

    @Test func truncatedAtASegmentBoundary() {
        let parts = Self.segments(Self.sealed)
        #expect(parts.count == 4)
        for kept in 1..<parts.count {
            StreamFixture.expectRefusal(
                StreamFixture.assemble(header: Self.sealed, Array(parts.prefix(kept))),
                code: .authenticationFailed,
                mentioning: "was truncated"
            )
        }
    }

    @Test func truncatedBeforeAFullLastSegment() {
        let parts = Self.segments(Self.aligned)
        #expect(parts.count == 3 && parts.allSatisfy { $0.count == 48 })
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.aligned, Array(parts.prefix(2))),
            code: .authenticationFailed,
            mentioning: "was not sealed as the last segment"
        )
    }

    @Test func truncatedAnywhere() {
        // Every possible length short of the whole stream is refused.
        for length in 0..<Self.sealed.count {
            do {
                _ = try ClaveStream.open(Self.sealed[..<length], key: StreamFixture.key)
                Issue.record("A stream cut to \(length) of \(Self.sealed.count) bytes opened")
            } catch {
                let expected: CryptoError.Code =
                    length < ClaveStream.headerByteCount ? .invalidFormat : .authenticationFailed
                #expect(error.code == expected, "cut to \(length): \(error)")
            }
        }
    }

    @Test func truncatedInsideTheHeaderOrRightAfterIt() {
        StreamFixture.expectRefusal([], code: .invalidFormat, mentioning: "empty")
        StreamFixture.expectRefusal(
            Array(Self.sealed.prefix(20)), code: .invalidFormat, mentioning: "inside its 48-byte header")
        StreamFixture.expectRefusal(
            Array(Self.sealed.prefix(48)), code: .authenticationFailed, mentioning: "without any segment")
        StreamFixture.expectRefusal(
            Array(Self.sealed.prefix(48 + 5)), code: .authenticationFailed, mentioning: "5 bytes after its header")
        StreamFixture.expectRefusal(
            Array(Self.sealed.prefix(48 + 48 + 5)), code: .authenticationFailed, mentioning: "5 bytes after segment 0")
    }

    // MARK: Extension

    @Test(arguments: [1, 15, 16, 17, 48, 1000])
    func bytesAppended(count: Int) {
        StreamFixture.expectRefusal(Self.sealed + StreamFixture.bytes(count, seed: 3), code: .authenticationFailed)
        StreamFixture.expectRefusal(Self.aligned + StreamFixture.bytes(count, seed: 3), code: .authenticationFailed)
    }

    @Test func wholeSegmentAppendedAfterAFullLastSegment() {
        let parts = Self.segments(Self.aligned)
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.aligned, parts + [parts[1]]),
            code: .authenticationFailed,
            mentioning: "more bytes follow it"
        )
    }

    @Test func wholeSegmentAppendedAfterAShortLastSegment() {
        let parts = Self.segments(Self.sealed)
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.sealed, parts + [parts[0]]), code: .authenticationFailed)
    }

    @Test func streamAppendedToItself() {
        StreamFixture.expectRefusal(Self.sealed + Self.sealed, code: .authenticationFailed)
    }

    // MARK: Reordering and splicing

    @Test func segmentsSwapped() {
        var parts = Self.segments(Self.sealed)
        parts.swapAt(0, 1)
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.sealed, parts), code: .authenticationFailed, mentioning: "first segment"
        )
        parts = Self.segments(Self.sealed)
        parts.swapAt(1, 2)
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.sealed, parts), code: .authenticationFailed, mentioning: "Segment 1")
    }

    @Test func segmentDuplicated() {
        var parts = Self.segments(Self.sealed)
        parts[2] = parts[1]
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.sealed, parts), code: .authenticationFailed, mentioning: "Segment 2")
    }

    @Test func segmentDropped() {
        var parts = Self.segments(Self.sealed)
        parts.remove(at: 1)
        StreamFixture.expectRefusal(
            StreamFixture.assemble(header: Self.sealed, parts), code: .authenticationFailed, mentioning: "Segment 1")
    }

    /// Two streams under the same key (with their own random salts): nothing moves from one to the other.
    @Test func segmentSplicedFromAnotherStreamUnderTheSameKey() throws {
        let other = try StreamFixture.seal(Self.plaintext, segmentSize: Self.segmentSize, seed: 1234)
        for index in 0..<4 {
            var parts = Self.segments(Self.sealed)
            parts[index] = Self.segments(other)[index]
            StreamFixture.expectRefusal(StreamFixture.assemble(header: Self.sealed, parts), code: .authenticationFailed)
        }
        // Nor does another stream's header fit this stream's segments.
        StreamFixture.expectRefusal(
            Array(other.prefix(48)) + Self.sealed.dropFirst(48),
            code: .authenticationFailed,
            mentioning: "first segment"
        )
    }

    // MARK: Bit flips and header fields

    /// Every single bit of a four-segment stream, header included.
    @Test func everyBitFlipIsRefused() {
        for byte in 0..<Self.sealed.count {
            for bit in 0..<8 {
                var damaged = Self.sealed
                damaged[byte] ^= 1 << bit
                do {
                    _ = try ClaveStream.open(damaged, key: StreamFixture.key)
                    Issue.record("Flipping bit \(bit) of byte \(byte) went unnoticed")
                } catch {
                    // The magic, version and segment size fields are checked first; a change that leaves a
                    // valid-looking header is caught by the first segment.
                    #expect(error.code == .invalidFormat || error.code == .authenticationFailed, "\(error)")
                    if byte >= 9 { #expect(error.code == .authenticationFailed, "byte \(byte): \(error)") }
                }
            }
        }
    }

    @Test func wrongKey() {
        StreamFixture.expectRefusal(
            Self.sealed, key: StreamFixture.otherKey, code: .authenticationFailed, mentioning: "key")
        StreamFixture.expectRefusal(
            try! ClaveStream.seal([UInt8](), key: StreamFixture.key),
            key: StreamFixture.otherKey,
            code: .authenticationFailed,
            mentioning: "key"
        )
    }

    @Test func badMagic() {
        var damaged = Self.sealed
        damaged[0] = UInt8(ascii: "X")
        StreamFixture.expectRefusal(damaged, code: .invalidFormat, mentioning: "not a clave-stream-v1 stream")
    }

    @Test(arguments: [0, 2, 255] as [UInt8])
    func unknownVersion(version: UInt8) {
        var damaged = Self.sealed
        damaged[4] = version
        StreamFixture.expectRefusal(damaged, code: .invalidFormat, mentioning: "version \(version)")
    }

    @Test(arguments: [0, 1, 15, 16 * 1024 * 1024 + 1, Int(UInt32.max)])
    func absurdSegmentSize(size: Int) {
        var damaged = Self.sealed
        damaged.replaceSubrange(5..<9, with: withUnsafeBytes(of: UInt32(size).bigEndian) { Array($0) })
        StreamFixture.expectRefusal(damaged, code: .invalidFormat, mentioning: "segment size of \(size) bytes")
    }

    /// A different but allowed segment size changes the derived key, so the first segment fails.
    @Test func otherValidSegmentSize() {
        var damaged = Self.sealed
        damaged.replaceSubrange(5..<9, with: [0, 0, 0, 16])
        StreamFixture.expectRefusal(damaged, code: .authenticationFailed, mentioning: "first segment")
    }

    // MARK: Behaviour of the incremental opener on refusal

    /// Plaintext of segments before the damaged one is delivered; nothing of the damaged one, and the opener
    /// then refuses everything.
    @Test func incrementalOpenerStopsAtTheDamagedSegment() throws {
        var damaged = Self.sealed
        damaged[48 + 2 * 48 + 3] ^= 0x10
        let opener = StreamOpener(key: StreamFixture.key)
        var opened: [UInt8] = []
        var failure: CryptoError?
        do {
            try opener.update(damaged) { opened.append(contentsOf: $0) }
        } catch let error as CryptoError {
            failure = error
        }
        #expect(failure?.code == .authenticationFailed)
        #expect(failure?.message.contains("Segment 2 (bytes 144..<192)") == true, "\(String(describing: failure))")
        #expect(opened == Array(Self.plaintext[0..<64]))
        #expect(throws: CryptoError.self) { try opener.finish() }
    }
}
