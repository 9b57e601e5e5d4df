import Dispatch
import Foundation
import Synchronization

/// Runs a synchronous body on a thread of its own and waits for it, for at most a time limit.
///
/// WasmKit runs a guest synchronously for as long as its fuel lasts; that must not hold one of the few threads of
/// Swift's cooperative pool. Past the limit the waiter goes on without the value; the thread is left to end on its
/// own (see ``WASIGate/revoke()``, and fuel, for what makes it end).
final class EngineThread<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value?, Never>?
        var isFinished = false
        /// The time limit, cancelled when the body finishes, so that what its handler holds goes with the run.
        var deadline: Deadline?
    }

    private let state = Mutex(State())

    /// Starts `body` on a new thread of `stackSize` bytes and returns its value, or nil once `timeLimit` has passed,
    /// after `onTimeLimit` ran (on the timer's thread, before the waiter resumes).
    static func run(
        name: String, stackSize: Int, timeLimit: Duration, onTimeLimit: @escaping @Sendable () -> Void = {},
        _ body: @escaping @Sendable () -> Value
    ) async -> Value? {
        let engineThread = EngineThread()
        return await withCheckedContinuation { continuation in
            // On the deadlines' queue, not a Task: the cooperative pool can be busy for seconds when other work
            // blocks it, and the limit must hold whatever else runs (``Deadlines``).
            // A timer that fires after the body finished does nothing (finish(with:) runs once).
            engineThread.state.withLock { $0.continuation = continuation }
            let deadline = Deadlines.after(timeLimit) {
                if !engineThread.state.withLock({ $0.isFinished }) { onTimeLimit() }
                engineThread.finish(with: nil)
            }
            engineThread.state.withLock { $0.deadline = deadline }
            let thread = Thread { engineThread.finish(with: body()) }
            thread.name = name
            thread.stackSize = stackSize
            thread.start()
        }
    }

    private func finish(with value: Value?) {
        let (continuation, deadline) = state.withLock { state in
            defer {
                state.continuation = nil
                state.isFinished = true
                state.deadline = nil
            }
            return (state.isFinished ? nil : state.continuation, state.deadline)
        }
        deadline?.cancel()
        continuation?.resume(returning: value)
    }
}
