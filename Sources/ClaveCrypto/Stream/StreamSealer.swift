public import Foundation

/// Encrypts a byte stream of any length into `clave-stream-v1`, incrementally and in constant memory.
///
/// Feed plaintext in chunks of any size with ``update(_:to:)``, then call ``finish(to:)`` exactly once. The sink
/// receives the ciphertext in order: first the 48-byte header, then one call per sealed segment. The buffer it is
/// given is valid only during the call; copy or write it out before returning.
///
/// ```swift
/// let sealer = try StreamSealer(key: key)
/// for chunk in source { try sealer.update(chunk) { try output.write(contentsOf: $0) } }
/// try sealer.finish { try output.write(contentsOf: $0) }
/// ```
///
/// A sealer holds back at most one segment of plaintext (``segmentSize`` bytes): a full segment is sealed only
/// once more input shows that it is not the last one. The salt and nonce prefix are always fresh random bytes.
/// Not thread-safe; use one sealer per stream from one task at a time.
public final class StreamSealer {
    /// Plaintext bytes per segment: every segment but the last holds exactly this many.
    public let segmentSize: Int

    typealias Emit = (UnsafeRawBufferPointer) throws(CryptoError) -> Void

    let header: StreamHeader
    private let cipher: SegmentCipher
    /// Plaintext of the held-back segment; allocated on first use.
    private var pending: UnsafeMutableRawBufferPointer?
    private var pendingCount = 0
    /// One sealed segment: ciphertext then tag.
    private let output: SegmentOutputBuffer
    private var nextIndex: UInt64 = 0
    private var headerEmitted = false
    private var state = StreamState.active

    /// A sealer for a new stream under `key`, with a fresh random salt and nonce prefix.
    ///
    /// - Parameter segmentSize: plaintext bytes per segment, within ``ClaveStream/segmentSizeRange``; other
    ///   values throw ``CryptoError/Code/invalidLength``.
    public convenience init(key: StreamKey, segmentSize: Int = ClaveStream.defaultSegmentSize) throws(CryptoError) {
        try StreamSealer.checkSegmentSize(segmentSize)
        let random = StreamRandom.bytes(StreamHeader.saltByteCount + StreamHeader.noncePrefixByteCount)
        let header = StreamHeader(
            segmentSize: segmentSize, salt: Array(random.prefix(StreamHeader.saltByteCount)),
            noncePrefix: Array(random.suffix(StreamHeader.noncePrefixByteCount)))
        try self.init(key: key, header: header)
    }

    /// A sealer with a chosen salt and nonce prefix, for reproducing test vectors only: reusing them under one
    /// key reuses GCM nonces. Public callers always get random ones.
    package convenience init(key: StreamKey, segmentSize: Int, salt: [UInt8], noncePrefix: [UInt8]) throws(CryptoError)
    {
        try StreamSealer.checkSegmentSize(segmentSize)
        guard salt.count == StreamHeader.saltByteCount, noncePrefix.count == StreamHeader.noncePrefixByteCount else {
            throw CryptoError(.invalidLength, "A clave-stream salt is 32 bytes and a nonce prefix 7 bytes.")
        }
        try self.init(key: key, header: StreamHeader(segmentSize: segmentSize, salt: salt, noncePrefix: noncePrefix))
    }

    init(key: StreamKey, header: StreamHeader) throws(CryptoError) {
        self.header = header
        segmentSize = header.segmentSize
        cipher = try SegmentCipher(
            key: header.deriveSegmentKey(from: key), noncePrefix: header.noncePrefix, sealing: true)
        output = SegmentOutputBuffer(capacity: header.segmentSize + SegmentCipher.tagByteCount)
    }

    deinit {
        if let pending {
            pending.initializeMemory(as: UInt8.self, repeating: 0)
            pending.deallocate()
        }
        output.deallocate()
    }

    // MARK: Public API

    /// Encrypts more plaintext, passing any ciphertext that is ready to `sink`.
    ///
    /// - Throws: ``CryptoError`` (``CryptoError/Code/invalidLength`` past the format's 2³² segments,
    ///   ``CryptoError/Code/libraryFailure`` if OpenSSL fails), or whatever `sink` throws. After an error the
    ///   sealer is unusable and the ciphertext written so far must be discarded.
    public func update(_ plaintext: some DataProtocol, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try absorb(plaintext, emit: emit) }
    }

    /// Encrypts more plaintext and returns the ciphertext that is ready (possibly none yet).
    public func update(_ plaintext: some DataProtocol) throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        try absorb(plaintext) { out.append(contentsOf: $0) }
        return out
    }

    /// Seals the held-back plaintext as the last segment and passes the rest of the ciphertext to `sink`.
    ///
    /// Call exactly once, after the last ``update(_:to:)``; without it the stream is incomplete and will not
    /// open.
    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try finish(emit: emit) }
    }

    /// Seals the held-back plaintext as the last segment and returns the rest of the ciphertext.
    public func finish() throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        try finish { out.append(contentsOf: $0) }
        return out
    }

    // MARK: Internals (also used by the file functions)

    func absorb(_ plaintext: some DataProtocol, emit: Emit) throws(CryptoError) {
        try guarded { () throws(CryptoError) in
            try emitHeaderIfNeeded(emit)
            for region in plaintext.regions {
                var failure: CryptoError?
                region.withUnsafeBytes { raw in
                    do throws(CryptoError) { try absorb(raw, emit: emit) } catch { failure = error }
                }
                if let failure { throw failure }
            }
        }
    }

    func finish(emit: Emit) throws(CryptoError) {
        try guarded { () throws(CryptoError) in
            try emitHeaderIfNeeded(emit)
            let held =
                pending.map { UnsafeRawBufferPointer(rebasing: $0[..<pendingCount]) }
                ?? UnsafeRawBufferPointer(start: nil, count: 0)
            try sealSegment(held, isLast: true, emit: emit)
            pendingCount = 0
        }
        state = .finished
    }

    /// Seals a whole input read by the caller segment by segment (the file functions), without the held-back
    /// copy: `next` fills a buffer with up to ``segmentSize`` bytes and returns how many (fewer only at the end).
    func sealAll(reading next: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int, emit: Emit)
        throws(CryptoError)
    {
        try guarded { () throws(CryptoError) in
            precondition(nextIndex == 0 && pendingCount == 0, "sealAll must be the only call on a sealer")
            try emitHeaderIfNeeded(emit)
            var current = UnsafeMutableRawBufferPointer.allocate(byteCount: segmentSize, alignment: 64)
            var following = UnsafeMutableRawBufferPointer.allocate(byteCount: segmentSize, alignment: 64)
            defer {
                for buffer in [current, following] {
                    buffer.initializeMemory(as: UInt8.self, repeating: 0)
                    buffer.deallocate()
                }
            }
            var count = try next(current)
            while true {
                if count == segmentSize {
                    let followingCount = try next(following)
                    if followingCount > 0 {
                        try sealSegment(UnsafeRawBufferPointer(current), isLast: false, emit: emit)
                        swap(&current, &following)
                        count = followingCount
                        continue
                    }
                }
                try sealSegment(UnsafeRawBufferPointer(rebasing: current[..<count]), isLast: true, emit: emit)
                break
            }
        }
        state = .finished
    }

    private func absorb(_ input: UnsafeRawBufferPointer, emit: Emit) throws(CryptoError) {
        guard !input.isEmpty else { return }
        var rest = input
        if pendingCount > 0, let pending {
            if pendingCount < segmentSize {
                let take = min(segmentSize - pendingCount, rest.count)
                (pending.baseAddress! + pendingCount).copyMemory(from: rest.baseAddress!, byteCount: take)
                pendingCount += take
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                if rest.isEmpty { return }
            }
            // The held segment is full and more input follows, so it is not the last one.
            try sealSegment(UnsafeRawBufferPointer(pending), isLast: false, emit: emit)
            pendingCount = 0
        }
        // Seal whole segments straight from the input while more input follows each of them.
        while rest.count > segmentSize {
            try sealSegment(UnsafeRawBufferPointer(rebasing: rest[..<segmentSize]), isLast: false, emit: emit)
            rest = UnsafeRawBufferPointer(rebasing: rest[segmentSize...])
        }
        // Hold back the rest (1 ... segmentSize bytes): it may be the last segment.
        let pending = pending ?? allocatePending()
        pending.baseAddress!.copyMemory(from: rest.baseAddress!, byteCount: rest.count)
        pendingCount = rest.count
    }

    private func allocatePending() -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: segmentSize, alignment: 64)
        pending = buffer
        return buffer
    }

    private func sealSegment(_ plaintext: UnsafeRawBufferPointer, isLast: Bool, emit: Emit) throws(CryptoError) {
        guard nextIndex < ClaveStream.maximumSegmentCount else {
            throw CryptoError(
                .invalidLength,
                "This stream has reached the format's limit of 2^32 segments (\(segmentSize) bytes each); "
                    + "seal the data as several streams, or with a larger segment size."
            )
        }
        let sealed = output.start(against: plaintext.baseAddress)
        try cipher.seal(plaintext, index: UInt32(nextIndex), isLast: isLast, into: sealed)
        nextIndex += 1
        try emit(UnsafeRawBufferPointer(start: sealed, count: plaintext.count + SegmentCipher.tagByteCount))
    }

    private func emitHeaderIfNeeded(_ emit: Emit) throws(CryptoError) {
        guard !headerEmitted else { return }
        headerEmitted = true
        try withBytes(of: header.bytes) { raw throws(CryptoError) in try emit(raw) }
    }

    private func guarded(_ body: () throws(CryptoError) -> Void) throws(CryptoError) {
        try state.checkUsable(what: "StreamSealer")
        do throws(CryptoError) {
            try body()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private static func checkSegmentSize(_ size: Int) throws(CryptoError) {
        guard ClaveStream.segmentSizeRange.contains(size) else {
            throw CryptoError(
                .invalidLength,
                "A clave-stream segment size must be \(ClaveStream.segmentSizeRange.lowerBound)..."
                    + "\(ClaveStream.segmentSizeRange.upperBound) bytes, but \(size) was given; "
                    + "use ClaveStream.defaultSegmentSize unless you have measured a reason not to."
            )
        }
    }
}
