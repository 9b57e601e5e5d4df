/// Content-addressed storage: blobs of bytes named by their ``CID`` (docs/storage.md).
///
/// A blob is stored whole or not at all, and read back only as the bytes its CID names: a store verifies content as
/// it streams in and as it streams out, in constant memory whatever the size. Every failure is a ``StorageError``.
///
/// - ``LocalBlobStore``: a directory on this machine.
/// - `BlobStoreClient` (ClaveClient): a node's store over HTTP (`/v1/blobs`).
///
/// Beside the requirements, every store has in-memory and file helpers: ``put(_:expected:maximumSize:)``,
/// ``put(fileAt:expected:maximumSize:)``, ``get(_:toFileAt:)``, ``BlobStream/collect()``.
public protocol BlobStore: Sendable {
    /// Stores the bytes that `chunks` yields, in order, and returns their CID and size.
    ///
    /// Content the store already holds is stored once: the put changes nothing a reader sees and returns the same
    /// CID, with ``StoredBlob/created`` false. A put that fails for any reason stores nothing.
    ///
    /// - Parameters:
    ///   - chunks: the content, in chunks of any size (arrays, slices, NIO's `ByteBufferView`, ...). It is read once,
    ///     to its end.
    ///   - size: the number of bytes `chunks` yields, when known. A store may announce it (an HTTP `Content-Length`)
    ///     and refuses content of another length.
    ///   - expected: the CID the content must have. Content that hashes to another is refused and not stored.
    ///   - maximumSize: the most bytes this put accepts; the store's own limit applies too.
    ///   - check: whether the caller hashes what it sends to check the CID a remote store answers
    ///     (``AnswerCheck``). A store that names the content itself (``LocalBlobStore``) always hashes it.
    /// - Throws: ``StorageError/Code/tooLarge`` as soon as the content passes a limit (at once when `size` does);
    ///   ``StorageError/Code/digestMismatch``; ``StorageError/Code/sizeMismatch``;
    ///   ``StorageError/Code/sourceFailed`` when `chunks` throws; ``StorageError/Code/io``,
    ///   ``StorageError/Code/unavailable``; ``StorageError/Code/corrupted`` when a remote store answers a CID or
    ///   size other than those of what was sent.
    func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?, check: AnswerCheck
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable

    /// The content of the blob `cid`, as a stream of chunks that verifies itself.
    ///
    /// The stream never yields more than ``BlobStream/size`` bytes, and it throws ``StorageError/Code/corrupted``
    /// instead of ending when the content does not hash to `cid` or ends early. It holds back its last chunk until
    /// the whole content is verified, so a consumer that stops at the error has never seen the complete (wrong)
    /// content; what it received before the error must still be discarded.
    ///
    /// - Throws: ``StorageError/Code/notFound`` when the store does not hold `cid`.
    func get(_ cid: CID) async throws(StorageError) -> BlobStream

    /// The contents of the blobs `cids`, in that order, each read whole and verified, up to `budget` bytes in all: a
    /// blob the store holds but that does not fit in what is left of the budget is ``BlobContent/leftOut(size:)``
    /// (read it with ``get(_:)``), one it does not hold is ``BlobContent/missing``. Taken in order: a blob left out
    /// does not stop a later, smaller one from fitting.
    ///
    /// One call for what would be one ``get(_:)`` each: the default reads them one by one; `BlobStoreClient` asks a
    /// node for all of them in one request (`GET /v1/blobs?cids=`, docs/formats/blob-batch.md).
    ///
    /// - Throws: ``StorageError/Code/corrupted`` when a blob does not hash to its CID, and what ``get(_:)`` throws
    ///   but ``StorageError/Code/notFound``.
    func contents(of cids: [CID], budget: Int) async throws(StorageError) -> [BlobContent]

    /// The size in bytes of the blob `cid`, or nil when the store does not hold it. It does not read the content,
    /// so it cannot tell a damaged blob from a sound one; ``get(_:)`` does.
    func size(of cid: CID) async throws(StorageError) -> Int?

    /// Removes the blob `cid`; returns whether the store held it.
    func delete(_ cid: CID) async throws(StorageError) -> Bool
}

/// A blob a store holds: its CID and its size in bytes.
public struct StoredBlob: Hashable, Sendable, CustomStringConvertible {
    public let cid: CID
    public let size: Int
    /// Whether this put added the content; false when the store already held it.
    public let created: Bool

    public init(cid: CID, size: Int, created: Bool) {
        self.cid = cid
        self.size = size
        self.created = created
    }

    public var description: String { "\(cid) (\(size) bytes)" }
}

/// One blob of a ``BlobStore/contents(of:budget:)`` answer.
public enum BlobContent: Sendable, Hashable {
    /// The blob's bytes, verified against its CID.
    case content([UInt8])
    /// The store holds the blob, of `size` bytes, but it did not fit in what was left of the budget.
    case leftOut(size: Int)
    /// The store does not hold the blob.
    case missing
}

/// Whether a put hashes what it sends to check the CID a remote store answers for it.
public enum AnswerCheck: Sendable, Hashable {
    /// The sender hashes the content as it goes out and refuses an answer that names other content
    /// (``StorageError/Code/corrupted``): the store is not trusted with the content's name.
    case hashSentContent
    /// The sender takes the CID the store answers, and checks only the size. For content that authenticates itself
    /// (clave-stream-v1's AES-GCM tags under a key the store never sees): a store that answered another CID could
    /// only make the content unreadable, as a store that lost it could; it could not make other content pass for
    /// it. It saves the sender one SHA-256 pass over the content.
    case trustStoreAnswer
}

extension BlobStore {
    /// ``put(_:size:expected:maximumSize:check:)`` hashing what it sends (``AnswerCheck/hashSentContent``).
    public func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        try await put(chunks, size: size, expected: expected, maximumSize: maximumSize, check: .hashSentContent)
    }

    /// ``put(_:size:expected:maximumSize:)`` with the size unknown.
    public func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, expected: CID? = nil, maximumSize: Int? = nil
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        try await put(chunks, size: nil, expected: expected, maximumSize: maximumSize)
    }

    /// Stores `content`, held in memory.
    public func put(
        bytes content: some Collection<UInt8> & Sendable, expected: CID? = nil, maximumSize: Int? = nil
    ) async throws(StorageError) -> StoredBlob {
        try await put(OneChunk(chunk: content), size: content.count, expected: expected, maximumSize: maximumSize)
    }

    /// ``contents(of:budget:)`` one blob at a time, through ``get(_:)``.
    public func contents(of cids: [CID], budget: Int) async throws(StorageError) -> [BlobContent] {
        var left = budget
        var contents: [BlobContent] = []
        contents.reserveCapacity(cids.count)
        for cid in cids {
            let stream: BlobStream
            do {
                stream = try await get(cid)
            } catch  where error.code == .notFound {
                contents.append(.missing)
                continue
            }
            guard stream.size <= left else {
                contents.append(.leftOut(size: stream.size))
                continue
            }
            left -= stream.size
            contents.append(.content(try await stream.collect()))
        }
        return contents
    }

    /// Whether the store holds the blob `cid` (see ``size(of:)``).
    public func contains(_ cid: CID) async throws(StorageError) -> Bool {
        try await size(of: cid) != nil
    }
}

/// One chunk as an asynchronous sequence.
struct OneChunk<Chunk: Sendable>: AsyncSequence, Sendable {
    typealias Element = Chunk
    typealias Failure = Never
    let chunk: Chunk

    func makeAsyncIterator() -> Iterator { Iterator(chunk: chunk) }

    struct Iterator: AsyncIteratorProtocol {
        var chunk: Chunk?
        mutating func next() async -> Chunk? {
            defer { chunk = nil }
            return chunk
        }
    }
}
