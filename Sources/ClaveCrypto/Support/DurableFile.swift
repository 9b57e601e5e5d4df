package import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files and folders written so that they survive a crash once the call returns: written, then fsync'ed. The node's
/// data directory, the wallet's keystore files and the SMS's key files are written through it (it sits here, beside
/// the keystores, so that every module that writes keys reaches it).
package enum DurableFile {
    /// A system call that failed, with the system's reason: "Could not create /x: Permission denied.".
    package struct Failure: Error, CustomStringConvertible {
        package let message: String
        package var description: String { message }
    }

    /// Creates `url` (which must not exist) holding `data`, with `permissions`, and fsyncs it.
    package static func create(_ url: URL, data: Data, permissions: mode_t) throws(Failure) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw failure("create \(url.path)") }
        defer { close(descriptor) }
        guard data.withUnsafeBytes({ writeAll(descriptor, $0) }) else { throw failure("write \(url.path)") }
        guard fsync(descriptor) == 0 else { throw failure("fsync \(url.path)") }
    }

    /// Replaces `destination` with a file holding `data` so that a reader sees the old file or the new one, never
    /// part of one: a temporary file in the same folder, fsync, rename, fsync of the folder.
    package static func replace(_ destination: URL, with data: Data, permissions: mode_t) throws(Failure) {
        let writer = try Writer(replacing: destination, permissions: permissions)
        let failure: Failure? = data.withUnsafeBytes { bytes -> Failure? in
            do throws(Failure) {
                try writer.write(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        try writer.commit()
    }

    /// A file written piece by piece into a temporary file beside its destination, and renamed over it only by
    /// ``commit()``: a reader sees the old file or the whole new one, never part of one. Without a commit (a failure,
    /// ``discard()``, or the writer going away) the temporary file is removed.
    ///
    /// A writer made with `synced: false` skips the two fsyncs and keeps only the atomic rename: for scratch files
    /// that a crash may lose (a worker's copy of a task's input, a result on its way to the blob store, a staging
    /// file the reader removes), where each fsync is a disk flush paid for nothing.
    package final class Writer {
        package let destination: URL
        /// The temporary file's path.
        package let path: String
        /// The open temporary file, for code that writes to a descriptor.
        package let descriptor: Int32
        private let synced: Bool
        private var isOpen = true

        package init(replacing destination: URL, permissions: mode_t, synced: Bool = true) throws(Failure) {
            self.destination = destination
            self.synced = synced
            path =
                destination.deletingLastPathComponent().appendingPathComponent(
                    ".\(destination.lastPathComponent).\(UUID().uuidString).partial"
                ).path
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            guard descriptor >= 0 else {
                throw failure("create a file beside \(destination.path) (check that its folder exists and is writable)")
            }
        }

        deinit { discard() }

        package func write(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
            guard writeAll(descriptor, bytes) else { throw failure("write \(path) (check free space)") }
        }

        /// fsyncs the file, renames it over the destination and fsyncs the folder (only renames it, unsynced).
        package func commit() throws(Failure) {
            guard isOpen else { throw Failure(message: "\(path) was already committed or discarded.") }
            guard !synced || fsync(descriptor) == 0 else {
                let error = failure("flush \(path) to disk (check free space and the disk's health)")
                discard()
                throw error
            }
            isOpen = false
            guard close(descriptor) == 0 else {
                let error = failure("finish writing \(path) (check free space and the disk's health)")
                unlink(path)
                throw error
            }
            guard rename(path, destination.path) == 0 else {
                let error = failure("move \(path) into place at \(destination.path) (check permissions on it)")
                unlink(path)
                throw error
            }
            if synced { syncFolder(destination.deletingLastPathComponent()) }
        }

        /// Removes the temporary file; the destination is left as it was.
        package func discard() {
            guard isOpen else { return }
            isOpen = false
            close(descriptor)
            unlink(path)
        }
    }

    /// Creates the folder `url` with `permissions` (its parent must exist).
    package static func makeFolder(_ url: URL, permissions: mode_t) throws(Failure) {
        guard mkdir(url.path, permissions) == 0 else { throw failure("create the folder \(url.path)") }
    }

    /// fsyncs a folder, so that the names created or renamed in it are durable.
    package static func syncFolder(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func failure(_ action: String) -> Failure {
        Failure(message: "Could not \(action): \(String(cString: strerror(errno))).")
    }
}

/// Writes all of `bytes` to `descriptor`, retrying on EINTR; false (errno set) when the system refuses.
private func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var written = 0
    while written < bytes.count {
        let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
        if result < 0 {
            if errno == EINTR { continue }
            return false
        }
        written += result
    }
    return true
}
