import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program run to its end as a child process, with its output in files, and what it cost.
struct ChildProcess {
    /// How the child ended and what it used.
    struct Outcome: Sendable {
        var status: Int32
        var seconds: Double
        /// `VmHWM` of the child, read from `/proc/<pid>/status` every 10 ms while it ran: its own peak resident size,
        /// short of at most its last 10 ms. Nil where there is no `/proc`.
        var sampledPeakMiB: Double?
        /// `ru_maxrss` from `wait4(2)`. On Linux it can be the parent's peak instead: `posix_spawn` runs the child on
        /// the parent's memory until `execve`, and the kernel carries that memory's high-water mark over into the
        /// new program's `ru_maxrss`.
        var waitMaxRSSMiB: Double
        var userSeconds: Double
        var systemSeconds: Double
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `executable` with `arguments` (and `environment`, `NAME=value` strings, or else this process's
    /// environment), standard output and error to the files `output` and `errors`, standard input from /dev/null.
    /// Waits on a thread of its own, off the concurrency pool. With `sampling` off, the wait blocks instead of
    /// checking every 10 ms for the memory samples, so that the time is not rounded up to those 10 ms.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String]? = nil, sampling: Bool = true,
        output: String, errors: String
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                Thread.current.name = "bench-child"  // from inside: Foundation on Linux ignores it before start()
                continuation.resume(
                    with: Result {
                        try runBlocking(
                            executable, arguments, environment: environment, sampling: sampling, output: output,
                            errors: errors)
                    })
            }
            thread.start()
        }
    }

    private static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String]?, sampling: Bool, output: String,
        errors: String
    ) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let given: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for pointer in given ?? [] { free(pointer) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned =
            given.map { posix_spawn(&pid, executable, &actions, nil, argv, $0) }
            ?? posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw Failure(description: "could not start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        var sampled: Double?
        while true {
            let result = wait4(pid, &status, sampling ? WNOHANG : 0, &usage)
            if result == pid { break }
            if result < 0 && errno != EINTR {
                throw Failure(description: "wait4 failed: \(String(cString: strerror(errno)))")
            }
            if let peak = ResidentMemory.field("VmHWM", process: "\(pid)") { sampled = max(sampled ?? 0, peak) }
            usleep(10_000)
        }
        let seconds = (ContinuousClock.now - start).seconds
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func time(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }
        #if canImport(Glibc)
            let maxRSS = Double(usage.ru_maxrss) / 1024  // KiB
        #else
            let maxRSS = Double(usage.ru_maxrss) / 1_048_576  // bytes
        #endif
        return Outcome(
            status: exit, seconds: seconds, sampledPeakMiB: sampled, waitMaxRSSMiB: maxRSS,
            userSeconds: time(usage.ru_utime), systemSeconds: time(usage.ru_stime))
    }
}
