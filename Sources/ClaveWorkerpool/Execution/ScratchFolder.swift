public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a worker makes its task folders when it is not told: a memory file system when the machine has one
/// (docs/worker.md, "Task folders").
///
/// A task folder holds the decrypted dataset, the app's output and the result before it is sealed, for the few
/// milliseconds a task takes, and is then removed. In memory, the plaintext of a protected dataset never reaches a
/// disk, as in an enclave, and creating and removing a dozen files per task costs no disk writes and no inode
/// allocation (on ext4, recently deleted inodes are skipped one by one when a file is created, which grew to a fifth
/// of a busy node's CPU). A dataset larger than the memory file system's free space fails the task with a worker
/// error; such a worker is given `--work-directory` on a disk.
public enum ScratchFolder {
    /// `/dev/shm/<name>` when `/dev/shm` is a writable tmpfs folder, else `<temporary folder>/<name>`.
    public static func `default`(named name: String) -> URL {
        memoryFileSystem.map { $0.appendingPathComponent(name) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(name)
    }

    /// `/dev/shm`, when the system's mount table has a tmpfs there and this process may write in it.
    static var memoryFileSystem: URL? {
        let path = "/dev/shm"
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return nil }
        let isTmpfs = mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == path && fields[2] == "tmpfs"
        }
        guard isTmpfs, access(path, W_OK | X_OK) == 0 else { return nil }
        return URL(fileURLWithPath: path)
    }
}
