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

    /// Starts `body` on one of `threads` (one kept from an earlier run, or a new one) and returns its value, or nil
    /// once `timeLimit` has passed, after `onTimeLimit` ran (on the timer's thread, before the waiter resumes).
    static func run(
        on threads: EngineThreads, timeLimit: Duration, onTimeLimit: @escaping @Sendable () -> Void = {},
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
            threads.run { engineThread.finish(with: body()) }
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

/// The threads ``EngineThread`` runs bodies on, one set per name and stack size for the process: a thread whose body
/// returned waits for the next (at most ``idleLimit`` wait; past that it ends), so that a run does not pay for making
/// and ending a thread (the clone, its stack mapped and unmapped, its first page faults). A body that overran its time
/// limit keeps its thread until it returns, as before; the next run then takes another thread.
final class EngineThreads: Sendable {
    /// How many threads wait for work, per set.
    static let idleLimit = 4

    private static let sets = Mutex<[String: EngineThreads]>([:])

    /// The set of threads named `name` with stacks of `stackSize` bytes.
    static func shared(name: String, stackSize: Int) -> EngineThreads {
        sets.withLock { sets in
            let key = "\(name)/\(stackSize)"
            if let set = sets[key] { return set }
            let set = EngineThreads(name: name, stackSize: stackSize)
            sets[key] = set
            return set
        }
    }

    /// A thread waiting for its next body.
    private final class Waiting: Sendable {
        let wake = DispatchSemaphore(value: 0)
        let body = Mutex<(@Sendable () -> Void)?>(nil)
    }

    private let name: String
    private let stackSize: Int
    private let waiting = Mutex<[Waiting]>([])

    private init(name: String, stackSize: Int) {
        self.name = name
        self.stackSize = stackSize
    }

    /// How many threads wait for a body now.
    var waitingCount: Int { waiting.withLock { $0.count } }

    /// Runs `body` on a waiting thread, or on a new one when none waits.
    func run(_ body: @escaping @Sendable () -> Void) {
        if let thread = waiting.withLock({ $0.popLast() }) {
            thread.body.withLock { $0 = body }
            thread.wake.signal()
            return
        }
        let thread = Thread { self.serve(first: body) }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    /// A thread's life: its first body, then each one it is given while it waits, until enough others wait.
    private func serve(first: @escaping @Sendable () -> Void) {
        let me = Waiting()
        var body = first
        while true {
            body()
            let waits = waiting.withLock { waiting in
                guard waiting.count < Self.idleLimit else { return false }
                waiting.append(me)
                return true
            }
            guard waits else { return }
            me.wake.wait()
            let next = me.body.withLock { body in
                let next = body
                body = nil
                return next
            }
            guard let next else { return }
            body = next
        }
    }
}
