import ClaveClient
import ClaveCrypto
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// BlobStoreClient against a live node on port 0: streamed round trips, the node's refusals as StorageErrors, and
/// corrupted content detected by the client.
@Suite struct BlobClientTests {
    /// `count` bytes of a cheap pattern: a 251-byte cycle.
    static func content(_ count: Int) -> [UInt8] {
        let cycle = (0..<251).map { UInt8($0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 251)
        while bytes.count < count { bytes += cycle }
        return Array(bytes.prefix(count))
    }

    @Test func aLargeBlobRoundTripsThroughTheClient() async throws {
        let fixture = try await ServerFixture()
        let content = Self.content(64 << 20)
        let cid = CID(hashing: content)
        try await fixture.application().test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            // Streamed with its size announced, in chunks as a file reader gives them.
            let stored = try await blobs.put(
                Chunks(content, size: 1 << 20), size: content.count, expected: cid, maximumSize: nil)
            #expect(stored == StoredBlob(cid: cid, size: content.count, created: true))
            #expect(try await fixture.blobs.get(cid).collect() == content)
            #expect(try await blobs.size(of: cid) == content.count)
            #expect(try await blobs.contains(cid))

            var received = CID.Hasher()
            for try await chunk in try await blobs.get(cid) { received.update(chunk) }
            #expect(received.byteCount == content.count && received.finalize() == cid)

            // The same content again, streamed without a size (chunked): the node already has it.
            let again = try await blobs.put(Chunks(content, size: 3 << 20))
            #expect(again == StoredBlob(cid: cid, size: content.count, created: false))

            // Files, through the client.
            let source = fixture.directory.url.appendingPathComponent("source.bin")
            try Data(content.prefix(5_000_000)).write(to: source)
            let file = try await blobs.put(fileAt: source)
            let copy = fixture.directory.url.appendingPathComponent("copy.bin")
            #expect(try await blobs.get(file.cid, toFileAt: copy) == 5_000_000)
            #expect(try Data(contentsOf: copy) == Data(contentsOf: source))
        }
    }

    @Test func refusalsComeBackAsStorageErrors() async throws {
        let fixture = try await ServerFixture(maximumBlobSize: 1 << 20)
        let content = Self.content((1 << 20) + 1)
        try await fixture.application().test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            // 413 with nothing stored: announced too large (refused before the body is read), or found so while
            // streaming.
            for size in [content.count, nil] {
                let error = await #expect(throws: StorageError.self) {
                    try await blobs.put(Chunks(content, size: 64 << 10), size: size, expected: nil, maximumSize: nil)
                }
                #expect(error?.code == .tooLarge, "\(String(describing: size))")
                #expect(error?.message.contains("1048576 bytes") == true, "\(error?.message ?? "")")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.blobs.directory.path).isEmpty)

            // 422: not the expected CID.
            let other = CID(hashing: [1])
            let mismatch = await #expect(throws: StorageError.self) {
                try await blobs.put(bytes: Self.content(1000), expected: other)
            }
            #expect(
                mismatch?.code == .digestMismatch && mismatch?.message.contains("not to the expected \(other)") == true)

            // 404.
            let missing = await #expect(throws: StorageError.self) { try await blobs.get(other) }
            #expect(missing?.code == .notFound && missing?.message.contains("holds no blob \(other)") == true)
            #expect(try await blobs.size(of: other) == nil)

            // The client's own limit, and a source that fails: the upload stops.
            let limited = await #expect(throws: StorageError.self) {
                try await blobs.put(Chunks(Self.content(5000), size: 1000), maximumSize: 4000)
            }
            #expect(limited?.code == .tooLarge)
            let broken = await #expect(throws: StorageError.self) {
                try await blobs.put(Chunks(Self.content(5000), size: 1000, failAt: 2))
            }
            #expect(broken?.code == .sourceFailed && broken?.message.contains("the upload broke off") == true)
            // The node learns the upload broke off when its connection closes, a moment after the client: its
            // temporary file goes then.
            try await eventually("the node removed the broken upload's temporary file", timeout: .seconds(30)) {
                try FileManager.default.contentsOfDirectory(atPath: fixture.blobs.directory.path).isEmpty
            }

            let delete = await #expect(throws: StorageError.self) { try await blobs.delete(other) }
            #expect(delete?.code == .unsupported)
        }
    }

    @Test func anInvalidCIDIsA400() async throws {
        let fixture = try await ServerFixture()
        try await fixture.application().test(.live) { client in
            let answer = try await client.call(
                .get, "/v1/blobs/bafybeifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4")
            #expect(answer.status == .badRequest && answer.code == "invalidCID")
            #expect(answer.message?.contains("codec dag-pb (0x70)") == true)
            // A node that cannot be reached.
            let down = BlobStoreClient(connection: try NodeConnection(url: "http://127.0.0.1:9"))
            let error = await #expect(throws: StorageError.self) { try await down.get(CID(hashing: [])) }
            #expect(error?.code == .unavailable)
        }
    }

    /// A stored blob corrupted on the node's disk is detected by the client with a clear error: a small one by the
    /// node before it answers (500), a large one by the cut-off answer, and never returned as complete.
    @Test(arguments: [1000, 8 << 20])
    func aBlobCorruptedOnDiskIsDetectedByTheClient(size: Int) async throws {
        let fixture = try await ServerFixture()
        let content = Self.content(size)
        let cid = try await fixture.blobs.put(bytes: content).cid
        try fixture.damage(cid, at: size - 10)
        try await fixture.application().test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            var received = 0
            let error = await #expect(throws: StorageError.self) {
                for try await chunk in try await blobs.get(cid) { received += chunk.count }
            }
            #expect(error?.code == .corrupted)
            #expect(received < size)
            if size <= 1 << 20 {
                #expect(error?.message.contains("that this node stores is corrupted") == true)
            } else {
                #expect(
                    error?.message.contains("cuts off a blob it finds corrupted") == true, "\(error?.message ?? "")")
            }
            // Written to a file, nothing reaches the destination.
            let destination = fixture.directory.url.appendingPathComponent("out.bin")
            await #expect(throws: StorageError.self) { try await blobs.get(cid, toFileAt: destination) }
            #expect(!FileManager.default.fileExists(atPath: destination.path))
        }
    }

    /// The client verifies what it receives itself: a node that serves wrong bytes (here, a store that does not check
    /// them) cannot get them past it.
    @Test func theClientVerifiesWhatItReceives() async throws {
        let fixture = try await ServerFixture()
        let content = Self.content(3 << 20)
        let cid = try await fixture.blobs.put(bytes: content).cid
        try await fixture.application(blobs: LyingStore(base: fixture.blobs)).test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            var received = 0
            let error = await #expect(throws: StorageError.self) {
                for try await chunk in try await blobs.get(cid) { received += chunk.count }
            }
            #expect(error?.code == .corrupted)
            #expect(error?.message.contains("that hash to") == true)
            #expect(received < content.count)
        }
    }
}

extension BlobClientTests {
    /// A node that answers the CID of other content for an upload: refused when the sender hashes what it sends (the
    /// default), taken as it is when the sender vouches for the content itself; the size is checked either way.
    @Test func anUploadAnsweredWithAnotherCIDIsRefusedUnlessTheSenderVouchesForTheContent() async throws {
        let fixture = try await ServerFixture()
        let content = Self.content(3 << 20)
        let decoy = try await fixture.blobs.put(bytes: Array(content.reversed())).cid
        try await fixture.application(blobs: MisnamingStore(base: fixture.blobs, answer: decoy)).test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            let error = await #expect(throws: StorageError.self) {
                try await blobs.put(Chunks(content, size: 1 << 20), size: nil, expected: nil, maximumSize: nil)
            }
            #expect(error?.code == .corrupted)
            #expect(error?.message.contains("answered that it stored \(decoy)") == true)
            #expect(error?.message.contains("the content sent is \(CID(hashing: content))") == true)

            let trusted = try await blobs.put(
                Chunks(content, size: 1 << 20), size: nil, expected: nil, maximumSize: nil, check: .trustStoreAnswer)
            #expect(trusted.cid == decoy)

            // A wrong size is refused even then.
            let short = Array(content.prefix(content.count - 1))
            let sizeError = await #expect(throws: StorageError.self) {
                try await blobs.put(
                    Chunks(short, size: 1 << 20), size: nil, expected: nil, maximumSize: nil, check: .trustStoreAnswer)
            }
            #expect(sizeError?.code == .corrupted)
        }
    }
}

/// A blob store that stores honestly but answers every put with `answer` and the size of that blob, as a broken or
/// malicious node could.
struct MisnamingStore: BlobStore {
    let base: LocalBlobStore
    let answer: CID

    func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?, check: AnswerCheck
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        _ = try await base.put(chunks, size: size, expected: expected, maximumSize: maximumSize, check: check)
        return StoredBlob(cid: answer, size: try await base.size(of: answer) ?? 0, created: true)
    }

    func get(_ cid: CID) async throws(StorageError) -> BlobStream { try await base.get(cid) }
    func size(of cid: CID) async throws(StorageError) -> Int? { try await base.size(of: cid) }
    func delete(_ cid: CID) async throws(StorageError) -> Bool { try await base.delete(cid) }
}

/// A blob store that serves the blobs of `base` with their last byte changed and without verifying them, as a broken
/// or malicious node would.
struct LyingStore: BlobStore {
    let base: LocalBlobStore

    func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?, check: AnswerCheck
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        try await base.put(chunks, size: size, expected: expected, maximumSize: maximumSize, check: check)
    }

    func get(_ cid: CID) async throws(StorageError) -> BlobStream {
        var content = try await base.get(cid).collect()
        content[content.count - 1] ^= 1
        let chunks = stride(from: 0, to: content.count, by: 1 << 20).map {
            Array(content[$0..<Swift.min(content.count, $0 + (1 << 20))])
        }
        return BlobStream(cid: cid, size: content.count) { Unverified(chunks: chunks) }
    }

    func size(of cid: CID) async throws(StorageError) -> Int? { try await base.size(of: cid) }
    func delete(_ cid: CID) async throws(StorageError) -> Bool { try await base.delete(cid) }

    private struct Unverified: BlobChunkSource {
        var chunks: [[UInt8]]
        mutating func next() async throws(StorageError) -> [UInt8]? {
            chunks.isEmpty ? nil : chunks.removeFirst()
        }
    }
}

extension ServerFixture {
    /// Flips a bit of the stored file of `cid` at `offset`.
    func damage(_ cid: CID, at offset: Int) throws {
        let url = blobs.url(for: cid)
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[offset] ^= 0x04
        try Data(bytes).write(to: url)
    }
}

/// Content in chunks of `size` bytes, as an upload streams it; it throws instead of yielding the chunk at `failAt`.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let content: [UInt8]
    let size: Int
    var failAt: Int?

    init(_ content: [UInt8], size: Int, failAt: Int? = nil) {
        self.content = content
        self.size = size
        self.failAt = failAt
    }

    struct Broken: Error, CustomStringConvertible {
        var description: String { "the upload broke off" }
    }

    func makeAsyncIterator() -> Iterator { Iterator(chunks: self) }

    struct Iterator: AsyncIteratorProtocol {
        let chunks: Chunks
        var offset = 0
        var index = 0

        mutating func next() async throws -> ArraySlice<UInt8>? {
            defer { index += 1 }
            if index == chunks.failAt { throw Broken() }
            guard offset < chunks.content.count else { return nil }
            let end = Swift.min(chunks.content.count, offset + chunks.size)
            defer { offset = end }
            return chunks.content[offset..<end]
        }
    }
}
