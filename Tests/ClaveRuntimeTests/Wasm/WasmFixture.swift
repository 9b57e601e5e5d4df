import ClaveRuntime
import ClaveTestSupport
import Foundation
import WAT

/// A bundle, input, output and log files in a temporary directory, and a module to run from them.
struct WasmFixture {
    static let limits = ResourceLimits(
        memory: 16 << 20, wallTime: .seconds(30), processes: 1, outputSize: 1 << 20, fuel: 5_000_000)

    let directory: TemporaryDirectory
    let bundle: URL
    let input: URL
    let output: URL

    var standardOutput: URL { directory.url.appendingPathComponent("stdout.txt") }
    var standardError: URL { directory.url.appendingPathComponent("stderr.txt") }

    init() throws {
        directory = try TemporaryDirectory(prefix: "clave-wasm")
        bundle = directory.url.appendingPathComponent("bundle")
        input = directory.url.appendingPathComponent("iexec_in")
        output = directory.url.appendingPathComponent("iexec_out")
        for folder in [bundle, input, output] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }

    /// Writes `contents` to the file `name` of the input folder.
    func addInput(_ name: String, _ contents: String) throws {
        try Data(contents.utf8).write(to: input.appendingPathComponent(name))
    }

    /// Runs `module` (WebAssembly bytes) as `app.wasm`, with a runtime of its own unless one is given.
    func run(
        module: [UInt8], arguments: [String] = [], environment: [String: String] = [:],
        limits: ResourceLimits = WasmFixture.limits, runtime: WasmRuntime = WasmRuntime(logger: .quiet)
    ) async throws -> ExecutionResult {
        try Data(module).write(to: bundle.appendingPathComponent("app.wasm"))
        let execution = Execution(
            bundle: bundle, entrypoint: ["app.wasm"], arguments: arguments, environment: environment, input: input,
            output: output, limits: limits, standardOutput: standardOutput, standardError: standardError)
        return try await runtime.run(execution)
    }

    /// Runs the module `wat` describes.
    func run(
        wat: String, arguments: [String] = [], environment: [String: String] = [:],
        limits: ResourceLimits = WasmFixture.limits, runtime: WasmRuntime = WasmRuntime(logger: .quiet)
    ) async throws -> ExecutionResult {
        try await run(
            module: try wat2wasm(wat), arguments: arguments, environment: environment, limits: limits, runtime: runtime)
    }

    func contents(of url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }
}
