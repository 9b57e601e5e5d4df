#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    /// `count` bytes from the operating system's cryptographically secure generator, 256 at a time:
    /// `getentropy(3)` (getrandom(2)) on Linux, `arc4random_buf(3)` on Apple platforms. The standard library's
    /// `SystemRandomNumberGenerator` makes a system call for every 8 bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            #if canImport(Glibc)
                var filled = 0
                while filled < count {
                    let chunk = min(256, count - filled)
                    guard getentropy(base + filled, chunk) == 0 else {
                        fatalError("getentropy(3) failed: \(String(cString: strerror(errno))); no secure randomness")
                    }
                    filled += chunk
                }
            #else
                arc4random_buf(base, count)
            #endif
        }
        return bytes
    }
}
