import ArgumentParser
import ClaveCLI
import ClaveCrypto
import Foundation
import Synchronization
import Testing

/// Runs a `clave` command line in-process, as `clave` itself would parse it.
func runClave(_ arguments: [String]) async throws {
    var command = try ClaveCommand.parseAsRoot(arguments)
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
}

/// The result of running the built `clave` executable.
struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum ClaveBinary {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `clave` executable built beside the test bundle.
    static var path: String {
        get throws {
            let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for candidate in [folder, folder.deletingLastPathComponent()] {
                let path = candidate.appendingPathComponent("clave").path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            throw CLIError("No clave executable beside \(folder.path); run `swift build --build-tests` first.")
        }
    }

    static var python: String {
        if let explicit = ProcessInfo.processInfo.environment["CLAVE_PYTHON"], !explicit.isEmpty { return explicit }
        let venv = repositoryRoot.appendingPathComponent(".build/python/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    /// Runs `clave` with `arguments` and exactly `environment` (plus PATH, the test's unless it gives one), with no
    /// standard input, in `folder` when given.
    static func run(
        _ arguments: [String], environment: [String: String], prefix: [String] = [], in folder: URL? = nil
    ) async throws -> ProcessResult {
        var env = environment
        env["PATH"] = env["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return try await runProcess("/usr/bin/env", prefix + [try path] + arguments, in: folder, environment: env)
    }
}

/// Runs `executable` to its end without holding a thread of Swift's cooperative pool (a test that blocked one for
/// a minute would starve every other test of the run), collecting its standard output and error.
///
/// `watch`, when given, sees the standard output so far each time more comes, with the process's id (to signal it).
func runProcess(
    _ executable: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String],
    watch: (@Sendable (String, pid_t) -> Void)? = nil
) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    let pipes = (out: Pipe(), err: Pipe())
    process.standardOutput = pipes.out
    process.standardError = pipes.err
    let collected = (out: CollectedBytes(), err: CollectedBytes())
    pipes.err.fileHandleForReading.readabilityHandler = { handle in collected.err.append(handle.availableData) }
    pipes.out.fileHandleForReading.readabilityHandler = { [process] handle in
        collected.out.append(handle.availableData)
        watch?(collected.out.text, process.processIdentifier)
    }
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        process.terminationHandler = { _ in continuation.resume() }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    for (pipe, bytes) in [(pipes.out, collected.out), (pipes.err, collected.err)] {
        pipe.fileHandleForReading.readabilityHandler = nil
        bytes.append(pipe.fileHandleForReading.readDataToEndOfFile())
    }
    return ProcessResult(status: process.terminationStatus, stdout: collected.out.text, stderr: collected.err.text)
}

/// Bytes appended from several threads, read as UTF-8 text once complete.
final class CollectedBytes: Sendable {
    private let bytes = Mutex(Data())

    func append(_ data: Data) { bytes.withLock { $0.append(data) } }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
