import Foundation
import NIOCore

/// A bounded pipe from a producer on its own thread, which writes bytes with blocking calls, to an async consumer,
/// which reads them as chunks: the producer's synchronous work (zip, CRC, encryption) runs on one core while the
/// consumer sends what it made. The chunks are NIO buffers, so that an HTTP upload sends them as they are, without
/// copying them again.
///
/// Memory is bounded twice. At most ``capacity`` chunks wait for the consumer; and the producer fills only the
/// ``bufferCount`` buffers of the pipe's own, each again once whoever it was sent to has let go of it, so that
/// chunks the consumer passed on but that are not yet written (AsyncHTTPClient queues a body's writes for its event
/// loop without waiting for them, and a busy event loop let 20 of them pile up) count too. Reusing them also spares
/// the allocator a megabyte per chunk.
///
/// ``run(_:)`` starts the producer; iterate the pipe to read. When the consumer stops reading (it failed, or was
/// cancelled) it calls ``close()``, and the producer's next write throws, so the thread ends instead of blocking.
final class ChunkPipe: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBufferView

    /// Why a write failed: the consumer closed the pipe.
    struct Closed: Error {}

    /// The size of the chunks the consumer reads (the last may be smaller).
    let chunkSize: Int
    /// The most chunks waiting for the consumer.
    let capacity: Int
    /// The buffers the producer fills, sent or not: ``capacity`` + 4.
    var bufferCount: Int { capacity + 4 }

    private let condition = NSCondition()
    // All below are guarded by `condition`.
    private var queue: [ByteBufferView] = []
    private var head = 0
    private var finished = false
    private var failure: (any Error)?
    private var closed = false
    private var waiter: CheckedContinuation<ByteBufferView?, any Error>?
    /// The chunk being filled by the producer (its thread only).
    private var filling: ByteBuffer
    /// The buffers sent before, to fill again once nobody else holds them (the producer's thread only).
    private var sent: [ByteBuffer] = []

    init(chunkSize: Int = 512 << 10, capacity: Int = 4) {
        self.chunkSize = chunkSize
        self.capacity = capacity
        filling = ByteBufferAllocator().buffer(capacity: chunkSize)
    }

    /// Runs `produce` on a new thread; what it writes with ``write(_:)`` is read by iterating the pipe, which ends
    /// when `produce` returns, or throws what `produce` threw.
    func run(_ produce: @escaping @Sendable (ChunkPipe) throws -> Void) {
        let thread = Thread { [self] in
            // From inside: Foundation on Linux ignores a name given before start(). At most 15 characters.
            Thread.current.name = "clave.chunkpipe"
            do {
                try produce(self)
                try flush()
                end(with: nil)
            } catch {
                end(with: error)
            }
        }
        thread.start()
    }

    /// Copies `bytes` into the pipe (producer thread only); blocks while the consumer is ``capacity`` chunks behind.
    /// Throws ``Closed`` once the consumer closed the pipe.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let count = Swift.min(chunkSize - filling.readableBytes, rest.count)
            filling.writeBytes(UnsafeRawBufferPointer(rebasing: rest.prefix(count)))
            rest = rest.dropFirst(count)
            if filling.readableBytes == chunkSize { try flush() }
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
        guard filling.readableBytes > 0 else { return }
        let chunk = filling.readableBytesView
        sent.append(filling)
        filling = try reusableBuffer()
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

    /// A new buffer while the pipe has fewer than ``bufferCount``; otherwise, emptied, the first sent buffer that
    /// nobody else holds any more, waiting for one (the consumer signals as it takes chunks; writes end without a
    /// signal, hence the waits of at most a millisecond).
    private func reusableBuffer() throws -> ByteBuffer {
        if sent.count < bufferCount { return ByteBufferAllocator().buffer(capacity: chunkSize) }
        while true {
            for index in sent.indices where sent[index].modifyIfUniquelyOwned({ $0.clear() }) != nil {
                return sent.remove(at: index)
            }
            condition.lock()
            let stop = closed
            if !stop { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.001)) }
            condition.unlock()
            if stop { throw Closed() }
        }
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
    private func next() async throws -> ByteBufferView? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if head < queue.count {
                let chunk = queue[head]
                // The consumer owns it now: the pipe must not keep it alive until the queue is compacted.
                queue[head] = ByteBufferView()
                head += 1
                if head >= capacity {
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
        mutating func next() async throws -> ByteBufferView? { try await pipe.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pipe: self) }
}
