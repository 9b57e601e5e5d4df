public import Foundation

/// Decrypts and authenticates a `clave-stream-v1` stream, incrementally and in constant memory.
///
/// Feed ciphertext in chunks of any size with ``update(_:to:)``, then call ``finish(to:)`` exactly once. The sink
/// receives plaintext one segment at a time, and only after that segment has authenticated; the buffer it is
/// given is valid only during the call.
///
/// ```swift
/// let opener = StreamOpener(key: key)
/// for chunk in source { try opener.update(chunk) { try output.write(contentsOf: $0) } }
/// try opener.finish { try output.write(contentsOf: $0) }
/// ```
///
/// Authenticity covers the stream as a whole only once ``finish(to:)`` returns: a stream cut short at a
/// segment boundary delivers intact segments first, and only `finish` can tell that the last one is missing.
/// So treat plaintext as provisional until then, and discard all of it if any call throws. Every refusal is a
/// ``CryptoError``: ``CryptoError/Code/invalidFormat`` for a header that is not a valid `clave-stream-v1` header,
/// ``CryptoError/Code/authenticationFailed`` for a wrong key or any altered, truncated, extended, reordered or
/// spliced data. Not thread-safe; use one opener per stream from one task at a time.
public final class StreamOpener {
    typealias Emit = (UnsafeRawBufferPointer) throws(CryptoError) -> Void

    private let key: StreamKey
    private var headerBytes: [UInt8] = []
    private var segments: SegmentOpener?
    private var state = StreamState.active

    /// An opener for one stream sealed under `key`.
    public init(key: StreamKey) {
        self.key = key
        headerBytes.reserveCapacity(StreamHeader.byteCount)
    }

    /// The stream's segment size, once its header has been read.
    public var segmentSize: Int? { segments?.segmentSize }

    // MARK: Public API

    /// Decrypts more ciphertext, passing the plaintext of each segment that authenticates to `sink`.
    ///
    /// - Throws: ``CryptoError`` (see the type's description), or whatever `sink` throws. After an error the
    ///   opener is unusable: discard all plaintext it has already delivered.
    public func update(_ ciphertext: some DataProtocol, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try absorb(ciphertext, emit: emit) }
    }

    /// Decrypts more ciphertext and returns the plaintext of the segments that authenticated (possibly none yet).
    public func update(_ ciphertext: some DataProtocol) throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        try absorb(ciphertext) { out.append(contentsOf: $0) }
        return out
    }

    /// Opens the final segment and checks that the stream ended exactly where it was sealed to end.
    ///
    /// Call exactly once, after the last ``update(_:to:)``. It throws if the stream was truncated, including
    /// at a segment boundary.
    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try finish(emit: emit) }
    }

    /// Opens the final segment and returns its plaintext; see ``finish(to:)``.
    public func finish() throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        try finish { out.append(contentsOf: $0) }
        return out
    }

    // MARK: Internals (also used by the file functions)

    func absorb(_ ciphertext: some DataProtocol, emit: Emit) throws(CryptoError) {
        try guarded { () throws(CryptoError) in
            for region in ciphertext.regions {
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
            guard let segments else {
                throw StreamOpener.truncatedHeader(count: headerBytes.count)
            }
            try segments.finish(emit: emit)
        }
        state = .finished
    }

    /// Opens a whole stream read by the caller (the file functions), without the held-back copy: `next` fills a
    /// buffer with as many bytes as fit and returns how many (fewer only at the end of the input).
    func openAll(reading next: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int, emit: Emit)
        throws(CryptoError)
    {
        try guarded { () throws(CryptoError) in
            precondition(segments == nil && headerBytes.isEmpty, "openAll must be the only call on an opener")
            var header = [UInt8](repeating: 0, count: StreamHeader.byteCount)
            let count = try withMutableBytes(of: &header) { raw throws(CryptoError) in try next(raw) }
            guard count == StreamHeader.byteCount else { throw StreamOpener.truncatedHeader(count: count) }
            let segments = try SegmentOpener(header: StreamHeader(parsing: header), key: key)
            self.segments = segments
            try segments.openAll(reading: next, emit: emit)
        }
        state = .finished
    }

    private func absorb(_ input: UnsafeRawBufferPointer, emit: Emit) throws(CryptoError) {
        var rest = input
        if segments == nil {
            let take = min(StreamHeader.byteCount - headerBytes.count, rest.count)
            headerBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            guard headerBytes.count == StreamHeader.byteCount else { return }
            segments = try SegmentOpener(header: StreamHeader(parsing: headerBytes), key: key)
        }
        try segments!.absorb(rest, emit: emit)
    }

    private func guarded(_ body: () throws(CryptoError) -> Void) throws(CryptoError) {
        try state.checkUsable(what: "StreamOpener")
        do throws(CryptoError) {
            try body()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    static func truncatedHeader(count: Int) -> CryptoError {
        if count == 0 {
            return CryptoError(
                .invalidFormat,
                "The stream is empty: even an empty plaintext seals to 64 bytes. Check that the right file or "
                    + "object was given, and that it was fully written or downloaded."
            )
        }
        return CryptoError(
            .invalidFormat,
            "The stream ended after \(count) bytes, inside its \(StreamHeader.byteCount)-byte header: it is "
                + "truncated or not a clave stream. Obtain the complete file."
        )
    }
}

/// The part of an opener after the header: one segment key, the held-back segment, and the refusals.
final class SegmentOpener {
    typealias Emit = (UnsafeRawBufferPointer) throws(CryptoError) -> Void

    let segmentSize: Int
    /// A full segment as stored: ciphertext then tag.
    private let sealedSegmentSize: Int
    private let cipher: SegmentCipher
    /// The held-back sealed segment; allocated on first use.
    private var pending: UnsafeMutableRawBufferPointer?
    private var pendingCount = 0
    /// One opened segment's plaintext.
    private let output: SegmentOutputBuffer
    private var nextIndex: UInt64 = 0
    /// Offset in the stream of the next segment, for messages.
    private var offset = UInt64(StreamHeader.byteCount)

    init(header: StreamHeader, key: StreamKey) throws(CryptoError) {
        segmentSize = header.segmentSize
        sealedSegmentSize = header.segmentSize + SegmentCipher.tagByteCount
        cipher = try SegmentCipher(
            key: header.deriveSegmentKey(from: key), noncePrefix: header.noncePrefix, sealing: false)
        output = SegmentOutputBuffer(capacity: header.segmentSize)
    }

    deinit {
        pending?.deallocate()
        output.deallocate()
    }

    func absorb(_ input: UnsafeRawBufferPointer, emit: Emit) throws(CryptoError) {
        guard !input.isEmpty else { return }
        var rest = input
        if pendingCount > 0, let pending {
            if pendingCount < sealedSegmentSize {
                let take = min(sealedSegmentSize - pendingCount, rest.count)
                (pending.baseAddress! + pendingCount).copyMemory(from: rest.baseAddress!, byteCount: take)
                pendingCount += take
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                if rest.isEmpty { return }
            }
            // The held segment is complete and more bytes follow, so it must not be the last one.
            try openSegment(UnsafeRawBufferPointer(pending), isLast: false, emit: emit)
            pendingCount = 0
        }
        while rest.count > sealedSegmentSize {
            try openSegment(UnsafeRawBufferPointer(rebasing: rest[..<sealedSegmentSize]), isLast: false, emit: emit)
            rest = UnsafeRawBufferPointer(rebasing: rest[sealedSegmentSize...])
        }
        let pending = pending ?? allocatePending()
        pending.baseAddress!.copyMemory(from: rest.baseAddress!, byteCount: rest.count)
        pendingCount = rest.count
    }

    func finish(emit: Emit) throws(CryptoError) {
        let held =
            pending.map { UnsafeRawBufferPointer(rebasing: $0[..<pendingCount]) }
            ?? UnsafeRawBufferPointer(start: nil, count: 0)
        try openFinal(held, emit: emit)
        pendingCount = 0
    }

    func openAll(reading next: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int, emit: Emit)
        throws(CryptoError)
    {
        var current = UnsafeMutableRawBufferPointer.allocate(byteCount: sealedSegmentSize, alignment: 64)
        var following = UnsafeMutableRawBufferPointer.allocate(byteCount: sealedSegmentSize, alignment: 64)
        defer {
            current.deallocate()
            following.deallocate()
        }
        var count = try next(current)
        while count == sealedSegmentSize {
            let followingCount = try next(following)
            if followingCount == 0 { break }
            try openSegment(UnsafeRawBufferPointer(current), isLast: false, emit: emit)
            swap(&current, &following)
            count = followingCount
        }
        try openFinal(UnsafeRawBufferPointer(rebasing: current[..<count]), emit: emit)
    }

    private func allocatePending() -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: sealedSegmentSize, alignment: 64)
        pending = buffer
        return buffer
    }

    /// Opens what remains at the end of the stream as its last segment.
    private func openFinal(_ remainder: UnsafeRawBufferPointer, emit: Emit) throws(CryptoError) {
        if remainder.isEmpty && nextIndex == 0 {
            throw CryptoError(
                .authenticationFailed,
                "The stream ends right after its header, without any segment (even an empty plaintext has one): "
                    + "it was truncated. Obtain the complete stream."
            )
        }
        guard remainder.count >= SegmentCipher.tagByteCount else {
            let place = nextIndex == 0 ? "its header" : "segment \(nextIndex - 1)"
            throw CryptoError(
                .authenticationFailed,
                "The stream ends with \(remainder.count) bytes after \(place), too few to be a segment (each ends "
                    + "with a 16-byte tag): it was truncated. Discard everything decrypted from it and obtain the "
                    + "complete stream."
            )
        }
        try openSegment(remainder, isLast: true, emit: emit)
    }

    private func openSegment(_ segment: UnsafeRawBufferPointer, isLast: Bool, emit: Emit) throws(CryptoError) {
        guard nextIndex < ClaveStream.maximumSegmentCount else {
            throw CryptoError(
                .authenticationFailed,
                "The stream goes on past the format's limit of 2^32 segments, so bytes were appended to it. "
                    + "Discard everything decrypted from it and obtain a fresh copy."
            )
        }
        let index = UInt32(nextIndex)
        let plaintextCount = segment.count - SegmentCipher.tagByteCount
        let opened = output.start(against: segment.baseAddress)
        guard try cipher.open(segment, index: index, isLast: isLast, into: opened) else {
            throw try refusal(segment, index: index, isLast: isLast, scratch: opened)
        }
        nextIndex += 1
        offset += UInt64(segment.count)
        try emit(UnsafeRawBufferPointer(start: opened, count: plaintextCount))
    }

    /// Explains why a segment failed: it is tried once more with the other last-segment flag, which tells a
    /// stream cut at a segment boundary, or one with bytes after its last segment, from other damage.
    private func refusal(
        _ segment: UnsafeRawBufferPointer,
        index: UInt32,
        isLast: Bool,
        scratch: UnsafeMutableRawPointer
    ) throws(CryptoError) -> CryptoError {
        let range = "bytes \(offset)..<\(offset + UInt64(segment.count))"
        if segment.count == sealedSegmentSize || !isLast {
            let authenticatesWithOtherFlag = try cipher.open(segment, index: index, isLast: !isLast, into: scratch)
            if authenticatesWithOtherFlag {
                scratch.initializeMemory(
                    as: UInt8.self, repeating: 0, count: segment.count - SegmentCipher.tagByteCount)
                if isLast {
                    return CryptoError(
                        .authenticationFailed,
                        "The stream ends after segment \(index) (\(range)), which was not sealed as the last "
                            + "segment: the stream was truncated and the rest is missing. Discard everything "
                            + "decrypted from it and obtain the complete stream."
                    )
                }
                return CryptoError(
                    .authenticationFailed,
                    "Segment \(index) (\(range)) was sealed as the last segment, but more bytes follow it: data "
                        + "was appended to the stream. Discard everything decrypted from it and obtain a fresh copy."
                )
            }
        }
        if index == 0 {
            return CryptoError(
                .authenticationFailed,
                "The first segment (\(range)) failed authentication: either this is not the key the stream was "
                    + "sealed with, or the stream's header or first segment was altered. Check that you are using "
                    + "this stream's key; if you are, the data is damaged: obtain a fresh copy."
            )
        }
        return CryptoError(
            .authenticationFailed,
            "Segment \(index) (\(range)) failed authentication: the stream was altered, truncated, reordered, or has "
                + "data spliced in from another stream. Do not use any of it: discard everything already decrypted "
                + "from this stream and obtain a fresh copy."
        )
    }
}
