public import Foundation
public import Logging

/// Blobs in a directory on this machine, one file per blob, named by its CID (docs/storage.md):
///
///     <directory>/
///       yk/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku    a blob, in the folder of the two
///       ...                                                               characters before its CID's last one
///       .upload-<random>                                                  a put in progress
///
/// A put streams into a temporary file in the directory (mode 0600) while hashing (starting the disk's write-back every
/// ``Configuration/writebackInterval`` bytes), flushes it to disk, and renames it to its CID's name, then flushes the
/// folder: a blob's file is either complete or absent, and a put that fails, is too large or does not match the
/// expected CID leaves nothing behind. A get verifies the content as it streams it (``BlobStream``). Memory stays
/// constant whatever the size.
///
/// One process owns the directory (the node holds its data directory's lock): opening a store removes the temporary
/// files a crash left behind.
///
/// With ``Configuration/packedBlobSize`` above zero, a put of content of a declared size up to it is appended to a
/// pack file instead (`<directory>/packs/pack-<n>`, ``BlobPacks``), with one flush shared by the puts that arrive
/// together. A store reads the blobs of its packs whatever its configuration.
public struct LocalBlobStore: BlobStore {
    public struct Configuration: Sendable {
        /// The largest blob the store accepts: 4 GiB unless told otherwise.
        public static let defaultMaximumBlobSize = 4 << 30

        /// The largest blob the store accepts, in bytes.
        public var maximumBlobSize: Int
        /// The bytes each chunk of a ``BlobStream`` holds (the last one may hold fewer): 256 KiB unless told
        /// otherwise. Larger chunks mean fewer system calls and more memory per reader.
        public var chunkSize: Int
        /// After every this many bytes a put writes, the store asks the system to start writing them to the disk
        /// (Linux: `sync_file_range`), so that the disk works while the rest arrives and the flush that ends the put
        /// has little left to write: 8 MiB unless told otherwise; 0 leaves it all to that flush. It applies to writes
        /// through the page cache only (see ``directWrites``).
        public var writebackInterval: Int
        /// Whether a put writes with direct I/O where the file system allows it (Linux's O_DIRECT): straight to the
        /// disk, without the copy into the page cache that costs about as much CPU as hashing the blob. True unless
        /// told otherwise; where the file system refuses it (tmpfs), puts go through the page cache anyway.
        public var directWrites: Bool
        /// A put of content whose size is declared and at most this many bytes goes to a pack file, not a file of its
        /// own: 0 (no packing) unless told otherwise. The content is held in memory until it is written.
        public var packedBlobSize: Int
        /// A pack is closed and the next one started once it holds this many bytes: 1 GiB unless told otherwise.
        public var packSize: Int

        public init(
            maximumBlobSize: Int = Self.defaultMaximumBlobSize, chunkSize: Int = 256 << 10,
            writebackInterval: Int = 8 << 20, directWrites: Bool = true, packedBlobSize: Int = 0,
            packSize: Int = 1 << 30
        ) {
            self.maximumBlobSize = maximumBlobSize
            self.chunkSize = chunkSize
            self.writebackInterval = writebackInterval
            self.directWrites = directWrites
            self.packedBlobSize = packedBlobSize
            self.packSize = packSize
        }
    }

    /// The directory.
    public let directory: URL
    public let configuration: Configuration
    private let root: String
    private let packs: BlobPacks
    private let logger: Logger

    /// The prefix of temporary files.
    static let temporaryPrefix = ".upload-"

    /// Opens the store in `directory`, creating the folder (mode 0700, and its missing parents) when it is missing,
    /// and removes the temporary files of puts that a crash interrupted.
    ///
    /// - Throws: ``StorageError/Code/io`` when the folder cannot be created or listed.
    public init(directory: URL, configuration: Configuration = Configuration(), logger: Logger) throws(StorageError) {
        precondition(configuration.maximumBlobSize >= 0, "maximumBlobSize must not be negative")
        precondition((1...(64 << 20)).contains(configuration.chunkSize), "chunkSize must be from 1 byte to 64 MiB")
        precondition(configuration.writebackInterval >= 0, "writebackInterval must not be negative")
        precondition(configuration.packedBlobSize >= 0, "packedBlobSize must not be negative")
        precondition(configuration.packSize > 0, "packSize must be positive")
        self.directory = directory.standardizedFileURL
        self.configuration = configuration
        self.logger = logger
        root = try FileIO.path(self.directory)
        if !FileIO.exists(root) {
            do {
                try FileManager.default.createDirectory(
                    atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StorageError(
                    .io, "Could not create the folder \(root) (\(error)); check the path and its permissions.")
            }
            FileIO.syncFolder(try FileIO.path(self.directory.deletingLastPathComponent()))
        }
        try FileIO.makeFolder(root, permissions: 0o700)  // refuses a file where the folder should be
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root)
        } catch {
            throw StorageError(.io, "Could not list \(root) (\(error)); check its permissions.")
        }
        for name in names where name.hasPrefix(Self.temporaryPrefix) {
            try FileIO.remove(root + "/" + name)
            logger.info("removed an interrupted upload", metadata: ["file": "\(root)/\(name)"])
        }
        packs = try BlobPacks(
            in: root, create: configuration.packedBlobSize > 0, maximumPackSize: configuration.packSize, logger: logger)
    }

    /// Where the bytes of a stored blob are on the disk.
    public struct Location: Sendable, Hashable {
        /// The blob's own file, or the pack file that holds it.
        public var url: URL
        /// The offset of its first byte in that file: 0 for a file of its own.
        public var offset: Int
        public var size: Int
    }

    /// Where the blob `cid` is on the disk, or nil when the store holds none.
    public func location(of cid: CID) throws(StorageError) -> Location? {
        if let packed = packs.location(of: cid) {
            return Location(
                url: URL(fileURLWithPath: packs.path(of: packed.pack)), offset: packed.offset, size: packed.size)
        }
        guard let size = try FileIO.size(path(for: cid).file) else { return nil }
        return Location(url: url(for: cid), offset: 0, size: size)
    }

    /// The file that holds (or would hold) the blob `cid`: in the folder named by the two characters before the
    /// CID's last one, as IPFS's flatfs shards (`next-to-last/2`).
    public func url(for cid: CID) -> URL {
        let name = cid.description
        return directory.appendingPathComponent(Self.shard(of: name)).appendingPathComponent(name)
    }

    static func shard(of name: String) -> String { String(name.dropLast().suffix(2)) }

    private func path(for cid: CID) -> (folder: String, file: String) {
        let name = cid.description
        let folder = root + "/" + Self.shard(of: name)
        return (folder, folder + "/" + name)
    }

    // MARK: BlobStore

    public func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?, check: AnswerCheck
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        let limit = min(configuration.maximumBlobSize, maximumSize ?? .max)
        if let size, size > limit { throw Self.tooLarge(size: size, limit: limit) }
        if let size, configuration.packedBlobSize > 0, size <= configuration.packedBlobSize {
            return try await putPacked(chunks, size: size, expected: expected)
        }
        let temporary = root + "/" + Self.temporaryPrefix + FileIO.randomSuffix()
        let file = try FileDescriptor.create(temporary, permissions: 0o600)
        do throws(StorageError) {
            let (cid, count) = try await write(chunks, to: file, declaredSize: size, limit: limit)
            try Self.check(cid, expected: expected)
            try await file.sync()
            let (folder, final) = path(for: cid)
            let existed = try await FileIO.blocking { () throws(StorageError) -> Bool in
                if try FileIO.makeFolder(folder, permissions: 0o700) { FileIO.syncFolder(root) }
                let existed = FileIO.exists(final)
                // Replaces what is there: the same bytes when the store already held them (readers with the file
                // open keep reading the old one), a sound copy when the stored one was damaged.
                try FileIO.rename(temporary, to: final)
                FileIO.syncFolder(folder)
                return existed
            }
            logger.debug(
                "stored a blob", metadata: ["cid": "\(cid)", "size": "\(count)", "created": "\(!existed)"])
            return StoredBlob(cid: cid, size: count, created: !existed)
        } catch {
            _ = try? FileIO.remove(temporary)
            throw error
        }
    }

    /// A put into the packs: the content gathered in memory while hashed, then appended.
    private func putPacked<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int, expected: CID?
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        var hasher = CID.Hasher()
        var content: [UInt8] = []
        content.reserveCapacity(size)
        var iterator = chunks.makeAsyncIterator()
        while let chunk = try await Self.next(&iterator) {
            if content.count + chunk.count > size {
                throw Self.sizeMismatch(size, atLeast: content.count + chunk.count)
            }
            hasher.update(chunk)
            content.append(contentsOf: chunk)
        }
        if content.count != size { throw Self.sizeMismatch(size, atLeast: content.count) }
        let cid = hasher.finalize()
        try Self.check(cid, expected: expected)
        var existed = packs.location(of: cid) != nil
        if !existed { existed = try FileIO.size(path(for: cid).file) != nil }
        _ = try await packs.append(content, cid: cid)
        logger.debug(
            "stored a blob in a pack", metadata: ["cid": "\(cid)", "size": "\(size)", "created": "\(!existed)"])
        return StoredBlob(cid: cid, size: size, created: !existed)
    }

    /// Streams `chunks` into `file` while hashing them, within `limit`; returns the content's CID and size.
    ///
    /// The chunks are hashed here as they arrive and gathered into aligned 1 MiB buffers that a ``FileAppender``
    /// writes on a Dispatch thread (directly to the disk where it can), so that hashing one buffer overlaps writing
    /// the one before, and a gigabyte takes a thousand writes, not the sixteen thousand of 64 KiB network reads.
    private func write<Chunks: AsyncSequence>(
        _ chunks: Chunks, to file: FileDescriptor, declaredSize: Int?, limit: Int
    ) async throws(StorageError) -> (cid: CID, size: Int) where Chunks.Element: Collection<UInt8> {
        var hasher = CID.Hasher()
        var appender = FileAppender(
            file: file, direct: configuration.directWrites, writebackInterval: configuration.writebackInterval)
        var buffer = appender.makeBuffer()
        var iterator = chunks.makeAsyncIterator()
        do throws(StorageError) {
            while let chunk = try await Self.next(&iterator) {
                let total = hasher.byteCount + chunk.count
                if total > limit { throw Self.tooLarge(size: nil, limit: limit) }
                if let declaredSize, total > declaredSize { throw Self.sizeMismatch(declaredSize, atLeast: total) }
                // The chunk's bytes where they are, or copied once when they are not contiguous.
                let copy: [UInt8]? = chunk.withContiguousStorageIfAvailable { _ in } == nil ? Array(chunk) : nil
                func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
                    if let copy { return copy.withUnsafeBytes(body) }
                    return chunk.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)) }!
                }
                withBytes { hasher.update(bufferPointer: $0) }
                var offset = 0
                while offset < chunk.count {
                    offset += withBytes { buffer.fill(from: UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                    if buffer.isFull { buffer = try await appender.append(buffer) }
                }
            }
            if let declaredSize, hasher.byteCount != declaredSize {
                throw Self.sizeMismatch(declaredSize, atLeast: hasher.byteCount)
            }
            if buffer.count > 0 { _ = try await appender.append(buffer) }
            try await appender.finish()
        } catch {
            await appender.abandon()
            throw error
        }
        return (hasher.finalize(), hasher.byteCount)
    }

    public func get(_ cid: CID) async throws(StorageError) -> BlobStream {
        if let packed = packs.location(of: cid), let file = packs.file(of: packed.pack) {
            let chunkSize = configuration.chunkSize
            let logger = logger
            let place = "the pack \(file.path) (bytes \(packed.offset) to \(packed.offset + packed.size))"
            return BlobStream(cid: cid, size: packed.size) {
                LocalBlobSource(
                    file: file, offset: packed.offset, place: place, cid: cid, size: packed.size, chunkSize: chunkSize,
                    logger: logger)
            }
        }
        let (_, path) = path(for: cid)
        guard let file = try FileDescriptor.openExisting(path) else {
            throw StorageError(.notFound, "The store at \(root) holds no blob \(cid).")
        }
        let size = try file.size()
        let chunkSize = configuration.chunkSize
        let logger = logger
        return BlobStream(cid: cid, size: size) {
            LocalBlobSource(
                file: file, offset: 0, place: "the file \(file.path)", cid: cid, size: size, chunkSize: chunkSize,
                logger: logger)
        }
    }

    public func size(of cid: CID) async throws(StorageError) -> Int? {
        if let packed = packs.location(of: cid) { return packed.size }
        return try FileIO.size(path(for: cid).file)
    }

    public func delete(_ cid: CID) async throws(StorageError) -> Bool {
        let (folder, file) = path(for: cid)
        let unpacked = try await packs.delete(cid)
        guard try FileIO.remove(file) else { return unpacked }
        FileIO.syncFolder(folder)
        logger.debug("deleted a blob", metadata: ["cid": "\(cid)"])
        return true
    }

    /// The next chunk of an upload; a source that fails is the put's ``StorageError/Code/sourceFailed``.
    private static func next<Iterator: AsyncIteratorProtocol>(
        _ iterator: inout Iterator, isolation: isolated (any Actor)? = #isolation
    ) async throws(StorageError) -> Iterator.Element? {
        do {
            return try await iterator.next(isolation: isolation)
        } catch {
            throw StorageError(
                .sourceFailed, "The content could not be read to its end (\(error)); nothing was stored. Send it again."
            )
        }
    }

    /// Refuses content whose CID is not the one the put expected.
    private static func check(_ cid: CID, expected: CID?) throws(StorageError) {
        guard let expected, cid != expected else { return }
        throw StorageError(
            .digestMismatch,
            "The content hashes to \(cid), not to the expected \(expected); it was not stored. Check that you sent the content you meant to."
        )
    }

    // MARK: Errors

    private static func tooLarge(size: Int?, limit: Int) -> StorageError {
        let what = size.map { "The content is \($0) bytes, more than" } ?? "The content is larger than"
        return StorageError(
            .tooLarge,
            "\(what) the \(limit) bytes this store accepts; nothing was stored. Split it, or raise the store's limit."
        )
    }

    private static func sizeMismatch(_ declared: Int, atLeast count: Int) -> StorageError {
        let actual = count > declared ? "at least \(count)" : "\(count)"
        return StorageError(
            .sizeMismatch,
            "The content was declared as \(declared) bytes but holds \(actual); nothing was stored. Declare its true size."
        )
    }
}

/// The chunks of one blob's file, verified as they are read.
private struct LocalBlobSource: BlobChunkSource {
    let file: FileDescriptor
    /// Where the blob starts in the file: 0, or its offset in a pack.
    let offset: Int
    let chunkSize: Int
    let logger: Logger
    var verifier: BlobVerifier
    var finished = false

    init(file: FileDescriptor, offset: Int, place: String, cid: CID, size: Int, chunkSize: Int, logger: Logger) {
        self.file = file
        self.offset = offset
        self.chunkSize = chunkSize
        self.logger = logger
        verifier = BlobVerifier(cid: cid, size: size) { mismatch in
            let what: String
            switch mismatch {
            case .digest(let actual): what = "its \(size) bytes hash to \(actual)"
            case .tooLong: what = "it grew past its \(size) bytes while it was read"
            case .truncated(let count): what = "it ended after \(count) of its \(size) bytes while it was read"
            }
            return StorageError(
                .corrupted,
                "The stored blob \(cid) is corrupted: \(what), not the content its name says. The disk or someone changed \(place); do not use what was read. Store the original content again to repair it, or delete the blob."
            )
        }
    }

    mutating func next() async throws(StorageError) -> [UInt8]? {
        guard !finished else { return nil }
        do throws(StorageError) {
            let wanted = min(chunkSize, verifier.size - verifier.count)
            guard wanted > 0 else {
                finished = true
                try verifier.end()
                return nil
            }
            let chunk = try file.read(count: wanted, at: offset + verifier.count)
            try verifier.absorb(chunk)
            if chunk.count < wanted { try verifier.end() }
            if verifier.isVerified { finished = true }
            return chunk
        } catch {
            finished = true
            if error.code == .corrupted {
                logger.error(
                    "a stored blob is corrupted",
                    metadata: ["cid": "\(verifier.cid)", "file": "\(file.path)", "error": "\(error.message)"])
            }
            throw error
        }
    }
}
