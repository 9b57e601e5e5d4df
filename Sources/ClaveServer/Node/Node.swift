public import ClaveAttestation
public import ClaveLedger
public import ClaveMarket
public import ClaveSMS
public import ClaveStorage
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

        public init(
            dataDirectory: URL = Node.Configuration.defaultDataDirectory, host: String = "127.0.0.1",
            port: Int = Node.defaultPort, development: DevelopmentChain = DevelopmentChain(),
            shutdownOnSignals: Bool = true,
            maximumBlobSize: Int = LocalBlobStore.Configuration.defaultMaximumBlobSize
        ) {
            self.dataDirectory = dataDirectory
            self.host = host
            self.port = port
            self.development = development
            self.shutdownOnSignals = shutdownOnSignals
            self.maximumBlobSize = maximumBlobSize
        }

        /// `~/.clave/node`.
        public static var defaultDataDirectory: URL {
            FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".clave/node")
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

    private let logger: Logger
    private let lock: DirectoryLock
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
                configuration: LocalBlobStore.Configuration(maximumBlobSize: configuration.maximumBlobSize),
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
    }

    /// The API's URL once the server listens, `nil` before.
    public var url: String? { serving.withLock { $0 } }

    /// Serves the API and runs the ledger until graceful shutdown (or cancellation), then stops the server, lets the
    /// ledger seal what it took, and releases the data directory.
    public func run() async throws {
        defer { lock.release() }
        let host = configuration.host
        let application = Application(
            router: ClaveAPI(
                ledger: ledger, orderbook: orderbook, blobs: blobs, sms: sms,
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
            services: [ledger, application],
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
