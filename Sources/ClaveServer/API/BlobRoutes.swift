import ClaveCrypto
import ClaveStorage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The handlers of `/v1/blobs` (docs/storage.md): streamed uploads within a size limit, streamed and verified
/// downloads.
struct BlobRoutes: Sendable {
    let store: any BlobStore
    let maximumBlobSize: Int

    /// Blobs up to this size (1 MiB) are read and verified whole before the answer starts, so that a damaged one is
    /// answered with a 500 and its message. Larger ones stream as they are read; when one turns out damaged, the
    /// answer is cut off before its last bytes (the store holds them back until the digest matches), so a client
    /// never receives a complete wrong body.
    static let verifiedBeforeAnswering = 1 << 20

    /// `PUT /v1/blobs[?cid=]`: streams the body into the store.
    func put(_ request: Request, logger: Logger) async throws -> Response {
        let parameters = Parameters(request)
        _ = try parameters.all(allowed: ["cid"])
        let expected = try parameters.cid("cid")
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/octet-stream") {
            throw APIError(
                .unsupportedMediaType, code: "unsupportedMediaType",
                "The body is declared as \(type); send the blob's bytes as application/octet-stream, or without a Content-Type (curl: -T FILE, or --data-binary @FILE -H 'Content-Type: application/octet-stream')."
            )
        }
        var size: Int?
        if let length = request.headers[.contentLength] {
            guard let value = Int(length), value >= 0 else {
                throw APIError(
                    .badRequest, code: "invalidHeader", "Content-Length '\(length.prefix(40))' is not a size.")
            }
            guard value <= maximumBlobSize else { throw tooLarge(value) }
            size = value
        }
        let stored: StoredBlob
        do {
            stored = try await store.put(
                request.body.map(\.readableBytesView), size: size, expected: expected, maximumSize: maximumBlobSize)
        } catch {
            throw answer(error, cid: expected, logger: logger)
        }
        var response = JSONResponse.make(
            ["cid": .string(stored.cid.description), "size": .number(.init(stored.size))],
            status: stored.created ? .created : .ok)
        response.headers[.location] = "/v1/blobs/\(stored.cid)"
        return response
    }

    /// `GET /v1/blobs/{cid}`: the content, streamed and verified as it is read.
    func get(_ cid: CID, logger: Logger) async throws -> Response {
        let stream: BlobStream
        do {
            stream = try await store.get(cid)
        } catch {
            throw answer(error, cid: cid, logger: logger)
        }
        let headers = Self.headers(cid: cid)
        if stream.size <= Self.verifiedBeforeAnswering {
            let content: [UInt8]
            do {
                content = try await stream.collect()
            } catch {
                throw answer(error, cid: cid, logger: logger)
            }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: content)))
        }
        let body = ResponseBody(contentLength: stream.size) { writer in
            var iterator = stream.makeAsyncIterator()
            while true {
                let chunk: [UInt8]?
                do {
                    chunk = try await iterator.next()
                } catch {
                    logger.error(
                        "cut off the answer: the blob failed verification while it was sent",
                        metadata: ["cid": "\(cid)", "error": "\(error)"])
                    throw error
                }
                guard let chunk else { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `GET /v1/blobs?cids=CID,CID[&budget=BYTES]`: several blobs in one answer (docs/formats/blob-batch.md), each
    /// read whole and verified before the answer starts; those that do not fit in the budget are only named, with
    /// their size, for the client to fetch alone.
    func batch(_ request: Request, logger: Logger) async throws -> Response {
        let parameters = Parameters(request)
        _ = try parameters.all(allowed: ["cids", "budget"])
        guard let text = try parameters.value("cids") else {
            throw APIError(
                .badRequest, code: "invalidParameter",
                "GET /v1/blobs needs cids=CID,CID,... (1 to \(BlobBatch.maximumCount) CIDs); a single blob is GET /v1/blobs/{cid}."
            )
        }
        let names = text.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...BlobBatch.maximumCount).contains(names.count) else {
            throw APIError.invalidParameter(
                "cids", "\(names.count) CIDs", expected: "1 to \(BlobBatch.maximumCount) CIDs separated by commas")
        }
        var cids: [CID] = []
        for name in names {
            do {
                cids.append(try CID(name))
            } catch {
                throw APIError(
                    .badRequest, kind: "storage", code: error.code.description,
                    "cids: '\(name.prefix(80))' is not a CID: \(error.message)")
            }
        }
        let budget = try parameters.number("budget", range: 0...UInt64(BlobBatch.maximumBudget))
        let contents: [BlobContent]
        do {
            contents = try await store.contents(of: cids, budget: budget.map(Int.init) ?? BlobBatch.maximumBudget)
        } catch {
            throw answer(
                error, cid: nil, logger: logger,
                subject: "one of the \(cids.count) blobs asked (GET /v1/blobs/{cid} of each says which)")
        }
        return Response(
            status: .ok, headers: [.contentType: BlobBatch.mediaType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: BlobBatch.encode(contents))))
    }

    /// `HEAD /v1/blobs/{cid}`: the size as `Content-Length`, without reading the content.
    func head(_ cid: CID, logger: Logger) async throws -> Response {
        let size: Int?
        do {
            size = try await store.size(of: cid)
        } catch {
            throw answer(error, cid: cid, logger: logger)
        }
        guard let size else { throw answer(StorageError(.notFound, ""), cid: cid, logger: logger) }
        var headers = Self.headers(cid: cid)
        headers[.contentLength] = String(size)
        return Response(status: .ok, headers: headers)
    }

    /// A blob's headers: its type, its CID as entity tag, and that it never changes.
    private static func headers(cid: CID) -> HTTPFields {
        [
            .contentType: "application/octet-stream", .eTag: "\"\(cid)\"",
            .cacheControl: "public, max-age=31536000, immutable",
        ]
    }

    // MARK: Errors

    private func tooLarge(_ size: Int) -> APIError {
        APIError(
            .contentTooLarge, kind: "storage", code: StorageError.Code.tooLarge.description,
            "The blob is \(size) bytes, more than the \(maximumBlobSize) bytes this node accepts; nothing was stored.")
    }

    /// The API's answer to a store's error, worded for a client: the store's own messages about its files (which name
    /// the node's paths) stay in the node's log.
    private func answer(_ error: StorageError, cid: CID?, logger: Logger, subject: String? = nil) -> APIError {
        if error.code == .io {  // a corrupted blob is logged, with its file, by the store that finds it
            logger.error(
                "the blob store failed", metadata: ["cid": "\(cid.map(\.description) ?? "")", "error": "\(error)"])
        }
        let subject = subject ?? cid.map { "the blob \($0)" } ?? "the blob"
        switch error.code {
        case .notFound:
            return APIError(
                .notFound, kind: "storage", code: error.code.description,
                "This node holds no blob \(cid.map(\.description) ?? ""); store it with PUT /v1/blobs.")
        case .corrupted:
            return APIError(
                .internalServerError, kind: "storage", code: error.code.description,
                "The copy of \(subject) that this node stores is corrupted: its content does not hash to its CID. Do not use it; its operator should store the original content again (the node's log names the file)."
            )
        case .io:
            return APIError(
                .internalServerError, kind: "server", code: "internal",
                "The node could not read or write its blob store; the request may be retried. Its log has the details.")
        default:
            return APIError(error)
        }
    }
}
