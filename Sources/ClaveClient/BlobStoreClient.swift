import AsyncHTTPClient
public import ClaveStorage
import NIOCore
import NIOHTTP1
import Synchronization

/// The blob store of a node, over HTTP (`/v1/blobs`): the same ``ClaveStorage/BlobStore`` as the node's own
/// ``ClaveStorage/LocalBlobStore``.
///
/// Uploads stream (with `Content-Length` when the size is known) and downloads stream, in constant memory. A download
/// is always verified here, whatever the node says: the stream hashes what arrives and throws
/// ``ClaveStorage/StorageError/Code/corrupted`` when it does not hash to the CID, is longer than announced or ends
/// early (a node cuts off a blob it finds damaged while sending it). An upload is hashed on the way too, and the CID
/// the node answers must be the one of what was sent, unless the caller vouches for the content itself
/// (``ClaveStorage/AnswerCheck/trustStoreAnswer``); the size is always checked.
///
/// Every failure is a ``ClaveStorage/StorageError``: the node's refusals keep their code and message, and a node that
/// cannot be reached is ``ClaveStorage/StorageError/Code/unavailable``. The API does not delete blobs, so
/// ``delete(_:)`` throws ``ClaveStorage/StorageError/Code/unsupported``.
public struct BlobStoreClient: BlobStore {
    public struct Configuration: Sendable {
        /// The longest an upload may take, or a download until its first byte: 1 hour unless told otherwise.
        public var transferTimeout: Duration

        public init(transferTimeout: Duration = .seconds(3600)) {
            self.transferTimeout = transferTimeout
        }
    }

    public let connection: NodeConnection
    public let configuration: Configuration

    public init(connection: NodeConnection, configuration: Configuration = Configuration()) {
        self.connection = connection
        self.configuration = configuration
    }

    public func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?, check: AnswerCheck
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        let limit = maximumSize ?? .max
        if let size, size > limit {
            throw StorageError(
                .tooLarge, "The content is \(size) bytes, more than the \(limit) allowed; nothing was sent.")
        }
        let url = connection.baseURL + "/v1/blobs" + (expected.map { "?cid=\($0)" } ?? "")
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.headers.add(name: "Accept", value: "application/json")
        let tally = UploadTally(hashing: check == .hashSentContent)
        request.body = .stream(
            UploadChunks(chunks: chunks, limit: limit, tally: tally), length: size.map { .known(Int64($0)) } ?? .unknown
        )
        do {
            let response = try await connection.execute(request, timeout: configuration.transferTimeout)
            let status = Int(response.status.code)
            guard status == 200 || status == 201 else { throw await connection.error(of: response, url: url) }
            let json = try await connection.json(of: response, url: url)
            guard let text = json["cid"]?.stringValue, let cid = try? CID(text),
                let stored = json["size"]?.numberValue?.int64.map(Int.init)
            else {
                throw ClientError(.invalidResponse, "\(url) answered \(status) without the blob's cid and size.")
            }
            let sent = tally.result
            guard sent.cid.map({ $0 == cid }) ?? true, stored == sent.size else {
                throw StorageError(
                    .corrupted,
                    "\(connection.baseURL) answered that it stored \(cid) (\(stored) bytes), but the content sent is \(sent.cid.map(String.init(describing:)) ?? "another") (\(sent.size) bytes). Do not rely on the node's copy; send it again."
                )
            }
            return StoredBlob(cid: cid, size: stored, created: status == 201)
        } catch {
            throw failure(error, "PUT \(url)")
        }
    }

    public func get(_ cid: CID) async throws(StorageError) -> BlobStream {
        let url = connection.baseURL + "/v1/blobs/\(cid)"
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/octet-stream")
        let response: HTTPClientResponse
        do {
            response = try await connection.execute(request, timeout: configuration.transferTimeout)
            guard response.status == .ok else { throw await connection.error(of: response, url: url) }
        } catch {
            throw failure(error, "GET \(url)")
        }
        guard let size = Self.contentLength(response) else {
            throw StorageError(.unavailable, "\(url) answered without a Content-Length; is it a Clave node?")
        }
        let body = response.body
        let node = connection.baseURL
        return BlobStream(cid: cid, size: size) {
            RemoteBlobSource(body: body.makeAsyncIterator(), cid: cid, size: size, node: node)
        }
    }

    /// `GET /v1/blobs?cids=` (docs/formats/blob-batch.md): the contents in one request per
    /// ``ClaveStorage/BlobBatch/maximumCount`` CIDs, each checked here against its CID whatever the node says.
    public func contents(of cids: [CID], budget: Int) async throws(StorageError) -> [BlobContent] {
        var contents: [BlobContent] = []
        contents.reserveCapacity(cids.count)
        var left = max(0, budget)
        var start = 0
        while start < cids.count {
            let part = Array(cids[start..<min(cids.count, start + BlobBatch.maximumCount)])
            start += part.count
            let asked = min(left, BlobBatch.maximumBudget)
            let answered = try await batch(part, budget: asked)
            for case .content(let bytes) in answered { left -= bytes.count }
            contents += answered
        }
        return contents
    }

    private func batch(_ cids: [CID], budget: Int) async throws(StorageError) -> [BlobContent] {
        let url =
            connection.baseURL + "/v1/blobs?cids=" + cids.map(\.description).joined(separator: ",")
            + "&budget=\(budget)"
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: BlobBatch.mediaType)
        let source = "GET \(connection.baseURL)/v1/blobs?cids="
        do {
            let response = try await connection.execute(request, timeout: configuration.transferTimeout)
            guard response.status == .ok else { throw await connection.error(of: response, url: url) }
            // Nine bytes of record per CID, and at most the budget of content.
            let body = try await response.body.collect(upTo: budget + 9 * cids.count)
            let contents = try BlobBatch.decode(body.readableBytesView, cids: cids, source: source)
            var total = 0
            for case .content(let bytes) in contents { total += bytes.count }
            guard total <= budget else {
                throw StorageError(
                    .unavailable,
                    "\(source) answered \(total) bytes of content for a budget of \(budget); is it a Clave node?")
            }
            return contents
        } catch {
            throw failure(error, source)
        }
    }

    public func size(of cid: CID) async throws(StorageError) -> Int? {
        let url = connection.baseURL + "/v1/blobs/\(cid)"
        var request = HTTPClientRequest(url: url)
        request.method = .HEAD
        let response: HTTPClientResponse
        do {
            response = try await connection.execute(request, timeout: connection.configuration.timeout)
        } catch {
            throw failure(error, "HEAD \(url)")
        }
        switch response.status {
        case .ok:
            guard let size = Self.contentLength(response) else {
                throw StorageError(.unavailable, "\(url) answered HEAD without a Content-Length; is it a Clave node?")
            }
            return size
        case .notFound:
            return nil
        default:
            throw StorageError(
                .unavailable, "\(url) answered HEAD with \(response.status.code) \(response.status.reasonPhrase).")
        }
    }

    public func delete(_ cid: CID) async throws(StorageError) -> Bool {
        throw StorageError(
            .unsupported,
            "A node's API does not delete blobs; \(cid) can only be deleted on the node itself (its LocalBlobStore).")
    }

    // MARK: Plumbing

    private static func contentLength(_ response: HTTPClientResponse) -> Int? {
        guard let text = response.headers.first(name: "Content-Length"), let size = Int(text), size >= 0 else {
            return nil
        }
        return size
    }

    /// Any failure of a request as a ``StorageError``: the node's own errors with their code and message.
    private func failure(_ error: any Error, _ request: String) -> StorageError {
        switch error {
        case let error as StorageError:
            return error
        case let error as RemoteError where error.kind == "storage":
            return StorageError(StorageError.Code(error.code), error.message)
        case let error as RemoteError:
            return StorageError(StorageError.Code(error.code), "\(error.message) (HTTP \(error.status))")
        case let error as ClientError:
            return StorageError(.unavailable, error.message)
        case let error as HTTPClientError where error == .bodyLengthMismatch:
            return StorageError(
                .sizeMismatch, "\(request): the content holds another number of bytes than its declared size.")
        default:
            return StorageError(.unavailable, "\(request) failed: \(error).")
        }
    }
}

/// What an upload sent: its size, counted as the chunks went out, and its CID when it is hashed.
private final class UploadTally: Sendable {
    /// The bytes counted, and their hash when the upload is hashed (a hasher counts too).
    private let state: Mutex<(count: Int, hasher: CID.Hasher?)>

    init(hashing: Bool) {
        state = Mutex((0, hashing ? CID.Hasher() : nil))
    }

    /// Counts and, when hashing, hashes `bytes`; throws when the upload passes `limit`.
    func add(_ bytes: ByteBufferView, limit: Int) throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            guard bytes.count <= limit - state.count else {
                throw StorageError(
                    .tooLarge, "The content is larger than the \(limit) bytes allowed; the upload was stopped.")
            }
            state.count += bytes.count
            state.hasher?.update(bytes)
        }
    }

    var result: (cid: CID?, size: Int) {
        state.withLock { ($0.hasher?.finalize(), $0.count) }
    }
}

/// The chunks of an upload as NIO buffers, counted and hashed on the way out.
private struct UploadChunks<Chunks: AsyncSequence & Sendable>: AsyncSequence, Sendable
where Chunks.Element: Collection<UInt8> & Sendable {
    typealias Element = ByteBuffer
    let chunks: Chunks
    let limit: Int
    let tally: UploadTally

    func makeAsyncIterator() -> Iterator { Iterator(base: chunks.makeAsyncIterator(), limit: limit, tally: tally) }

    struct Iterator: AsyncIteratorProtocol {
        var base: Chunks.AsyncIterator
        let limit: Int
        let tally: UploadTally

        mutating func next() async throws -> ByteBuffer? {
            let chunk: Chunks.Element?
            do {
                chunk = try await base.next(isolation: nil)
            } catch {
                throw StorageError(
                    .sourceFailed,
                    "The content could not be read to its end (\(error)); the upload was stopped and nothing was stored."
                )
            }
            guard let chunk else { return nil }
            // NIO buffers (ChunkPipe's) go out as they are; other collections are copied into one.
            let buffer = (chunk as? ByteBufferView).map(ByteBuffer.init) ?? ByteBuffer(bytes: chunk)
            try tally.add(buffer.readableBytesView, limit: limit)
            return buffer
        }
    }
}

/// The chunks of a node's answer to `GET /v1/blobs/{cid}`, verified here as they arrive.
private struct RemoteBlobSource: BlobChunkSource {
    var body: HTTPClientResponse.Body.AsyncIterator
    var verifier: BlobVerifier
    let node: String
    var finished = false

    init(body: HTTPClientResponse.Body.AsyncIterator, cid: CID, size: Int, node: String) {
        self.body = body
        self.node = node
        verifier = BlobVerifier(cid: cid, size: size) { mismatch in
            let what: String
            switch mismatch {
            case .digest(let actual):
                what = "sent \(size) bytes for \(cid) that hash to \(actual)"
            case .tooLong:
                what = "sent more than the \(size) bytes it announced for \(cid)"
            case .truncated(let count):
                what =
                    "ended its answer after \(count) of the \(size) bytes of \(cid) (a node cuts off a blob it finds corrupted while sending it)"
            }
            return StorageError(
                .corrupted,
                "The node at \(node) \(what): the content is corrupted, on the node or on the way. Do not use what was received; ask again, and tell the node's operator if it persists."
            )
        }
    }

    mutating func next() async throws(StorageError) -> [UInt8]? {
        guard !finished else { return nil }
        do throws(StorageError) {
            while true {
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    throw StorageError(
                        .corrupted,
                        "The answer of \(node) for \(verifier.cid) broke off after \(verifier.count) of its \(verifier.size) bytes (\(error)): a node cuts off a blob it finds corrupted while sending it, or the connection failed. Do not use what was received; ask again."
                    )
                }
                guard let buffer else {
                    finished = true
                    try verifier.end()
                    return nil
                }
                guard buffer.readableBytes > 0 else { continue }
                try verifier.absorb(buffer.readableBytesView)
                return buffer.withUnsafeReadableBytes { Array($0) }
            }
        } catch {
            finished = true
            throw error
        }
    }
}
