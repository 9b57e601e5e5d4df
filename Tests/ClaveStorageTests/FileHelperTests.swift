import ClaveStorage
import ClaveTestSupport
import Foundation
import Testing

/// put(fileAt:) and get(_:toFileAt:): files in constant memory, a destination written only once verified.
@Suite struct FileHelperTests {
    @Test func aFileRoundTrips() async throws {
        let fixture = try StoreFixture()
        let content = randomBytes(3 << 20, seed: 10)
        let source = fixture.folder.url.appendingPathComponent("source.bin")
        try Data(content).write(to: source)
        let stored = try await fixture.store.put(fileAt: source)
        #expect(stored.cid == CID(hashing: content) && stored.size == content.count)

        let destination = fixture.folder.url.appendingPathComponent("out/copy.bin")
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try await fixture.store.get(stored.cid, toFileAt: destination) == content.count)
        #expect(try Data(contentsOf: destination) == Data(content))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: destination.deletingLastPathComponent().path) == [
                "copy.bin"
            ])
    }

    @Test func aCorruptedBlobNeverReachesTheDestination() async throws {
        let fixture = try StoreFixture(chunkSize: 4096)
        let content = randomBytes(100_000, seed: 11)
        let cid = try await fixture.store.put(bytes: content).cid
        try fixture.damage(cid) { $0[99_999] ^= 0x80 }
        let folder = fixture.folder.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let destination = folder.appendingPathComponent("dataset.bin")
        try Data("the previous file".utf8).write(to: destination)

        let error = await #expect(throws: StorageError.self) { try await fixture.store.get(cid, toFileAt: destination) }
        #expect(error?.code == .corrupted)
        #expect(try Data(contentsOf: destination) == Data("the previous file".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["dataset.bin"])
    }

    @Test func aMissingSourceOrBlobIsAClearError() async throws {
        let fixture = try StoreFixture()
        let missing = fixture.folder.url.appendingPathComponent("missing.bin")
        let noSource = await #expect(throws: StorageError.self) { try await fixture.store.put(fileAt: missing) }
        #expect(noSource?.code == .io && noSource?.message.contains(missing.path) == true)
        let noBlob = await #expect(throws: StorageError.self) {
            try await fixture.store.get(CID(hashing: [0]), toFileAt: missing)
        }
        #expect(noBlob?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }
}
