public import Logging
import Foundation
import WasmKit
import WasmKitWASI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs WebAssembly apps (WASI preview 1 commands) with WasmKit, inside the limits of their ``Execution``
/// (docs/runtime.md, "WebAssembly runtime").
///
/// The app's `_start` runs on a thread of its own, with `argv` = the entrypoint then ``Execution/arguments``, only
/// ``Execution/environment`` plus `IEXEC_IN` and `IEXEC_OUT`, standard input from `/dev/null`, and two preopened
/// folders: `/iexec_in` (read-only, through ``WASIGate``) and `/iexec_out`. Fuel bounds its instructions, a limiter its
/// linear memory, the gate its output, and ``ResourceLimits/wallTime`` the whole run.
public struct WasmRuntime: AppRuntime {
    public struct Configuration: Sendable {
        /// The stack of the thread each run executes on (WasmKit's interpreter keeps the guest's own stack apart).
        public var threadStackSize: Int
        /// How many instances of one module (with one set of limits) are kept between runs, put back as new, for the
        /// next runs to skip instantiating and translating it (docs/runtime.md, "Instances kept between runs"); 0
        /// makes every run instantiate its module anew. As many as the runs of one app at once is enough.
        public var keptInstances: Int

        public init(threadStackSize: Int = 8 << 20, keptInstances: Int = 8) {
            self.threadStackSize = threadStackSize
            self.keptInstances = keptInstances
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    let pool: WasmInstancePool
    /// The threads the runs execute on, kept between runs (shared by every runtime with this stack size).
    private let threads: EngineThreads

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        pool = WasmInstancePool(maximumIdleInstances: configuration.keptInstances)
        threads = EngineThreads.shared(name: "clave-wasm", stackSize: configuration.threadStackSize)
    }

    public func run(_ execution: Execution) async throws(RuntimeError) -> ExecutionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let (image, name) = try loadModule(execution)
        var logger = logger
        logger[metadataKey: "wasm.module"] = "\(name)"

        let standardInput = try Self.openDescriptor("/dev/null", flags: O_RDONLY)
        let standardOutput: CInt
        let standardError: CInt
        do {
            standardOutput = try Self.openDescriptor(execution.standardOutput.path, flags: O_WRONLY | O_CREAT | O_TRUNC)
            standardError = try Self.openDescriptor(execution.standardError.path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        } catch {
            close(standardInput)
            throw error
        }
        let descriptors = [standardInput, standardOutput, standardError]
        var environment = execution.environment
        environment["IEXEC_IN"] = Execution.inputPath
        environment["IEXEC_OUT"] = Execution.outputPath
        let bridge: WASIBridgeToHost
        do {
            bridge = try WASIBridgeToHost(
                args: [name] + execution.arguments, environment: environment,
                preopens: [
                    .init(guestPath: Execution.inputPath, hostPath: execution.input.path),
                    .init(guestPath: Execution.outputPath, hostPath: execution.output.path),
                ],
                stdin: standardInput, stdout: standardOutput, stderr: standardError)
        } catch {
            descriptors.forEach { close($0) }
            throw RuntimeError(
                .io,
                "The input or output folder cannot be opened for the app (\(execution.input.path), "
                    + "\(execution.output.path)): \(error). Both must be existing folders.")
        }

        let measure = OutputMeasure(execution)
        // The preopens are the guest's descriptors 3 (`/iexec_in`) and 4 (`/iexec_out`), in the order above.
        let gate = WASIGate(readOnlyPreopen: 3, outputLimit: execution.limits.outputSize, measure: measure)
        let guest = WasmGuest(image: image, limits: execution.limits, bridge: bridge, gate: gate, pool: pool)
        logger.debug(
            "WebAssembly run starting", metadata: ["wasm.fuel": "\(execution.limits.fuel.map(String.init) ?? "none")"])
        let outcome = await EngineThread<Result<Termination, RuntimeError>>.run(
            on: threads, timeLimit: execution.limits.wallTime,
            onTimeLimit: { gate.revoke() }
        ) {
            defer { descriptors.forEach { close($0) } }
            do throws(RuntimeError) {
                return .success(try guest.run())
            } catch {
                return .failure(error)
            }
        }

        var termination: Termination
        switch outcome {
        case .success(let ended)?:
            termination = ended
        case .failure(let error)?:
            throw error
        case nil:
            gate.revoke()
            termination = .timedOut
            logger.warning(
                "WebAssembly run passed its wall time; its thread ends at its next system call or when its fuel runs out",
                metadata: ["wasm.wallTime": "\(execution.limits.wallTime)"])
        }
        // Checked during the run at each write (WASIGate), and here once more for what that cannot see (a log
        // descriptor renumbered onto an output file, say).
        if termination != .outputTooLarge && measure.exceeds(execution.limits.outputSize) {
            termination = .outputTooLarge
        }
        let wallTime = clock.now - start
        logger.debug(
            "WebAssembly run ended",
            metadata: ["wasm.termination": "\(termination)", "wasm.duration": "\(wallTime)"])
        return ExecutionResult(termination: termination, wallTime: wallTime)
    }

    /// Reads and parses the entrypoint module (or finds it parsed in the pool), and checks it is a WASI command:
    /// `_start` and `memory` exported.
    private func loadModule(_ execution: Execution) throws(RuntimeError) -> (WasmModuleImage, name: String) {
        guard let name = execution.entrypoint.first else {
            throw RuntimeError(
                .invalidBundle,
                "The app has no entrypoint: a WebAssembly app names its .wasm module, relative to the bundle.")
        }
        let known = execution.bundleMeasurement.map { WasmInstancePool.BundleModule(measurement: $0, path: name) }
        if let known, let image = pool.image(of: known) { return (image, name) }
        let url = execution.bundle.appendingPathComponent(name, isDirectory: false)
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: url))
        } catch {
            throw RuntimeError(
                .invalidBundle,
                "The app's module \(name) cannot be read from its bundle (\(url.path)): \(error). Check the bundle's "
                    + "entrypoint.")
        }
        let image: WasmModuleImage
        do {
            image = try pool.image(of: bytes)
        } catch {
            throw RuntimeError(
                .invalidModule,
                "\(name) is not a valid WebAssembly module: \(error). Build the app for wasm32-wasi (WASI preview 1).")
        }
        let exports = image.module.exports
        let exportsStart = exports.contains { export in
            guard export.name == "_start", case .function = export.descriptor else { return false }
            return true
        }
        let exportsMemory = exports.contains { export in
            guard export.name == "memory", case .memory = export.descriptor else { return false }
            return true
        }
        guard exportsStart else {
            throw RuntimeError(
                .invalidModule,
                "\(name) exports no _start function, so it is not a WASI command. Build it as an executable for "
                    + "wasm32-wasi (not a reactor or a library).")
        }
        guard exportsMemory else {
            throw RuntimeError(
                .invalidModule,
                "\(name) exports no linear memory named memory, which WASI needs to pass data. Build it for "
                    + "wasm32-wasi with a toolchain that exports its memory (the default).")
        }
        // Only a module that passed the checks is found again without them.
        if let known { pool.remember(known, is: image) }
        return (image, name)
    }

    private static func openDescriptor(_ path: String, flags: CInt) throws(RuntimeError) -> CInt {
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw RuntimeError(.io, "Cannot open \(path) for the app's standard I/O: \(reason).")
        }
        return descriptor
    }
}
