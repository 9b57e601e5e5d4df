import ClaveStorage
import ClaveTestSupport
import Foundation
import Logging
import Testing

/// LocalBlobStore with packing on: small blobs appended to pack files, found again when the store reopens, verified as
/// they are read, and a crash's half-written record cut off.
@Suite struct BlobPackTests {
    struct Packed {
        let folder: TemporaryDirectory
        let packSize: Int
        var directory: URL { folder.url.appendingPathComponent("blobs") }
        var packs: URL { directory.appendingPathComponent("packs") }

        init(packSize: Int = 1 << 30) throws {
            folder = try TemporaryDirectory(prefix: "clave-packs")
            self.packSize = packSize
        }

        /// A store on the folder (opening it again reads what the packs hold).
        func open() throws -> LocalBlobStore {
            try LocalBlobStore(
                directory: directory,
                configuration: .init(chunkSize: 4096, packedBlobSize: 64 << 10, packSize: packSize), logger: .quiet)
        }

        var firstPack: URL { packs.appendingPathComponent("pack-1") }

        /// Puts `content` in a store opened for it alone (closed again), and returns its CID and the first pack's
        /// bytes then.
        func storeOne(_ content: [UInt8]) async throws -> (cid: CID, pack: Data) {
            let cid = try await open().put(bytes: content).cid
            return (cid, try Data(contentsOf: firstPack))
        }

        func packFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: packs.path).sorted()
        }
    }

    @Test func smallBlobsGoToAPackAndLargeOnesToFilesOfTheirOwn() async throws {
        let packed = try Packed()
        let store = try packed.open()
        let small = (0..<3).map { randomBytes(100 + $0 * 5000, seed: UInt64($0)) }
        var stored: [StoredBlob] = []
        for content in small { stored.append(try await store.put(bytes: content)) }
        let large = randomBytes((64 << 10) + 1, seed: 9)
        let largeBlob = try await store.put(bytes: large)

        #expect(stored.map(\.created) == [true, true, true])
        #expect(try packed.packFiles() == ["pack-1"])
        let everything = try FileManager.default.contentsOfDirectory(atPath: packed.directory.path).sorted()
        let largeName = largeBlob.cid.description
        #expect(everything == [String(largeName.dropLast().suffix(2)), "packs"])
        for (content, blob) in zip(small, stored) {
            #expect(try await store.get(blob.cid).collect() == content)
            #expect(try await store.size(of: blob.cid) == content.count)
            let location = try #require(try store.location(of: blob.cid))
            #expect(location.url.lastPathComponent == "pack-1" && location.size == content.count)
            let onDisk = try Data(contentsOf: location.url)[location.offset..<(location.offset + location.size)]
            #expect(Array(onDisk) == content)
        }
        #expect(try store.location(of: largeBlob.cid)?.url == store.url(for: largeBlob.cid))
        #expect(try await store.get(largeBlob.cid).collect() == large)
        let empty = try await store.put(bytes: [UInt8]())
        #expect(try await store.get(empty.cid).collect() == [])
        #expect(try store.location(of: empty.cid)?.size == 0)
        // The same content again: not new, and still read back.
        #expect(try await store.put(bytes: small[0]).created == false)
        #expect(try await store.get(stored[0].cid).collect() == small[0])
    }

    @Test func reopeningFindsEveryPackedBlobAndNoDeletedOne() async throws {
        let packed = try Packed()
        let contents = (0..<20).map { randomBytes(300 + $0, seed: UInt64(100 + $0)) }
        var cids: [CID] = []
        do {
            let store = try packed.open()
            // Together: they share flushes.
            cids = try await withThrowingTaskGroup(of: CID.self) { group in
                for content in contents { group.addTask { try await store.put(bytes: content).cid } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(try await store.delete(CID(hashing: contents[0])))
            #expect(try await !store.delete(CID(hashing: contents[0])))
            #expect(try await store.size(of: CID(hashing: contents[0])) == nil)
        }
        #expect(Set(cids) == Set(contents.map { CID(hashing: $0) }))
        let reopened = try packed.open()
        for content in contents.dropFirst() {
            #expect(try await reopened.get(CID(hashing: content)).collect() == content)
        }
        let gone = await #expect(throws: StorageError.self) { try await reopened.get(CID(hashing: contents[0])) }
        #expect(gone?.code == .notFound)
    }

    @Test func aRecordACrashCutShortIsCutOffWhenTheStoreOpens() async throws {
        let packed = try Packed()
        let first = randomBytes(1000, seed: 1)
        let (kept, whole) = try await packed.storeOne(first)
        let pack = packed.firstPack
        // The start of a second record, as a crash during its write leaves it.
        let handle = try FileHandle(forWritingTo: pack)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("CLVP".utf8) + Data([1, 36, 0xE8, 0x03, 0, 0]))
        try handle.close()

        let reopened = try packed.open()
        #expect(try Data(contentsOf: pack) == whole)
        // The cut bytes are kept beside the pack.
        let cut = packed.packs.appendingPathComponent("pack-1.cut-\(whole.count)")
        #expect(try Data(contentsOf: cut) == Data("CLVP".utf8) + Data([1, 36, 0xE8, 0x03, 0, 0]))
        #expect(try await reopened.get(kept).collect() == first)
        let second = randomBytes(2000, seed: 2)
        let added = try await reopened.put(bytes: second)
        #expect(try await packed.open().get(added.cid).collect() == second)
    }

    @Test func aDamagedPackedBlobIsRefusedAndPuttingItAgainRepairsIt() async throws {
        let packed = try Packed()
        let store = try packed.open()
        let content = randomBytes(20_000, seed: 3)
        let cid = try await store.put(bytes: content).cid
        let location = try #require(try store.location(of: cid))
        var bytes = try Data(contentsOf: location.url)
        bytes[location.offset + 10_000] ^= 0x01
        try bytes.write(to: location.url)

        let failure = await #expect(throws: StorageError.self) { try await store.get(cid).collect() }
        #expect(failure?.code == .corrupted)
        #expect(failure?.message.contains("the pack \(location.url.path)") == true)
        #expect(failure?.message.contains("Store the original content again") == true)

        #expect(try await store.put(bytes: content).created == false)
        #expect(try await store.get(cid).collect() == content)
        #expect(try await packed.open().get(cid).collect() == content)
    }

    @Test func aRefusedPutAppendsNothing() async throws {
        let packed = try Packed()
        let store = try packed.open()
        let content = randomBytes(500, seed: 4)
        let before = try Data(contentsOf: packed.firstPack)
        let wrong = await #expect(throws: StorageError.self) {
            try await store.put(bytes: content, expected: CID(hashing: [1, 2, 3]))
        }
        #expect(wrong?.code == .digestMismatch)
        let short = await #expect(throws: StorageError.self) {
            try await store.put(Chunks(content), size: content.count + 1, expected: nil, maximumSize: nil)
        }
        #expect(short?.code == .sizeMismatch)
        let broken = await #expect(throws: StorageError.self) {
            try await store.put(
                Chunks(content, sizes: [100], failAt: 2), size: content.count, expected: nil, maximumSize: nil)
        }
        #expect(broken?.code == .sourceFailed)
        #expect(try Data(contentsOf: packed.firstPack) == before)
    }

    @Test func aForgedHugeSizeInTheLastPackIsCutOffNotTrusted() async throws {
        let packed = try Packed()
        let first = randomBytes(700, seed: 5)
        var (cid, bytes) = try await packed.storeOne(first)
        let pack = packed.firstPack
        let end = bytes.count
        // A second record whose header claims Int.max bytes, with its check made to match.
        var header = Data("CLVP".utf8) + Data([1, UInt8(cid.bytes.count)])
        withUnsafeBytes(of: UInt64(Int.max).littleEndian) { header.append(contentsOf: $0) }
        var hasher = CID.Hasher()
        hasher.update(Array(header) + cid.bytes)
        header += Data(hasher.finalize().sha256Digest.bytes.prefix(4)) + Data(cid.bytes) + Data([1, 2, 3])
        bytes += header
        try bytes.write(to: pack)

        let reopened = try packed.open()
        #expect(try Data(contentsOf: pack).count == end)
        #expect(try await reopened.get(cid).collect() == first)
        #expect(FileManager.default.fileExists(atPath: packed.packs.appendingPathComponent("pack-1.cut-\(end)").path))
    }

    @Test func aFullPackIsClosedAndDamageInAnEarlierPackIsRefusedAtOpen() async throws {
        let packed = try Packed(packSize: 600)
        var cids: [CID] = []
        do {
            let store = try packed.open()
            for index in 0..<5 { cids.append(try await store.put(bytes: randomBytes(600, seed: UInt64(index))).cid) }
        }
        #expect(try packed.packFiles() == ["pack-1", "pack-2", "pack-3", "pack-4", "pack-5", "pack-6"])
        let reopened = try packed.open()
        for (index, cid) in cids.enumerated() {
            #expect(try await reopened.get(cid).collect() == randomBytes(600, seed: UInt64(index)))
        }
        // A header of pack 2 changed: not a crash's cut (that is only ever at the end of the last pack), damage.
        let second = packed.packs.appendingPathComponent("pack-2")
        var bytes = try Data(contentsOf: second)
        bytes[7] ^= 0x01
        try bytes.write(to: second)
        let refused = #expect(throws: StorageError.self) { try packed.open() }
        #expect(refused?.code == .corrupted)
        #expect(refused?.message.contains("pack-2") == true && refused?.message.contains("backup") == true)
    }
}
