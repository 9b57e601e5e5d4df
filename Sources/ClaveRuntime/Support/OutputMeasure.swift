import ClaveStorage
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Measures, on the host, what a run wrote: `$IEXEC_OUT` in all, and each log. Both runtimes check
/// ``ResourceLimits/outputSize`` with it.
struct OutputMeasure: Sendable {
    var output: URL
    var standardOutput: URL
    var standardError: URL

    func standardOutputSize() -> Int { Self.size(ofFile: standardOutput) }
    func standardErrorSize() -> Int { Self.size(ofFile: standardError) }

    /// The bytes of every file under `$IEXEC_OUT`, at their apparent size (what a result archive would hold), without
    /// following symbolic links.
    func outputSize() -> Int {
        let folder = open(output.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return 0 }
        return Self.size(ofFolder: folder)
    }

    /// The regular files' bytes under the open folder `descriptor` (closed here), one `fstatat` per entry: walking it
    /// with FileManager's enumerator cost a millisecond for two files, a tenth of a trivial task's whole work.
    private static func size(ofFolder descriptor: Int32) -> Int {
        guard let folder = fdopendir(descriptor) else {
            close(descriptor)
            return 0
        }
        defer { closedir(folder) }
        var total = 0
        FolderEntries.each(in: folder) { name in
            var info = stat()
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                total += Int(info.st_size)
            case S_IFDIR:
                let child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 { total += size(ofFolder: child) }
            default:
                break
            }
        }
        return total
    }

    /// Whether the output or a log is larger than `limit` bytes.
    func exceeds(_ limit: Int) -> Bool {
        standardOutputSize() > limit || standardErrorSize() > limit || outputSize() > limit
    }

    init(output: URL, standardOutput: URL, standardError: URL) {
        self.output = output
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    init(_ execution: Execution) {
        self.init(
            output: execution.output, standardOutput: execution.standardOutput,
            standardError: execution.standardError)
    }

    private static func size(ofFile url: URL) -> Int {
        var info = stat()
        return stat(url.path, &info) == 0 ? Int(info.st_size) : 0
    }
}

extension DispatchTimeInterval {
    /// `duration`, to the nanosecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
