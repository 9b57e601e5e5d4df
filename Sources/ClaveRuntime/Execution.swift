public import ClaveCrypto
public import Foundation

/// One run of an app: what it runs, what it sees, and what it may use (docs/runtime.md).
///
/// The app sees iExec's I/O contract: `$IEXEC_IN` (``input``, read-only) and `$IEXEC_OUT` (``output``, writable), at
/// the paths ``Execution/inputPath`` and ``Execution/outputPath`` inside its sandbox, which the runtime sets in the
/// environment beside ``environment``. Its standard output and error go to ``standardOutput`` and ``standardError``.
public struct Execution: Sendable {
    /// Where the app sees `$IEXEC_IN` and `$IEXEC_OUT`, as iExec's workers mount them.
    public static let inputPath = "/iexec_in"
    public static let outputPath = "/iexec_out"

    /// The app's bundle folder, read-only to the app.
    public var bundle: URL
    /// What to run, relative to the bundle: a `.wasm` module, or a command line (`["python3", "app.py"]`).
    public var entrypoint: [String]
    /// The task's arguments (iExec's `iexec_args`, split), after the entrypoint.
    public var arguments: [String]
    /// The `IEXEC_*` variables and the like; nothing of the worker's own environment is passed on.
    public var environment: [String: String]
    /// The host folder the app reads as `$IEXEC_IN`.
    public var input: URL
    /// The host folder the app writes as `$IEXEC_OUT`.
    public var output: URL
    public var limits: ResourceLimits
    /// Files that receive the app's standard output and error (created or truncated).
    public var standardOutput: URL
    public var standardError: URL
    /// The measurement of the bundle in ``bundle``, when that folder is a checked copy of it that nothing writes: the
    /// runtime may then take what it read of the bundle before (a parsed module) without reading it again. Nil: the
    /// bundle is read on every run.
    public var bundleMeasurement: Bytes32?

    public init(
        bundle: URL, entrypoint: [String], arguments: [String] = [], environment: [String: String] = [:], input: URL,
        output: URL, limits: ResourceLimits, standardOutput: URL, standardError: URL, bundleMeasurement: Bytes32? = nil
    ) {
        self.bundleMeasurement = bundleMeasurement
        self.bundle = bundle
        self.entrypoint = entrypoint
        self.arguments = arguments
        self.environment = environment
        self.input = input
        self.output = output
        self.limits = limits
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// What one run may use. Each limit ends the run with its own ``Termination`` when passed.
public struct ResourceLimits: Sendable, Hashable, Codable {
    /// The most memory, in bytes (a process's address space; a WebAssembly instance's linear memory).
    public var memory: Int
    /// The longest the run may take; past it the whole run is killed.
    public var wallTime: Duration
    /// The most processes and threads a process app may have at once (ignored by WebAssembly, which has none).
    public var processes: Int
    /// The most bytes the app may write to `$IEXEC_OUT`, in all, and to each of its logs.
    public var outputSize: Int
    /// A WebAssembly app's budget of instructions (WasmKit's fuel: about one per operator); nil for none beyond
    /// ``wallTime``.
    public var fuel: UInt64?

    public static let `default` = ResourceLimits(
        memory: 512 << 20, wallTime: .seconds(60), processes: 64, outputSize: 64 << 20, fuel: 10_000_000_000)

    public init(memory: Int, wallTime: Duration, processes: Int, outputSize: Int, fuel: UInt64?) {
        self.memory = memory
        self.wallTime = wallTime
        self.processes = processes
        self.outputSize = outputSize
        self.fuel = fuel
    }
}

/// How a run ended.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    /// The app exited with this status (0: success).
    case exited(Int32)
    /// The app was killed by this signal, not by the runtime (a crash).
    case signaled(Int32)
    /// It ran past ``ResourceLimits/wallTime`` and was killed, with everything it started.
    case timedOut
    /// It used up ``ResourceLimits/fuel`` (WebAssembly).
    case outOfFuel
    /// It asked for more memory than ``ResourceLimits/memory``.
    case outOfMemory
    /// It wrote more than ``ResourceLimits/outputSize`` to `$IEXEC_OUT` or a log.
    case outputTooLarge
    /// A WebAssembly trap other than fuel and memory (unreachable, out-of-bounds access, ...), with its text.
    case trapped(String)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut: "ran past its time limit and was stopped"
        case .outOfFuel: "used up its instruction budget (fuel) and was stopped"
        case .outOfMemory: "asked for more memory than its limit"
        case .outputTooLarge: "wrote more than its output limit"
        case .trapped(let message): "trapped: \(message)"
        }
    }
}

/// The outcome of a run.
public struct ExecutionResult: Sendable, Hashable {
    public var termination: Termination
    /// From start to end, sandbox set-up included.
    public var wallTime: Duration

    public init(termination: Termination, wallTime: Duration) {
        self.termination = termination
        self.wallTime = wallTime
    }
}

/// Runs apps of one kind (`wasm`, `process`) inside its sandbox.
public protocol AppRuntime: Sendable {
    /// Runs `execution` to its end, whatever the app does: a misbehaving app ends with a ``Termination``, not an
    /// error. Throws only when the run could not be set up (a bundle without its entrypoint, a sandbox that cannot
    /// start).
    func run(_ execution: Execution) async throws(RuntimeError) -> ExecutionResult
}

/// Why a run could not be set up, or a bundle not read.
public struct RuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The bundle or its manifest is not what docs/iapp-bundle.md describes.
        case invalidBundle
        /// The sandbox cannot start here (bubblewrap missing, no user namespaces, ...).
        case sandboxUnavailable
        /// A WebAssembly module that does not parse, or lacks what WASI needs.
        case invalidModule
        /// A file or folder could not be read or written.
        case io
        /// `$IEXEC_OUT` holds what a result cannot: a symbolic link, a device, socket or pipe, or a name a result
        /// archive cannot carry.
        case invalidOutput
        /// An input of the task (its dataset's registration or payload, an input file) is not what it must be.
        case invalidInput
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
