import Dispatch
import Foundation

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
        guard
            let files = FileManager.default.enumerator(
                at: output, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        else { return 0 }
        var total = 0
        for case let file as URL in files {
            guard let values = try? file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]),
                values.isRegularFile == true
            else { continue }
            total += values.fileSize ?? 0
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
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }
}

extension DispatchTimeInterval {
    /// `duration`, to the nanosecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
