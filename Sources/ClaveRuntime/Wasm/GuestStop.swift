/// Why the host ended a WebAssembly run from outside the guest's own control flow.
///
/// Thrown from a host function (``WASIGate``) or from the store's resource limiter (``LinearMemoryLimiter``); WasmKit
/// unwinds the guest and hands it back unchanged to ``WasmGuest/run()``, which turns it into a ``Termination``.
enum GuestStop: Error, Sendable {
    /// The guest asked for more linear memory than ``ResourceLimits/memory`` (initial size or `memory.grow`).
    case memoryLimit
    /// The guest wrote more than ``ResourceLimits/outputSize`` to `$IEXEC_OUT` or a log.
    case outputLimit
    /// The run is over (it passed its wall time): no more system calls.
    case revoked
}
