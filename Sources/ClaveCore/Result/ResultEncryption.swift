public import ClaveCrypto
public import Foundation

/// A task's result sealed to its beneficiary (docs/formats/result-encryption.md): HPKE (RFC 9180, DHKEM-X25519,
/// HKDF-SHA256, AES-256-GCM) wraps a fresh `clave-stream-v1` content key, and the result itself is a
/// `clave-stream-v1` stream under that key, so a result of any size is sealed and opened in constant memory.
///
/// ```
/// "clave-result-v1" 0x00   16 bytes   magic and version
/// task id                  32 bytes   the task the result belongs to
/// envelope length          4 bytes    big-endian, 91
/// HPKE envelope            91 bytes   "CLHP" envelope (docs/formats/hpke-envelope.md) of the 32-byte content key,
///                                     purpose `clave-result-v1`, context = the task id
/// stream                   the rest   clave-stream-v1 of the result's bytes under the content key
/// ```
///
/// The first 48 bytes are exactly the HPKE `info` of the envelope (label, zero byte, task id), so the task id in the
/// clear is authenticated: a sealed result cannot be opened as another task's, and changing its task id makes the
/// envelope fail. Sealing gives confidentiality only: HPKE's base mode does not say who sealed, so who produced a
/// result is what the result receipt (``ResultReceipt``) proves, through the sha256 of the sealed file.
public enum ResultEncryption {
    /// The first 16 bytes of every sealed result: ASCII `clave-result-v1` and a zero byte.
    public static let magic: [UInt8] = Array("clave-result-v1".utf8) + [0]
    /// Magic, task id and envelope length.
    public static let prefixByteCount = 16 + 32 + 4
    /// The length of the envelope of a 32-byte content key: header, `enc`, key and tag (91 bytes).
    public static let envelopeByteCount = HPKEEnvelope.minimumSerializedByteCount + StreamKey.byteCount

    /// Whether `prefix` (the first bytes of a file, at least 16 of them) starts like a sealed result.
    public static func isSealed(_ prefix: some Collection<UInt8>) -> Bool {
        prefix.count >= magic.count && prefix.starts(with: magic)
    }

    // MARK: In memory

    /// Seals `plaintext` to `recipient` for task `taskId`.
    public static func seal(
        _ plaintext: some DataProtocol, recipient: X25519PublicKey, taskId: Bytes32,
        segmentSize: Int = ClaveStream.defaultSegmentSize
    ) throws(ResultError) -> [UInt8] {
        try Sealing(recipient: recipient, taskId: taskId).seal(plaintext, segmentSize: segmentSize)
    }

    /// Opens a sealed result with the beneficiary's key, for task `taskId`; nothing is returned unless all of it
    /// authenticated.
    ///
    /// - Throws: ``ResultError`` with `notASealedResult`, `malformedSealedResult`, `sealedForAnotherTask` or
    ///   `sealedResultRefused` (wrong key, any altered byte, truncation).
    public static func open(_ sealed: some DataProtocol, key: X25519PrivateKey, taskId: Bytes32) throws(ResultError)
        -> [UInt8]
    {
        let bytes = Array(sealed)
        var offset = 0
        let streamKey = try openPrefix(key: key, taskId: taskId) { (count) throws(ResultError) in
            let end = min(bytes.count, offset + count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
        do {
            return try ClaveStream.open(bytes[offset...], key: streamKey)
        } catch {
            throw refused(error)
        }
    }

    // MARK: Files

    /// Seals the file at `source` to `recipient` for task `taskId`, into `destination`, in constant memory.
    ///
    /// The sealed result is written to a temporary file beside `destination` (mode 0600), flushed, and renamed over
    /// it: `destination` is either untouched or the complete sealed result.
    public static func seal(
        fileAt source: URL, to destination: URL, recipient: X25519PublicKey, taskId: Bytes32,
        segmentSize: Int = ClaveStream.defaultSegmentSize
    ) throws(ResultError) {
        try Sealing(recipient: recipient, taskId: taskId).seal(
            fileAt: source, to: destination, segmentSize: segmentSize)
    }

    /// Opens the sealed result at `source` with the beneficiary's key, for task `taskId`, into `destination`, in
    /// constant memory.
    ///
    /// Plaintext goes to a temporary file beside `destination`, renamed over it only once the whole stream has
    /// authenticated; on any refusal the temporary file is removed and `destination` is left as it was, so no
    /// partial or unauthenticated plaintext is ever there.
    ///
    /// - Throws: as ``open(_:key:taskId:)``, and `io` when a file cannot be read or written.
    public static func open(fileAt source: URL, to destination: URL, key: X25519PrivateKey, taskId: Bytes32)
        throws(ResultError)
    {
        let input = try reader(source)
        defer { try? input.close() }
        let streamKey = try openPrefix(key: key, taskId: taskId) { (count) throws(ResultError) in
            try readExactly(input, source, count)
        }
        try write(destination) { (output) throws(ResultError) in
            let opener = StreamOpener(key: streamKey)
            do {
                while let chunk = try read(input, source, upTo: readChunkSize) {
                    try opener.update(chunk) { try output($0) }
                }
                try opener.finish { try output($0) }
            } catch let error as ResultError {
                throw error
            } catch let error as CryptoError {
                throw refused(error)
            } catch {
                throw ResultError(.io, at: source.path, "The sealed result could not be opened: \(error)")
            }
        }
    }

    // MARK: A task's sealing

    /// One content key for task `taskId`, wrapped once for `recipient`, that seals any number of plaintexts: each is a
    /// sealed result of its own (the same prefix, then a `clave-stream-v1` stream with a fresh salt, so a segment key
    /// of its own), opened as any sealed result is. A worker seals a task's result and its logs with one, for one
    /// HPKE encapsulation instead of two; whoever opens one of them can open the other, as the same key opens both.
    public struct Sealing: Sendable {
        /// Magic, task id, envelope length and envelope: the first bytes of everything sealed here.
        let prefix: [UInt8]
        let key: StreamKey

        /// Draws a fresh content key and wraps it for `recipient` and `taskId`.
        public init(recipient: X25519PublicKey, taskId: Bytes32) throws(ResultError) {
            (prefix, key) = try ResultEncryption.sealedPrefix(recipient: recipient, taskId: taskId)
        }

        /// `plaintext`, sealed.
        public func seal(_ plaintext: some DataProtocol, segmentSize: Int = ClaveStream.defaultSegmentSize)
            throws(ResultError) -> [UInt8]
        {
            do {
                return prefix + (try ClaveStream.seal(plaintext, key: key, segmentSize: segmentSize))
            } catch {
                throw ResultError(.io, at: "stream", "The result could not be encrypted: \(error.message)")
            }
        }

        /// The file at `source`, sealed into `destination` in constant memory, as
        /// ``ResultEncryption/seal(fileAt:to:recipient:taskId:segmentSize:)`` does.
        public func seal(fileAt source: URL, to destination: URL, segmentSize: Int = ClaveStream.defaultSegmentSize)
            throws(ResultError)
        {
            let input = try ResultEncryption.reader(source)
            defer { try? input.close() }
            try ResultEncryption.write(destination) { (output) throws(ResultError) in
                var failure: ResultError?
                prefix.withUnsafeBytes { raw in
                    do throws(ResultError) { try output(raw) } catch { failure = error }
                }
                if let failure { throw failure }
                do {
                    let sealer = try StreamSealer(key: key, segmentSize: segmentSize)
                    while let chunk = try ResultEncryption.read(input, source, upTo: ResultEncryption.readChunkSize) {
                        try sealer.update(chunk) { try output($0) }
                    }
                    try sealer.finish { try output($0) }
                } catch let error as ResultError {
                    throw error
                } catch {
                    throw ResultError(.io, at: source.path, "The result could not be encrypted: \(error)")
                }
            }
        }
    }

    // MARK: The prefix

    /// A fresh content key and the prefix that wraps it for `recipient` and `taskId`.
    static func sealedPrefix(recipient: X25519PublicKey, taskId: Bytes32) throws(ResultError) -> (
        [UInt8], StreamKey
    ) {
        let key = StreamKey.generate()
        let envelope: HPKEEnvelope
        do {
            envelope = try HPKEEnvelope.seal(
                key.rawRepresentation, to: recipient, purpose: .result, context: taskId.bytes)
        } catch {
            throw ResultError(.io, at: "envelope", "The result key could not be sealed: \(error.message)")
        }
        let serialized = envelope.serialized
        let length = UInt32(serialized.count)
        let lengthBytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }
        return (magic + taskId.bytes + lengthBytes + serialized, key)
    }

    /// Reads and checks the prefix through `read` (which returns up to the count asked, fewer only at the end) and
    /// returns the content key it wraps.
    static func openPrefix(
        key: X25519PrivateKey, taskId: Bytes32, read: (Int) throws(ResultError) -> [UInt8]
    ) throws(ResultError) -> StreamKey {
        let head = try read(magic.count)
        guard isSealed(head) else {
            throw ResultError(
                .notASealedResult, at: "magic",
                "This is not a sealed result: it does not start with \"clave-result-v1\". If it is a plain result zip, use it as it is; otherwise check that you fetched the result the receipt names."
            )
        }
        let rest = try read(prefixByteCount - magic.count)
        guard rest.count == prefixByteCount - magic.count else {
            throw ResultError(
                .malformedSealedResult, at: "prefix",
                "The sealed result ends after \(magic.count + rest.count) bytes, inside its \(prefixByteCount)-byte prefix: it was truncated. Fetch it again."
            )
        }
        // 32 bytes always make a Bytes32.
        let sealedTask = try! Bytes32(rest[0..<32])
        guard sealedTask == taskId else {
            throw ResultError(
                .sealedForAnotherTask, at: "taskId",
                "This result was sealed for task \(sealedTask), not for task \(taskId); fetch the result of task \(taskId), or open this one for its own task."
            )
        }
        let length = rest[32..<36].reduce(0) { $0 << 8 | Int($1) }
        guard length == envelopeByteCount else {
            throw ResultError(
                .malformedSealedResult, at: "envelope",
                "The sealed result's envelope length is \(length) bytes, but a clave-result-v1 envelope (of a 32-byte content key) is \(envelopeByteCount): the file is damaged. Fetch it again."
            )
        }
        let serialized = try read(length)
        guard serialized.count == length else {
            throw ResultError(
                .malformedSealedResult, at: "envelope",
                "The sealed result ends inside its \(length)-byte envelope: it was truncated. Fetch it again.")
        }
        let contentKey: [UInt8]
        do {
            contentKey = try HPKEEnvelope(serialized: serialized).open(
                with: key, purpose: .result, context: taskId.bytes)
        } catch let error where error.code == .authenticationFailed {
            throw ResultError(
                .sealedResultRefused, at: "envelope",
                "The result's key does not open with this key: the result was sealed to another beneficiary key, or it was altered. Check that you use the result key of the deal's beneficiary (derived from its account key); if you do, the file is damaged: fetch it again."
            )
        } catch {
            throw ResultError(
                .malformedSealedResult, at: "envelope", "The sealed result's envelope is malformed: \(error.message)")
        }
        do {
            return try StreamKey(rawRepresentation: contentKey)
        } catch {
            throw ResultError(
                .malformedSealedResult, at: "envelope",
                "The sealed result's envelope holds \(contentKey.count) bytes, not a 32-byte content key; it was not made by a Clave worker."
            )
        }
    }

    static func refused(_ error: CryptoError) -> ResultError {
        ResultError(
            .sealedResultRefused, at: "stream",
            "The sealed result's content does not authenticate, so none of it is used: \(error.message)")
    }

    // MARK: Plumbing

    static let readChunkSize = 1 << 16

    static func reader(_ url: URL) throws(ResultError) -> FileHandle {
        do {
            return try FileHandle(forReadingFrom: url)
        } catch {
            throw ResultError(
                .io, at: url.path,
                "Cannot open \(url.path) for reading (\(error.localizedDescription)); check that it exists and is readable."
            )
        }
    }

    /// The next bytes of `handle`, at most `count`; `nil` at the end.
    static func read(_ handle: FileHandle, _ url: URL, upTo count: Int) throws(ResultError) -> Data? {
        do {
            guard let data = try handle.read(upToCount: count), !data.isEmpty else { return nil }
            return data
        } catch {
            throw ResultError(.io, at: url.path, "Reading \(url.path) failed (\(error.localizedDescription)).")
        }
    }

    /// `count` bytes of `handle`, or fewer at its end.
    static func readExactly(_ handle: FileHandle, _ url: URL, _ count: Int) throws(ResultError) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count, let data = try read(handle, url, upTo: count - bytes.count) {
            bytes += data
        }
        return bytes
    }

    /// Runs `body` with a function that appends to a temporary file beside `destination`, then renames it over
    /// `destination`; if anything throws, the temporary file is removed. Not fsynced: a sealed result is on its way to
    /// the blob store, an opened one is the requester's to keep, as any file a program writes.
    static func write(
        _ destination: URL, _ body: ((UnsafeRawBufferPointer) throws(ResultError) -> Void) throws(ResultError) -> Void
    ) throws(ResultError) {
        let writer: DurableFile.Writer
        do {
            writer = try DurableFile.Writer(replacing: destination, permissions: 0o600, synced: false)
        } catch {
            throw ResultError(.io, at: destination.path, error.message)
        }
        try body { (bytes) throws(ResultError) in
            do throws(DurableFile.Failure) {
                try writer.write(bytes)
            } catch {
                throw ResultError(.io, at: destination.path, error.message)
            }
        }
        do {
            try writer.commit()
        } catch {
            throw ResultError(.io, at: destination.path, error.message)
        }
    }
}
