import Crypto
public import Foundation

/// SHA-256 (FIPS 180-4), incrementally: for the result digest of iExec (a file's sha256), blob checksums and the
/// result receipt, where modules above ClaveCrypto hash files they read in chunks.
///
/// ```swift
/// var hasher = SHA256Hasher()
/// hasher.update(chunk)
/// let digest: Bytes32 = hasher.finalize()
/// ```
public struct SHA256Hasher: Sendable {
    private var state = SHA256()

    public init() {}

    /// The sha256 of `bytes`.
    public static func hash(_ bytes: some DataProtocol) -> Bytes32 {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes more bytes.
    public mutating func update(_ bytes: some DataProtocol) {
        state.update(data: bytes)
    }

    /// Hashes more bytes.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        state.update(bufferPointer: raw)
    }

    /// The digest of everything hashed so far.
    public func finalize() -> Bytes32 {
        // A SHA-256 digest is always 32 bytes.
        try! Bytes32(Array(state.finalize()))
    }
}
