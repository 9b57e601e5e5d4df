import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time used by every thread of this process so far, in seconds (user and system).
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// CPU time used by the whole machine so far, in seconds, from /proc/stat (nil where there is none): with
/// ``processCPUSeconds()`` it tells how busy other processes kept the cores during a measurement.
func machineCPUSeconds() -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
        let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
    else { return nil }
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
    let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    guard fields.count >= 8 else { return nil }
    let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Context switches of this process so far, voluntary (a thread waited) and involuntary (it was preempted).
func contextSwitches() -> Int {
    var usage = rusage()
    #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
        getrusage(RUSAGE_SELF, &usage)
    #endif
    return usage.ru_nvcsw + usage.ru_nivcsw
}

/// CPU use of this process and of the others over one measurement.
struct CPUUse {
    private let start: ContinuousClock.Instant
    private let process: Double
    private let machine: Double?

    init() {
        start = .now
        process = processCPUSeconds()
        machine = machineCPUSeconds()
    }

    /// Cores kept busy by this process and by every other process since `init`, on average.
    func measure() -> (own: Double, others: Double?) {
        let seconds = (ContinuousClock.now - start).seconds
        let own = processCPUSeconds() - process
        let others = machineCPUSeconds().flatMap { now in machine.map { max(0, now - $0 - own) / seconds } }
        return (own / seconds, others)
    }
}

/// The CPU time of each live thread of this process, with its name (Linux: `/proc/self/task/<tid>/stat`, in clock
/// ticks), and of the whole process: two snapshots tell which threads a measurement kept busy.
struct ThreadCPU {
    var threads: [Int32: (name: String, seconds: Double)] = [:]
    var process: Double

    static func snapshot() -> ThreadCPU {
        var snapshot = ThreadCPU(process: processCPUSeconds())
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let ids = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return snapshot }
        for id in ids {
            guard let tid = Int32(id),
                let stat = try? String(contentsOfFile: "/proc/self/task/\(id)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            // After the name: state (field 3) ... utime (field 14) and stime (field 15).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            snapshot.threads[tid] = (name, (user + system) / ticks)
        }
        return snapshot
    }

    /// CPU seconds used since `earlier`, by group of threads (a thread's name without its digits, `#` and trailing
    /// `-`, and "(new)" for threads started since), largest first; the threads that ended in between are the group `ended`: the process's CPU time counts
    /// them, but `/proc/self/task` no longer lists them.
    func since(_ earlier: ThreadCPU) -> [(group: String, seconds: Double)] {
        var groups: [String: Double] = [:]
        var live = 0.0
        for (tid, thread) in threads {
            let used = thread.seconds - (earlier.threads[tid]?.seconds ?? 0)
            live += used
            let group = String(thread.name.filter { !$0.isNumber && $0 != "#" })
                .trimmingCharacters(in: CharacterSet(charactersIn: "-. "))
            groups[earlier.threads[tid] == nil ? group + " (new)" : group, default: 0] += used
        }
        groups["ended", default: 0] += max(0, process - earlier.process - live)
        return groups.filter { $0.value >= 0.005 }.map { ($0.key, $0.value) }.sorted { $0.seconds > $1.seconds }
    }
}

/// Takes a ``ThreadCPU`` snapshot every `interval` on a thread of its own and keeps, for each thread, the last CPU
/// time seen, so that threads which end before ``stop()`` are still there by name (short of their last interval).
final class ThreadCPUSampler: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var latest: ThreadCPU
    private var running = true
    private var finished = false

    init(interval: Duration = .milliseconds(20)) {
        latest = ThreadCPU.snapshot()
        let microseconds = useconds_t(interval.seconds * 1e6)
        let thread = Thread { [self] in
            Thread.current.name = "bench-sampler"  // from inside: Foundation on Linux ignores it before start()
            while true {
                let snapshot = ThreadCPU.snapshot()
                condition.lock()
                for (tid, thread) in snapshot.threads { latest.threads[tid] = thread }
                latest.process = snapshot.process
                guard running else {
                    finished = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                condition.unlock()
                usleep(microseconds)
            }
        }
        thread.start()
    }

    /// Stops sampling (after one last snapshot) and returns what was seen.
    func stop() -> ThreadCPU {
        condition.lock()
        defer { condition.unlock() }
        running = false
        while !finished { condition.wait() }
        return latest
    }
}
