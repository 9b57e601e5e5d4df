import Synchronization
import WasmKit
import WasmKitWASI

/// Stands between a guest and WasmKit's WASI preview 1: every `wasi_snapshot_preview1` function goes through it.
///
/// WasmKit 0.4.2's host preopens have no read-only mode, and its file system is one per bridge (host or in-memory,
/// not both), so `$IEXEC_IN` is made read-only here, at the system-call boundary. The gate remembers which guest file
/// descriptors reach into the read-only preopen: the preopen itself and whatever `path_open` opened from one of them
/// (kept up to date through `fd_close` and `fd_renumber`). On those it refuses, with `EROFS`, every call that could
/// change the host: opening for writing, creating or truncating, making or removing directories, unlinking, renaming
/// and linking (either side), symlinking, setting sizes, times and flags, and writing. WasmKit's own sandbox keeps
/// each path inside the preopen it starts from, so a path cannot step from `$IEXEC_OUT` into `$IEXEC_IN`.
///
/// It also ends the run from the host side: once ``revoke()`` is called (the run passed its wall time), the next
/// system call throws ``GuestStop/revoked``; and when the bytes written to a log or to `$IEXEC_OUT` pass
/// ``ResourceLimits/outputSize`` (measured on the host whenever the running count says they might), it throws
/// ``GuestStop/outputLimit``.
final class WASIGate: Sendable {
    /// The capabilities a guest gets. `poll` (`poll_oneoff`, the way to sleep) and `sockets` are left out: their
    /// functions answer `ENOSYS`. A guest that cannot block in the host can spend wall time only by computing, which
    /// fuel bounds.
    static let capabilities: [WASICapability] = [.environment, .clocks, .random, .process, .stdio, .fileSystem]

    /// WASI errno values (wasi_snapshot_preview1 `errno`).
    private static let readOnlyFileSystem: UInt32 = 69  // EROFS

    /// `oflags` bits that change a file on opening: `CREAT`, `TRUNC`.
    private static let modifyingOpenFlags: UInt32 = 1 | 8
    /// The `FD_WRITE` right.
    private static let writeRight: UInt64 = 1 << 6

    /// For each function that acts on a file descriptor or a directory the guest could modify, the positions of those
    /// descriptors among its arguments. None of them may reach into the read-only preopen.
    private static let modifyingDescriptorArguments: [String: [Int]] = [
        "fd_allocate": [0],
        "fd_fdstat_set_flags": [0],
        "fd_filestat_set_size": [0],
        "fd_filestat_set_times": [0],
        "fd_pwrite": [0],
        "fd_write": [0],
        "path_create_directory": [0],
        "path_filestat_set_times": [0],
        "path_link": [0, 4],
        "path_remove_directory": [0],
        "path_rename": [0, 3],
        "path_symlink": [2],
        "path_unlink_file": [0],
    ]

    private struct State {
        var readOnlyDescriptors: Set<UInt32>
        /// Bytes written since they were last measured on the host, at most: standard output, standard error, and
        /// everything else (files of `$IEXEC_OUT`, the only writable preopen).
        var writtenToStandardOutput = 0
        var writtenToStandardError = 0
        var writtenToOutput = 0
    }

    private let state: Mutex<State>
    /// Whether the run was revoked; held for the whole of each system call, so that ``revoke()`` returns only once
    /// the call in progress, if any, is over, and nothing the guest does reaches the host afterwards.
    private let revoked = Mutex(false)
    private let outputLimit: Int
    private let measure: OutputMeasure

    /// - Parameters:
    ///   - readOnlyPreopen: The guest descriptor of the read-only preopen (`$IEXEC_IN`).
    ///   - outputLimit: ``ResourceLimits/outputSize``.
    ///   - measure: Where the output and logs are on the host, to measure them when the count passes the limit.
    init(readOnlyPreopen: UInt32, outputLimit: Int, measure: OutputMeasure) {
        state = Mutex(State(readOnlyDescriptors: [readOnlyPreopen]))
        self.outputLimit = outputLimit
        self.measure = measure
    }

    /// Ends the run at the guest's next system call; waits for the call in progress to end first.
    func revoke() {
        revoked.withLock { $0 = true }
    }

    /// Runs the preview 1 function `name` behind the gate: refused once revoked, and checked as the type says.
    func perform(
        _ name: String, _ arguments: [Value], memory: Memory, forward: () throws -> [Value]
    ) throws -> [Value] {
        try revoked.withLock { revoked throws -> [Value] in
            guard !revoked else { throw GuestStop.revoked }
            return try call(name, arguments, memory: memory, forward: forward)
        }
    }

    private func call(
        _ name: String, _ arguments: [Value], memory: Memory, forward: () throws -> [Value]
    ) throws -> [Value] {
        let readOnly = state.withLock { $0.readOnlyDescriptors }
        if let positions = Self.modifyingDescriptorArguments[name],
            positions.contains(where: { readOnly.contains(arguments.u32(at: $0)) })
        {
            return [.i32(Self.readOnlyFileSystem)]
        }
        switch name {
        case "path_open":
            let directory = arguments.u32(at: 0)
            let fromReadOnly = readOnly.contains(directory)
            if fromReadOnly
                && (arguments.u32(at: 4) & Self.modifyingOpenFlags != 0 || arguments.u64(at: 5) & Self.writeRight != 0)
            {
                return [.i32(Self.readOnlyFileSystem)]
            }
            let results = try forward()
            if results.succeeded, let opened = memory.u32(at: arguments.u32(at: 8)) {
                state.withLock { state in
                    if fromReadOnly {
                        state.readOnlyDescriptors.insert(opened)
                    } else {
                        state.readOnlyDescriptors.remove(opened)
                    }
                }
            }
            return results
        case "fd_close":
            let results = try forward()
            if results.succeeded {
                _ = state.withLock { $0.readOnlyDescriptors.remove(arguments.u32(at: 0)) }
            }
            return results
        case "fd_renumber":
            let results = try forward()
            if results.succeeded {
                let (from, to) = (arguments.u32(at: 0), arguments.u32(at: 1))
                state.withLock { state in
                    if state.readOnlyDescriptors.remove(from) != nil {
                        state.readOnlyDescriptors.insert(to)
                    } else if from != to {
                        state.readOnlyDescriptors.remove(to)
                    }
                }
            }
            return results
        case "fd_write", "fd_pwrite":
            let results = try forward()
            let writtenPointer = arguments.u32(at: name == "fd_write" ? 3 : 4)
            if results.succeeded, let written = memory.u32(at: writtenPointer) {
                try count(Int(written), writtenTo: arguments.u32(at: 0))
            }
            return results
        default:
            return try forward()
        }
    }

    /// Adds `bytes` written to `descriptor` to its count, and when the count passes the limit, measures the real size
    /// on the host (a file rewritten in place counts more than once) and ends the run if that passes it too.
    private func count(_ bytes: Int, writtenTo descriptor: UInt32) throws {
        let path: WritableKeyPath<State, Int> =
            switch descriptor {
            case 1: \.writtenToStandardOutput
            case 2: \.writtenToStandardError
            default: \.writtenToOutput
            }
        let passed = state.withLock { state in
            state[keyPath: path] += bytes
            return state[keyPath: path] > outputLimit
        }
        guard passed else { return }
        let size =
            switch descriptor {
            case 1: measure.standardOutputSize()
            case 2: measure.standardErrorSize()
            default: measure.outputSize()
            }
        guard size <= outputLimit else { throw GuestStop.outputLimit }
        state.withLock { $0[keyPath: path] = size }
    }
}

extension [Value] {
    /// The `i32` argument at `index`, or a value no descriptor has when it is not one.
    fileprivate func u32(at index: Int) -> UInt32 {
        guard indices.contains(index), case .i32(let value) = self[index] else { return .max }
        return value
    }

    fileprivate func u64(at index: Int) -> UInt64 {
        guard indices.contains(index), case .i64(let value) = self[index] else { return 0 }
        return value
    }

    /// Whether a preview 1 function's results say it succeeded (errno 0).
    fileprivate var succeeded: Bool {
        guard case .i32(let errno) = first else { return false }
        return errno == 0
    }
}

extension Memory {
    /// The little-endian `u32` the guest has at `address`, or nil when it is out of bounds.
    fileprivate func u32(at address: UInt32) -> UInt32? {
        guard Int(address) + 4 <= byteCount else { return nil }
        return withUnsafeBufferPointer(offset: UInt(address), count: 4) {
            UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))
        }
    }
}

/// The `wasi_snapshot_preview1` functions of one instance: defined once, when the instance is made, each forwarding
/// its calls to the run bound at the time (its bridge, behind its gate). An instance kept between runs
/// (``WasmInstancePool``) is bound to each run in turn; a call while no run is bound ends the guest as revoked.
final class WASIImports: Sendable {
    private struct Binding: Sendable {
        var functions: [String: (type: FunctionType, implementation: @Sendable (Memory, [Value]) throws -> [Value])]
        var gate: WASIGate

        /// The functions ``WASIGate/capabilities`` give (the others as `ENOSYS` stubs), as `bridge` implements them.
        init(_ bridge: WASIBridgeToHost, gate: WASIGate) {
            functions = bridge.hostFunctions(capabilities: WASIGate.capabilities, stubUnlinked: true).mapValues {
                ($0.type, $0.implementation)
            }
            self.gate = gate
        }
    }

    private let binding: Mutex<Binding?>

    /// Defines the preview 1 functions in `imports` and binds `bridge` and `gate`.
    init(binding bridge: WASIBridgeToHost, gate: WASIGate, into imports: inout Imports, store: Store) {
        let bound = Binding(bridge, gate: gate)
        binding = Mutex(bound)
        for (name, function) in bound.functions {
            let forwarding: Function.Implementation = { caller, arguments in
                guard case .memory(let memory) = caller.instance?.export("memory") else {
                    throw RuntimeError(.invalidModule, "The module exports no memory named memory, which WASI needs.")
                }
                guard let bound = self.binding.withLock({ $0 }), let function = bound.functions[name] else {
                    throw GuestStop.revoked
                }
                return try bound.gate.perform(name, arguments, memory: memory) {
                    try function.implementation(memory, arguments)
                }
            }
            imports.define(
                module: "wasi_snapshot_preview1", name: name,
                Function(store: store, type: function.type, body: forwarding))
        }
    }

    /// Makes the calls from now on go to `bridge`, behind `gate`.
    func bind(_ bridge: WASIBridgeToHost, gate: WASIGate) {
        binding.withLock { $0 = Binding(bridge, gate: gate) }
    }

    /// Ends the binding: calls from now on end the guest.
    func unbind() {
        binding.withLock { $0 = nil }
    }
}
