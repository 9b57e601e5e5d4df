/// The content of one blob, read in chunks: what ``BlobStore/get(_:)`` returns.
///
/// Iterating verifies the content as it goes: the stream yields at most ``size`` bytes in all, holds back its last
/// chunk until the bytes hash to ``cid``, and throws ``StorageError/Code/corrupted`` instead of ending when they do
/// not (or when they end early). A stream is read once: it holds an open file or an HTTP response.
public struct BlobStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = StorageError

    /// The blob's CID, which its content is checked against.
    public let cid: CID
    /// The size the store recorded: the stream yields at most this many bytes, and exactly this many when it ends.
    public let size: Int
    private let open: @Sendable () -> any BlobChunkSource

    /// A stream whose chunks come from the source `open` makes. The source must yield every byte, verify them with a
    /// ``BlobVerifier`` and hold back its last chunk until they are verified.
    package init(cid: CID, size: Int, open: @escaping @Sendable () -> any BlobChunkSource) {
        self.cid = cid
        self.size = size
        self.open = open
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: open()) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var source: any BlobChunkSource

        init(source: any BlobChunkSource) { self.source = source }

        public mutating func next() async throws(StorageError) -> [UInt8]? {
            try await source.next()
        }
    }

    /// The whole content in memory, verified.
    public func collect() async throws(StorageError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var iterator = makeAsyncIterator()
        while let chunk = try await iterator.next() { bytes += chunk }
        return bytes
    }
}

/// Where a ``BlobStream`` takes its chunks: an open file, an HTTP response body.
package protocol BlobChunkSource {
    /// The next chunk, or nil at the end, which only comes once the content is verified.
    mutating func next() async throws(StorageError) -> [UInt8]?
}

/// Checks content against a CID and a size as it streams: the shared rules of every ``BlobStream``.
///
/// Feed it each chunk with ``absorb(_:)`` before yielding it; the chunk that completes ``size`` is verified inside
/// that call, so the caller yields it only if the whole content is right. Call ``end()`` when the source ends.
package struct BlobVerifier: Sendable {
    /// What went wrong, for the source to word as its own ``StorageError``.
    package enum Mismatch: Sendable {
        /// The bytes hash to another CID.
        case digest(actual: CID)
        /// More bytes came than ``size``.
        case tooLong
        /// The source ended after `count` bytes, fewer than ``size``.
        case truncated(count: Int)
    }

    package let cid: CID
    package let size: Int
    private var hasher = CID.Hasher()
    private let failure: @Sendable (Mismatch) -> StorageError
    /// Whether every byte came and hashed to ``cid``.
    package private(set) var isVerified = false

    /// - Parameter failure: the error to throw for a mismatch, worded for the source (a file, a node's answer).
    package init(cid: CID, size: Int, failure: @escaping @Sendable (Mismatch) -> StorageError) {
        self.cid = cid
        self.size = size
        self.failure = failure
    }

    /// The bytes absorbed so far.
    package var count: Int { hasher.byteCount }

    /// Accounts for `chunk`; when it completes ``size``, checks the digest.
    package mutating func absorb(_ chunk: UnsafeRawBufferPointer) throws(StorageError) {
        guard chunk.count <= size - count else { throw failure(.tooLong) }
        hasher.update(bufferPointer: chunk)
        if count == size { try verify() }
    }

    /// Accounts for `chunk` (see ``absorb(_:)-(UnsafeRawBufferPointer)``).
    package mutating func absorb(_ chunk: some Collection<UInt8>) throws(StorageError) {
        let contiguous: StorageError?? = chunk.withContiguousStorageIfAvailable { buffer in
            Result { () throws(StorageError) in try absorb(UnsafeRawBufferPointer(buffer)) }.failure
        }
        if let contiguous {
            if let error = contiguous { throw error }
        } else {
            try absorb(Array(chunk))
        }
    }

    /// The source ended: every byte must have come and been verified.
    package mutating func end() throws(StorageError) {
        guard count == size else { throw failure(.truncated(count: count)) }
        if !isVerified { try verify() }
    }

    private mutating func verify() throws(StorageError) {
        let actual = hasher.finalize()
        guard actual == cid else { throw failure(.digest(actual: actual)) }
        isVerified = true
    }
}

extension Result {
    /// The error, if this is one.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
