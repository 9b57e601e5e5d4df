import ClaveStorage
import ClaveTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// FileTree: the per-task folders, made and removed with a system call each.
@Suite struct FileTreeTests {
    func permissions(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func removeTakesANestedTreeWithoutFollowingLinks() throws {
        let directory = try TemporaryDirectory(prefix: "file-tree")
        let manager = FileManager.default
        let outside = directory.url.appendingPathComponent("outside")
        try manager.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: outside.appendingPathComponent("kept.txt"))
        let tree = directory.url.appendingPathComponent("tree")
        try manager.createDirectory(at: tree.appendingPathComponent("a/b/c"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: tree.appendingPathComponent("a/b/c/deep.txt"))
        try Data("y".utf8).write(to: tree.appendingPathComponent("top.txt"))
        try manager.createSymbolicLink(at: tree.appendingPathComponent("a/link"), withDestinationURL: outside)
        try manager.setAttributes([.posixPermissions: 0o500], ofItemAtPath: tree.appendingPathComponent("a/b").path)

        FileTree.remove(tree)
        #expect(!manager.fileExists(atPath: tree.path))
        #expect(try String(contentsOf: outside.appendingPathComponent("kept.txt"), encoding: .utf8) == "keep")

        // A file, and then nothing: both are fine.
        let file = directory.url.appendingPathComponent("file.txt")
        try Data("z".utf8).write(to: file)
        FileTree.remove(file)
        #expect(!manager.fileExists(atPath: file.path))
        FileTree.remove(file)
    }

    @Test func makeFolderSetsExactlyThePermissionsAndMakesParentsOnlyWhenAsked() throws {
        let directory = try TemporaryDirectory(prefix: "file-tree")
        // 0o777 is wider than any umask lets mkdir make: the folder gets it all the same.
        let open = directory.url.appendingPathComponent("open")
        try FileTree.makeFolder(open, permissions: 0o777)
        #expect(try permissions(open) == 0o777)

        let nested = directory.url.appendingPathComponent("work/tasks/task-1")
        let missing = #expect(throws: FileTreeError.self) { try FileTree.makeFolder(nested, permissions: 0o700) }
        #expect(missing?.code == ENOENT)
        #expect(missing?.description.contains(nested.path) == true)

        try FileTree.makeFolder(nested, permissions: 0o700, parents: 0o711)
        #expect(try permissions(nested) == 0o700)
        #expect(try permissions(nested.deletingLastPathComponent()) == 0o711)
        #expect(try permissions(directory.url.appendingPathComponent("work")) == 0o711)

        let again = #expect(throws: FileTreeError.self) { try FileTree.makeFolder(nested, permissions: 0o700) }
        #expect(again?.code == EEXIST)
    }

    @Test func readFileReadsEmptySmallAndMultiChunkFilesAndRefusesAMissingOne() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.url.appendingPathComponent("empty")
        try Data().write(to: empty)
        #expect(try FileTree.readFile(empty) == [])
        let small = directory.url.appendingPathComponent("small")
        try Data("hello\n".utf8).write(to: small)
        #expect(try FileTree.readFile(small) == Array("hello\n".utf8))
        // Larger than one 64 KB read.
        let large = directory.url.appendingPathComponent("large")
        let content = (0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: large)
        #expect(try FileTree.readFile(large) == content)
        let missing = #expect(throws: FileTreeError.self) {
            try FileTree.readFile(directory.url.appendingPathComponent("missing"))
        }
        #expect(missing?.code == ENOENT)
        #expect(missing?.description.contains("Cannot open") == true)
    }

    @Test func writeFileCreatesANewFileOnly() throws {
        let directory = try TemporaryDirectory(prefix: "file-tree")
        let file = directory.url.appendingPathComponent("result.txt")
        try FileTree.writeFile(file) { append in
            try Array("hello, ".utf8).withUnsafeBytes(append)
            try Array("world".utf8).withUnsafeBytes(append)
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == "hello, world")

        let twice = #expect(throws: FileTreeError.self) { try FileTree.writeFile(file) { _ in } }
        #expect(twice?.code == EEXIST)
        #expect(try String(contentsOf: file, encoding: .utf8) == "hello, world")
    }
}
