import ClaveCrypto
import Foundation
import Testing
import ClaveTestSupport

/// Shared helpers for the clave-stream-v1 tests.
enum StreamFixture {
    static let key = try! StreamKey(rawRepresentation: (0..<32).map { UInt8($0) })
    static let otherKey = try! StreamKey(rawRepresentation: (0..<32).map { UInt8(255 - $0) })

    /// Deterministic bytes, different for each seed.
    static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// Seals with a fixed salt and nonce prefix derived from `seed`, so that outputs can be compared.
    static func seal(_ plaintext: [UInt8], segmentSize: Int, seed: UInt64 = 7, key: StreamKey = key) throws -> [UInt8] {
        let sealer = try StreamSealer(
            key: key,
            segmentSize: segmentSize,
            salt: bytes(32, seed: seed),
            noncePrefix: bytes(7, seed: seed &+ 1)
        )
        return try sealer.update(plaintext) + sealer.finish()
    }

    /// The sealed segments of a stream (each ciphertext || tag), split by the format's rules.
    static func segments(of stream: [UInt8], segmentSize: Int) -> [[UInt8]] {
        let body = Array(stream.dropFirst(ClaveStream.headerByteCount))
        let sealed = segmentSize + ClaveStream.tagByteCount
        return stride(from: 0, to: max(body.count, 1), by: sealed).map {
            Array(body[$0..<min($0 + sealed, body.count)])
        }
    }

    static func assemble(header stream: [UInt8], _ segments: [[UInt8]]) -> [UInt8] {
        Array(stream.prefix(ClaveStream.headerByteCount)) + segments.flatMap { $0 }
    }

    /// Opens `stream` and expects a refusal with `code` whose message mentions `fragment`.
    static func expectRefusal(
        _ stream: [UInt8],
        key: StreamKey = key,
        code: CryptoError.Code,
        mentioning fragment: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let plaintext = try ClaveStream.open(stream, key: key)
            Issue.record("A damaged stream opened to \(plaintext.count) bytes", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let fragment {
                #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            }
        }
    }
}
