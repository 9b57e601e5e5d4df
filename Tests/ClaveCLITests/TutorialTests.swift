import ClaveCLI
import ClaveCrypto
import ClaveTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The tutorials as a new user lives them: every `sh` block of docs/tutorials/hello-world.md and
/// docs/tutorials/your-first-iapp.md, run as written by bash with the real `clave` binary on PATH, in a fresh home
/// folder, against a `clave` node the hello world starts on a free port. So the docs cannot rot.
@Suite(.serialized) struct TutorialTests {
    static let tutorials = ["hello-world.md", "your-first-iapp.md"].map {
        ClaveBinary.repositoryRoot.appendingPathComponent("docs/tutorials/\($0)")
    }

    /// The blocks of a tutorial: each `sh` fence's text, and whether it runs in the background (`sh background`).
    static func blocks(of markdown: String) -> [(text: String, background: Bool)] {
        var blocks: [(String, Bool)] = []
        var current: (lines: [String], background: Bool)?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = current {
                if line == "```" {
                    blocks.append((open.lines.joined(separator: "\n"), open.background))
                    current = nil
                } else {
                    current?.lines.append(String(line))
                }
            } else if line == "```sh" || line == "```sh background" {
                current = ([], line.hasSuffix("background"))
            }
        }
        return blocks
    }

    /// One bash script of the tutorials' blocks: a background block (a single command, the node) is started with its
    /// output in a log, and the script waits until the node answers; at the end, the status is saved and every
    /// background command stopped with SIGINT, as Ctrl-C would.
    static func script(_ markdowns: [String]) -> String {
        var script = """
            set -euo pipefail
            set -x
            background=()
            stop() { for pid in "${background[@]}"; do kill -INT "$pid"; wait "$pid" || true; done; }
            trap stop EXIT

            """
        for markdown in markdowns {
            for block in blocks(of: markdown) {
                if block.background {
                    script += """
                        \(block.text) > "$TUTORIAL_LOGS/background-${#background[@]}.log" 2>&1 &
                        background+=($!)
                        for attempt in $(seq 600); do clave status > /dev/null 2>&1 && break; sleep 0.1; done

                        """
                } else {
                    script += block.text + "\n"
                }
            }
        }
        return script + "clave status --json > \"$TUTORIAL_LOGS/status.json\"\n"
    }

    @Test func theTutorialsRunAsWritten() async throws {
        let home = try TemporaryDirectory()
        let logs = home.url.appendingPathComponent("logs")
        let work = home.url.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // The tutorials run from a clone's root, where Examples/ is.
        try FileManager.default.createSymbolicLink(
            at: work.appendingPathComponent("Examples"),
            withDestinationURL: ClaveBinary.repositoryRoot.appendingPathComponent("Examples"))
        let markdowns = try Self.tutorials.map { try String(contentsOf: $0, encoding: .utf8) }
        #expect(markdowns.allSatisfy { Self.blocks(of: $0).count >= 4 })
        let url = "http://127.0.0.1:\(try freePort())"

        let bin = URL(fileURLWithPath: try ClaveBinary.path).deletingLastPathComponent().path
        let result = try await runBash(
            Self.script(markdowns), in: work,
            environment: [
                "HOME": home.url.path, "PATH": "\(bin):/usr/local/bin:/usr/bin:/bin", "CLAVE_NODE": url,
                "TUTORIAL_LOGS": logs.path,
            ])
        let node = (try? String(contentsOf: logs.appendingPathComponent("background-0.log"), encoding: .utf8)) ?? ""
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)\nnode: \(node)")

        // What a user reads.
        let out = result.stdout
        #expect(out.contains("Hello, Ada!"))
        #expect(out.contains("Receipt verified"))
        #expect(out.contains("Refused, as it should be: the grant is revoked."))
        #expect(out.contains("Hello, ada@example.com!") == false)
        #expect(out.contains("Hello, grace@example.com!"))
        #expect(out.contains("Hello, Linus!"))
        #expect(node.contains("Clave node serving \(url)"))
        #expect(node.contains("Clave node stopped at block"))

        // What the ledger holds: two deals, each task COMPLETED, and a log that replays.
        let status = try JSONValue(parsing: Array(try Data(contentsOf: logs.appendingPathComponent("status.json"))))
        let deals = try #require(status["account"]?["deals"]?.arrayValue)
        #expect(deals.count == 2)
        for deal in deals {
            #expect(deal["tasks"]?.arrayValue?.map { $0["status"]?.stringValue } == ["COMPLETED"])
        }
        #expect(status["account"]?["datasets"]?.arrayValue?.count == 2)
        let verified = try await ClaveBinary.run(
            ["ledger", "verify", "--data-dir", home.url.appendingPathComponent(".clave/node").path], environment: [:])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("verifies"))
    }
}

/// A TCP port nothing listens on now, on 127.0.0.1.
func freePort() throws -> Int {
    let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw CLIError("Cannot open a socket to find a free port.") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
        }
    }
    guard bound else { throw CLIError("Cannot bind a socket to find a free port.") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs `script` with bash in `folder`, with exactly `environment`.
func runBash(_ script: String, in folder: URL, environment: [String: String]) async throws -> ProcessResult {
    try await runProcess("/bin/bash", ["-c", script], in: folder, environment: environment)
}

/// `Scripts/demo`, which `bash Scripts/run` runs once clave is built: the hello world walked with the real binary,
/// each step printed with its command, the node left running until Ctrl-C stops it cleanly.
@Suite struct DemoTests {
    @Test func theDemoWalksTheHelloWorldAndCtrlCStopsItsNodeCleanly() async throws {
        let folder = try TemporaryDirectory()
        let url = "http://127.0.0.1:\(try freePort())"
        let interrupted = Mutex(false)
        // Once the demo says the node keeps running, Ctrl-C (SIGINT) to the script, as a terminal sends it. The
        // script starts with no signal blocked, as from a terminal: a child of the test process inherits the
        // blocked signals of the thread that spawned it.
        let demo = ClaveBinary.repositoryRoot.appendingPathComponent("Scripts/demo").path
        let unblocked =
            "import os, signal; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv('/bin/bash', ['bash', '\(demo)'])"
        let result = try await runProcess(
            "/usr/bin/python3", ["-c", unblocked], in: folder.url,
            environment: [
                "HOME": folder.url.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "CLAVE": try ClaveBinary.path,
                "CLAVE_NODE": url, "CLAVE_DEMO_HOME": folder.url.appendingPathComponent("demo").path,
            ]
        ) { output, pid in
            guard output.contains("Ctrl-C stops the node.") else { return }
            if interrupted.withLock({ done in
                defer { done = true }; return !done
            }) {
                kill(pid, SIGINT)
            }
        }
        #expect(interrupted.withLock { $0 })
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let out = result.stdout
        for step in 1...8 { #expect(out.contains("\u{1B}[1m\(step). "), "step \(step)") }
        #expect(out.contains("$ clave app run 0x"))
        #expect(out.contains("Hello, Ada!"))
        #expect(out.contains("has granted no access to app"))
        #expect(out.contains("The node is still running at \(url)"))
        #expect(out.contains("Clave node stopped at block"))
    }
}
