import CClaveFileIO
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A page-aligned buffer that the caller fills and a ``FileAppender`` writes from.
///
/// It has one owner at a time: the caller while it fills it, then the appender until the write is done and the
/// appender hands it back for the next fill; hence `@unchecked Sendable`.
final class AlignedBuffer: @unchecked Sendable {
    /// What direct I/O needs of a buffer's address and of a write's length and offset: a multiple of the disk's
    /// logical block size (512 or 4096 bytes).
    static let alignment = 4096

    let capacity: Int
    private(set) var count = 0
    private let base: UnsafeMutableRawPointer

    init(capacity: Int) {
        precondition(capacity > 0 && capacity % Self.alignment == 0, "capacity must be a multiple of 4096")
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: Self.alignment)
    }

    deinit { base.deallocate() }

    var isFull: Bool { count == capacity }

    /// Copies as much of `bytes` as fits; returns how many bytes it took.
    func fill(from bytes: UnsafeRawBufferPointer) -> Int {
        let taken = min(bytes.count, capacity - count)
        if taken > 0 { (base + count).copyMemory(from: bytes.baseAddress!, byteCount: taken) }
        count += taken
        return taken
    }

    func empty() { count = 0 }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// Appends to a new file from buffers the caller fills, in order, on a serial Dispatch queue of its own, while the
/// caller fills the next ones: ``append(_:)`` queues a buffer's write and hands back a buffer to fill, waiting only
/// when ``depth`` writes are already queued (so a disk that stalls for a moment does not stall the caller at once).
///
/// Where the file system allows it, the file is written with direct I/O (Linux's O_DIRECT): from the aligned buffers
/// straight to the disk, without the copy into the page cache, which costs about as much CPU as hashing the bytes
/// (0.6 s per GiB on this project's machine). Only a last piece shorter than a block goes through the page cache.
/// Where direct I/O is refused (tmpfs on older kernels, systems other than Linux, or `direct` false), every write
/// goes through the page cache, and the write-back of what was written starts every `writebackInterval` bytes, so
/// that the final fsync has little left to do. Either way the caller's fsync is what makes the file durable.
struct FileAppender {
    static let bufferSize = 1 << 20
    /// The most writes queued at once: 4 MiB in flight.
    static let depth = 4

    private let writer: Writer
    private var queued: [Completion] = []
    private var spares: [AlignedBuffer] = []

    init(file: FileDescriptor, direct: Bool, writebackInterval: Int) {
        writer = Writer(
            file: file, direct: direct && clave_set_direct(file.raw, 1) == 0, writebackInterval: writebackInterval)
    }

    /// A buffer to fill first.
    func makeBuffer() -> AlignedBuffer { AlignedBuffer(capacity: Self.bufferSize) }

    /// Queues the write of `buffer` and returns an empty buffer to fill next, after waiting for the oldest write when
    /// ``depth`` are queued (throwing its failure). Only the last buffer handed over may be partly filled.
    mutating func append(_ buffer: AlignedBuffer) async throws(StorageError) -> AlignedBuffer {
        let completion = Completion()
        let writer = writer
        writer.queue.async { completion.fulfill(writer.write(buffer)) }
        queued.append(completion)
        if queued.count >= Self.depth { try await settleOldest() }
        guard let spare = spares.popLast() else { return makeBuffer() }
        spare.empty()
        return spare
    }

    /// Waits until everything queued is written; throws the first failure.
    mutating func finish() async throws(StorageError) {
        while !queued.isEmpty { try await settleOldest() }
    }

    /// Waits for the queued writes, whatever their outcome, so that nothing writes to the file once the caller gives
    /// up on it.
    mutating func abandon() async {
        while !queued.isEmpty { _ = try? await settleOldest() }
    }

    private mutating func settleOldest() async throws(StorageError) {
        let outcome = await queued.removeFirst().value
        spares.append(outcome.buffer)
        if let error = outcome.error {
            // Later writes would leave a gap: let them finish, and report the first failure.
            throw error
        }
    }

    /// What one write leaves: its failure, and the buffer to fill again.
    struct Outcome: Sendable {
        var error: StorageError?
        var buffer: AlignedBuffer
    }

    /// The outcome of a queued write, awaited by the caller.
    final class Completion: Sendable {
        private let state = Mutex<(outcome: Outcome?, waiter: CheckedContinuation<Outcome, Never>?)>((nil, nil))

        func fulfill(_ outcome: Outcome) {
            let waiter = state.withLock { state in
                state.outcome = outcome
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: outcome)
        }

        var value: Outcome {
            get async {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state in
                        if state.outcome == nil { state.waiter = continuation }
                        return state.outcome
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            }
        }
    }

    /// The file and what only its serial queue touches: whether direct I/O is on, the bytes written, and how far
    /// write-back was started.
    final class Writer: @unchecked Sendable {
        let queue = DispatchQueue(label: "clave.blobstore.write")
        let file: FileDescriptor
        let writebackInterval: Int
        private var direct: Bool
        private var written = 0
        private var writtenBack = 0
        private var failed = false

        init(file: FileDescriptor, direct: Bool, writebackInterval: Int) {
            self.file = file
            self.direct = direct
            self.writebackInterval = writebackInterval
        }

        /// Writes all of `buffer` at the file's offset (on ``queue``): directly while the offset and the length left
        /// allow it, through the page cache for a last piece under a block, or from the start when direct I/O is
        /// refused. After a failure it writes nothing more.
        func write(_ buffer: AlignedBuffer) -> Outcome {
            if failed {
                return Outcome(error: StorageError(.io, "An earlier write to \(file.path) failed."), buffer: buffer)
            }
            let bytes = buffer.bytes
            var done = 0
            while done < bytes.count {
                if direct && bytes.count - done < AlignedBuffer.alignment {
                    guard stopDirect() else { return failure("stop direct I/O on \(file.path)", buffer) }
                }
                let length = direct ? (bytes.count - done) & ~(AlignedBuffer.alignment - 1) : bytes.count - done
                let result = systemWrite(file.raw, bytes.baseAddress! + done, length)
                if result > 0 {
                    done += result
                } else if result < 0 && errno == EINTR {
                    continue
                } else if result < 0 && errno == EINVAL && direct {
                    // The file system took O_DIRECT but not this write (it wants a larger alignment, or does no
                    // direct writes at all): the rest goes through the page cache.
                    guard stopDirect() else { return failure("stop direct I/O on \(file.path)", buffer) }
                } else {
                    return failure("write \(file.path)", buffer)
                }
            }
            written += bytes.count
            if !direct && writebackInterval > 0 && written - writtenBack >= writebackInterval {
                file.startWriteback(offset: writtenBack, count: written - writtenBack)
                writtenBack = written
            }
            return Outcome(error: nil, buffer: buffer)
        }

        private func stopDirect() -> Bool {
            direct = clave_set_direct(file.raw, 0) != 0
            return !direct
        }

        private func failure(_ action: String, _ buffer: AlignedBuffer) -> Outcome {
            failed = true
            return Outcome(error: FileIO.failure(action, hint: "check free space and the disk"), buffer: buffer)
        }
    }
}
