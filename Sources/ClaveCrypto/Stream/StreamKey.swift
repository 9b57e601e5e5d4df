/// The 32-byte content key of a `clave-stream-v1` stream.
///
/// One content key may encrypt any number of streams: each stream derives its own segment key from the
/// content key and a fresh random salt (see `docs/formats/clave-stream-v1.md`), so no two streams ever
/// share a (key, nonce) pair. Its `description` never shows the secret; read ``rawRepresentation``
/// deliberately when the key must be stored or wrapped (for example with HPKE).
public struct StreamKey: Sendable, CustomStringConvertible {
    /// The number of bytes in a content key.
    public static let byteCount = 32

    /// The 32 secret bytes.
    public let rawRepresentation: [UInt8]

    /// Wraps 32 secret bytes; any other length throws ``CryptoError/Code/invalidLength``.
    public init(rawRepresentation bytes: some Sequence<UInt8>) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == StreamKey.byteCount else {
            throw CryptoError(
                .invalidLength,
                "A clave-stream content key is \(StreamKey.byteCount) bytes, but \(bytes.count) were given; "
                    + "pass the key exactly as it was generated or unwrapped."
            )
        }
        rawRepresentation = bytes
    }

    /// A new key from the operating system's cryptographically secure random number generator.
    public static func generate() -> StreamKey {
        StreamKey(uncheckedRandom: StreamRandom.bytes(StreamKey.byteCount))
    }

    private init(uncheckedRandom bytes: [UInt8]) {
        rawRepresentation = bytes
    }

    public var description: String { "StreamKey(32 bytes, redacted)" }
}

/// Random bytes for keys, salts and nonce prefixes.
enum StreamRandom {
    /// `count` bytes from `SystemRandomNumberGenerator`, which the Swift standard library documents as
    /// cryptographically secure (`getrandom(2)` on Linux, `arc4random_buf(3)` on Apple platforms).
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next() as UInt64
            for _ in 0..<min(8, count - index) {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }
}
