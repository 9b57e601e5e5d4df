import ClaveRuntime
import ClaveTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ProcessRuntime with real bubblewrap and real Python: what the app sees, what it cannot reach, and every limit
/// ending a misbehaving app while the worker stays healthy.
@Suite(.serialized) struct ProcessRuntimeTests {
    /// A run's folders: a bundle holding `app.py`, `$IEXEC_IN` with `data.txt`, `$IEXEC_OUT`, and the logs.
    struct Run {
        let folder: TemporaryDirectory
        let execution: Execution

        init(_ source: String, limits: ResourceLimits = .default, arguments: [String] = []) throws {
            folder = try TemporaryDirectory(prefix: "clave-process")
            let bundle = folder.url.appendingPathComponent("bundle")
            let input = folder.url.appendingPathComponent("in")
            let output = folder.url.appendingPathComponent("out")
            for url in [bundle, input, output] {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            }
            try Data(source.utf8).write(to: bundle.appendingPathComponent("app.py"))
            try Data("protected 42\n".utf8).write(to: input.appendingPathComponent("data.txt"))
            execution = Execution(
                bundle: bundle, entrypoint: ["python3", "app.py"], arguments: arguments,
                environment: ["IEXEC_DATASET_FILENAME": "data.txt", "IEXEC_TASK_ID": "0x01"], input: input,
                output: output, limits: limits, standardOutput: folder.url.appendingPathComponent("stdout.txt"),
                standardError: folder.url.appendingPathComponent("stderr.txt"))
        }

        func run() async throws -> ExecutionResult { try await ProcessRuntime().run(execution) }
        func output(_ name: String) -> String? {
            FileManager.default.contents(atPath: execution.output.appendingPathComponent(name).path).map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        var standardOutput: String {
            String(decoding: (try? Data(contentsOf: execution.standardOutput)) ?? Data(), as: UTF8.self)
        }
        var standardError: String {
            String(decoding: (try? Data(contentsOf: execution.standardError)) ?? Data(), as: UTF8.self)
        }
    }

    @Test func anAppReadsItsInputAndWritesItsResultWithTheContractsEnvironment() async throws {
        let run = try Run(
            """
            import os, sys, json
            data = open(os.path.join(os.environ["IEXEC_IN"], os.environ["IEXEC_DATASET_FILENAME"])).read()
            with open(os.path.join(os.environ["IEXEC_OUT"], "result.txt"), "w") as f:
                f.write(data.upper() + " ".join(sys.argv[1:]))
            with open(os.path.join(os.environ["IEXEC_OUT"], "computed.json"), "w") as f:
                json.dump({"deterministic-output-path": "/iexec_out/result.txt"}, f)
            print("hello from", os.getcwd(), os.environ["IEXEC_TASK_ID"], sorted(os.environ))
            print("a warning", file=sys.stderr)
            """, arguments: ["--greeting", "hi"])
        let result = try await run.run()
        #expect(result.termination == .exited(0), "\(run.standardError)")
        #expect(run.output("result.txt") == "PROTECTED 42\n--greeting hi")
        #expect(run.output("computed.json")?.contains("deterministic-output-path") == true)
        #expect(run.standardOutput.hasPrefix("hello from /app 0x01 "))
        // Only what the execution gives, the contract's paths, and what Python adds itself (LC_CTYPE, PWD); nothing
        // of the worker's environment.
        #expect(
            run.standardOutput.contains(
                "['HOME', 'IEXEC_DATASET_FILENAME', 'IEXEC_IN', 'IEXEC_OUT', 'IEXEC_TASK_ID', 'LC_CTYPE', 'PATH', 'PWD', 'TMPDIR']"
            ))
        #expect(ProcessInfo.processInfo.environment["HOME"] != nil)
        #expect(run.standardError == "a warning\n")
        // What the sandbox's user wrote is the worker's once the run is over.
        for path in ["", "/result.txt", "/computed.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: run.execution.output.path + path)
            #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == geteuid(), "\(path)")
        }
    }

    /// Reading /etc/passwd, writing to its input or its bundle, reaching a server on the host's loopback, seeing
    /// the host's files: each fails inside the sandbox.
    @Test func theAppReachesNothingOfTheHost() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(listen(listener, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let run = try Run(
            """
            import os, json, socket
            report = {}
            def attempt(name, action):
                try:
                    action()
                    report[name] = "allowed"
                except Exception as error:
                    report[name] = type(error).__name__
            attempt("passwd", lambda: open("/etc/passwd").read())
            attempt("write input", lambda: open("/iexec_in/data.txt", "w").write("x"))
            attempt("write bundle", lambda: open("/app/app.py", "a").write("x"))
            attempt("loopback", lambda: socket.create_connection(("127.0.0.1", \(port)), timeout=2))
            attempt("internet", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
            attempt("tmp", lambda: open("/tmp/scratch", "w").write("ok"))
            report["root"] = sorted(os.listdir("/"))
            report["uid"] = os.getuid()
            json.dump(report, open("/iexec_out/report.json", "w"))
            """)
        let result = try await run.run()
        #expect(result.termination == .exited(0), "\(run.standardError)")
        let report =
            try JSONSerialization.jsonObject(with: Data(try #require(run.output("report.json")).utf8)) as? [String: Any]
        #expect(report?["passwd"] as? String == "FileNotFoundError")
        #expect(report?["write input"] as? String == "OSError")
        #expect(["OSError", "PermissionError"].contains(report?["write bundle"] as? String))
        #expect(report?["loopback"] as? String == "ConnectionRefusedError")
        #expect(report?["internet"] as? String == "OSError")
        #expect(report?["tmp"] as? String == "allowed")
        #expect(
            report?["root"] as? [String] == [
                "app", "bin", "dev", "iexec_in", "iexec_out", "lib", "lib64", "proc", "sbin", "tmp", "usr",
            ])
        #expect(
            try String(contentsOf: run.execution.input.appendingPathComponent("data.txt"), encoding: .utf8)
                == "protected 42\n")
    }

    @Test func aFailingAppEndsWithItsStatusAndItsMessage() async throws {
        let run = try Run("import sys\nprint('no dataset', file=sys.stderr)\nsys.exit(3)\n")
        #expect(try await run.run().termination == .exited(3))
        #expect(run.standardError == "no dataset\n")
    }

    /// An infinite loop that also left a process in the background: both are gone at the time limit.
    @Test func anInfiniteLoopIsStoppedAtItsTimeLimitWithEverythingItStarted() async throws {
        var limits = ResourceLimits.default
        limits.wallTime = .seconds(1)
        let run = try Run("import subprocess\nsubprocess.Popen(['sleep', '4242'])\nwhile True: pass\n", limits: limits)
        let result = try await run.run()
        #expect(result.termination == .timedOut)
        #expect(result.wallTime < .seconds(30))
        try await Task.sleep(for: .milliseconds(200))
        #expect(processes(containing: "sleep 4242").isEmpty)
    }

    /// A fork bomb meets the process limit, is stopped at the time limit, and leaves nothing behind; the next run
    /// works.
    @Test func aForkBombIsContainedAndTheNextRunWorks() async throws {
        // In every fork's command line, and in no other test's.
        let marker = "fork-bomb-\(UUID().uuidString)"
        var limits = ResourceLimits.default
        limits.wallTime = .seconds(2)
        limits.processes = 16
        let run = try Run(
            """
            import os, time
            children = 0
            for _ in range(10000):
                try:
                    if os.fork() == 0:
                        time.sleep(4343)
                        os._exit(0)
                    children += 1
                except OSError:
                    break
            open("/iexec_out/children", "w").write(str(children))
            time.sleep(4343)
            """, limits: limits, arguments: [marker])
        let result = try await run.run()
        #expect(result.termination == .timedOut)
        let children = Int(try #require(run.output("children")))
        #expect(children != nil && children! < 16)
        try await Task.sleep(for: .milliseconds(200))
        #expect(processes(containing: marker).isEmpty)
        let next = try Run("open('/iexec_out/ok', 'w').write('ok')\n")
        #expect(try await next.run().termination == .exited(0))
        #expect(next.output("ok") == "ok")
    }

    /// Two runtimes in one process (two nodes' workers, two tests) never run their sandboxes as the same user: the
    /// process limit counts a user's processes, so a fork bomb in one would starve the other.
    @Test(.enabled(if: geteuid() == 0, "sandboxes get users of their own only when the worker runs as root"))
    func twoRuntimesRunTheirSandboxesAsDifferentUsers() async throws {
        let source = """
            import os, time
            time.sleep(1)
            open("/iexec_out/uid", "w").write(str(os.getuid()))
            """
        let (first, second) = (try Run(source), try Run(source))
        async let firstResult = first.run()
        async let secondResult = second.run()
        let results = try await [firstResult, secondResult]
        #expect(results.allSatisfy { $0.termination == .exited(0) })
        let users = [first.output("uid"), second.output("uid")]
        #expect(users[0] != nil && users[1] != nil)
        #expect(users[0] != users[1])
    }

    /// A user another worker process holds (its lock file flock'ed) is not given to a run, and is given again once
    /// that process died: `clave worker`s and a node on one host share the range without sharing a user.
    @Test(.enabled(if: geteuid() == 0, "sandboxes get users of their own only when the worker runs as root"))
    func aUserAnotherWorkerProcessHoldsIsNotGiven() async throws {
        let locks = try TemporaryDirectory(prefix: "clave-uid-locks")
        // Ids of their own, so that no other test's runs take them meanwhile.
        let configuration = ProcessRuntime.Configuration(
            sandboxUserIDs: 211_000..<211_002, sandboxUserLocks: locks.url.appendingPathComponent("users").path)
        let source = "import os\nopen('/iexec_out/uid', 'w').write(str(os.getuid()))\n"
        // 211000 is held before any sandbox ran as it: a run's remains (bubblewrap's last process can stay a zombie
        // for a while where the host's init reaps slowly) would keep it from being given back at the end.
        try FileManager.default.createDirectory(
            at: locks.url.appendingPathComponent("users"), withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); time.sleep(60)",
            locks.url.appendingPathComponent("users/211000.lock").path,
        ]
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        // Held once a non-blocking flock of our own is refused.
        try await eventually("the other process holds the lock") {
            let descriptor = open(locks.url.appendingPathComponent("users/211000.lock").path, O_RDONLY)
            defer { close(descriptor) }
            return descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) != 0
        }
        let during = try Run(source)
        _ = try await ProcessRuntime(configuration: configuration).run(during.execution)
        #expect(during.output("uid") == "211001")

        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let after = try Run(source)
        _ = try await ProcessRuntime(configuration: configuration).run(after.execution)
        #expect(after.output("uid") == "211000")
    }

    /// A run that cannot claim a sandbox user is refused before anything runs, saying why and what to change: every
    /// user of the range is held (here by another open lock file), or the lock folder cannot be written.
    @Test(.enabled(if: geteuid() == 0, "sandboxes get users of their own only when the worker runs as root"))
    func aRunWithNoSandboxUserToClaimIsRefused() async throws {
        let locks = try TemporaryDirectory(prefix: "clave-uid-locks")
        let users = locks.url.appendingPathComponent("users")
        let busy = ProcessRuntime(
            configuration: .init(sandboxUserIDs: 211_010..<211_011, sandboxUserLocks: users.path))
        let held = open(users.appendingPathComponent("211010.lock").path, O_RDWR | O_CREAT, 0o600)
        defer { close(held) }
        #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
        let first = try Run("open('/iexec_out/ran', 'w').write('yes')\n")
        await #expect {
            try await busy.run(first.execution)
        } throws: { error in
            let error = error as? RuntimeError
            return error?.code == .sandboxUnavailable && error?.message.contains("All 1 sandbox users") == true
                && error?.message.contains("sandboxUserIDs") == true
        }
        #expect(first.output("ran") == nil)

        // A lock folder under a regular file cannot exist.
        let file = locks.url.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let unwritable = ProcessRuntime(
            configuration: .init(sandboxUserLocks: file.appendingPathComponent("users").path))
        let second = try Run("open('/iexec_out/ran', 'w').write('yes')\n")
        await #expect {
            try await unwritable.run(second.execution)
        } throws: { error in
            let error = error as? RuntimeError
            return error?.code == .sandboxUnavailable && error?.message.contains("sandboxUserLocks") == true
        }
        #expect(second.output("ran") == nil)
    }

    @Test func aMemoryBombFailsInsideItsLimit() async throws {
        var limits = ResourceLimits.default
        limits.memory = 256 << 20
        let run = try Run("blocks = []\nwhile True: blocks.append(bytearray(16 << 20))\n", limits: limits)
        let result = try await run.run()
        #expect(result.termination == .exited(1))
        #expect(run.standardError.contains("MemoryError"))
    }

    @Test func writingMoreThanTheOutputLimitIsStopped() async throws {
        var limits = ResourceLimits.default
        limits.outputSize = 1 << 20
        let oneFile = try Run("open('/iexec_out/big', 'wb').write(b'x' * (4 << 20))\n", limits: limits)
        #expect(try await oneFile.run().termination == .outputTooLarge)
        let manyFiles = try Run(
            "import time\nfor i in range(8): open(f'/iexec_out/part{i}', 'wb').write(b'x' * (512 << 10))\ntime.sleep(300)\n",
            limits: limits)
        let result = try await manyFiles.run()
        #expect(result.termination == .outputTooLarge)
        #expect(result.wallTime < .seconds(60))
        // Files in folders count too.
        let nested = try Run(
            "import os, time\nos.makedirs('/iexec_out/a/b')\n"
                + "for i in range(8): open(f'/iexec_out/a/b/part{i}', 'wb').write(b'x' * (512 << 10))\ntime.sleep(300)\n",
            limits: limits)
        let nestedResult = try await nested.run()
        #expect(nestedResult.termination == .outputTooLarge)
        #expect(nestedResult.wallTime < .seconds(60))
        // A symbolic link counts as itself, not as what it points to (/usr is far above the limit).
        let linked = try Run(
            "import os\nos.symlink('/usr', '/iexec_out/usr')\nopen('/iexec_out/small', 'w').write('small')\n",
            limits: limits)
        #expect(try await linked.run().termination == .exited(0))
    }

    /// A run that cannot be set up throws, saying what to fix, and nothing runs: an entrypoint path the bundle does
    /// not hold, an empty entrypoint, log files in a folder that does not exist.
    @Test func aRunThatCannotBeSetUpSaysWhatToFix() async throws {
        let run = try Run("open('/iexec_out/ran', 'w').write('yes')\n")
        var missing = run.execution
        missing.entrypoint = ["bin/app"]
        var empty = run.execution
        empty.entrypoint = []
        var noLogs = run.execution
        noLogs.standardOutput = run.folder.url.appendingPathComponent("absent/stdout.txt")
        for (execution, code, message) in [
            (missing, RuntimeError.Code.invalidBundle, "'bin/app' is not in its bundle; add the file"),
            (empty, .invalidBundle, "give iapp.json an entrypoint"),
            (noLogs, .io, "check that their folder exists"),
        ] {
            await #expect {
                try await ProcessRuntime().run(execution)
            } throws: { error in
                let error = error as? RuntimeError
                return error?.code == code && error?.message.contains(message) == true
            }
        }
        #expect(run.output("ran") == nil)
        #expect(!FileManager.default.fileExists(atPath: run.execution.standardOutput.path))
    }

    @Test func aMissingSandboxIsAClearError() async throws {
        let run = try Run("print(1)\n")
        let runtime = ProcessRuntime(configuration: .init(bubblewrap: "/nonexistent/bwrap"))
        await #expect {
            try await runtime.run(run.execution)
        } throws: { error in
            let error = error as? RuntimeError
            return error?.code == .sandboxUnavailable && error?.message.contains("apt-get install bubblewrap") == true
        }
    }
}
