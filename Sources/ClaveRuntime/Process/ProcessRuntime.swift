import CClaveSpawn
import ClaveStorage
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `process` apps (`python3 app.py`, a native binary) in a bubblewrap sandbox (docs/runtime.md).
///
/// The app sees `/usr` read-only (and the merged-`/usr` links `/bin`, `/lib`, `/lib64`, `/sbin`), its bundle read-only at
/// `/app` (its working directory), `$IEXEC_IN` read-only at `/iexec_in`, `$IEXEC_OUT` writable at `/iexec_out`, a
/// fresh `/tmp`, and its own `/proc` and minimal `/dev`; nothing else of the host (no `/etc`, `/home`, `/root`, no
/// other task's files). It has no network (a namespace with only a loopback of its own), its own process, IPC, UTS
/// and cgroup namespaces, no capabilities, and only the environment the ``Execution`` gives.
///
/// Limits: the address space (``ResourceLimits/memory``), the size of any file it writes including its logs, and
/// the number of processes, by `setrlimit` before bubblewrap starts; the total size of `$IEXEC_OUT`, checked while it
/// runs; the wall time, after which the whole sandbox is killed (bubblewrap's PID namespace dies with it); CPU time,
/// as a backstop, at the wall time plus one second. When the worker runs as root, each run gets a user id of its own
/// (``Configuration/sandboxUserIDs``), so that the process limit counts only that run's processes; otherwise the
/// limit is the user's processes at the start plus the run's allowance.
public struct ProcessRuntime: AppRuntime {
    public struct Configuration: Sendable {
        /// The bubblewrap executable.
        public var bubblewrap: String
        /// The user ids a root worker gives its runs, one per run at a time across every runtime and every worker
        /// process of the host (their group id is the same number).
        public var sandboxUserIDs: Range<Int>
        /// Where a root worker claims a sandbox user for a run: it holds an exclusive `flock` on `<id>.lock` in this
        /// folder (created, mode 0700) while the run lasts, so worker processes sharing a host (a node and
        /// `clave worker`s) never run two sandboxes as one user. The kernel drops the lock when the run ends or the
        /// process dies, even by SIGKILL, so a crash leaves no stale claim.
        public var sandboxUserLocks: String
        /// How often `$IEXEC_OUT`'s size is checked while the app runs.
        public var outputCheckInterval: Duration

        public init(
            bubblewrap: String = "/usr/bin/bwrap", sandboxUserIDs: Range<Int> = 200_000..<210_000,
            sandboxUserLocks: String = "/run/clave/sandbox-users", outputCheckInterval: Duration = .milliseconds(200)
        ) {
            self.bubblewrap = bubblewrap
            self.sandboxUserIDs = sandboxUserIDs
            self.sandboxUserLocks = sandboxUserLocks
            self.outputCheckInterval = outputCheckInterval
        }
    }

    public let configuration: Configuration
    private let userIDs: UserIDPool

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        userIDs = UserIDPool(configuration.sandboxUserIDs, locks: configuration.sandboxUserLocks)
    }

    /// Whether bubblewrap is installed and can make a sandbox here; the reason when it cannot.
    public func check() -> RuntimeError? {
        guard FileManager.default.isExecutableFile(atPath: configuration.bubblewrap) else {
            return RuntimeError(
                .sandboxUnavailable,
                "bubblewrap is not installed at \(configuration.bubblewrap); install it (Debian: apt-get install bubblewrap)."
            )
        }
        return nil
    }

    public func run(_ execution: Execution) async throws(RuntimeError) -> ExecutionResult {
        if let problem = check() { throw problem }
        let started = ContinuousClock.now
        // The bundle is checked before anything is created or changed.
        let arguments = try bubblewrapArguments(execution)
        let asRoot = geteuid() == 0
        let user = asRoot ? try userIDs.take() : nil
        defer { if let user { userIDs.give(user) } }

        if let user, chown(execution.output.path, uid_t(user.id), gid_t(user.id)) != 0 {
            throw RuntimeError(.io, "Cannot give the output folder \(execution.output.path) to the sandbox's user.")
        }
        // Once the sandbox is gone, what it wrote is the worker's again (to archive, to remove, or, for
        // `clave app test`, to read), and nothing of it stays with a user id the next run may get.
        defer { if user != nil { Self.giveBack(execution.output) } }
        let logs = try Logs(execution)
        let limits = execution.limits
        var spawnLimits = clave_limits()
        spawnLimits.address_space = UInt64(limits.memory)
        spawnLimits.cpu_seconds = UInt64(limits.wallTime.components.seconds) + 2
        spawnLimits.file_size = UInt64(limits.outputSize) + 1
        spawnLimits.processes = UInt64(
            user == nil ? Self.processCount(of: getuid()) + limits.processes : limits.processes)
        spawnLimits.open_files = 1024

        let pid = Self.spawn(
            [configuration.bubblewrap] + arguments, environment: ["PATH=/usr/bin:/bin"], output: logs.output,
            error: logs.error, limits: spawnLimits, user: user?.id)
        guard pid > 0 else {
            throw RuntimeError(
                .sandboxUnavailable,
                "Cannot start bubblewrap (\(String(cString: strerror(errno)))); check that \(configuration.bubblewrap) runs here."
            )
        }
        let watch = Watch(pid: pid)
        let deadline = Deadlines.after(limits.wallTime) { watch.stop(.timedOut) }
        let outputLimit = limits.outputSize
        let measure = OutputMeasure(execution)
        let checker = DispatchSource.makeTimerSource(queue: Deadlines.queue)
        let interval = DispatchTimeInterval(configuration.outputCheckInterval)
        checker.schedule(deadline: .now() + interval, repeating: interval)
        checker.setEventHandler {
            if measure.outputSize() > outputLimit { watch.stop(.outputTooLarge) }
        }
        checker.resume()
        let status = await watch.wait()
        deadline.cancel()
        checker.cancel()

        // A file or log cut at the limit (RLIMIT_FSIZE is one byte over it: SIGXFSZ, or EFBIG where the app ignores
        // that signal, as Python does) or an output folder grown past it ends the run as outputTooLarge, whatever
        // the app made of the failed write.
        var termination = watch.reason ?? Self.termination(of: status)
        if watch.reason == nil, termination == .signaled(SIGXFSZ) || measure.exceeds(outputLimit) {
            termination = .outputTooLarge
        }
        return ExecutionResult(termination: termination, wallTime: ContinuousClock.now - started)
    }

    /// Gives `output` and everything under it to the worker's user, without following a link the app left there
    /// (`lchown`, and an enumerator that does not descend into linked folders).
    private static func giveBack(_ output: URL) {
        let (user, group) = (geteuid(), getegid())
        _ = lchown(output.path, user, group)
        guard let entries = FileManager.default.enumerator(at: output, includingPropertiesForKeys: nil) else { return }
        for case let entry as URL in entries { _ = lchown(entry.path, user, group) }
    }

    // MARK: The sandbox

    private func bubblewrapArguments(_ execution: Execution) throws(RuntimeError) -> [String] {
        var arguments = [
            "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr",
        ]
        for link in ["bin", "lib", "lib64", "sbin"] {
            let host = "/" + link
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: host) {
                arguments += ["--symlink", target, host]
            } else if FileManager.default.fileExists(atPath: host) {
                arguments += ["--ro-bind", host, host]
            }
        }
        arguments += [
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--ro-bind", execution.bundle.path, "/app",
            "--ro-bind", execution.input.path, Execution.inputPath,
            "--bind", execution.output.path, Execution.outputPath,
            "--chdir", "/app", "--clearenv",
        ]
        var environment = execution.environment
        environment["IEXEC_IN"] = Execution.inputPath
        environment["IEXEC_OUT"] = Execution.outputPath
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        environment["HOME"] = environment["HOME"] ?? "/tmp"
        environment["TMPDIR"] = environment["TMPDIR"] ?? "/tmp"
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            arguments += ["--setenv", name, value]
        }
        guard var program = execution.entrypoint.first, !program.isEmpty else {
            throw RuntimeError(
                .invalidBundle, "The app has no entrypoint to run; give iapp.json an entrypoint (docs/iapp-bundle.md).")
        }
        let inBundle = execution.bundle.appendingPathComponent(program).path
        if program.contains("/") || FileManager.default.fileExists(atPath: inBundle) {
            guard FileManager.default.fileExists(atPath: inBundle) else {
                throw RuntimeError(
                    .invalidBundle,
                    "The app's entrypoint '\(program)' is not in its bundle; add the file, or fix iapp.json's entrypoint."
                )
            }
            program = "/app/" + program
        }
        return arguments + ["--", program] + execution.entrypoint.dropFirst() + execution.arguments
    }

    private static func spawn(
        _ argv: [String], environment: [String], output: Int32, error: Int32, limits: clave_limits, user: Int?
    ) -> pid_t {
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let cArgv = cStrings(argv)
        let cEnvironment = cStrings(environment)
        defer {
            cArgv.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var limits = limits
        return cArgv.withUnsafeBufferPointer { argvBuffer in
            cEnvironment.withUnsafeBufferPointer { environmentBuffer in
                argvBuffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: cArgv.count) { a in
                    environmentBuffer.baseAddress!.withMemoryRebound(
                        to: UnsafePointer<CChar>?.self, capacity: cEnvironment.count
                    ) { e in
                        clave_spawn(a, e, output, error, &limits, Int64(user ?? -1), Int64(user ?? -1))
                    }
                }
            }
        }
    }

    // MARK: Outcome

    private static func termination(of status: Int32) -> Termination {
        let signal = status & 0x7F
        if signal == 0 { return .exited((status >> 8) & 0xFF) }
        return .signaled(signal)
    }

    /// The processes of user `uid` on the host (see ``runningUsers()``).
    private static func processCount(of uid: uid_t) -> Int {
        runningUsers().filter { $0 == Int(uid) }.count
    }

    /// The user of every process on the host, zombies included (one entry per process): the owner of its folder in
    /// /proc, one `fstatat` each (reading each process's status file instead took milliseconds per run).
    static func runningUsers() -> [Int] {
        guard let folder = opendir("/proc") else { return [] }
        defer { closedir(folder) }
        let descriptor = dirfd(folder)
        var users: [Int] = []
        FolderEntries.each(in: folder) { name in
            // A process's folder is its id: a name that starts with a digit other than 0.
            guard (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(UInt8(bitPattern: name[0])) else { return }
            var info = stat()
            if fstatat(descriptor, name, &info, 0) == 0 { users.append(Int(info.st_uid)) }
        }
        return users
    }
}

/// The app's two log files, open for the child to inherit.
private struct Logs: ~Copyable {
    let output: Int32
    let error: Int32

    init(_ execution: Execution) throws(RuntimeError) {
        let paths = [execution.standardOutput.path, execution.standardError.path]
        let output = open(paths[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let error = open(paths[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0, error >= 0 else {
            let reason = String(cString: strerror(errno))
            if output >= 0 { close(output) }
            if error >= 0 { close(error) }
            throw RuntimeError(
                .io,
                "Cannot create the app's log files \(paths.joined(separator: " and ")) (\(reason)); check that their folder exists and is writable."
            )
        }
        self.output = output
        self.error = error
    }

    deinit {
        close(output)
        close(error)
    }
}

/// Waits for the sandbox's process on a thread of its own; ``stop(_:)`` kills it and everything in its sandbox,
/// remembering why.
private final class Watch: Sendable {
    let pid: pid_t
    private let state = Mutex<(reason: Termination?, ended: Bool)>((nil, false))

    init(pid: pid_t) { self.pid = pid }

    var reason: Termination? { state.withLock { $0.reason } }

    func stop(_ reason: Termination) {
        let kill = state.withLock { state -> Bool in
            guard !state.ended, state.reason == nil else { return false }
            state.reason = reason
            return true
        }
        // The process group: bubblewrap and what shares its session; the app's PID namespace dies with bubblewrap.
        if kill { Glibc.kill(-pid, SIGKILL) }
    }

    /// Waits for the process to end. It is marked ended as soon as `waitpid` returns, on the waiting thread, so that
    /// a deadline that fires while the caller's task waits to be resumed (a busy executor) cannot call a run that
    /// ended in time a timeout.
    func wait() async -> Int32 {
        let pid = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                self.state.withLock { $0.ended = true }
                continuation.resume(returning: status)
            }
        }
    }
}

/// The sandbox user ids of one runtime's range, handed out one per run. An id is claimed for the host, not only for
/// the process: two runtimes in one process (two nodes' workers, a test's) or two worker processes on one host must
/// never run sandboxes as the same user, or the process limit of one would count the other's processes, and a fork
/// bomb in one task would starve another. The process's own claims are a set; the host's, an exclusive `flock` on a
/// file per id, held by the claim's open descriptor.
///
/// A run ends when bubblewrap's first process does; what the sandbox started may still be exiting then (a timed-out
/// run's processes die of their parent's death a moment later). So ids are handed out in turn across the range, not
/// lowest first, and, when the process runs as root (the only case where runs get ids of their own), an id is skipped
/// while any process on the host runs as it: a run never shares its user, and its process limit, with the remains of
/// another.
final class UserIDPool: Sendable {
    struct Claim {
        let id: Int
        let lock: CInt
    }

    private static let inUse = Mutex<Set<Int>>([])
    /// Where the next search for a free id starts, as an offset into the range.
    private let next = Mutex(0)
    private let range: Range<Int>
    private let locks: String

    /// Creates the lock folder (and its parent) when the process runs as root; a folder that cannot be made shows up
    /// as the first claim's error.
    init(_ range: Range<Int>, locks: String) {
        self.range = range
        self.locks = locks
        if geteuid() == 0 {
            let folder = URL(fileURLWithPath: locks)
            try? FileManager.default.createDirectory(
                at: folder.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
            _ = mkdir(locks, 0o700)
        }
    }

    func take() throws(RuntimeError) -> Claim {
        let running = geteuid() == 0 ? Set(ProcessRuntime.runningUsers()) : []
        let start = next.withLock { $0 }
        for step in 0..<range.count {
            let offset = (start + step) % range.count
            let id = range.lowerBound + offset
            guard !running.contains(id), Self.inUse.withLock({ $0.insert(id).inserted }) else { continue }
            let lock = open("\(locks)/\(id).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else {
                let reason = String(cString: strerror(errno))
                Self.inUse.withLock { _ = $0.remove(id) }
                throw RuntimeError(
                    .sandboxUnavailable,
                    "Cannot claim a sandbox user in \(locks) (\(reason)); run the worker as root, or set ProcessRuntime.Configuration.sandboxUserLocks to a folder root can write."
                )
            }
            if flock(lock, LOCK_EX | LOCK_NB) == 0 {
                next.withLock { $0 = (offset + 1) % range.count }
                return Claim(id: id, lock: lock)
            }
            close(lock)
            Self.inUse.withLock { _ = $0.remove(id) }
        }
        throw RuntimeError(
            .sandboxUnavailable,
            "All \(range.count) sandbox users (\(range.lowerBound)..<\(range.upperBound)) are running tasks (or the remains of tasks) on this host; lower the workers' capacity or widen ProcessRuntime.Configuration.sandboxUserIDs."
        )
    }

    func give(_ claim: Claim) {
        close(claim.lock)
        Self.inUse.withLock { _ = $0.remove(claim.id) }
    }
}
