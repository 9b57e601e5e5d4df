import ClaveCrypto
import Crypto

extension CID {
    /// Computes a CID while the content streams past, in constant memory:
    ///
    ///     var hasher = CID.Hasher()
    ///     for try await chunk in chunks { hasher.update(chunk) }
    ///     let cid = hasher.finalize()
    ///
    /// It also counts the bytes it was given (``byteCount``).
    public struct Hasher: Sendable {
        private var sha256 = SHA256()
        /// The bytes hashed so far.
        public private(set) var byteCount = 0

        public init() {}

        /// Hashes `bytes` next. Contiguous collections (arrays, slices, NIO's `ByteBufferView`) are hashed in place.
        public mutating func update(_ bytes: some Collection<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
                update(bufferPointer: UnsafeRawBufferPointer(buffer))
            }
            if done == nil { Array(bytes).withUnsafeBytes { update(bufferPointer: $0) } }
        }

        /// Hashes the bytes at `bufferPointer` next.
        public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
            sha256.update(bufferPointer: bufferPointer)
            byteCount += bufferPointer.count
        }

        /// The CID of everything hashed. The hasher can go on: a later `finalize()` names the longer content.
        public func finalize() -> CID {
            CID(sha256Digest: try! Bytes32(sha256.finalize()))
        }
    }
}
