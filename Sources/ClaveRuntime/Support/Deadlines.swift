import Dispatch

/// The queue the runtimes' time limits and output checks fire on.
///
/// A serial queue of its own, not `DispatchQueue.global()`: the global queue runs as many items at once as there are
/// cores, and on Linux it shares them with Swift's concurrency pool and with the blocking work sent there (file
/// writes, flushes). When they are all busy, a deadline on it fires late: under a loaded test run a 1-second limit
/// fired after the app's 3-second CPU limit had killed it, and the run ended as a crash instead of a timeout. A queue
/// of its own is served by a thread of its own whenever an item is due.
enum Deadlines {
    static let queue = DispatchQueue(label: "clave.runtime.deadlines")

    /// Runs `handler` on ``queue`` once `delay` has passed, unless the returned deadline is cancelled first.
    ///
    /// A dispatch timer, not `asyncAfter`: a cancelled `DispatchWorkItem` stays queued, with everything its block
    /// holds (a run's gate, its files, its watcher), until its time comes, long after a run of milliseconds; a
    /// cancelled timer lets go of its handler at once.
    static func after(_ delay: Duration, _ handler: @escaping @Sendable () -> Void) -> Deadline {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + DispatchTimeInterval(delay))
        timer.setEventHandler(handler: handler)
        timer.resume()
        return Deadline(timer)
    }
}

/// A time limit set with ``Deadlines/after(_:_:)``.
final class Deadline: @unchecked Sendable {
    // Only cancelled, which dispatch makes safe from any thread.
    private let timer: any DispatchSourceTimer

    fileprivate init(_ timer: any DispatchSourceTimer) {
        self.timer = timer
    }

    /// Stops the deadline; its handler will not run unless it already started.
    func cancel() {
        timer.cancel()
    }
}
