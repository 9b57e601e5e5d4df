import ArgumentParser
import ClaveCLI
import ClaveCrypto
import Foundation
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

    /// Runs `clave` with `arguments` and exactly `environment` (plus PATH), with no standard input.
    static func run(_ arguments: [String], environment: [String: String], prefix: [String] = []) throws -> ProcessResult
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = prefix + [try path] + arguments
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
