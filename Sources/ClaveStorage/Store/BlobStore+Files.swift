public import Foundation

extension BlobStore {
    // MARK: Files

    /// Stores the content of the file at `source`, streamed in constant memory, and announces its size.
    ///
    /// - Throws: as ``put(_:size:expected:maximumSize:)``; ``StorageError/Code/io`` when the file cannot be read.
    public func put(fileAt source: URL, expected: CID? = nil, maximumSize: Int? = nil) async throws(StorageError)
        -> StoredBlob
    {
        let path = try FileIO.path(source)
        guard let file = try FileDescriptor.openExisting(path) else {
            throw StorageError(.io, "There is no file at \(path) to store; check the path.")
        }
        let size = try file.size()
        return try await put(
            FileChunks(file: file, size: size), size: size, expected: expected, maximumSize: maximumSize)
    }

    /// Writes the blob `cid` to the file at `destination`, in constant memory, and returns its size.
    ///
    /// The content goes to a temporary file beside `destination` (mode 0600), which is renamed over `destination`
    /// only once the whole content is verified against `cid`. If anything fails, the temporary file is removed and
    /// `destination` is left as it was: it never holds partial or unverified content. It is not fsynced: the blob
    /// store keeps the durable copy, and the callers' files (a worker's input, a requester's staging) are scratch.
    @discardableResult
    public func get(_ cid: CID, toFileAt destination: URL) async throws(StorageError) -> Int {
        let path = try FileIO.path(destination)
        let folder = try FileIO.path(destination.deletingLastPathComponent())
        let stream = try await get(cid)
        let temporary = "\(folder)/.\(destination.lastPathComponent).\(FileIO.randomSuffix()).partial"
        let file = try FileDescriptor.create(temporary, permissions: 0o600)
        do throws(StorageError) {
            var iterator = stream.makeAsyncIterator()
            while let chunk = try await iterator.next() {
                try file.write(chunk)
            }
            try await FileIO.blocking { () throws(StorageError) in try FileIO.rename(temporary, to: path) }
        } catch {
            _ = try? FileIO.remove(temporary)
            throw error
        }
        return stream.size
    }
}

/// A file's content as chunks of at most 1 MiB, read from an open descriptor up to `size`.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    typealias Failure = StorageError
    static let chunkSize = 1 << 20

    let file: FileDescriptor
    let size: Int

    func makeAsyncIterator() -> Iterator { Iterator(file: file, size: size) }

    struct Iterator: AsyncIteratorProtocol {
        let file: FileDescriptor
        let size: Int
        var offset = 0

        mutating func next() async throws(StorageError) -> [UInt8]? {
            guard offset < size else { return nil }
            let chunk = try file.read(count: Swift.min(FileChunks.chunkSize, size - offset), at: offset)
            guard !chunk.isEmpty else {
                throw StorageError(
                    .sourceFailed, "\(file.path) ended after \(offset) of its \(size) bytes while it was read.")
            }
            offset += chunk.count
            return chunk
        }
    }
}
