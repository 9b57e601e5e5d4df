import ClaveCore
import ClaveCrypto
public import ClaveLedger
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A node's data directory (docs/node.md):
///
///     node.json          what the folder is: {"format": "clave-node", "version": 1, "genesisHash": "0x…"}
///     genesis.json       the chain: its genesis document, as canonical JSON
///     keystore/          the development accounts' keystore v3 files, named as geth names them
///     ledger.sqlite      the ledger's log (created on the first start)
///     orderbook.sqlite   the market's orderbook (created on the first start)
///     blobs/             the blob store (``ClaveStorage/LocalBlobStore``; created again if missing)
///     sms.sqlite         the SMS's secrets, encrypted at rest (created on the first start)
///     sms-master.key     the SMS's master key, mode 0600 (created on the first start)
///     simulation.key     the key that signs `simulated` attestation evidence, mode 0600 (created on the first start)
///     scheduler.key      the key of the node's workerpool and scheduler, mode 0600, funded at genesis
///     workers/           worker-N.key, the keys of the node's in-process workers; 1 to 8 are funded at genesis
///     node.lock          held by the running node
///
/// It is created whole or not at all: built in a temporary sibling folder, then renamed into place.
public struct NodeDirectory: Sendable {
    /// The value of `format` in `node.json`.
    public static let format = "clave-node"
    /// The layout version in `node.json`.
    public static let version = 1

    /// The folder.
    public let url: URL
    /// The chain, read from `genesis.json`.
    public let genesis: Genesis

    public var markerURL: URL { url.appendingPathComponent("node.json") }
    public var genesisURL: URL { url.appendingPathComponent("genesis.json") }
    public var keystoreURL: URL { url.appendingPathComponent("keystore") }
    public var ledgerURL: URL { url.appendingPathComponent("ledger.sqlite") }
    public var orderbookURL: URL { url.appendingPathComponent("orderbook.sqlite") }
    /// The workerpool scheduler's journal (``ClaveWorkerpool/SchedulerJournal``).
    public var schedulerJournalURL: URL { url.appendingPathComponent("scheduler.sqlite") }
    public var blobsURL: URL { url.appendingPathComponent("blobs") }
    public var smsURL: URL { url.appendingPathComponent("sms.sqlite") }
    public var smsMasterKeyURL: URL { url.appendingPathComponent("sms-master.key") }
    public var simulationKeyURL: URL { url.appendingPathComponent("simulation.key") }
    var lockURL: URL { url.appendingPathComponent("node.lock") }

    /// Opens the existing data directory at `url`.
    ///
    /// - Throws: ``NodeError/Code/notANodeDirectory`` when nothing, or something else than a node's data directory,
    ///   is there; ``NodeError/Code/corruptDirectory`` when its `node.json` or `genesis.json` is unreadable or was
    ///   edited.
    public init(opening url: URL) throws {
        let url = url.standardizedFileURL
        switch Self.inspect(url) {
        case .node: break
        case .nothing, .emptyFolder:
            throw NodeError(
                .notANodeDirectory,
                "\(url.path) is not a node's data directory: nothing is there yet. Start a node on it with `clave node --data-dir \(url.path)`."
            )
        case .other(let what):
            throw Self.notANode(url, what)
        }
        self.url = url
        let marker = url.appendingPathComponent("node.json")
        guard let markerData = FileManager.default.contents(atPath: marker.path),
            let markerJSON = try? JSONValue(parsing: markerData)
        else {
            throw NodeError(
                .corruptDirectory,
                "\(marker.path) is unreadable or not JSON. Restore it from a backup, or move the data directory away and start a new node."
            )
        }
        guard markerJSON["format"]?.stringValue == Self.format else {
            throw Self.notANode(url, "its node.json is not a Clave node's")
        }
        guard markerJSON["version"]?.numberValue?.int64 == Int64(Self.version) else {
            throw NodeError(
                .corruptDirectory,
                "\(url.path) is a data directory of another version of Clave (node.json version \(markerJSON["version"]?.description ?? "missing"), this one reads \(Self.version)). Use that version, or start a new node in another directory."
            )
        }
        let genesisFile = url.appendingPathComponent("genesis.json")
        let genesis: Genesis
        do {
            guard let data = FileManager.default.contents(atPath: genesisFile.path) else {
                throw NodeError(.corruptDirectory, "\(genesisFile.path) is missing or unreadable.")
            }
            genesis = try Genesis(json: JSONValue(parsing: data))
        } catch {
            throw NodeError(
                .corruptDirectory,
                "\(genesisFile.path) could not be read (\(error)). Restore it from a backup; the ledger refuses any other genesis."
            )
        }
        guard let expected = markerJSON["genesisHash"]?.stringValue, expected == genesis.hash.description else {
            throw NodeError(
                .corruptDirectory,
                "\(genesisFile.path) hashes to \(genesis.hash), not to the genesisHash that node.json recorded when the directory was created: it was edited. Restore it from a backup."
            )
        }
        self.genesis = genesis
    }

    /// Opens the data directory at `url`, or, when nothing (or an empty folder) is there, creates it with a new
    /// development chain and its funded accounts.
    ///
    /// - Returns: the directory, and the development accounts when this call created it (empty when it existed).
    public static func openOrCreate(
        at url: URL, development: DevelopmentChain, timestamp: UInt64
    ) throws -> (directory: NodeDirectory, created: [DevelopmentAccount]) {
        let url = url.standardizedFileURL
        switch inspect(url) {
        case .node:
            return (try NodeDirectory(opening: url), [])
        case .other(let what):
            throw notANode(url, what)
        case .nothing, .emptyFolder:
            return try create(at: url, development: development, timestamp: timestamp)
        }
    }

    // MARK: Creating

    /// How many in-process worker keys a new development directory makes and funds at genesis (`workers/worker-N.key`);
    /// a node started with more workers makes the others unfunded, able to run trust-1 tasks only.
    static let fundedWorkers = 8

    private static func create(
        at url: URL, development: DevelopmentChain, timestamp: UInt64
    ) throws -> (directory: NodeDirectory, created: [DevelopmentAccount]) {
        guard (1...100).contains(development.accounts) else {
            throw NodeError(
                .invalidConfiguration,
                "A development chain has 1 to 100 accounts, not \(development.accounts); ask for fewer.")
        }
        guard development.funds <= UInt64.max / UInt64(development.accounts + 1 + fundedWorkers) else {
            throw NodeError(
                .invalidConfiguration,
                "\(development.accounts) accounts of \(development.funds) do not fit in 64 bits; give each less.")
        }
        let parent = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw NodeError(
                .creationFailed, "Could not create \(parent.path) (\(error)); check the path and its permissions.")
        }
        let temporary = parent.appendingPathComponent(".\(url.lastPathComponent).creating-\(UUID().uuidString)")
        var accounts: [DevelopmentAccount] = []
        do {
            try DurableFile.makeFolder(temporary, permissions: 0o700)
            let keystore = temporary.appendingPathComponent("keystore")
            try DurableFile.makeFolder(keystore, permissions: 0o700)
            try DurableFile.makeFolder(temporary.appendingPathComponent("blobs"), permissions: 0o700)
            var allocations: [Address: UInt64] = [:]
            for _ in 0..<development.accounts {
                let key = PrivateKey.generate()
                let name = Keystore.fileName(for: key.address)
                let file = try Keystore.encrypt(key, password: development.password, kdf: development.kdf)
                try DurableFile.create(keystore.appendingPathComponent(name), data: file.jsonData(), permissions: 0o600)
                allocations[key.address] = development.funds
                accounts.append(
                    DevelopmentAccount(
                        address: key.address, privateKey: key,
                        keystoreFile: url.appendingPathComponent("keystore/\(name)"),
                        funds: development.funds))
            }
            DurableFile.syncFolder(keystore)
            // The node's own accounts are funded too: the scheduler locks a stake for each deal of a pool with a
            // price, and workers lock one for each replicate of a deal of trust above 1.
            let workers = temporary.appendingPathComponent("workers")
            try DurableFile.makeFolder(workers, permissions: 0o700)
            var ownKeys = [temporary.appendingPathComponent("scheduler.key")]
            ownKeys += (1...fundedWorkers).map { workers.appendingPathComponent("worker-\($0).key") }
            for file in ownKeys {
                allocations[try writeNewKey(to: file).address] = development.funds
            }
            DurableFile.syncFolder(workers)
            let genesis = Genesis(
                configuration: ChainConfiguration(
                    chainId: development.chainId, hub: development.hub, isDevelopment: true),
                allocations: allocations, timestamp: timestamp)
            try DurableFile.create(
                temporary.appendingPathComponent("genesis.json"), data: Data(CanonicalJSON.encode(genesis.json)),
                permissions: 0o644)
            // node.json last: a folder that has it is complete.
            let marker: JSONValue = [
                "format": .string(format), "version": .number(.init(version)),
                "genesisHash": .string(genesis.hash.description),
            ]
            var markerBytes = marker.serialized()
            markerBytes.append(0x0A)
            try DurableFile.create(
                temporary.appendingPathComponent("node.json"), data: Data(markerBytes), permissions: 0o644)
            DurableFile.syncFolder(temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let failure = error as? DurableFile.Failure {
                throw NodeError(.creationFailed, "\(failure.message) Check the path, its permissions and free space.")
            }
            throw error
        }
        // rename(2) replaces an empty folder and refuses a non-empty one, so a folder that another node filled in
        // the meantime is kept, and this one is thrown away.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = errno
            try? FileManager.default.removeItem(at: temporary)
            if reason == ENOTEMPTY || reason == EEXIST, case .node = inspect(url) {
                return (try NodeDirectory(opening: url), [])
            }
            throw NodeError(
                .creationFailed,
                "Could not move the new data directory into \(url.path): \(String(cString: strerror(reason))). Check the path and its permissions."
            )
        }
        DurableFile.syncFolder(parent)
        return (try NodeDirectory(opening: url), accounts)
    }

    // MARK: The node's own keys

    /// The key that signs the node's `simulated` evidence, from `simulation.key` (64 hex digits), which is created
    /// with mode 0600 when it is missing, so that data directories made before the SMS get one on their next start.
    func simulationKey() throws -> PrivateKey {
        try key(at: simulationKeyURL, what: "simulation key (evidence signed by the old one is then refused)")
    }

    /// The key of the node's workerpool scheduler (the pool's owner), from `scheduler.key`, made on first use.
    public var schedulerKeyURL: URL { url.appendingPathComponent("scheduler.key") }
    func schedulerKey() throws -> PrivateKey {
        try key(at: schedulerKeyURL, what: "scheduler key (the node then registers a new workerpool)")
    }

    /// The key of the node's in-process worker `number` (from 1), from `workers/worker-<number>.key`, made on first
    /// use.
    func workerKey(_ number: Int) throws -> PrivateKey {
        let folder = url.appendingPathComponent("workers")
        if !FileManager.default.fileExists(atPath: folder.path) {
            do {
                try FileManager.default.createDirectory(
                    at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw NodeError(
                    .creationFailed,
                    "Could not create \(folder.path): \(error). Check the data directory's permissions.")
            }
        }
        return try key(at: folder.appendingPathComponent("worker-\(number).key"), what: "worker key")
    }

    /// A new key, written to `file` as 64 hex digits, mode 0600 (the folder is not synced).
    @discardableResult
    private static func writeNewKey(to file: URL) throws(DurableFile.Failure) -> PrivateKey {
        let key = PrivateKey.generate()
        try DurableFile.create(
            file, data: Data((Hex.encode(key.rawRepresentation, prefix: false) + "\n").utf8), permissions: 0o600)
        return key
    }

    /// The secp256k1 key in `file` (64 hex digits), created with mode 0600 when missing.
    private func key(at file: URL, what: String) throws -> PrivateKey {
        if !FileManager.default.fileExists(atPath: file.path) {
            do {
                try Self.writeNewKey(to: file)
                DurableFile.syncFolder(file.deletingLastPathComponent())
            } catch {
                throw NodeError(
                    .creationFailed, "\(error.message) Check the data directory's permissions and free space.")
            }
        }
        guard let data = FileManager.default.contents(atPath: file.path),
            let key = try? PrivateKey(
                hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw NodeError(
                .corruptDirectory,
                "\(file.path) does not hold a secp256k1 private key (64 hex digits). Delete it to have a new \(what) made on the next start."
            )
        }
        return key
    }

    // MARK: Inspecting

    enum Found {
        case nothing
        case emptyFolder
        case node
        /// Something else, and what it is.
        case other(String)
    }

    static func inspect(_ url: URL) -> Found {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return .nothing }
        guard isFolder.boolValue else { return .other("it is a file") }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else {
            return .other("its contents cannot be listed")
        }
        if names.isEmpty { return .emptyFolder }
        if names.contains("node.json") { return .node }
        return .other("it holds other files and no node.json")
    }

    private static func notANode(_ url: URL, _ what: String) -> NodeError {
        NodeError(
            .notANodeDirectory,
            "\(url.path) exists but is not a Clave node's data directory (\(what)). Give another --data-dir, or a path where nothing is yet."
        )
    }
}
