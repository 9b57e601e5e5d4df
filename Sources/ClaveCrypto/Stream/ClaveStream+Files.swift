public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ClaveStream {
    // MARK: Files

    /// Seals the file at `source` into a stream at `destination`, in constant memory.
    ///
    /// The stream is written to a temporary file beside `destination` (mode 0600), flushed to disk, and then
    /// renamed over `destination` in one step: `destination` is either left untouched or replaced by the complete
    /// stream, never partly written.
    public static func sealFile(
        at source: URL,
        to destination: URL,
        key: StreamKey,
        segmentSize: Int = defaultSegmentSize
    ) throws(CryptoError) {
        let sealer = try StreamSealer(key: key, segmentSize: segmentSize)
        try transformFile(at: source, to: destination, doing: "encrypting") { input, output throws(CryptoError) in
            try sealer.sealAll(reading: { buffer throws(CryptoError) in try readFully(input, into: buffer) }) {
                chunk throws(CryptoError) in try writeAll(output, chunk)
            }
        }
    }

    /// Opens the stream in the file at `source` and writes its plaintext to `destination`, in constant memory.
    ///
    /// Plaintext goes to a temporary file beside `destination` (mode 0600), which is renamed over `destination`
    /// only once the whole stream has authenticated. If anything is wrong, the temporary file is deleted and
    /// `destination` is left untouched, so no unauthenticated or partial plaintext is ever visible there.
    public static func openFile(at source: URL, to destination: URL, key: StreamKey) throws(CryptoError) {
        let opener = StreamOpener(key: key)
        try transformFile(at: source, to: destination, doing: "decrypting") { input, output throws(CryptoError) in
            try opener.openAll(reading: { buffer throws(CryptoError) in try readFully(input, into: buffer) }) {
                chunk throws(CryptoError) in try writeAll(output, chunk)
            }
        }
    }

    // MARK: File handles and descriptors

    /// Reads `input` from its current offset to its end and writes the sealed stream to `output`.
    ///
    /// Works with files, pipes and sockets; reads in segment-sized chunks, in constant memory. Neither handle is
    /// closed. If it throws, what was written to `output` is incomplete and must be discarded.
    public static func seal(
        from input: FileHandle,
        to output: FileHandle,
        key: StreamKey,
        segmentSize: Int = defaultSegmentSize
    ) throws(CryptoError) {
        try seal(
            fromDescriptor: input.fileDescriptor, toDescriptor: output.fileDescriptor, key: key,
            segmentSize: segmentSize)
    }

    /// Reads a stream from `input` to its end and writes its plaintext to `output`.
    ///
    /// Plaintext is written segment by segment as each authenticates, so if this throws, `output` holds a prefix
    /// of the plaintext that must be discarded (``openFile(at:to:key:)`` does this for you). Neither handle is
    /// closed.
    public static func open(from input: FileHandle, to output: FileHandle, key: StreamKey) throws(CryptoError) {
        try open(fromDescriptor: input.fileDescriptor, toDescriptor: output.fileDescriptor, key: key)
    }

    /// ``seal(from:to:key:segmentSize:)`` on raw file descriptors.
    public static func seal(
        fromDescriptor input: Int32,
        toDescriptor output: Int32,
        key: StreamKey,
        segmentSize: Int = defaultSegmentSize
    ) throws(CryptoError) {
        let sealer = try StreamSealer(key: key, segmentSize: segmentSize)
        try sealer.sealAll(reading: { buffer throws(CryptoError) in try readFully(input, into: buffer) }) {
            chunk throws(CryptoError) in try writeAll(output, chunk)
        }
    }

    /// ``open(from:to:key:)`` on raw file descriptors.
    public static func open(fromDescriptor input: Int32, toDescriptor output: Int32, key: StreamKey) throws(CryptoError)
    {
        let opener = StreamOpener(key: key)
        try opener.openAll(reading: { buffer throws(CryptoError) in try readFully(input, into: buffer) }) {
            chunk throws(CryptoError) in try writeAll(output, chunk)
        }
    }

    // MARK: Plumbing

    /// Opens `source`, runs `body` into a new temporary file beside `destination`, then flushes it and renames it
    /// over `destination`; on any failure the temporary file is removed.
    static func transformFile(
        at source: URL,
        to destination: URL,
        doing activity: String,
        _ body: (_ input: Int32, _ output: Int32) throws(CryptoError) -> Void
    ) throws(CryptoError) {
        let sourcePath = try fileSystemPath(source)
        let input = openDescriptor(sourcePath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw ioError("Cannot open \(sourcePath) for \(activity)", hint: "check that it exists and is readable")
        }
        defer { close(input) }
        // On any failure the writer goes away uncommitted and removes its temporary file.
        let output: DurableFile.Writer
        do {
            output = try DurableFile.Writer(replacing: destination, permissions: 0o600)
        } catch {
            throw CryptoError(.io, "Cannot write the result of \(activity): \(error.message)")
        }
        try body(input, output.descriptor)
        do {
            try output.commit()
        } catch {
            throw CryptoError(.io, "Cannot write the result of \(activity): \(error.message)")
        }
    }

    static func fileSystemPath(_ url: URL) throws(CryptoError) -> String {
        guard url.isFileURL else {
            throw CryptoError(.io, "\(url) is not a file URL; pass a URL made with URL(fileURLWithPath:).")
        }
        return url.withUnsafeFileSystemRepresentation { $0.map { String(cString: $0) } } ?? ""
    }

    /// Reads until `buffer` is full or the input ends; returns the bytes read (fewer than asked only at the end).
    static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw ioError("Reading the input failed", hint: "check that it is still readable")
            }
        }
        return filled
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        var written = 0
        while written < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count >= 0 {
                written += count
            } else if errno != EINTR {
                throw ioError("Writing the output failed", hint: "check free space and permissions")
            }
        }
    }

    /// A ``CryptoError/Code/io`` error that names the failure, the system's reason, and what to check.
    static func ioError(_ what: String, hint: String) -> CryptoError {
        let code = errno
        let reason = String(cString: strerror(code))
        return CryptoError(.io, "\(what): \(reason) (errno \(code)); \(hint).")
    }
}

/// `open(2)`, outside `ClaveStream`, whose own `open` methods would shadow it.
func openDescriptor(_ path: String, _ flags: Int32, mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}
