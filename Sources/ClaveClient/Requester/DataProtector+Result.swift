public import ClaveCore
public import ClaveCrypto
import ClaveLedger
import ClaveStorage
public import Foundation

/// A task's result, fetched, verified and (when it was encrypted) decrypted.
public struct FetchedResult: Sendable, Hashable {
    public var taskId: Bytes32
    /// The result receipt, verified against the ledger and the result's content.
    public var receipt: ResultReceipt
    /// The folder holding the app's `$IEXEC_OUT`.
    public var folder: URL
    /// The files in it, relative to it, sorted.
    public var files: [String]
    /// Whether the enclave that computed it was simulated: then the result proves nothing against the worker's host.
    public var isSimulated: Bool { receipt.isSimulated }
}

extension DataProtector {
    /// Fetches the result of the COMPLETED task `taskId`, checks it, decrypts it with ``owner``'s result key when it
    /// was encrypted, and unpacks it into `destination` (created; it must not exist or be empty).
    ///
    /// Checked, in order: the receipt's own signatures; that the receipt is the ledger's (task, digest, and the
    /// enclave challenge the winning contribution named); the stored blob against the receipt (its CID, which the
    /// store checks the content against, has the receipt's sha256, and it has the receipt's size); the archive's
    /// digest against the receipt. Anything that does not hold is ``RequesterError/Code/resultInvalid`` and nothing
    /// is left in `destination`.
    public func fetchResult(of taskId: Bytes32, into destination: URL) async throws -> FetchedResult {
        guard let task = try await ledger.task(taskId) else {
            throw RequesterError(
                .invalidArgument, "No task \(taskId) is on the ledger; check the id (`clave task show`).")
        }
        return try await fetchResult(of: task, into: destination)
    }

    /// ``fetchResult(of:into:)`` of the task as just read from the ledger.
    func fetchResult(of task: ComputeTask, into destination: URL) async throws -> FetchedResult {
        try await fetchResults(of: [task], into: [destination])[0]
    }

    /// ``fetchResult(of:into:)`` of several tasks as just read from the ledger, the task at position n into
    /// `destinations[n]`: their receipts and their small results in one request (``ClaveStorage/BlobStore/contents(of:budget:)``),
    /// the larger results one by one through files. The first task whose result cannot be had ends it with its
    /// error; the results of the tasks before it are in their folders.
    func fetchResults(of tasks: [ComputeTask], into destinations: [URL]) async throws -> [FetchedResult] {
        guard let blobs else {
            throw RequesterError(
                .invalidArgument, "Fetching a result needs the node's blob store; give this DataProtector one.")
        }
        precondition(tasks.count == destinations.count, "one destination per task")
        var places: [(receipt: CID, result: CID)] = []
        var unreadable: (any Error)?
        for task in tasks {
            do {
                places.append(try Self.resultPlace(of: task))
            } catch {
                unreadable = error
                break
            }
        }
        // The receipts first: they are small, and the results take what is left of the budget.
        let contents = try await blobs.contents(
            of: places.map(\.receipt) + places.map(\.result), budget: Int(Self.inMemoryResultSize))
        var fetched: [FetchedResult] = []
        for (position, place) in places.enumerated() {
            let task = tasks[position]
            // Nothing of the result is used before the receipt verifies.
            let receipt = try checkedReceipt(contents[position], at: place.receipt, of: task)
            fetched.append(
                try await openResult(
                    contents[places.count + position], at: place.result, receipt: receipt, of: task.id,
                    into: destinations[position], blobs: blobs))
        }
        if let unreadable { throw unreadable }
        return fetched
    }

    /// Where the COMPLETED `task`'s receipt and result are, from its results on the ledger.
    private static func resultPlace(of task: ComputeTask) throws -> (receipt: CID, result: CID) {
        let taskId = task.id
        guard task.status == .completed else {
            throw RequesterError(
                .invalidArgument,
                "Task \(taskId) is \(task.status.rawValue), not COMPLETED: it has no result yet. Follow it with `clave task watch \(taskId)`."
            )
        }
        let location: ResultLocation
        do {
            location = try ResultLocation(bytes: task.results)
        } catch {
            throw RequesterError(
                .resultInvalid, "Task \(taskId)'s results on the ledger are not a Clave result location: \(error)")
        }
        guard let resultCID = location.location else {
            throw RequesterError(
                .resultInvalid,
                "Task \(taskId) has only callback data (\(Hex.encode(task.resultsCallback))), no result file.")
        }
        let receipt: CID
        let result: CID
        do {
            receipt = try CID(location.receipt)
        } catch {
            throw RequesterError(
                .resultInvalid,
                "The receipt location '\(location.receipt.prefix(80))' of task \(taskId) is not a CID: \(error.message)"
            )
        }
        do {
            result = try CID(locator: resultCID)
        } catch {
            throw RequesterError(
                .resultInvalid, "The result location '\(resultCID.prefix(80))' is not a CID: \(error.message)")
        }
        return (receipt, result)
    }

    /// The receipt of `task`, as ``fetchReceipt(_:of:)`` checks it, from what the store answered for `cid`.
    private func checkedReceipt(_ content: BlobContent, at cid: CID, of task: ComputeTask) throws -> ResultReceipt {
        switch content {
        case .content(let bytes): return try checkReceipt(bytes, at: cid, of: task)
        case .missing:
            throw RequesterError(
                .resultInvalid, "The result receipt of task \(task.id) (\(cid)) is not in the node's blob store.")
        case .leftOut(let size):
            throw RequesterError(
                .resultInvalid,
                "The result receipt of task \(task.id) (\(cid)) is \(size) bytes, more than any receipt; do not trust this result."
            )
        }
    }

    /// Checks the result of task `taskId` that the store answered for `cid` against its verified receipt, decrypts it
    /// with ``owner``'s result key when it was encrypted, and unpacks it into `destination`. A result left out of
    /// the answer is fetched alone, through files, in constant memory.
    private func openResult(
        _ content: BlobContent, at cid: CID, receipt: ResultReceipt, of taskId: Bytes32, into destination: URL,
        blobs: any BlobStore
    ) async throws -> FetchedResult {
        guard let stored = receipt.result else {
            throw RequesterError(
                .resultInvalid,
                "The ledger's task \(taskId) names result \(cid), but its receipt vouches for no result file.")
        }
        // The store's content is checked against the CID (here, as it arrives), and the CID is the content's sha256:
        // the blob is the receipt's when the CID's digest and the size are the receipt's. No second hash is needed.
        func check(size: Int) throws(RequesterError) {
            guard cid.sha256Digest == stored.sha256, UInt64(size) == stored.size else {
                throw RequesterError(
                    .resultInvalid,
                    "The ledger's result of task \(taskId) is \(cid) (\(size) bytes), but its receipt vouches for sha256 \(stored.sha256) (\(stored.size) bytes): they are not the same result. Report it to the workerpool; do not trust this result."
                )
            }
        }
        func refusedKey(_ error: ResultError) -> RequesterError {
            RequesterError(
                .resultInvalid,
                "The result of task \(taskId) does not decrypt with \(owner.address)'s result key: \(error.message). Only the deal's beneficiary can decrypt it; use their wallet."
            )
        }
        func wrongDigest(_ error: ResultError) -> RequesterError {
            RequesterError(
                .resultInvalid,
                "The result of task \(taskId) does not have the digest the workers agreed on: \(error.message)")
        }
        let work = destination.deletingLastPathComponent().appendingPathComponent(
            ".\(destination.lastPathComponent).\(UUID().uuidString.prefix(8)).partial", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { FileTree.remove(work) }
        let unpacked = work.appendingPathComponent("out", isDirectory: true)
        let files: [String]
        switch content {
        case .missing:
            throw StorageError(.notFound, "The node's blob store holds no \(cid), the result of task \(taskId).")
        case .content(let blob):
            // A small result is opened, checked and unpacked in memory, without files in between.
            try check(size: blob.count)
            var archive = blob
            if stored.isEncrypted {
                do {
                    archive = try ResultEncryption.open(blob, key: resultKey, taskId: taskId)
                } catch {
                    throw refusedKey(error)
                }
            }
            do {
                try receipt.verifyArchive(bytes: archive)
            } catch {
                throw wrongDigest(error)
            }
            files = try ResultFolder.unpack(bytes: archive, into: unpacked)
        case .leftOut:
            let blobFile = work.appendingPathComponent("result.blob", isDirectory: false)
            try check(size: try await blobs.get(cid, toFileAt: blobFile))
            var archive = blobFile
            if stored.isEncrypted {
                archive = work.appendingPathComponent("result.zip", isDirectory: false)
                do {
                    try ResultEncryption.open(fileAt: blobFile, to: archive, key: resultKey, taskId: taskId)
                } catch {
                    throw refusedKey(error)
                }
            }
            do {
                try receipt.verifyArchive(at: archive)
            } catch {
                throw wrongDigest(error)
            }
            let handle = try FileHandle(forReadingFrom: archive)
            defer { try? handle.close() }
            files = try ResultFolder.unpack(file: handle, into: unpacked)
        }
        try ResultFolder.place(unpacked, at: destination)
        return FetchedResult(taskId: taskId, receipt: receipt, folder: destination, files: files)
    }

    /// Results up to this size (sealed, all the results of one fetch together) are fetched, opened and checked in
    /// memory; larger ones through files, in constant memory.
    static var inMemoryResultSize: UInt64 { 4 << 20 }

    /// The receipt `bytes`, stored at `cid`, verified, and checked against the ledger's record of `task`.
    private func checkReceipt(_ bytes: [UInt8], at cid: CID, of task: ComputeTask) throws -> ResultReceipt {
        let receipt: ResultReceipt
        do {
            receipt = try ResultReceipt(parsing: bytes)
            try receipt.verify()
        } catch {
            throw RequesterError(
                .resultInvalid, "The result receipt of task \(task.id) (\(cid)) does not verify: \(error)")
        }
        guard receipt.taskId == task.id, receipt.resultDigest == task.resultDigest else {
            throw RequesterError(
                .resultInvalid,
                "The receipt is for task \(receipt.taskId) with digest \(receipt.resultDigest), but the ledger's task \(task.id) agreed on \(task.resultDigest)."
            )
        }
        guard let contribution = task.contributions[receipt.worker] else {
            // A trust-1 task finished with contributeAndFinalize records no contribution; the ledger then checked the
            // enclave signature itself against the authorization.
            return receipt
        }
        guard contribution.enclaveChallenge == receipt.enclaveChallenge else {
            throw RequesterError(
                .resultInvalid,
                "The receipt names enclave challenge \(receipt.enclaveChallenge), but worker \(receipt.worker) contributed with \(contribution.enclaveChallenge)."
            )
        }
        return receipt
    }
}

/// Unpacking a result archive into a folder.
enum ResultFolder {
    /// Writes each entry of the archive `bytes` under `folder` (made here; its parent must exist), refusing names
    /// that would leave it; returns the files' names, sorted. An archive that cannot be read is ``RequesterError/Code/resultInvalid``.
    static func unpack(bytes: [UInt8], into folder: URL) throws -> [String] {
        try unpack(into: folder) { try ZipReader(bytes: bytes) }
    }

    /// ``unpack(bytes:into:)`` of the archive in `file`.
    static func unpack(file: FileHandle, into folder: URL) throws -> [String] {
        try unpack(into: folder) { try ZipReader(file: file) }
    }

    private static func unpack(into folder: URL, _ open: () throws -> ZipReader) throws -> [String] {
        do {
            return try write(open(), into: folder)
        } catch let error as ProtectedDataError {
            throw RequesterError(
                .resultInvalid,
                "The result archive cannot be unpacked (\(error)), though it has the digest the enclave signed: the enclave made a broken archive. Report it to the workerpool; do not use this result."
            )
        }
    }

    private static func write(_ reader: ZipReader, into folder: URL) throws -> [String] {
        let manager = FileManager.default
        do {
            try FileTree.makeFolder(folder)
        } catch {
            throw RequesterError(.invalidArgument, "\(error) Check the folder's permissions.")
        }
        var files: [String] = []
        // ZipReader refuses names that are absolute or have an empty, `.` or `..` segment (ResultFolderTests): every
        // entry stays under `folder`.
        for entry in reader.entries {
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: true)
            let url = parts.reduce(folder) { $0.appendingPathComponent(String($1), isDirectory: false) }
            if entry.isDirectory {
                try manager.createDirectory(at: url, withIntermediateDirectories: true)
                continue
            }
            if parts.count > 1 {
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            do {
                try FileTree.writeFile(url) { append in try reader.read(entry) { try append($0) } }
            } catch let error as FileTreeError where error.code == EEXIST {
                // The reader refuses a name twice, but a folder `a/` and a file `a` are two names.
                throw RequesterError(
                    .resultInvalid,
                    "The result archive holds '\(entry.name.prefix(80))' twice (as a folder and as a file). Report it to the workerpool; do not use this result."
                )
            } catch let error as FileTreeError {
                throw RequesterError(.invalidArgument, "\(error) Check the folder's permissions and free space.")
            }
            files.append(parts.joined(separator: "/"))
        }
        return files.sorted()
    }

    /// Moves `folder` to `destination`, which must not exist or be an empty folder.
    static func place(_ folder: URL, at destination: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: destination.path) {
            guard (try? manager.contentsOfDirectory(atPath: destination.path))?.isEmpty == true else {
                throw RequesterError(
                    .invalidArgument,
                    "\(destination.path) already exists and is not an empty folder; give another --output.")
            }
            try manager.removeItem(at: destination)
        }
        try manager.moveItem(at: folder, to: destination)
    }
}
