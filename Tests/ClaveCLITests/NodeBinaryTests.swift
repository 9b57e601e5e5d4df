import ClaveCLI
import ClaveCrypto
import Foundation
import ClaveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `clave` process that keeps running (`clave node`), whose standard output is read as it comes.
final class ClaveProcess {
    let process: Process
    private let output = OutputBuffer()
    private let errors = OutputBuffer()
    private let pipes = (out: Pipe(), err: Pipe())

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try ClaveBinary.path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CLAVE_NODE")
        process.environment = environment
        let (out, err) = pipes
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [output] handle in
            output.append(String(decoding: handle.availableData, as: UTF8.self))
        }
        err.fileHandleForReading.readabilityHandler = { [errors] handle in
            errors.append(String(decoding: handle.availableData, as: UTF8.self))
        }
        try process.run()
    }

    /// A node a failed test left running is killed, and the readers go before the pipes do: a dispatch read source
    /// left armed on a pipe that is closed, its descriptor then reused, can crash libdispatch's event loop (the likely
    /// cause of a SIGSEGV in `_dispatch_event_loop_drain` seen once in a full test run).
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        pipes.out.fileHandleForReading.readabilityHandler = nil
        pipes.err.fileHandleForReading.readabilityHandler = nil
    }

    var stdout: String { output.value }
    var stderr: String { errors.value }

    /// Waits (at most a minute) until the node prints the URL it serves.
    func url() async throws -> String {
        for _ in 0..<1200 {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("Clave node serving ") }) {
                return String(line.dropFirst("Clave node serving ".count))
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("clave node served nothing. Output: \(stdout) Errors: \(stderr)")
    }

    /// Sends `signal` and waits (at most a minute) for the process to exit; returns its status.
    func stop(_ signal: Int32) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        for _ in 0..<1200 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            throw CLIError("clave did not stop on signal \(signal). Output: \(stdout)")
        }
        // Let the readers drain what was written last.
        try await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }
}

/// `clave node` as a user runs it: a process that prints its URL, serves until SIGTERM or SIGINT, and prints the
/// development keys only when it creates the data directory.
@Suite struct NodeBinaryTests {
    @Test func servesPrintsTheKeysOnceAndStopsGracefully() async throws {
        let folder = try TemporaryDirectory()
        let dataDir = folder.url.appendingPathComponent("node").path

        let first = try ClaveProcess(["node", "--data-dir", dataDir, "--port", "0", "--accounts", "2"])
        let url = try await first.url()
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let created = first.stdout
        #expect(created.contains("Created data directory \(dataDir): development chain 65535"))
        #expect(created.contains("WARNING: these accounts are for development only."))
        #expect(created.components(separatedBy: "private key 0x").count == 3)
        let addressLine = try #require(created.split(separator: "\n").first { $0.hasPrefix("(0) 0x") })
        let address = String(addressLine.dropFirst(4).prefix(42))
        _ = try Address(address)

        // Another process finds the node through $CLAVE_NODE.
        let balance = try await ClaveBinary.run(["account", "balance", address], environment: ["CLAVE_NODE": url])
        #expect(balance.status == 0, "\(balance.stderr)")
        #expect(balance.stdout.contains("wallet   1000000000000000"))
        let deposit = try await ClaveBinary.run(
            [
                "account", "deposit", "42", "--node", url, "--keystore-dir", "\(dataDir)/keystore", "--address",
                address,
            ],
            environment: ["CLAVE_WALLET_PASSWORD": "clave-development"])
        #expect(deposit.status == 0, "\(deposit.stderr)")
        #expect(deposit.stdout.contains("Deposit account=\(address) amount=42"))

        #expect(try await first.stop(SIGTERM) == 0)
        // Block 1 registered the node's workerpool, block 2 holds the deposit.
        #expect(first.stdout.contains("Clave node stopped at block 2."))

        let second = try ClaveProcess(["node", "--data-dir", dataDir, "--port", "0"])
        _ = try await second.url()
        #expect(!second.stdout.contains("private key"))
        #expect(second.stdout.contains("Data directory \(dataDir): chain 65535, block 2."))
        #expect(try await second.stop(SIGINT) == 0)

        let verified = try await ClaveBinary.run(["ledger", "verify", "--data-dir", dataDir], environment: [:])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("verifies: 3 blocks"))
    }

    @Test func failuresExitNonZeroWithTheirMessage() async throws {
        let folder = try TemporaryDirectory()
        let unreachable = try await ClaveBinary.run(
            ["account", "balance", TestAccountAddress.one], environment: ["CLAVE_NODE": "http://127.0.0.1:1"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("No Clave node answers at http://127.0.0.1:1"))
        #expect(!unreachable.stderr.contains("Fatal error"))

        let notANode = try await ClaveBinary.run(["ledger", "verify", "--data-dir", folder.url.path], environment: [:])
        #expect(notANode.status != 0)
        #expect(notANode.stderr.contains("not a node's data directory"))

        let badPort = try await ClaveBinary.run(["node", "--port", "70000"], environment: [:])
        #expect(badPort.status != 0)
        #expect(badPort.stderr.contains("--port must be from 0 to 65535"))

        // Where $CLAVE_NODE points is where the node listens; a value that is not a URL stops it before it starts.
        let badURL = try await ClaveBinary.run(
            ["node", "--data-dir", folder.url.appendingPathComponent("n").path],
            environment: ["CLAVE_NODE": "127.0.0.1:8545"])
        #expect(badURL.status != 0)
        #expect(badURL.stderr.contains("$CLAVE_NODE is '127.0.0.1:8545', not a URL such as http://127.0.0.1:8545"))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("n").path))
    }
}

/// Bad input at the `clave` binary, as a person types it: each gets one line on standard error that says what was
/// wrong and what to do, a non-zero exit, and changes nothing on the node.
@Suite struct BadInputBinaryTests {
    @Test func eachMistakeGetsOneLineNamingTheFixAndChangesNothing() async throws {
        let folder = try TemporaryDirectory()
        let node = try ClaveProcess([
            "node", "--data-dir", folder.url.appendingPathComponent("node").path, "--port", "0", "--accounts", "1",
        ])
        let url = try await node.url()
        let keystore = folder.url.appendingPathComponent("keystore").path
        let environment = ["CLAVE_NODE": url, "CLAVE_WALLET_PASSWORD": "pw", "CLAVE_KEYSTORE_DIR": keystore]
        func clave(_ arguments: [String], _ environment: [String: String] = environment) async throws -> ProcessResult {
            try await ClaveBinary.run(arguments, environment: environment, in: folder.url)
        }
        func succeed(_ arguments: [String]) async throws -> String {
            let result = try await clave(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        _ = try await succeed(["wallet", "create", "--kdf", "light"])
        let me = String(try await succeed(["wallet", "show"]).prefix(42))
        _ = try await succeed(["account", "faucet", "1000"])
        let protected = try json(
            try await succeed(["data", "protect", #"{"name": "Ada"}"#, "--name", "ada", "--json"]))
        let data = protected["address"]!.stringValue!
        let app = try json(
            try await succeed([
                "app", "deploy", ExecutionTests.examples.appendingPathComponent("hello-python").path, "--json",
            ]))["app"]!.stringValue!
        func height() async throws -> String? {
            try json(try await succeed(["status", "--json"]))["node"]?["height"]?.stringValue
        }
        let before = try await height()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()

        let mistakes: [(arguments: [String], environment: [String: String]?, says: [String])] = [
            (["data", "protect", "missing.json"], nil, ["missing.json is not a file", "give the path of a file"]),
            (
                ["data", "grant", "0x123", "--app", app, "--user", me], nil,
                ["'0x123'", "(usage: `clave data grant --help`)"]
            ),
            (
                ["app", "run", "0x00000000000000000000000000000000000000a1", "--dataset", data], nil,
                ["0x00000000000000000000000000000000000000A1"]
            ),
            (["app", "run", app, "--dataset", data], nil, ["has granted no access to app", "clave data grant"]),
            (
                ["account", "balance", me], ["CLAVE_NODE": "http://127.0.0.1:1"],
                ["No Clave node answers at http://127.0.0.1:1", "Start one with `clave node`"]
            ),
            (["app", "test", folder.url.path], nil, ["has no iapp.json", "clave app init"]),
        ]
        for mistake in mistakes {
            let result = try await clave(mistake.arguments, mistake.environment ?? environment)
            let lines = result.stderr.split(separator: "\n")
            #expect(result.status != 0, "\(mistake.arguments) succeeded")
            #expect(lines.count == 1, "\(mistake.arguments) printed \(lines.count) lines: \(result.stderr)")
            for fragment in mistake.says {
                #expect(result.stderr.contains(fragment), "\(mistake.arguments): \(result.stderr)")
            }
            #expect(!result.stderr.contains("Fatal error"))
        }
        #expect(try await height() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == files)
        #expect(try await node.stop(SIGTERM) == 0)
    }
}
