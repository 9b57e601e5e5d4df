public import ClaveAttestation
import ClaveCrypto
public import ClaveLedger
public import ClaveMarket
public import ClaveSMS
public import ClaveStorage
public import ClaveWorkerpool
public import Foundation
import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// A whole Clave network in one process, on a data directory: the ledger (SQLite), the market's orderbook (SQLite,
/// reading the live ledger), the blob store (a folder), the SMS (SQLite, encrypted under the directory's master key,
/// trusting the directory's simulation key) and the HTTP API (``ClaveAPI``) on a host and port (docs/node.md).
///
/// The first start on a path where nothing is creates the data directory with a development chain and funded
/// development accounts (``createdAccounts``); later starts reuse it and never make new keys.
///
/// `run()` serves until graceful shutdown: the ledger and the HTTP server run as services of one `ServiceGroup`,
/// which SIGINT and SIGTERM shut down gracefully (unless ``Configuration/shutdownOnSignals`` is off). The HTTP server
/// stops first, then the ledger seals what it took. A node runs once.
public final class Node: Service, Sendable {
    public struct Configuration: Sendable {
        /// The data directory.
        public var dataDirectory: URL
        /// The address the API listens on.
        public var host: String
        /// The port the API listens on; 0 picks a free one (``url`` and `onServerRunning` tell which).
        public var port: Int
        /// The chain and accounts of a data directory created by this start.
        public var development: DevelopmentChain
        /// Whether SIGINT and SIGTERM shut the node down gracefully. Off when something else owns the signals (a
        /// test, a larger service group).
        public var shutdownOnSignals: Bool
        /// The largest blob the node stores, in bytes: 4 GiB unless told otherwise.
        public var maximumBlobSize: Int
        /// Whether the node runs a workerpool (its scheduler, its orders and ``workers`` workers). Off, the node is
        /// the ledger, market, storage and SMS alone, and `/v1/pool` answers 503.
        public var runsWorkerpool: Bool
        /// How many workers run in the node's process (0: only workers elsewhere, `clave worker --pool`).
        public var workers: Int
        /// How many tasks each in-process worker runs at once.
        public var workerCapacity: UInt64
        /// The workerpool's orders: its price per task, its trust limit, its categories.
        public var pool: PoolMarket.Configuration
        /// The scheduler's leases and periodic work.
        public var scheduler: WorkerpoolScheduler.Configuration
        /// How the in-process workers run tasks (their work folder defaults to one in the system's temporary folder:
        /// sandboxed apps run as other users, who must reach it, and the data directory is its owner's only).
        public var executor: TaskExecutor.Configuration?

        public init(
            dataDirectory: URL = Node.Configuration.defaultDataDirectory, host: String = "127.0.0.1",
            port: Int = Node.defaultPort, development: DevelopmentChain = DevelopmentChain(),
            shutdownOnSignals: Bool = true,
            maximumBlobSize: Int = LocalBlobStore.Configuration.defaultMaximumBlobSize, runsWorkerpool: Bool = true,
            workers: Int = 2,
            workerCapacity: UInt64 = 2, pool: PoolMarket.Configuration = PoolMarket.Configuration(),
            scheduler: WorkerpoolScheduler.Configuration = WorkerpoolScheduler.Configuration(),
            executor: TaskExecutor.Configuration? = nil
        ) {
            self.dataDirectory = dataDirectory
            self.host = host
            self.port = port
            self.development = development
            self.shutdownOnSignals = shutdownOnSignals
            self.maximumBlobSize = maximumBlobSize
            self.runsWorkerpool = runsWorkerpool
            self.workers = workers
            self.workerCapacity = workerCapacity
            self.pool = pool
            self.scheduler = scheduler
            self.executor = executor
        }

        /// `node` in ``ClaveHome``: `$CLAVE_HOME/node`, else `~/.clave/node`.
        public static var defaultDataDirectory: URL {
            ClaveHome.url().appendingPathComponent("node")
        }
    }

    /// The port a node serves on unless told otherwise; `clave`'s commands look for a node there.
    public static let defaultPort = 8545

    public let configuration: Configuration
    /// The data directory, opened or created.
    public let directory: NodeDirectory
    /// The development accounts this start created with the data directory; empty when the directory existed.
    public let createdAccounts: [DevelopmentAccount]
    public let ledger: Ledger
    public let orderbook: SQLiteOrderbook
    public let blobs: LocalBlobStore
    /// The SMS: it accepts `simulated` evidence signed by the directory's simulation key.
    public let sms: SecretManagementService
    /// The enclave the node's workers run tasks in: simulated, signed by the directory's simulation key.
    public let simulatedEnclave: SimulatedEnclave
    /// The node's workerpool: registered by the scheduler key, with its orders kept open; nil when the node runs
    /// none (``Configuration/runsWorkerpool``).
    public let poolMarket: PoolMarket?
    /// The scheduler of the node's workerpool; workers in the process and `clave worker --pool` reach it.
    public let scheduler: WorkerpoolScheduler?
    /// The workers running in the node's process.
    public let workers: [WorkerAgent]

    private let logger: Logger
    private let lock: DirectoryLock
    /// The workers' task folder the node chose itself (in memory when it can, docs/worker.md), removed when the node
    /// stops; nil when the configuration gave an executor, or the node runs no workerpool.
    public let ownWorkFolder: URL?
    private let onServerRunning: @Sendable (String) async -> Void
    private let serving = Mutex<String?>(nil)

    /// Opens (or creates) the data directory, takes its lock, and opens the ledger (replaying its log), the orderbook,
    /// the blob store (creating its folder when a data directory of an earlier version has none) and the SMS (making
    /// its master key and the simulation key when the directory has none yet). Nothing listens until ``run()``.
    ///
    /// - Parameter onServerRunning: called with the API's URL (`http://127.0.0.1:8545`) once the server listens.
    public init(
        configuration: Configuration, logger: Logger,
        onServerRunning: @escaping @Sendable (_ url: String) async -> Void = { _ in }
    ) async throws {
        guard (0...65535).contains(configuration.port) else {
            throw NodeError(
                .invalidConfiguration, "\(configuration.port) is not a TCP port; give one from 0 to 65535.")
        }
        guard configuration.maximumBlobSize >= 0 else {
            throw NodeError(
                .invalidConfiguration,
                "\(configuration.maximumBlobSize) is not a blob size limit; give a number of bytes, 0 or more.")
        }
        self.configuration = configuration
        self.logger = logger
        self.onServerRunning = onServerRunning
        let (directory, created) = try NodeDirectory.openOrCreate(
            at: configuration.dataDirectory, development: configuration.development,
            timestamp: UInt64(Date().timeIntervalSince1970))
        self.directory = directory
        createdAccounts = created
        if !created.isEmpty {
            logger.info(
                "created the data directory",
                metadata: ["path": "\(directory.url.path)", "chainId": "\(directory.genesis.configuration.chainId)"])
        }
        lock = try DirectoryLock(directory.lockURL, directory: directory.url)
        let store = try SQLiteLedgerStore(path: directory.ledgerURL.path)
        ledger = try await Ledger(
            configuration: Ledger.Configuration(genesis: directory.genesis), store: store,
            now: { UInt64(Date().timeIntervalSince1970) }, logger: logger)
        orderbook = try SQLiteOrderbook(
            path: directory.orderbookURL.path, ledger: LedgerStateSource(ledger: ledger), logger: logger)
        do {
            blobs = try LocalBlobStore(
                directory: directory.blobsURL,
                configuration: LocalBlobStore.Configuration(
                    maximumBlobSize: configuration.maximumBlobSize, packedBlobSize: Self.packedBlobSize),
                logger: logger)
        } catch {
            throw NodeError(.corruptDirectory, "The blob store could not be opened: \(error.message)")
        }
        let simulationKey = try directory.simulationKey()
        simulatedEnclave = SimulatedEnclave(simulationKey: simulationKey)
        sms = try SecretManagementService(
            path: directory.smsURL.path, masterKeyFile: directory.smsMasterKeyURL, ledger: ledger,
            domain: PushDomain(directory.genesis.configuration),
            verifiers: [SimulatedEvidenceVerifier(trusting: simulationKey.address)], logger: logger)
        guard configuration.workers >= 0, configuration.workerCapacity >= 1 else {
            throw NodeError(
                .invalidConfiguration, "Give 0 or more workers, each taking 1 task or more at once.")
        }
        guard configuration.runsWorkerpool else {
            poolMarket = nil
            scheduler = nil
            workers = []
            ownWorkFolder = nil
            return
        }
        let schedulerKey = try directory.schedulerKey()
        let market = try await PoolMarket(
            configuration: configuration.pool, ledger: ledger, orderbook: orderbook, owner: schedulerKey,
            logger: logger)
        let scheduler = WorkerpoolScheduler(
            workerpool: market.workerpool, ownerKey: schedulerKey, sender: market.sender,
            journal: try SchedulerJournal(path: directory.schedulerJournalURL.path), ledger: ledger, sms: sms,
            configuration: configuration.scheduler, logger: logger)
        poolMarket = market
        self.scheduler = scheduler
        let ownConfiguration = TaskExecutor.Configuration(
            workDirectory: ScratchFolder.default(
                named:
                    "clave-work-\(Hex.encode(Keccak256.hash(Array(directory.url.path.utf8)).bytes.prefix(6)).dropFirst(2))"
            ))
        ownWorkFolder = configuration.executor == nil ? ownConfiguration.workDirectory : nil
        let executor = TaskExecutor(
            configuration: configuration.executor ?? ownConfiguration,
            ledger: ledger, blobs: blobs, sms: sms, enclave: simulatedEnclave, logger: logger)
        var workers: [WorkerAgent] = []
        for number in 0..<configuration.workers {
            workers.append(
                WorkerAgent(
                    key: try directory.workerKey(number + 1), scheduler: scheduler, ledger: ledger,
                    executor: executor,
                    configuration: WorkerAgent.Configuration(capacity: configuration.workerCapacity), logger: logger))
        }
        self.workers = workers
    }

    /// Blobs up to this size (a task's result, receipt and logs, a protected record) go to the blob store's packs
    /// (docs/storage.md, "Packs"): one flush for the puts that arrive together, no file of their own.
    public static let packedBlobSize = 256 << 10

    /// The services a run starts, in order (a graceful shutdown stops them in reverse): the ledger, the API, then
    /// the workerpool's orders, its scheduler and its workers.
    private func services(_ application: some Service) -> [any Service] {
        var services: [any Service] = [ledger, application]
        if let poolMarket { services.append(poolMarket) }
        if let scheduler { services.append(scheduler) }
        for worker in workers { services.append(worker) }
        return services
    }

    /// The API's URL once the server listens, `nil` before.
    public var url: String? { serving.withLock { $0 } }

    /// Serves the API and runs the ledger until graceful shutdown (or cancellation), then stops the server, lets the
    /// ledger seal what it took, and releases the data directory.
    public func run() async throws {
        defer { lock.release() }
        defer { if let ownWorkFolder { try? FileManager.default.removeItem(at: ownWorkFolder) } }
        let host = configuration.host
        let application = Application(
            router: ClaveAPI(
                ledger: ledger, orderbook: orderbook, blobs: blobs, sms: sms, scheduler: scheduler,
                maximumBlobSize: configuration.maximumBlobSize
            ).router(),
            server: .http1(configuration: .init(additionalChannelHandlers: [LargeReads()])),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: configuration.port), serverName: "Clave"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                self.serving.withLock { $0 = url }
                self.logger.info("serving the API", metadata: ["url": "\(url)"])
                await self.onServerRunning(url)
            },
            logger: logger)
        let group = ServiceGroup(
            services: services(application),
            gracefulShutdownSignals: configuration.shutdownOnSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        do {
            try await group.run()
        } catch  where url == nil {
            throw NodeError(
                .listenFailed,
                "Could not serve on \(host):\(configuration.port) (\(error)). If another program uses the port, stop it or choose another with --port."
            )
        }
        let height = await ledger.head.height
        logger.info("node stopped", metadata: ["height": "\(height)"])
    }
}

/// Lets a connection read up to 1 MiB at a time instead of NIO's default 64 KiB, once the data keeps filling its
/// reads: an upload to `/v1/blobs` then arrives in a sixteenth of the parts, each passed through the HTTP decoder and
/// handed to the request's task once. Small requests keep small buffers (NIO's adaptive allocator starts at 2 KiB and
/// grows only while reads fill the buffer).
private final class LargeReads: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never

    func handlerAdded(context: ChannelHandlerContext) {
        context.channel.setOption(
            ChannelOptions.recvAllocator,
            value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 1 << 20)
        ).whenComplete { _ in }
    }
}
