import ClaveStorage
import ClaveTestSupport
import Foundation
import Logging
import Testing

/// LocalBlobStore: streaming round trips, atomic puts that leave nothing behind when refused, verified reads.
@Suite struct LocalBlobStoreTests {
    /// Sizes around the 4 KiB chunks of the fixture's store, and several chunks.
    @Test(arguments: [0, 1, 4095, 4096, 4097, 3 * 4096 + 5, (1 << 20) + 3])
    func roundTrip(size: Int) async throws {
        let fixture = try StoreFixture(chunkSize: 4096)
        let content = randomBytes(size, seed: UInt64(size))
        let stored = try await fixture.store.put(Chunks(content, sizes: [1, 1000, 5000, 65536]))
        #expect(stored == StoredBlob(cid: CID(hashing: content), size: size, created: true))
        #expect(try await fixture.store.size(of: stored.cid) == size)
        #expect(try await fixture.store.contains(stored.cid))

        let stream = try await fixture.store.get(stored.cid)
        #expect(stream.cid == stored.cid && stream.size == size)
        let (chunks, error) = await drain(stream)
        #expect(error == nil)
        #expect(chunks.joined().elementsEqual(content))
        #expect(chunks.allSatisfy { $0.count <= 4096 && !$0.isEmpty })
        #expect(chunks.count == (size + 4095) / 4096)

        // One file, named by the CID in its shard folder, mode 0600; no temporary file left.
        let name = stored.cid.description
        #expect(try fixture.files() == ["\(name.dropLast().suffix(2))/\(name)"])
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.store.url(for: stored.cid).path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    /// Starting the disk's write-back as a put goes (every byte, every 4 KiB, at the default 8 MiB, or never) changes
    /// nothing in what is stored.
    @Test(arguments: [0, 1, 4096, 8 << 20])
    func aPutStartingWritebackAsItGoesStoresTheSameBlob(interval: Int) async throws {
        let fixture = try StoreFixture(writebackInterval: interval)
        let content = randomBytes(3 << 20, seed: 7)
        let stored = try await fixture.store.put(Chunks(content, sizes: [1, 5000, 65536, 1 << 20]))
        #expect(stored == StoredBlob(cid: CID(hashing: content), size: content.count, created: true))
        let (chunks, error) = await drain(try await fixture.store.get(stored.cid))
        #expect(error == nil)
        #expect(chunks.joined().elementsEqual(content))
        #expect(try fixture.files() == [stored.cid.description.dropLast().suffix(2) + "/" + stored.cid.description])
    }

    /// Puts are gathered into aligned 1 MiB buffers written directly to the disk, all but a last piece under 4 KiB,
    /// which goes through the page cache; or all through the page cache. Sizes around both steps, in chunks that
    /// straddle them, store the same bytes either way.
    @Test(arguments: [true, false], [0, 1, 4095, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 4099])
    func directAndPageCacheWritesStoreTheSameBytes(direct: Bool, size: Int) async throws {
        let fixture = try StoreFixture(directWrites: direct)
        let content = randomBytes(size, seed: UInt64(size))
        let stored = try await fixture.store.put(Chunks(content, sizes: [4097, 1, 65536, (1 << 20) + 7]))
        #expect(stored == StoredBlob(cid: CID(hashing: content), size: size, created: true))
        let file = try Data(contentsOf: fixture.store.url(for: stored.cid))
        #expect(file.count == size && file.elementsEqual(content))
        #expect(try fixture.files() == [stored.cid.description.dropLast().suffix(2) + "/" + stored.cid.description])
    }

    @Test func aPutOfContentAlreadyStoredChangesNothing() async throws {
        let fixture = try StoreFixture()
        let content = randomBytes(10_000, seed: 1)
        let first = try await fixture.store.put(bytes: content)
        let again = try await fixture.store.put(Chunks(content, sizes: [333]), expected: first.cid)
        #expect(first.created && !again.created)
        #expect(again.cid == first.cid && again.size == first.size)
        #expect(try fixture.files().count == 1)
        #expect(try await fixture.store.get(first.cid).collect() == content)
        // The same content from two puts at once is stored once.
        async let one = fixture.store.put(bytes: content + [1])
        async let two = fixture.store.put(bytes: content + [1])
        #expect(try await one.cid == two.cid)
        #expect(try fixture.files().count == 2)
    }

    @Test func anExpectedCIDThatDoesNotMatchIsRefusedAndNothingIsStored() async throws {
        let fixture = try StoreFixture()
        let content = randomBytes(50_000, seed: 2)
        let other = CID(hashing: [1, 2, 3])
        let error = await #expect(throws: StorageError.self) {
            try await fixture.store.put(Chunks(content), expected: other)
        }
        #expect(error?.code == .digestMismatch)
        #expect(error?.message.contains("hashes to \(CID(hashing: content)), not to the expected \(other)") == true)
        #expect(error?.message.contains("not stored") == true)
        #expect(try fixture.files().isEmpty)
        #expect(try await fixture.store.contains(CID(hashing: content)) == false)
        // The right one is taken.
        let stored = try await fixture.store.put(Chunks(content), expected: CID(hashing: content))
        #expect(stored.cid == CID(hashing: content))
    }

    @Test func contentOverTheLimitIsRefusedAndNothingIsStored() async throws {
        let fixture = try StoreFixture(maximumBlobSize: 10_000)
        let content = randomBytes(10_001, seed: 3)
        let error = await #expect(throws: StorageError.self) {
            try await fixture.store.put(Chunks(content, sizes: [4000]))
        }
        #expect(
            error?.code == .tooLarge
                && error?.message.contains("larger than the 10000 bytes this store accepts") == true)
        #expect(try fixture.files().isEmpty)
        // The limit itself is allowed; a caller's smaller limit applies too.
        #expect(try await fixture.store.put(bytes: content.dropLast()).size == 10_000)
        await #expect(throws: StorageError.self) {
            try await fixture.store.put(Chunks(Array(content.prefix(101))), maximumSize: 100)
        }
        // A declared size over the limit is refused before any byte is read.
        let never = Chunks(content, failAt: 0)
        let early = await #expect(throws: StorageError.self) {
            try await fixture.store.put(never, size: 20_000, expected: nil, maximumSize: nil)
        }
        #expect(
            early?.code == .tooLarge
                && early?.message.contains("The content is 20000 bytes, more than the 10000") == true)
        #expect(try fixture.files().count == 1)
    }

    @Test func contentOfAnotherSizeThanDeclaredIsRefused() async throws {
        let fixture = try StoreFixture()
        let content = randomBytes(5000, seed: 4)
        for declared in [4999, 5001] {
            let error = await #expect(throws: StorageError.self) {
                try await fixture.store.put(Chunks(content), size: declared, expected: nil, maximumSize: nil)
            }
            #expect(error?.code == .sizeMismatch && error?.message.contains("declared as \(declared) bytes") == true)
        }
        #expect(try fixture.files().isEmpty)
    }

    @Test func anUploadThatBreaksOffLeavesNothing() async throws {
        let fixture = try StoreFixture()
        let content = randomBytes(50_000, seed: 5)
        let error = await #expect(throws: StorageError.self) {
            try await fixture.store.put(Chunks(content, failAt: 3))
        }
        #expect(error?.code == .sourceFailed && error?.message.contains("the upload broke off") == true)
        #expect(try fixture.files().isEmpty)
    }

    // MARK: Corruption

    /// A stored blob corrupted on disk is detected on read with a clear error, before its last chunk is yielded.
    @Test(arguments: [100, 4096 * 5 + 17])
    func aByteFlippedOnDiskIsDetectedOnRead(size: Int) async throws {
        let fixture = try StoreFixture(chunkSize: 4096)
        let content = randomBytes(size, seed: 6)
        let cid = try await fixture.store.put(bytes: content).cid
        try fixture.damage(cid) { $0[size / 2] ^= 0x01 }

        let (chunks, error) = await drain(try await fixture.store.get(cid))
        let failure = try #require(error)
        #expect(failure.code == .corrupted)
        #expect(failure.message.contains("The stored blob \(cid) is corrupted"))
        #expect(failure.message.contains(fixture.store.url(for: cid).path))
        #expect(failure.message.contains("Store the original content again"))
        // Never the whole content: the last chunk is held back until the digest is checked.
        #expect(chunks.joined().count < size)
        #expect(chunks.count == (size - 1) / 4096)
        // The size is what is on disk; reading is what checks it.
        #expect(try await fixture.store.size(of: cid) == size)
    }

    @Test func aTruncatedOrExtendedFileIsDetectedOnRead() async throws {
        let fixture = try StoreFixture(chunkSize: 4096)
        let content = randomBytes(10_000, seed: 7)
        let cid = try await fixture.store.put(bytes: content).cid

        try fixture.damage(cid) { $0.removeLast(100) }
        var (chunks, error) = await drain(try await fixture.store.get(cid))
        #expect(error?.code == .corrupted && error?.message.contains("9900 bytes hash to") == true)
        #expect(chunks.joined().count < 9900)

        try fixture.damage(cid) { $0 += Array(repeating: 0, count: 200) }
        (chunks, error) = await drain(try await fixture.store.get(cid))
        #expect(error?.code == .corrupted)
        #expect(chunks.joined().count < 10_100)

        // An empty file under another content's name.
        try fixture.damage(cid) { $0 = [] }
        (chunks, error) = await drain(try await fixture.store.get(cid))
        #expect(error?.code == .corrupted && chunks.isEmpty)
    }

    @Test func aFileThatShrinksWhileItIsReadIsDetected() async throws {
        let fixture = try StoreFixture(chunkSize: 4096)
        let content = randomBytes(20_000, seed: 8)
        let cid = try await fixture.store.put(bytes: content).cid
        var iterator = try await fixture.store.get(cid).makeAsyncIterator()
        #expect(try await iterator.next()?.count == 4096)
        try FileHandle(forWritingTo: fixture.store.url(for: cid)).truncate(atOffset: 5000)
        let error = await #expect(throws: StorageError.self) { while try await iterator.next() != nil {} }
        #expect(error?.code == .corrupted && error?.message.contains("ended after 5000 of its 20000 bytes") == true)
    }

    @Test func puttingTheOriginalContentAgainRepairsADamagedBlob() async throws {
        let fixture = try StoreFixture()
        let content = randomBytes(9000, seed: 9)
        let cid = try await fixture.store.put(bytes: content).cid
        try fixture.damage(cid) { $0[0] ^= 0xFF }
        #expect(try await fixture.store.put(bytes: content).created == false)
        #expect(try await fixture.store.get(cid).collect() == content)
    }

    // MARK: Reading, deleting, opening

    @Test func anUnknownBlobIsNotFound() async throws {
        let fixture = try StoreFixture()
        let cid = CID(hashing: Array("nothing".utf8))
        let error = await #expect(throws: StorageError.self) { try await fixture.store.get(cid) }
        #expect(error?.code == .notFound && error?.message.contains("holds no blob \(cid)") == true)
        #expect(try await fixture.store.size(of: cid) == nil)
        #expect(try await fixture.store.delete(cid) == false)
    }

    @Test func deleteRemovesTheBlob() async throws {
        let fixture = try StoreFixture()
        let cid = try await fixture.store.put(bytes: [1, 2, 3]).cid
        #expect(try await fixture.store.delete(cid))
        #expect(try await fixture.store.contains(cid) == false)
        #expect(try await fixture.store.delete(cid) == false)
        await #expect(throws: StorageError.self) { try await fixture.store.get(cid) }
    }

    @Test func openingRemovesWhatACrashLeftAndCreatesTheFolder() async throws {
        let folder = try TemporaryDirectory(prefix: "clave-storage")
        let directory = folder.url.appendingPathComponent("a/b/blobs")
        let store = try LocalBlobStore(directory: directory, logger: .quiet)
        let cid = try await store.put(bytes: Array("kept".utf8)).cid
        try Data("half an upload".utf8).write(to: directory.appendingPathComponent(".upload-1234"))
        _ = try LocalBlobStore(directory: directory, logger: .quiet)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                String(cid.description.dropLast().suffix(2))
            ])
        #expect(try await store.get(cid).collect() == Array("kept".utf8))
        // A file where the folder should be is a clear error.
        let file = folder.url.appendingPathComponent("file")
        try Data().write(to: file)
        let error = #expect(throws: StorageError.self) { try LocalBlobStore(directory: file, logger: .quiet) }
        #expect(error?.code == .io && error?.message.contains("something else than a folder") == true)
    }
}
