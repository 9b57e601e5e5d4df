import Foundation
import Testing

@testable import ClaveWorkerpool

@Suite struct ScratchFolderTests {
    /// The file system type of /dev/shm as `stat -f` reads it (statfs), or nil when there is no /dev/shm.
    static func fileSystemType(of path: String) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/stat")
        process.arguments = ["-f", "-c", "%T", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func taskFoldersAreInMemoryWhenTheMachineHasAMemoryFileSystem() throws {
        let folder = ScratchFolder.default(named: "clave-scratch-test")
        if try Self.fileSystemType(of: "/dev/shm") == "tmpfs" && access("/dev/shm", W_OK) == 0 {
            #expect(folder.path == "/dev/shm/clave-scratch-test")
        } else {
            #expect(folder == FileManager.default.temporaryDirectory.appendingPathComponent("clave-scratch-test"))
        }
        // The default of an executor's configuration is the same choice.
        #expect(
            TaskExecutor.Configuration().workDirectory.deletingLastPathComponent()
                == folder.deletingLastPathComponent())
    }
}
