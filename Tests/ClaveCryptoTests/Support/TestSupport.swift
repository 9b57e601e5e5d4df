import ClaveCrypto
import Foundation
import Testing

/// Expects `body` to throw a ``CryptoError`` with `code`, and returns it for checks on its message.
@discardableResult
func expectCryptoError<Result>(
    _ code: CryptoError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Result
) -> CryptoError? {
    let error = #expect(throws: CryptoError.self, sourceLocation: sourceLocation) { _ = try body() }
    #expect(error?.code == code, "\(error.map(String.init(describing:)) ?? "no error")", sourceLocation: sourceLocation)
    return error
}

/// The independent implementations' checkers under `Scripts/vectors`, run with `$CLAVE_PYTHON` (set by `Scripts/test`),
/// else the venv `Scripts/test` makes in `.build/python`, else the `python3` on the PATH.
enum PythonCheck {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `Scripts/vectors/<script>` with `arguments`; returns its exit status and what it printed (both streams).
    static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = repositoryRoot.appendingPathComponent("Scripts/vectors/\(script)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static var python: String {
        if let explicit = ProcessInfo.processInfo.environment["CLAVE_PYTHON"], !explicit.isEmpty { return explicit }
        let venv = repositoryRoot.appendingPathComponent(".build/python/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }
}
