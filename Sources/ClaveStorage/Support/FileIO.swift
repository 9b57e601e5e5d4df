import CClaveFileIO
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file descriptor, closed when the last reference goes.
final class FileDescriptor: Sendable {
    let raw: Int32
    /// The path it was opened at, for messages.
    let path: String

    private init(raw: Int32, path: String) {
        self.raw = raw
        self.path = path
    }

    deinit { close(raw) }

    /// Opens `path` for reading (or reading and writing, with `writable`); nil when nothing is there.
    static func openExisting(_ path: String, writable: Bool = false) throws(StorageError) -> FileDescriptor? {
        let raw = FileIO.retrying { open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC) }
        guard raw >= 0 else {
            if errno == ENOENT { return nil }
            throw FileIO.failure("open \(path) for \(writable ? "writing" : "reading")", hint: "check its permissions")
        }
        return FileDescriptor(raw: raw, path: path)
    }

    /// Creates `path`, which must not exist, for writing (and reading too, with `readable`) with `permissions`.
    static func create(_ path: String, permissions: mode_t, readable: Bool = false) throws(StorageError)
        -> FileDescriptor
    {
        let access = readable ? O_RDWR : O_WRONLY
        let raw = FileIO.retrying { open(path, access | O_CREAT | O_EXCL | O_CLOEXEC, permissions) }
        guard raw >= 0 else {
            throw FileIO.failure("create \(path)", hint: "check that its folder exists and is writable")
        }
        return FileDescriptor(raw: raw, path: path)
    }

    /// Writes all of `bytes` at `offset` (pwrite), leaving the file's offset as it is.
    func write(_ bytes: [UInt8], at offset: Int) throws(StorageError) {
        var written = 0
        var failed = false
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = pwrite(raw, buffer.baseAddress! + written, buffer.count - written, off_t(offset + written))
                if result >= 0 {
                    written += result
                } else if errno != EINTR {
                    failed = true
                    return
                }
            }
        }
        if failed { throw FileIO.failure("write \(path)", hint: "check free space and the disk") }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws(StorageError) {
        guard FileIO.retrying({ ftruncate(raw, off_t(size)) }) == 0 else {
            throw FileIO.failure("cut \(path) to \(size) bytes", hint: "check the disk")
        }
    }

    /// Flushes the file's content (and the size, not the other metadata) to the disk, blocking the calling thread.
    func syncDataNow() throws(StorageError) {
        guard FileIO.retrying({ fdatasync(raw) }) == 0 else {
            throw FileIO.failure("flush \(path) to disk", hint: "check the disk")
        }
    }

    /// The file's size now.
    func size() throws(StorageError) -> Int {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw FileIO.failure("read the size of \(path)", hint: "check the disk") }
        return Int(info.st_size)
    }

    /// Reads up to `count` bytes at `offset` into a new array; fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws(StorageError) -> [UInt8] {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let result = pread(
                    raw, buffer.baseAddress! + initialized, count - initialized, off_t(offset + initialized))
                if result > 0 {
                    initialized += result
                } else if result == 0 {
                    break
                } else if errno != EINTR {
                    failed = true
                    break
                }
            }
        }
        if failed { throw FileIO.failure("read \(path)", hint: "check the disk") }
        return bytes
    }

    /// Writes all of `bytes` at the current offset.
    func write(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var written = 0
        while written < bytes.count {
            let result = systemWrite(raw, bytes.baseAddress! + written, bytes.count - written)
            if result >= 0 {
                written += result
            } else if errno != EINTR {
                throw FileIO.failure("write \(path)", hint: "check free space and the disk")
            }
        }
    }

    /// Writes all of `bytes` at the current offset.
    func write(_ bytes: [UInt8]) throws(StorageError) {
        let failure = bytes.withUnsafeBytes { buffer -> StorageError? in
            do throws(StorageError) {
                try write(buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Asks the system to start writing `count` bytes at `offset` to the disk now, without waiting for them (Linux:
    /// `sync_file_range` with `SYNC_FILE_RANGE_WRITE`), so that a later ``sync()`` has less left to write. It
    /// promises nothing: elsewhere, or when the system declines, it does nothing, and ``sync()`` flushes everything.
    func startWriteback(offset: Int, count: Int) {
        _ = clave_start_writeback(raw, Int64(offset), Int64(count))
    }

    /// Flushes the file's content to the disk (fsync), off the concurrency pool's threads.
    func sync() async throws(StorageError) {
        let raw = raw
        let path = path
        try await FileIO.blocking { () throws(StorageError) in
            guard fsync(raw) == 0 else { throw FileIO.failure("flush \(path) to disk", hint: "check the disk") }
        }
    }
}

/// The file-system calls of the stores, each failure a ``StorageError/Code/io`` naming what failed, the system's
/// reason and what to check.
enum FileIO {
    /// `call` again while it fails with EINTR.
    static func retrying(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Runs `body`, which blocks (fsync, rename), on a Dispatch thread so that it does not hold one of the few threads
    /// of Swift's concurrency pool.
    static func blocking<Value: Sendable>(
        _ body: @escaping @Sendable () throws(StorageError) -> Value
    ) async throws(StorageError) -> Value {
        let result: Result<Value, StorageError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(StorageError) in try body() })
            }
        }
        return try result.get()
    }

    /// Creates the folder `path` (its parent must exist) with `permissions`; returns false when it already exists.
    @discardableResult
    static func makeFolder(_ path: String, permissions: mode_t) throws(StorageError) -> Bool {
        if mkdir(path, permissions) == 0 { return true }
        if errno == EEXIST {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return false }
            throw StorageError(.io, "Could not create the folder \(path): something else than a folder is there.")
        }
        throw failure("create the folder \(path)", hint: "check that its parent exists and is writable")
    }

    /// fsyncs a folder, so that the names created, renamed or removed in it are durable. A failure is not reported:
    /// the change itself happened.
    static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// The size of the file at `path`, or nil when nothing is there.
    static func size(_ path: String) throws(StorageError) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw failure("read the size of \(path)", hint: "check the permissions of its folder")
        }
        return Int(info.st_size)
    }

    /// Whether something is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Renames `source` to `destination`, replacing what is there.
    static func rename(_ source: String, to destination: String) throws(StorageError) {
        guard systemRename(source, destination) == 0 else {
            throw failure("move \(source) to \(destination)", hint: "check the permissions of the folder")
        }
    }

    /// Removes the file at `path`; returns false when nothing was there.
    @discardableResult
    static func remove(_ path: String) throws(StorageError) -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw failure("remove \(path)", hint: "check the permissions of its folder")
    }

    /// The path of a file URL, as the system calls take it.
    static func path(_ url: URL) throws(StorageError) -> String {
        guard url.isFileURL else {
            throw StorageError(.io, "\(url) is not a file URL; pass a URL made with URL(fileURLWithPath:).")
        }
        return url.withUnsafeFileSystemRepresentation { $0.map { String(cString: $0) } } ?? url.path
    }

    /// 16 random hex digits, for temporary names.
    static func randomSuffix() -> String {
        String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// A ``StorageError/Code/io`` for the system call that just failed: what, the system's reason, what to check.
    static func failure(_ action: String, hint: String) -> StorageError {
        let code = errno
        return StorageError(.io, "Could not \(action): \(String(cString: strerror(code))) (errno \(code)); \(hint).")
    }
}

// The system calls whose names the methods above shadow.

func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func systemRename(_ source: String, _ destination: String) -> Int32 {
    rename(source, destination)
}
