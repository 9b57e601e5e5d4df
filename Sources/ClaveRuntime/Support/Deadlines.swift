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
}
