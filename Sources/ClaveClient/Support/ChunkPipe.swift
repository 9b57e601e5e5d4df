import Foundation

/// A bounded pipe from a producer on its own thread, which writes bytes with blocking calls, to an async consumer,
/// which reads them as chunks: the producer's synchronous work (zip, CRC, encryption) runs on one core while the
/// consumer sends what it made, and at most ``capacity`` chunks are ever held in memory.
///
/// ``run(_:)`` starts the producer; iterate the pipe to read. When the consumer stops reading (it failed, or was
/// cancelled) it calls ``close()``, and the producer's next write throws, so the thread ends instead of blocking.
final class ChunkPipe: AsyncSequence, @unchecked Sendable {
    typealias Element = [UInt8]

    /// Why a write failed: the consumer closed the pipe.
    struct Closed: Error {}

    /// The size of the chunks the consumer reads (the last may be smaller).
    let chunkSize: Int
    /// The most chunks waiting for the consumer.
    let capacity: Int

    private let condition = NSCondition()
    // All below are guarded by `condition`.
    private var queue: [[UInt8]] = []
    private var head = 0
    private var finished = false
    private var failure: (any Error)?
    private var closed = false
    private var waiter: CheckedContinuation<[UInt8]?, any Error>?
    /// The chunk being filled by the producer (its thread only).
    private var filling: [UInt8] = []

    init(chunkSize: Int = 1 << 20, capacity: Int = 8) {
        self.chunkSize = chunkSize
        self.capacity = capacity
        filling.reserveCapacity(chunkSize)
    }

    /// Runs `produce` on a new thread; what it writes with ``write(_:)`` is read by iterating the pipe, which ends
    /// when `produce` returns, or throws what `produce` threw.
    func run(_ produce: @escaping @Sendable (ChunkPipe) throws -> Void) {
        let thread = Thread { [self] in
            do {
                try produce(self)
                try flush()
                end(with: nil)
            } catch {
                end(with: error)
            }
        }
        thread.name = "clave.chunkpipe"  // Linux names threads with at most 15 characters
        thread.start()
    }

    /// Copies `bytes` into the pipe (producer thread only); blocks while the consumer is ``capacity`` chunks behind.
    /// Throws ``Closed`` once the consumer closed the pipe.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let count = Swift.min(chunkSize - filling.count, rest.count)
            filling.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(count)))
            rest = rest.dropFirst(count)
            if filling.count == chunkSize { try flush() }
        }
    }

    /// Stops the producer: its next write throws ``Closed``. The consumer calls it when it stops reading early.
    func close() {
        condition.lock()
        closed = true
        queue.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    private func flush() throws {
        guard !filling.isEmpty else { return }
        let chunk = filling
        filling = []
        filling.reserveCapacity(chunkSize)
        condition.lock()
        while queue.count - head >= capacity && !closed { condition.wait() }
        guard !closed else {
            condition.unlock()
            throw Closed()
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: chunk)
            return
        }
        queue.append(chunk)
        condition.unlock()
    }

    private func end(with error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    /// The next chunk, nil at the end; throws what the producer threw.
    private func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if head < queue.count {
                let chunk = queue[head]
                // The consumer owns it now: the pipe must not keep it alive until the queue is compacted.
                queue[head] = []
                head += 1
                if head > 64 {
                    queue.removeFirst(head)
                    head = 0
                }
                condition.signal()
                condition.unlock()
                continuation.resume(returning: chunk)
            } else if finished {
                let failure = failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let pipe: ChunkPipe
        mutating func next() async throws -> [UInt8]? { try await pipe.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pipe: self) }
}
