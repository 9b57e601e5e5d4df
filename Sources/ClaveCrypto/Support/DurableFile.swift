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
        var written = 0
        let error: Failure? = data.withUnsafeBytes { raw in
            while written < raw.count {
                let result = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return failure("write \(url.path)")
                }
                written += result
            }
            return fsync(descriptor) == 0 ? nil : failure("fsync \(url.path)")
        }
        if let error { throw error }
    }

    /// Replaces `destination` with a file holding `data` so that a reader sees the old file or the new one, never
    /// part of one: a temporary file in the same folder, fsync, rename, fsync of the folder.
    package static func replace(_ destination: URL, with data: Data, permissions: mode_t) throws(Failure) {
        let folder = destination.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try create(temporary, data: data, permissions: permissions)
        } catch {
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let error = failure("rename to \(destination.path)")
            unlink(temporary.path)
            throw error
        }
        syncFolder(folder)
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
