import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes whole files so that a reader sees the old file or the new one, never part of one:
/// a temporary file in the same folder, fsync, rename, fsync of the folder.
enum AtomicFile {
    static func replace(_ destination: URL, with data: Data, permissions: mode_t) throws {
        let folder = destination.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw CLIError.systemFailure("create \(temporary.path)") }
        var written = 0
        let failure: CLIError? = data.withUnsafeBytes { raw in
            while written < raw.count {
                let result = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return CLIError.systemFailure("write \(temporary.path)")
                }
                written += result
            }
            return fsync(descriptor) == 0 ? nil : CLIError.systemFailure("fsync \(temporary.path)")
        }
        close(descriptor)
        if let failure {
            unlink(temporary.path)
            throw failure
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let error = CLIError.systemFailure("rename to \(destination.path)")
            unlink(temporary.path)
            throw error
        }
        let folderDescriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}
