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
