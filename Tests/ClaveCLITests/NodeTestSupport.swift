import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import ClaveWorkerpool
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import ClaveTestSupport
import Testing

/// What the commands of one test printed.
final class OutputBuffer: Sendable {
    private let text = Mutex("")

    func append(_ more: String) { text.withLock { $0 += more } }
    var value: String { text.withLock { $0 } }
}

/// Runs a `clave` command line in-process and returns what it printed.
@discardableResult
func clave(_ arguments: [String]) async throws -> String {
    let buffer = OutputBuffer()
    try await Output.$current.withValue(Output { buffer.append($0) }) {
        try await runClave(arguments)
    }
    return buffer.value
}

/// Expects `arguments` to fail with a ``CLIError`` of `code` whose message contains every one of `fragments`.
func expectFailure(
    _ arguments: [String], _ code: CLIError.Code, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        let output = try await clave(arguments)
        Issue.record("clave \(arguments.joined(separator: " ")) succeeded: \(output)", sourceLocation: sourceLocation)
    } catch let error as CLIError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                error.message.contains(fragment), "'\(fragment)' not in: \(error.message)",
                sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a CLIError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A node running in this process on a port the system picked, for one test.
struct RunningNode: Sendable {
    let node: Node
    let url: String
    /// A file holding the development accounts' password.
    let passwordFile: String

    var dataDirectory: URL { node.directory.url }
    var keystoreDir: String { node.directory.keystoreURL.path }
    var ledger: Ledger { node.ledger }

    /// `--node URL`, to append to a remote command.
    var remote: [String] { ["--node", url] }

    /// The options that sign with development account `index` (of those created with the directory).
    func signer(_ account: Address) -> [String] {
        ["--keystore-dir", keystoreDir, "--address", account.checksummed, "--password-file", passwordFile]
    }

    /// Signs `body` with `key` at its next nonce and submits it to the node's ledger directly.
    @discardableResult
    func submit(_ key: PrivateKey, _ body: TransactionBody) async throws -> Receipt {
        let nonce = await ledger.account(key.address).nonce
        let chainId = node.directory.genesis.configuration.chainId
        return try await ledger.submit(
            SignedTransaction(
                Transaction(chainId: chainId, from: key.address, nonce: nonce, body: body), signedWith: key)
        )
    }
}

/// Starts a node on `directory` (a new folder in `folder` by default) on port 0, runs `body` while it serves, then
/// shuts it down gracefully, as SIGTERM would. With `workerpool`, the node runs its workerpool and two workers
/// (which registers the pool in block 1); without, its ledger holds only what the test does.
@discardableResult
func withNode<Result>(
    at directory: URL, accounts: Int = 3, workerpool: Bool = false, workers: Int = 2,
    pool: PoolMarket.Configuration = PoolMarket.Configuration(),
    scheduler: WorkerpoolScheduler.Configuration = WorkerpoolScheduler.Configuration(),
    _ body: (RunningNode) async throws -> Result
) async throws -> Result {
    let (urls, continuation) = AsyncStream<String>.makeStream()
    let node = try await Node(
        configuration: Node.Configuration(
            dataDirectory: directory, host: "127.0.0.1", port: 0, development: DevelopmentChain(accounts: accounts),
            shutdownOnSignals: false, runsWorkerpool: workerpool, workers: workers, pool: pool, scheduler: scheduler),
        logger: Logger.quiet
    ) { url in continuation.yield(url) }
    let passwordFile = directory.deletingLastPathComponent().appendingPathComponent(
        "password-\(UUID().uuidString)")
    try Data(DevelopmentChain.password.utf8).write(to: passwordFile)
    defer { try? FileManager.default.removeItem(at: passwordFile) }
    let group = ServiceGroup(services: [node], logger: Logger.quiet)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else {
            try await tasks.waitForAll()
            throw CLIError("The node stopped before it served.")
        }
        let running = RunningNode(node: node, url: url, passwordFile: passwordFile.path)
        let result: Result
        do {
            result = try await body(running)
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// The JSON a command printed with `--json`.
func json(_ output: String) throws -> JSONValue {
    try JSONValue(parsing: Array(output.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
}
