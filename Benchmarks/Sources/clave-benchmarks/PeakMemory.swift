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
