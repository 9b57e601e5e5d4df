import Dispatch
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The small blobs of a ``LocalBlobStore``, appended to pack files instead of a file each (docs/storage.md, "Packs"):
///
///     <directory>/packs/pack-1, pack-2, ...    records, one after the other; the last file is the one appended to
///
/// A record is a blob (its CID and its bytes) or a deletion (a CID alone). The puts that arrive while a write is
/// under way are written together, with one flush (`fdatasync`) for all of them: a put returns once its record is on
/// the disk, as a file blob's does once its file and folder are, but a task's three small blobs no longer cost three
/// new files, three renames and six flushes. Where each blob is lives in memory, read from the packs' records when
/// the store opens; what does not read at the end of the last pack (a write a crash interrupted, never acknowledged)
/// is cut off then, and kept beside it (`pack-<n>.cut-<offset>`).
final class BlobPacks: Sendable {
    /// Where a packed blob's bytes are.
    struct Location: Sendable, Hashable {
        /// The pack's number.
        let pack: Int
        /// The offset of the blob's first byte in the pack.
        let offset: Int
        let size: Int
    }

    /// "CLVP", the kind, the CID's length, the content's length (8 bytes, little-endian), and the first 4 bytes of the
    /// SHA-256 of those 14 bytes and the CID; then the CID; then the content.
    static let headerSize = 18
    static let magic: [UInt8] = Array("CLVP".utf8)
    /// A pack is closed and the next one started once it holds this many bytes.
    static let defaultMaximumPackSize = 1 << 30

    private enum Kind: UInt8 {
        case blob = 1
        case deletion = 2
    }

    private struct Pending: Sendable {
        let cid: CID
        let record: [UInt8]
        let kind: Kind
        let size: Int
        let done: @Sendable (Result<Location?, StorageError>) -> Void
    }

    private struct State: ~Copyable {
        var index: [CID: Location] = [:]
        var files: [Int: FileDescriptor] = [:]
        /// The pack appended to (0 while there is none), and its length.
        var current = 0
        var end = 0
        var queue: [Pending] = []
        var writing = false
    }

    let folder: String
    let maximumPackSize: Int
    private let state: Mutex<State>
    private let writer = DispatchQueue(label: "clave.storage.packs")
    private let logger: Logger

    /// Reads the packs in the folder `packs` of the store directory `root`, creating the folder and the first pack
    /// when `create` is set (a store that packs blobs); a store that does not still reads the packs an earlier run
    /// made.
    ///
    /// - Throws: ``StorageError/Code/corrupted`` when a pack other than the last holds a record that does not read,
    ///   ``StorageError/Code/io`` when a file cannot be opened, read or created.
    init(in root: String, create: Bool, maximumPackSize: Int = defaultMaximumPackSize, logger: Logger)
        throws(StorageError)
    {
        let folder = root + "/packs"
        self.folder = folder
        self.maximumPackSize = maximumPackSize
        self.logger = logger
        var state = State()
        if create, try FileIO.makeFolder(folder, permissions: 0o700) {
            FileIO.syncFolder(root)
        }
        let numbers = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            $0.hasPrefix("pack-") ? Int($0.dropFirst(5)) : nil
        }.sorted()
        for number in numbers {
            let path = Self.path(of: number, in: folder)
            guard let file = try FileDescriptor.openExisting(path, writable: true) else { continue }
            state.end = try Self.read(
                file, number: number, in: folder, isLast: number == numbers.last, into: &state.index, logger)
            state.files[number] = file
            state.current = number
        }
        if create, state.current == 0 {
            state.files[1] = try Self.makePack(1, in: folder)
            state.current = 1
            state.end = 0
        }
        self.state = Mutex(state)
    }

    static func path(of pack: Int, in folder: String) -> String { folder + "/pack-\(pack)" }

    func path(of pack: Int) -> String { Self.path(of: pack, in: folder) }

    func location(of cid: CID) -> Location? { state.withLock { $0.index[cid] } }

    /// The open pack `pack`, to read a blob's bytes from.
    func file(of pack: Int) -> FileDescriptor? { state.withLock { $0.files[pack] } }

    /// Appends `content`, whose CID is `cid`, and returns where it is once it is on the disk. The same content put
    /// again is appended again, and the newest copy is the one read (a sound copy when an older one was damaged).
    func append(_ content: [UInt8], cid: CID) async throws(StorageError) -> Location {
        let location = try await submit(cid: cid, kind: .blob, content: content)
        guard let location else { preconditionFailure("a blob's record has a location") }
        return location
    }

    /// Records that `cid` is deleted, once on the disk; false when no pack holds it.
    func delete(_ cid: CID) async throws(StorageError) -> Bool {
        guard location(of: cid) != nil else { return false }
        _ = try await submit(cid: cid, kind: .deletion, content: [])
        return true
    }

    // MARK: Writing

    private func submit(cid: CID, kind: Kind, content: [UInt8]) async throws(StorageError) -> Location? {
        let record = Self.record(kind, cid: cid, content: content)
        let result: Result<Location?, StorageError> = await withCheckedContinuation { continuation in
            let pending = Pending(cid: cid, record: record, kind: kind, size: content.count) {
                continuation.resume(returning: $0)
            }
            let leads = state.withLock { state -> Bool in
                state.queue.append(pending)
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if leads { writer.async { self.drain() } }
        }
        return try result.get()
    }

    /// Writes what waits, a batch at a time, each with one write and one flush, until nothing waits.
    private func drain() {
        while true {
            let taken = state.withLock { state -> (batch: [Pending], pack: Int, end: Int, file: FileDescriptor?)? in
                guard !state.queue.isEmpty else {
                    state.writing = false
                    return nil
                }
                let batch = state.queue
                state.queue.removeAll()
                return (batch, state.current, state.end, state.files[state.current])
            }
            guard let (batch, pack, end, current) = taken else { return }
            // A store appends only when it packs (and so made a pack at open) or deletes a blob a pack holds.
            guard let file = current else { preconditionFailure("a record to append, and no pack open") }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batch.reduce(0) { $0 + $1.record.count })
            var locations: [Location?] = []
            for pending in batch {
                let contentOffset = end + bytes.count + pending.record.count - pending.size
                locations.append(
                    pending.kind == .blob ? Location(pack: pack, offset: contentOffset, size: pending.size) : nil)
                bytes += pending.record
            }
            do throws(StorageError) {
                try file.write(bytes, at: end)
                try file.syncDataNow()
            } catch {
                // Nothing of the batch counts: what was written of it is cut off, and the next write starts there.
                try? file.truncate(to: end)
                for pending in batch { pending.done(.failure(error)) }
                continue
            }
            let newEnd = end + bytes.count
            state.withLock { state in
                for (pending, location) in zip(batch, locations) { state.index[pending.cid] = location }
                state.end = newEnd
            }
            if newEnd >= maximumPackSize { startNextPack(after: pack) }
            for (pending, location) in zip(batch, locations) { pending.done(.success(location)) }
        }
    }

    /// Starts pack `pack + 1`; when it cannot be made, appending goes on in `pack`.
    private func startNextPack(after pack: Int) {
        do {
            let file = try Self.makePack(pack + 1, in: folder)
            state.withLock { state in
                state.files[pack + 1] = file
                state.current = pack + 1
                state.end = 0
            }
        } catch {
            logger.error(
                "could not start the next pack; appending to the current one",
                metadata: ["folder": "\(folder)", "error": "\(error.message)"])
        }
    }

    private static func makePack(_ number: Int, in folder: String) throws(StorageError) -> FileDescriptor {
        let file = try FileDescriptor.create(path(of: number, in: folder), permissions: 0o600, readable: true)
        FileIO.syncFolder(folder)
        return file
    }

    private static func record(_ kind: Kind, cid: CID, content: [UInt8]) -> [UInt8] {
        let cidBytes = cid.bytes
        var record = magic
        record.reserveCapacity(headerSize + cidBytes.count + content.count)
        record.append(kind.rawValue)
        record.append(UInt8(cidBytes.count))
        withUnsafeBytes(of: UInt64(content.count).littleEndian) { record.append(contentsOf: $0) }
        record += checksum(record, cidBytes)
        record += cidBytes
        record += content
        return record
    }

    private static func checksum(_ fields: some Collection<UInt8>, _ cidBytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = CID.Hasher()
        hasher.update(Array(fields))
        hasher.update(Array(cidBytes))
        return Array(hasher.finalize().sha256Digest.bytes.prefix(4))
    }

    // MARK: Reading at open

    /// Reads the records of pack `number` into `index` and returns where the last whole record ends. A record that
    /// does not read ends the last pack there (it is cut off: a write a crash interrupted); in another pack it is
    /// damage, refused.
    private static func read(
        _ file: FileDescriptor, number: Int, in folder: String, isLast: Bool, into index: inout [CID: Location],
        _ logger: Logger
    ) throws(StorageError) -> Int {
        let size = try file.size()
        var offset = 0
        while offset < size {
            let head = try file.read(count: min(headerSize + 255, size - offset), at: offset)
            guard head.count >= headerSize, Array(head[0..<4]) == magic, let kind = Kind(rawValue: head[4]) else {
                break
            }
            let cidLength = Int(head[5])
            let contentSize = head[6..<14].reversed().reduce(0) { $0 << 8 | Int($1) }
            guard head.count >= headerSize + cidLength,
                Array(head[14..<18]) == checksum(head[0..<14], head[18..<(18 + cidLength)]),
                let cid = try? CID(bytes: head[18..<(18 + cidLength)])
            else { break }
            let contentOffset = offset + headerSize + cidLength
            guard contentSize >= 0, contentSize <= size - contentOffset else { break }
            switch kind {
            case .blob: index[cid] = Location(pack: number, offset: contentOffset, size: contentSize)
            case .deletion: index[cid] = nil
            }
            offset = contentOffset + contentSize
        }
        guard offset < size else { return offset }
        guard isLast else {
            throw StorageError(
                .corrupted,
                "The pack \(file.path) holds a record that does not read at byte \(offset) of \(size): the disk or someone changed it, and the blobs after it cannot be found. Restore the blob store from a backup."
            )
        }
        // What follows is most likely a write a crash interrupted, never acknowledged; but it could be acknowledged
        // records behind a damaged one. It is kept beside the pack before the pack is cut.
        let kept = file.path + ".cut-\(offset)"
        let tail = try FileDescriptor.create(kept, permissions: 0o600)
        var position = offset
        while position < size {
            let chunk = try file.read(count: min(1 << 20, size - position), at: position)
            guard !chunk.isEmpty else { break }
            try tail.write(chunk)
            position += chunk.count
        }
        try tail.syncDataNow()
        try file.truncate(to: offset)
        try file.syncDataNow()
        FileIO.syncFolder(folder)
        logger.notice(
            "cut off the end of the last pack, which does not read (a write a crash interrupted); kept it beside",
            metadata: ["pack": "\(file.path)", "at": "\(offset)", "was": "\(size)", "kept": "\(kept)"])
        return offset
    }
}
