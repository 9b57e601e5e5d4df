package import Foundation

/// A temporary directory for one test, removed with everything in it when the last reference goes.
package final class TemporaryDirectory: Sendable {
    package let url: URL

    package init(prefix: String = "clave-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the directory.
    package func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `contents` to the file `name` inside the directory and returns its path.
    package func file(_ name: String, contents: String) throws -> String {
        let path = path(name)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
