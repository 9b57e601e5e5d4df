import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveRuntime
import ClaveStorage
import Foundation
import Synchronization

/// What one replicate works on: the task's deal, the app's bundle (unpacked), the deal's params, and the run's
/// folders: `in` ($IEXEC_IN), `out` ($IEXEC_OUT) and the app's two logs.
struct TaskRun: Sendable {
    let assignment: WorkAssignment
    let chainId: UInt64
    let deal: Deal
    let params: DealParams
    let bundle: AppBundle
    let bundleFolder: URL
    let folder: URL
    // Worked out once: a URL's path operations cost more than their look suggests, and each is used several times.
    let input: URL
    let output: URL
    let standardOutput: URL
    let standardError: URL

    init(
        assignment: WorkAssignment, chainId: UInt64, deal: Deal, params: DealParams, bundle: AppBundle,
        bundleFolder: URL, folder: URL
    ) {
        self.assignment = assignment
        self.chainId = chainId
        self.deal = deal
        self.params = params
        self.bundle = bundle
        self.bundleFolder = bundleFolder
        self.folder = folder
        input = folder.appendingPathComponent("in", isDirectory: true)
        output = folder.appendingPathComponent("out", isDirectory: true)
        standardOutput = folder.appendingPathComponent("stdout.log", isDirectory: false)
        standardError = folder.appendingPathComponent("stderr.log", isDirectory: false)
    }
    /// Whom the result and the logs are sealed to: the beneficiary's result key, when the deal asks for encryption.
    var resultRecipient: X25519PublicKey? { params.resultEncryption ? params.resultPublicKey : nil }

    /// Reads the task's deal and app from the ledger (or `deals`), fetches the app's bundle and makes the run's
    /// folders.
    static func prepare(
        _ assignment: WorkAssignment, folder: URL, ledger: any LedgerService, blobs: any BlobStore,
        bundles: BundleCache, deals: DealCache, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async throws(ReplicateFailure) -> TaskRun {
        let entry = try await deals.entry(of: assignment.dealId, ledger: ledger)
        await progress(.appDownloading)
        let (bundle, bundleFolder) = try await bundles.bundle(of: entry.app, blobs: blobs)
        await progress(.appDownloaded)
        let run = TaskRun(
            assignment: assignment, chainId: entry.chainId, deal: entry.deal, params: entry.params, bundle: bundle,
            bundleFolder: bundleFolder, folder: folder)
        do {
            // A sandboxed app runs as a user of its own, which must reach its bundle and read $IEXEC_IN: the task's
            // folder can be crossed, not listed, and its name is random. $IEXEC_OUT is the worker's; ProcessRuntime
            // gives it to the sandbox's user for the run.
            try FileTree.makeFolder(folder, permissions: 0o711, parents: 0o711)
            try FileTree.makeFolder(run.input, permissions: 0o755)
            try FileTree.makeFolder(run.output, permissions: 0o700)
        } catch {
            throw ReplicateFailure(
                .workerError, "The run's folders could not be made under \(folder.path): \(error)",
                isDeterministic: false)
        }
        return run
    }
}

/// The dataset as the app sees it.
struct DatasetInput: Sendable {
    let address: Address
    let checksum: Bytes32
    /// Its file name in `$IEXEC_IN`: the dataset's address, as iExec names it.
    let filename: String
}

/// An input file as the app sees it, and the hash it was checked against.
struct InputFileRecord: Sendable {
    let url: String
    let name: String
    let sha256: Bytes32
}

struct TaskInputs: Sendable {
    var dataset: DatasetInput?
    var files: [InputFileRecord] = []
}

/// The deals this worker ran tasks of, with their app and parsed params: a deal never changes, nor do the fields of
/// an app the worker uses (its bundle's address), so the tasks of one deal read and parse them once.
final class DealCache: Sendable {
    struct Entry: Sendable {
        let chainId: UInt64
        let deal: Deal
        let app: App
        let params: DealParams
    }
    /// The most deals kept; the oldest goes first.
    static let capacity = 64
    private let entries = Mutex<(byId: [Bytes32: Entry], order: [Bytes32])>(([:], []))

    func entry(of dealId: Bytes32, ledger: any LedgerService) async throws(ReplicateFailure) -> Entry {
        if let cached = entries.withLock({ $0.byId[dealId] }) { return cached }
        let entry = try await Self.read(dealId, ledger: ledger)
        entries.withLock { entries in
            guard entries.byId.updateValue(entry, forKey: dealId) == nil else { return }
            entries.order.append(dealId)
            if entries.order.count > Self.capacity { entries.byId[entries.order.removeFirst()] = nil }
        }
        return entry
    }

    private static func read(_ dealId: Bytes32, ledger: any LedgerService) async throws(ReplicateFailure) -> Entry {
        let chainId: UInt64
        let deal: Deal
        let app: App
        do {
            chainId = try await ledger.chainInfo().configuration.chainId
            guard let found = try await ledger.deal(dealId) else {
                throw ReplicateFailure(
                    .workerError, "The ledger has no deal \(dealId); the assignment is wrong.", isDeterministic: true)
            }
            deal = found
            guard let registered = try await ledger.app(deal.app.address) else {
                throw ReplicateFailure(
                    .appUnavailable, "The ledger has no app \(deal.app.address), which deal \(deal.id) names.",
                    isDeterministic: true)
            }
            app = registered
        } catch let error as ReplicateFailure {
            throw error
        } catch {
            throw ReplicateFailure(.workerError, "The ledger could not be read: \(error)", isDeterministic: false)
        }
        let params: DealParams
        do {
            params = try DealParams(json: deal.params)
        } catch {
            throw ReplicateFailure(
                .inputUnavailable, "The deal's params cannot be read: \(error.message)", isDeterministic: true)
        }
        return Entry(chainId: chainId, deal: deal, app: app, params: params)
    }
}

/// App bundles this worker fetched, measured and unpacked, by the blob they came from: a bundle is content-addressed,
/// so the same CID is always the same bundle, and a worker running many tasks of one app fetches it once.
final class BundleCache: Sendable {
    private let directory: URL
    private let entries = Mutex<[CID: (AppBundle, URL)]>([:])

    init(directory: URL) {
        self.directory = directory
    }

    func bundle(of app: App, blobs: any BlobStore) async throws(ReplicateFailure) -> (AppBundle, URL) {
        let cid = try TaskExecutor.cid(app.multiaddr, of: "the bundle of app \(app.address)", cause: .appUnavailable)
        if let cached = entries.withLock({ $0[cid] }) { return cached }
        let archive: [UInt8]
        do {
            if let size = try await blobs.size(of: cid), size > AppBundle.maximumSize {
                throw ReplicateFailure(
                    .appUnavailable,
                    "The bundle of app \(app.address) is \(size) bytes, more than the \(AppBundle.maximumSize) a bundle may be.",
                    isDeterministic: true)
            }
            archive = try await blobs.get(cid).collect()
        } catch let error as ReplicateFailure {
            throw error
        } catch let error as StorageError {
            throw ReplicateFailure(
                .appUnavailable, "The bundle of app \(app.address) could not be fetched from \(cid): \(error.message)",
                isDeterministic: error.code == .notFound)
        } catch {
            throw ReplicateFailure(.appUnavailable, "The bundle could not be fetched: \(error)", isDeterministic: false)
        }
        let bundle: AppBundle
        do {
            // Measured, not checked here: the SMS compares the measurement with the registered one, and refuses the
            // keys when they differ.
            bundle = try AppBundle(archive: archive, expected: nil)
        } catch {
            throw ReplicateFailure(
                .appUnavailable, "The blob of app \(app.address) is not an iApp bundle: \(error.message)",
                isDeterministic: true)
        }
        let folder = directory.appendingPathComponent(cid.description)
        do {
            let staging = directory.appendingPathComponent(".\(cid.description).\(UUID().uuidString)")
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o711], ofItemAtPath: directory.deletingLastPathComponent().path)
            try bundle.unpack(into: staging)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: staging.path)
            if FileManager.default.fileExists(atPath: folder.path) {
                try? FileManager.default.removeItem(at: staging)
            } else {
                try FileManager.default.moveItem(at: staging, to: folder)
            }
        } catch {
            throw ReplicateFailure(
                .workerError, "The bundle of app \(app.address) could not be unpacked: \(error)",
                isDeterministic: false)
        }
        entries.withLock { $0[cid] = (bundle, folder) }
        return (bundle, folder)
    }
}
