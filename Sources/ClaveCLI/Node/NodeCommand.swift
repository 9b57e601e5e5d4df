import ArgumentParser
import ClaveCrypto
import ClaveServer
import ClaveStorage
import ClaveWorkerpool
import Foundation
import Logging

/// `clave node`: the whole network in one process.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract:
            "Run a Clave network in one process: the ledger, the orderbook, the blob store, the SMS, a workerpool with its workers, and the HTTP API.",
        discussion: """
            The first start creates the data directory with a development chain (id 65535) and funded development \
            accounts, and prints their private keys once. Later starts reuse it. SIGINT (Ctrl-C) or SIGTERM stops \
            the node gracefully. See docs/node.md.
            Examples:
              clave node                                  # http://127.0.0.1:8545, data in ~/.clave/node
              clave node --data-dir /tmp/n --port 0 --workers 4
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "The address to listen on (default: $CLAVE_NODE's host, else 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on; 0 picks a free one (default: $CLAVE_NODE's port, else 8545).")
    var port: Int?

    @Option(help: "How many funded development accounts a new data directory gets (1 to 100).")
    var accounts: Int = 8

    @Option(help: "How many workers run in the node's process (0: only workers started with `clave worker --pool`).")
    var workers: Int = 2

    @Option(help: "How many tasks each in-process worker runs at once.")
    var workerCapacity: UInt64 = 2

    @Option(help: "What a task costs in the node's workerpool, in nano-units.")
    var poolPrice: UInt64 = 0

    @Option(help: "The largest blob the node stores, in bytes.")
    var maxBlobSize: Int = LocalBlobStore.Configuration.defaultMaximumBlobSize

    @Option(help: "The least severe log messages written to standard error: trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535.") }
        _ = try listeningAddress()
        guard (1...100).contains(accounts) else { throw ValidationError("--accounts must be from 1 to 100.") }
        guard (0...64).contains(workers) else { throw ValidationError("--workers must be from 0 to 64.") }
        guard workerCapacity >= 1 else { throw ValidationError("--worker-capacity must be 1 or more.") }
        guard maxBlobSize >= 0 else { throw ValidationError("--max-blob-size must be a number of bytes, 0 or more.") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical.")
        }
    }

    func run() async throws {
        var logger = Logger(label: "clave.node") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let (host, port) = try listeningAddress()
        let configuration = Node.Configuration(
            dataDirectory: data.url, host: host, port: port, development: DevelopmentChain(accounts: accounts),
            maximumBlobSize: maxBlobSize, workers: workers, workerCapacity: workerCapacity,
            pool: PoolMarket.Configuration(price: poolPrice))
        let node = try await Node(configuration: configuration, logger: logger) { url in
            say("Clave node serving \(url)")
            say(
                "Stop it with Ctrl-C (SIGINT) or SIGTERM; other commands reach it with --node \(url) or CLAVE_NODE=\(url)."
            )
        }
        if let pool = node.poolMarket {
            say("Workerpool \(pool.workerpool) with \(node.workers.count) worker(s) in this process.")
        }
        let chain = node.directory.genesis.configuration
        if node.createdAccounts.isEmpty {
            say(
                "Data directory \(node.directory.url.path): chain \(chain.chainId), block \(await node.ledger.head.height)."
            )
        } else {
            for line in Self.creationReport(node) { say(line) }
        }
        try await node.run()
        say("Clave node stopped at block \(await node.ledger.head.height).")
    }

    /// Where to listen: `--host` and `--port`, else where `$CLAVE_NODE` says the node is (so that one variable points
    /// the node and the commands that ask it at the same place), else 127.0.0.1:8545.
    func listeningAddress(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (
        host: String, port: Int
    ) {
        var host = "127.0.0.1"
        var port = Node.defaultPort
        if let url = environment[RemoteOptions.environmentVariable], !url.isEmpty {
            guard let components = URLComponents(string: url), components.scheme == "http",
                let named = components.host, !named.isEmpty
            else {
                throw ValidationError(
                    "$\(RemoteOptions.environmentVariable) is '\(url)', not a URL such as http://127.0.0.1:8545; fix it, or give --host and --port."
                )
            }
            host = named
            port = components.port ?? 80
        }
        return (self.host ?? host, self.port ?? port)
    }

    /// What is printed once, when the data directory is created: the development accounts and their keys.
    static func creationReport(_ node: Node) -> [String] {
        let directory = node.directory
        let chain = directory.genesis.configuration
        var lines = [
            "Created data directory \(directory.url.path): development chain \(chain.chainId), hub \(chain.hub).",
            "",
            "WARNING: these accounts are for development only. Their private keys are printed here and their keystores",
            "use the published password '\(DevelopmentChain.password)': anyone who sees this output or the data directory",
            "controls them. Never send them anything of value. This is printed once; the keys are not shown again.",
            "",
        ]
        for (index, account) in node.createdAccounts.enumerated() {
            lines.append("(\(index)) \(account.address)  wallet \(account.funds)")
            lines.append("    private key \(Hex.encode(account.privateKey.rawRepresentation))")
        }
        lines += [
            "",
            "Keystores: \(directory.keystoreURL.path) (password '\(DevelopmentChain.password)'), e.g.",
            "  CLAVE_WALLET_PASSWORD=\(DevelopmentChain.password) clave account deposit 1000 --keystore-dir \(directory.keystoreURL.path) --address \(node.createdAccounts[0].address)",
            "",
        ]
        return lines
    }
}
