import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on a file in the data directory, held while a node uses the directory, so that two nodes
/// never sequence blocks into the same ledger.
final class DirectoryLock: Sendable {
    private let descriptor: Mutex<Int32>

    /// Takes the lock on `url` (created if missing), or throws ``NodeError/Code/directoryInUse`` at once.
    init(_ url: URL, directory: URL) throws {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw NodeError(
                .corruptDirectory,
                "Could not open \(url.path): \(String(cString: strerror(errno))). Check the data directory's permissions."
            )
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw NodeError(
                .directoryInUse,
                "Another Clave node is running on \(directory.path). Stop it first, or give this one another data directory."
            )
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Lets another node use the directory. Releasing twice does nothing.
    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { release() }
}
