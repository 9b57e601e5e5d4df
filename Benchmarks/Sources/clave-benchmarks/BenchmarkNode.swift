import ClaveServer
import Foundation
import Logging
import ServiceLifecycle

/// A real node (`ClaveServer.Node`: ledger, orderbook, blob store, SMS and the HTTP API) in this process, on a new
/// data directory, serving on 127.0.0.1 at a port the system picked, as `clave node` would.
struct BenchmarkNode: Sendable {
    let node: Node
    /// `http://127.0.0.1:<port>`.
    let url: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts a node on `directory` (created with `accounts` funded development accounts), runs `body` while it
    /// serves, then shuts it down gracefully, as SIGTERM would.
    static func with<Result: Sendable>(
        directory: URL, accounts: Int = 2, workerCapacity: UInt64 = 2, logger: Logger,
        _ body: @Sendable (BenchmarkNode) async throws -> Result
    ) async throws -> Result {
        let (urls, continuation) = AsyncStream<String>.makeStream()
        let node = try await Node(
            configuration: Node.Configuration(
                dataDirectory: directory, host: "127.0.0.1", port: 0, development: DevelopmentChain(accounts: accounts),
                shutdownOnSignals: false, workerCapacity: workerCapacity),
            logger: logger
        ) { url in continuation.yield(url) }
        let group = ServiceGroup(services: [node], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = urls.makeAsyncIterator()
            guard let url = await iterator.next() else {
                try await tasks.waitForAll()
                throw Failure(description: "the node stopped before it served")
            }
            let result: Result
            do {
                result = try await body(BenchmarkNode(node: node, url: url))
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
}

extension Logger {
    /// Warnings and errors on standard error, nothing below: the services' per-request info lines would otherwise
    /// be part of what is measured. `CLAVE_BENCH_LOG=info` (or `debug`, `trace`) shows more, each line stamped to the
    /// millisecond since the process started, to see where a task's time goes.
    static func benchmark(_ label: String) -> Logger {
        let level = ProcessInfo.processInfo.environment["CLAVE_BENCH_LOG"].flatMap { Logger.Level(rawValue: $0) }
        var logger = Logger(label: label) { label in
            level == nil
                ? StreamLogHandler.standardError(label: label) as any LogHandler : TimelineLogHandler(label: label)
        }
        logger.logLevel = level ?? .warning
        return logger
    }
}

/// One line per message on standard error: milliseconds since the process started, level, message, metadata.
struct TimelineLogHandler: LogHandler {
    static let start = ContinuousClock.now

    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let elapsed = (ContinuousClock.now - Self.start).seconds * 1000
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = String(format: "%10.1f ", elapsed) + "\(event.level) [\(event.source)] \(event.message) \(fields)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
