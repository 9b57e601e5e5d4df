import ClaveCore
import ClaveTestSupport
import Foundation
import Testing

@testable import ClaveClient

/// How the requester unpacks a result archive: every file under the folder, nothing outside it, nothing twice.
@Suite struct ResultFolderTests {
    /// A zip of `entries` (name, contents; a name ending in `/` is a folder) in which each of the `rename` pairs is
    /// then replaced byte for byte, to make names Clave's writer refuses to write.
    func archive(_ entries: [(String, String)], renaming rename: [(String, String)] = []) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var zip = ZipWriter()
        let sink: ZipWriter.Sink = { bytes += $0 }
        for (name, contents) in entries {
            if name.hasSuffix("/") {
                try zip.addDirectory(name, to: sink)
            } else {
                try zip.addFile(name, contents: Array(contents.utf8), to: sink)
            }
        }
        try zip.finish(to: sink)
        for (from, to) in rename {
            let (old, new) = (Array(from.utf8), Array(to.utf8))
            precondition(old.count == new.count)
            var index = 0
            while index + old.count <= bytes.count {
                if Array(bytes[index..<index + old.count]) == old {
                    bytes.replaceSubrange(index..<index + old.count, with: new)
                }
                index += 1
            }
        }
        return bytes
    }

    @Test func theFilesAreUnpackedUnderTheFolderSorted() throws {
        let directory = try TemporaryDirectory(prefix: "result-folder")
        let folder = directory.url.appendingPathComponent("out")
        let files = try ResultFolder.unpack(
            bytes: archive([("result.txt", "hello"), ("logs/run.log", "ran"), ("computed.json", "{}")]), into: folder)
        #expect(files == ["computed.json", "logs/run.log", "result.txt"])
        #expect(try String(contentsOf: folder.appendingPathComponent("logs/run.log"), encoding: .utf8) == "ran")
        #expect(try String(contentsOf: folder.appendingPathComponent("result.txt"), encoding: .utf8) == "hello")
    }

    /// Each name is written valid, then patched in place to one of the same length that leaves the folder.
    @Test(arguments: [("zz/escape", "../escape"), ("zz/escape", "/z/escape"), ("zz/z/escape", "zz/./escape")])
    func aNameThatLeavesTheFolderIsRefused(written: String, patched: String) throws {
        let directory = try TemporaryDirectory(prefix: "result-folder")
        let folder = directory.url.appendingPathComponent("in/out")
        try FileManager.default.createDirectory(
            at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = try archive([(written, "x")], renaming: [(written, patched)])
        let error = #expect(throws: RequesterError.self) { try ResultFolder.unpack(bytes: bytes, into: folder) }
        #expect(error?.code == .resultInvalid)
        #expect(error?.message.contains(patched) == true)
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("in/escape").path))
    }

    @Test func aNameTwiceIsRefused() throws {
        let directory = try TemporaryDirectory(prefix: "result-folder")
        // The same name twice: the reader refuses the archive.
        let twice = try archive([("a.txt", "first"), ("b.txt", "second")], renaming: [("b.txt", "a.txt")])
        let error = #expect(throws: RequesterError.self) {
            try ResultFolder.unpack(bytes: twice, into: directory.url.appendingPathComponent("one"))
        }
        #expect(error?.code == .resultInvalid)
        #expect(error?.message.contains("a.txt") == true)
        // A folder and a file of the same name are two names to the reader, one path to the file system.
        let folderThenFile = try archive([("a.txt/", ""), ("a.txt", "second")])
        let clash = #expect(throws: RequesterError.self) {
            try ResultFolder.unpack(bytes: folderThenFile, into: directory.url.appendingPathComponent("two"))
        }
        #expect(clash?.code == .resultInvalid)
        #expect(clash?.message.contains("'a.txt' twice") == true)
    }

    @Test func aDamagedArchiveIsRefused() throws {
        let directory = try TemporaryDirectory(prefix: "result-folder")
        var bytes = try archive([("result.txt", "hello")])
        // The contents, after the 30-byte local header and the name: the CRC-32 no longer matches.
        bytes[30 + "result.txt".utf8.count] ^= 0x01
        let error = #expect(throws: RequesterError.self) {
            try ResultFolder.unpack(bytes: bytes, into: directory.url.appendingPathComponent("out"))
        }
        #expect(error?.code == .resultInvalid)
        let truncated = #expect(throws: RequesterError.self) {
            try ResultFolder.unpack(bytes: Array(bytes.prefix(40)), into: directory.url.appendingPathComponent("cut"))
        }
        #expect(truncated?.code == .resultInvalid)
    }
}
