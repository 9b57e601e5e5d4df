import Crypto

/// The 48-byte header that starts every `clave-stream-v1` stream.
///
/// | offset | bytes | field |
/// |-------:|------:|-------|
/// | 0      | 4     | magic `CLVS` (`43 4c 56 53`) |
/// | 4      | 1     | version, `0x01` |
/// | 5      | 4     | segment size: plaintext bytes per segment, big-endian |
/// | 9      | 32    | salt, random per stream |
/// | 41     | 7     | nonce prefix, random per stream |
///
/// The whole header is bound into the segment key (``deriveSegmentKey(from:)``), so changing any of its bytes
/// makes the first segment fail authentication.
struct StreamHeader: Sendable, Equatable {
    static let magic: [UInt8] = [0x43, 0x4C, 0x56, 0x53]
    static let version: UInt8 = 1
    static let byteCount = 48
    static let saltByteCount = 32
    static let noncePrefixByteCount = 7
    /// HKDF `info` prefix; the 48 header bytes follow it.
    static let keyDerivationLabel: [UInt8] = Array("clave-stream-v1 segment key".utf8)

    let segmentSize: Int
    let salt: [UInt8]
    let noncePrefix: [UInt8]

    /// A header with the given fields, which the caller has validated.
    init(segmentSize: Int, salt: [UInt8], noncePrefix: [UInt8]) {
        precondition(ClaveStream.segmentSizeRange.contains(segmentSize))
        precondition(salt.count == StreamHeader.saltByteCount)
        precondition(noncePrefix.count == StreamHeader.noncePrefixByteCount)
        self.segmentSize = segmentSize
        self.salt = salt
        self.noncePrefix = noncePrefix
    }

    /// The header's 48 bytes.
    var bytes: [UInt8] {
        var out = StreamHeader.magic
        out.reserveCapacity(StreamHeader.byteCount)
        out.append(StreamHeader.version)
        let size = UInt32(segmentSize)
        out.append(contentsOf: [
            UInt8(size >> 24), UInt8(truncatingIfNeeded: size >> 16), UInt8(truncatingIfNeeded: size >> 8),
            UInt8(truncatingIfNeeded: size),
        ])
        out.append(contentsOf: salt)
        out.append(contentsOf: noncePrefix)
        return out
    }

    /// Parses and validates 48 header bytes; a wrong magic, an unknown version or a segment size outside
    /// ``ClaveStream/segmentSizeRange`` throws ``CryptoError/Code/invalidFormat``.
    init(parsing bytes: [UInt8]) throws(CryptoError) {
        precondition(bytes.count == StreamHeader.byteCount)
        guard bytes.starts(with: StreamHeader.magic) else {
            throw CryptoError(
                .invalidFormat,
                "This is not a clave-stream-v1 stream: it starts with \(Hex.encode(bytes.prefix(4))) instead of the "
                    + "magic bytes 'CLVS' (0x434c5653). Check that you are opening the encrypted file itself, "
                    + "complete and unconverted (not a copy in another encoding)."
            )
        }
        guard bytes[4] == StreamHeader.version else {
            throw CryptoError(
                .invalidFormat,
                "This clave stream has format version \(bytes[4]), but this build reads only version "
                    + "\(StreamHeader.version). If it was written by a newer Clave, upgrade to open it; otherwise "
                    + "the header is damaged: obtain a fresh copy."
            )
        }
        let size = Int(bytes[5]) << 24 | Int(bytes[6]) << 16 | Int(bytes[7]) << 8 | Int(bytes[8])
        guard ClaveStream.segmentSizeRange.contains(size) else {
            throw CryptoError(
                .invalidFormat,
                "The stream header declares a segment size of \(size) bytes, outside the "
                    + "\(ClaveStream.segmentSizeRange.lowerBound)...\(ClaveStream.segmentSizeRange.upperBound) bytes "
                    + "the format allows: the header is damaged or was forged. Do not use this data; "
                    + "obtain a fresh copy."
            )
        }
        self.init(
            segmentSize: size,
            salt: Array(bytes[9..<41]),
            noncePrefix: Array(bytes[41..<48])
        )
    }

    /// The per-stream AES-256 key: HKDF-SHA256 with the content key as input keying material, the header's
    /// salt as salt, and `"clave-stream-v1 segment key" || header` as info, 32 bytes long.
    func deriveSegmentKey(from key: StreamKey) -> SymmetricKey {
        SymmetricKey(
            data: HKDFSHA256.derive32(
                key: key.rawRepresentation, salt: salt, info: StreamHeader.keyDerivationLabel + bytes))
    }
}
