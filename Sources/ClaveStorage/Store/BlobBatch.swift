/// The answer of `GET /v1/blobs?cids=` (docs/formats/blob-batch.md): several blobs in one body, one record per CID
/// asked, in the order asked.
///
/// A record is one byte of kind (``Kind``), the size as 8 bytes big-endian, then, for a blob whose content is sent,
/// that many bytes. Nothing follows the last record.
package enum BlobBatch {
    /// The answer's media type.
    package static let mediaType = "application/vnd.clave.blob-batch"
    /// The most CIDs one request names.
    package static let maximumCount = 64
    /// The most content bytes one answer carries, and the budget when the request gives none.
    package static let maximumBudget = 4 << 20

    /// What a record holds.
    package enum Kind: UInt8 {
        /// The store does not hold the blob; the size is 0.
        case missing = 0
        /// The blob's content follows.
        case content = 1
        /// The store holds the blob, of this size, but it did not fit in the budget; its content does not follow.
        case leftOut = 2
    }

    /// The body for `contents`.
    package static func encode(_ contents: [BlobContent]) -> [UInt8] {
        var total = 0
        for case .content(let bytes) in contents { total += bytes.count }
        var body: [UInt8] = []
        body.reserveCapacity(total + 9 * contents.count)
        func record(_ kind: Kind, size: Int) {
            body.append(kind.rawValue)
            withUnsafeBytes(of: UInt64(size).bigEndian) { body += $0 }
        }
        for content in contents {
            switch content {
            case .missing: record(.missing, size: 0)
            case .leftOut(let size): record(.leftOut, size: size)
            case .content(let bytes):
                record(.content, size: bytes.count)
                body += bytes
            }
        }
        return body
    }

    /// The contents `body` holds for `cids`, each content checked against its CID.
    ///
    /// - Throws: ``StorageError/Code/corrupted`` when a content does not hash to its CID; ``StorageError/Code/unavailable``
    ///   when `body` is not a blob batch of one record per CID (`source` names who answered it).
    package static func decode(_ body: some Collection<UInt8>, cids: [CID], source: String) throws(StorageError)
        -> [BlobContent]
    {
        let bytes = Array(body)
        func malformed(_ what: String) -> StorageError {
            StorageError(
                .unavailable,
                "\(source) answered a blob batch that cannot be read (\(what)); is it a Clave node? Fetch the blobs one by one with GET /v1/blobs/{cid}."
            )
        }
        var contents: [BlobContent] = []
        contents.reserveCapacity(cids.count)
        var offset = 0
        for (position, cid) in cids.enumerated() {
            guard bytes.count - offset >= 9 else {
                throw malformed("record \(position + 1) of \(cids.count) is missing")
            }
            guard let kind = Kind(rawValue: bytes[offset]) else {
                throw malformed("record \(position + 1) is of unknown kind \(bytes[offset])")
            }
            let size = bytes[(offset + 1)..<(offset + 9)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            offset += 9
            switch kind {
            case .missing:
                guard size == 0 else { throw malformed("record \(position + 1) is of a missing blob but has a size") }
                contents.append(.missing)
            case .leftOut:
                guard size <= UInt64(Int.max) else { throw malformed("record \(position + 1) has an impossible size") }
                contents.append(.leftOut(size: Int(size)))
            case .content:
                guard size <= UInt64(bytes.count - offset) else {
                    throw malformed("record \(position + 1) announces \(size) bytes, and fewer follow")
                }
                let content = Array(bytes[offset..<(offset + Int(size))])
                offset += Int(size)
                guard CID(hashing: content) == cid else {
                    throw StorageError(
                        .corrupted,
                        "\(source) answered content for \(cid) that does not hash to it. Do not use it; fetch it again, or from another node."
                    )
                }
                contents.append(.content(content))
            }
        }
        guard offset == bytes.count else { throw malformed("\(bytes.count - offset) bytes follow the last record") }
        return contents
    }
}
