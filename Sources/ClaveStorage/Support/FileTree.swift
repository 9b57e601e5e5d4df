package import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Folders and files made and removed with a system call each, for the per-task folders of workers and requesters:
/// FileManager's `createDirectory`, `createFile` and `removeItem` cost several times as many calls (stat before, the
/// attributes after, a temporary file and a rename for a new file), a few percent of a trivial task's work.
package enum FileTree {
    /// Removes `url` and everything under it, without following symbolic links; nothing when nothing is there. What
    /// cannot be removed is left.
    package static func remove(_ url: URL) {
        let path = url.path
        if unlink(path) == 0 || errno == ENOENT { return }
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return }
        empty(folder)
        rmdir(path)
    }

    /// Removes everything in the open folder `descriptor`, which is closed.
    private static func empty(_ descriptor: Int32) {
        guard let folder = fdopendir(descriptor) else {
            close(descriptor)
            return
        }
        defer { closedir(folder) }
        FolderEntries.each(in: folder) { name in
            if unlinkat(descriptor, name, 0) == 0 { return }
            guard errno == EISDIR || errno == EPERM else { return }
            let child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { return }
            empty(child)
            unlinkat(descriptor, name, AT_REMOVEDIR)
        }
    }

    /// Makes the folder `url` with `permissions` (exactly: the process's umask does not narrow them). Its parent must
    /// exist, unless `parents` is given: then the missing ones are made with those permissions.
    package static func makeFolder(
        _ url: URL, permissions: mode_t = 0o755, parents: mode_t? = nil
    ) throws(FileTreeError) {
        let path = url.path
        var code = mkdir(path, permissions) == 0 ? 0 : errno
        if code == ENOENT, let parents {
            makeParents(of: url, permissions: parents)
            code = mkdir(path, permissions) == 0 ? 0 : errno
        }
        guard code == 0 else { throw FileTreeError(errno: code, "make the folder", path) }
        guard chmod(path, permissions) == 0 else { throw FileTreeError(errno: errno, "set the permissions of", path) }
    }

    /// Makes the missing folders above `url`, as far as it can: the `mkdir` of `url` that follows says what failed.
    private static func makeParents(of url: URL, permissions: mode_t) {
        let parent = url.deletingLastPathComponent()
        guard parent.path != url.path else { return }
        if mkdir(parent.path, permissions) != 0 {
            guard errno == ENOENT else { return }
            makeParents(of: parent, permissions: permissions)
            guard mkdir(parent.path, permissions) == 0 else { return }
        }
        chmod(parent.path, permissions)
    }

    /// Creates the file `url`, which must not exist, and hands `body` a function that appends bytes to it; the file
    /// is closed afterwards (not flushed to disk).
    package static func writeFile(
        _ url: URL, permissions: mode_t = 0o644, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let path = url.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw FileTreeError(errno: errno, "create", path) }
        defer { close(descriptor) }
        try body { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileTreeError(errno: errno, "write", path)
                }
                offset += written
            }
        }
    }
}

extension FileTree {
    /// The whole content of the file `url`, read with `read(2)`. Foundation's `FileManager.contents(atPath:)` leaks
    /// its buffer for an empty file in this toolchain (about 4 KB a call, found with heaptrack): a worker reads an
    /// app's standard error, mostly empty, for every task.
    package static func readFile(_ url: URL) throws(FileTreeError) -> [UInt8] {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileTreeError(errno: errno, "open", path) }
        defer { close(descriptor) }
        var info = stat()
        var bytes: [UInt8] = []
        // The size is a hint: the file may grow or shrink while it is read, and some report none.
        if fstat(descriptor, &info) == 0, info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileTreeError(errno: errno, "read", path)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }
}

/// A file or folder that could not be made or written, with the system's reason.
package struct FileTreeError: Error, CustomStringConvertible {
    /// The system's error number (`ENOENT`, ...).
    package let code: Int32
    package let description: String

    init(errno code: Int32, _ action: String, _ path: String) {
        self.code = code
        description = "Cannot \(action) \(path): \(String(cString: strerror(code)))."
    }
}
