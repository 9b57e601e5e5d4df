import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's peak resident set size so far.
struct PeakMemory {
    var mebibytes: Double
    var source: String

    static func measure() -> PeakMemory {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let maxRSS = Double(usage.ru_maxrss) / 1024  // KiB on Linux
            // ru_maxrss survives execve(2), so under `swift run` (which execs this program) it reports swift-run's own
            // peak of about 128 MiB. VmHWM belongs to this program's address space alone.
            if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kibibytes = Double(line.split(separator: " ").dropFirst().first ?? "")
            {
                return PeakMemory(
                    mebibytes: kibibytes / 1024,
                    source: "VmHWM from /proc/self/status; getrusage ru_maxrss says "
                        + Report.format(maxRSS) + " MiB, which includes `swift run` itself when launched through it")
            }
            return PeakMemory(mebibytes: maxRSS, source: "getrusage ru_maxrss")
        #else
            getrusage(RUSAGE_SELF, &usage)
            // Bytes on Darwin.
            return PeakMemory(mebibytes: Double(usage.ru_maxrss) / 1_048_576, source: "getrusage ru_maxrss")
        #endif
    }
}

/// Resident memory of this process, or of another one, from `/proc/<pid>/status` (Linux only).
enum ResidentMemory {
    /// A `kB` field of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MiB; nil where there is none (another system, a
    /// process that exited).
    static func field(_ name: String, process: String = "self") -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
            let kibibytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kibibytes / 1024
    }

    /// Sets this process's high-water mark (`VmHWM`) back to its resident size now, so that the next reading of it
    /// is the peak of what ran in between (Linux 4.0 and later: `echo 5 > /proc/self/clear_refs`). False where it
    /// cannot be done.
    static func resetHighWaterMark() -> Bool {
        #if canImport(Glibc)
            let descriptor = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            return write(descriptor, "5", 1) == 1
        #else
            return false
        #endif
    }
}
