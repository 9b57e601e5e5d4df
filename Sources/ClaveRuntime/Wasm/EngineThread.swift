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
        var timer: Task<Void, Never>?
        var isFinished = false
    }

    private let state = Mutex(State())

    /// Starts `body` on a new thread of `stackSize` bytes and returns its value, or nil once `timeLimit` has passed.
    static func run(
        name: String, stackSize: Int, timeLimit: Duration, _ body: @escaping @Sendable () -> Value
    ) async -> Value? {
        let engineThread = EngineThread()
        return await withCheckedContinuation { continuation in
            engineThread.state.withLock { $0.continuation = continuation }
            let timer = Task {
                try? await Task.sleep(for: timeLimit)
                engineThread.finish(with: nil)
            }
            let isFinished = engineThread.state.withLock { state in
                state.timer = timer
                return state.isFinished
            }
            if isFinished {
                timer.cancel()
            }
            let thread = Thread { engineThread.finish(with: body()) }
            thread.name = name
            thread.stackSize = stackSize
            thread.start()
        }
    }

    private func finish(with value: Value?) {
        let (continuation, timer) = state.withLock { state in
            defer {
                state.continuation = nil
                state.timer = nil
                state.isFinished = true
            }
            return state.isFinished ? (nil, nil) : (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: value)
    }
}
