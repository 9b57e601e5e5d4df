import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files and folders written so that they survive a crash once the call returns: written, then fsync'ed.
enum DurableFile {
    /// Creates `url` (which must not exist) holding `data`, with `permissions`, and fsyncs it.
    static func create(_ url: URL, data: Data, permissions: mode_t) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw failure("create \(url.path)") }
        defer { close(descriptor) }
        var written = 0
        let error: NodeError? = data.withUnsafeBytes { raw in
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

    /// Creates the folder `url` with `permissions` (its parent must exist).
    static func makeFolder(_ url: URL, permissions: mode_t) throws {
        guard mkdir(url.path, permissions) == 0 else { throw failure("create the folder \(url.path)") }
    }

    /// fsyncs a folder, so that the names created or renamed in it are durable.
    static func syncFolder(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// A failed system call, with the system's reason.
    static func failure(_ action: String) -> NodeError {
        NodeError(.creationFailed, "Could not \(action): \(String(cString: strerror(errno))).")
    }
}
