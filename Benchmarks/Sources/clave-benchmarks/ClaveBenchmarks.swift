import Foundation

/// `clave-benchmarks [all|stream|secp256k1|keccak|ledger|matchorders|protect|sms|task] [--quick] [--json] [--rounds N]`
///
/// Every figure is a ratio to a reference measured in the same run, on the same machine.
@main
struct ClaveBenchmarks {
    static func main() async {
        let options: Options
        do {
            options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n\n\(Options.usage)\n".utf8))
            exit(64)
        }
        if options.help {
            print(Options.usage)
            return
        }
        do {
            var report = Report(quick: options.quick)
            let progress = Progress(enabled: true)
            // The stream benchmark runs first so that its peak-memory figure is not raised by the others' inputs.
            if options.selection.contains(.stream) {
                report.measurements += try StreamBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.secp256k1) {
                report.measurements += try Secp256k1Benchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.keccak) {
                report.measurements += KeccakBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.matchorders) {
                report.measurements += try MatchOrdersBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.ledger) {
                report.measurements += try await LedgerBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.sms) {
                report.measurements += try await SMSBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.runtime) {
                report.measurements += try await RuntimeBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.task) {
                report.measurements += try await TaskBenchmark(options: options, progress: progress).run()
            }
            if options.selection.contains(.protect) {
                report.measurements += try await ProtectBenchmark(options: options, progress: progress).run()
            }
            print(options.json ? report.json() : report.table())
        } catch {
            FileHandle.standardError.write(Data("clave-benchmarks failed: \(error)\n".utf8))
            exit(1)
        }
    }
}

/// Status lines on standard error, so that standard output stays a clean table or JSON document.
struct Progress: Sendable {
    let enabled: Bool
    func say(_ line: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("• \(line)\n".utf8))
    }
}
