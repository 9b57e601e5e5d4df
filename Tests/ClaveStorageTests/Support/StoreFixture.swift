import ClaveStorage
import ClaveTestSupport
import Foundation
import Logging

/// Content given in chunks, as an upload arrives; it throws `failure` instead of yielding the chunk at `failAt`.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunks: [[UInt8]]
    var failAt: Int? = nil

    /// `content` cut into chunks of the sizes `sizes` repeats.
    init(_ content: [UInt8], sizes: [Int] = [1000], failAt: Int? = nil) {
        var chunks: [[UInt8]] = []
        var offset = 0
        var index = 0
        while offset < content.count {
            let size = Swift.max(1, sizes[index % sizes.count])
            chunks.append(Array(content[offset..<Swift.min(content.count, offset + size)]))
            offset += size
            index += 1
        }
        self.chunks = chunks
        self.failAt = failAt
    }

    struct Broken: Error, CustomStringConvertible {
        var description: String { "the upload broke off" }
    }

    func makeAsyncIterator() -> Iterator { Iterator(chunks: chunks, failAt: failAt) }

    struct Iterator: AsyncIteratorProtocol {
        let chunks: [[UInt8]]
        let failAt: Int?
        var index = 0

        mutating func next() async throws -> [UInt8]? {
            defer { index += 1 }
            if index == failAt { throw Broken() }
            return index < chunks.count ? chunks[index] : nil
        }
    }
}

/// A store in a fresh temporary directory.
struct StoreFixture {
    let folder: TemporaryDirectory
    let store: LocalBlobStore

    init(
        maximumBlobSize: Int = LocalBlobStore.Configuration.defaultMaximumBlobSize, chunkSize: Int = 4096,
        writebackInterval: Int = LocalBlobStore.Configuration().writebackInterval, directWrites: Bool = true
    ) throws {
        folder = try TemporaryDirectory(prefix: "clave-storage")
        store = try LocalBlobStore(
            directory: folder.url.appendingPathComponent("blobs"),
            configuration: .init(
                maximumBlobSize: maximumBlobSize, chunkSize: chunkSize, writebackInterval: writebackInterval,
                directWrites: directWrites),
            logger: .quiet)
    }

    /// Every file under the store's directory, as paths relative to it (temporary files included).
    func files() throws -> [String] {
        let root = store.directory.path
        var files: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: root) {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder), isFolder.boolValue {
                files += try FileManager.default.contentsOfDirectory(atPath: root + "/" + name).map { "\(name)/\($0)" }
            } else {
                files.append(name)
            }
        }
        return files.sorted()
    }

    /// Changes the stored file of `cid`.
    func damage(_ cid: CID, _ change: (inout [UInt8]) -> Void) throws {
        let url = store.url(for: cid)
        var bytes = [UInt8](try Data(contentsOf: url))
        change(&bytes)
        try Data(bytes).write(to: url)
    }
}

/// Reads a stream to its end; returns the chunks it yielded before it ended or threw, and the error.
func drain(_ stream: BlobStream) async -> (chunks: [[UInt8]], error: StorageError?) {
    var chunks: [[UInt8]] = []
    var iterator = stream.makeAsyncIterator()
    do {
        while let chunk = try await iterator.next() { chunks.append(chunk) }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}
