import ClaveCore
import ClaveCrypto
import ClaveRuntime
import ClaveTestSupport
import Foundation
import Testing

/// `$IEXEC_OUT` zipped deterministically: byte-identical for the same folder, readable by other zip readers, and
/// refusing what a result cannot hold.
@Suite struct ResultArchiveTests {
    /// A sample output: files at two depths, an empty file, an empty directory, a file larger than a read chunk.
    static func sampleOutput(in folder: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("out/sub"), withIntermediateDirectories: true)
        try manager.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: folder.appendingPathComponent("result.txt"))
        try Data(
            "{\"deterministic-output-path\":\"/iexec_out/out\"}".utf8
        ).write(to: folder.appendingPathComponent("computed.json"))
        try Data("a".utf8).write(to: folder.appendingPathComponent("out/a.txt"))
        try Data("B".utf8).write(to: folder.appendingPathComponent("out/B.txt"))
        try Data().write(to: folder.appendingPathComponent("out/empty"))
        try Data("deep".utf8).write(to: folder.appendingPathComponent("out/sub/deep.txt"))
        var generator = SplitMix64(seed: 7)
        let large = (0..<(1 << 20) + 123).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        try Data(large).write(to: folder.appendingPathComponent("out/large.bin"))
    }

    @Test func sameFolderGivesTheSameBytes() throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try Self.sampleOutput(in: first.url)
        try Self.sampleOutput(in: second.url)
        // Other times and modes change nothing.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 0), .posixPermissions: 0o600],
            ofItemAtPath: second.path("result.txt"))
        let a = work.url.appendingPathComponent("a.zip")
        let b = work.url.appendingPathComponent("b.zip")
        try ResultArchive.write(directory: first.url, to: a)
        try ResultArchive.write(directory: second.url, to: b)
        try ResultArchive.write(directory: first.url, to: b)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.url.path).sorted() == ["a.zip", "b.zip"])
    }

    @Test func entriesAreSortedWithDirectories() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try Self.sampleOutput(in: output.url)
        let zipURL = work.url.appendingPathComponent("result.zip")
        try ResultArchive.write(directory: output.url, to: zipURL)
        let zip = try ZipReader(bytes: Array(Data(contentsOf: zipURL)))
        #expect(
            zip.entries.map(\.name) == [
                "computed.json", "empty/", "out/", "out/B.txt", "out/a.txt", "out/empty", "out/large.bin", "out/sub/",
                "out/sub/deep.txt", "result.txt",
            ])
        #expect(try zip.contents(of: #require(zip.entry(named: "result.txt"))) == Array("hello\n".utf8))
    }

    /// The archive in memory is the file's bytes; a folder whose files hold more than the maximum is written to the
    /// file instead, and only then.
    @Test func theArchiveInMemoryIsTheSameBytes() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try Self.sampleOutput(in: output.url)
        let zipURL = work.url.appendingPathComponent("result.zip")
        try ResultArchive.write(directory: output.url, to: zipURL)
        let file = Array(try Data(contentsOf: zipURL))
        var total: UInt64 = 0
        for case let url as URL in FileManager.default.enumerator(at: output.url, includingPropertiesForKeys: nil)!
        where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            total += UInt64(try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0)
        }
        let spare = work.url.appendingPathComponent("spare.zip")
        #expect(try ResultArchive.make(directory: output.url, inMemoryUpTo: 1 << 30, orAt: spare) == file)
        #expect(try ResultArchive.make(directory: output.url, inMemoryUpTo: total, orAt: spare) == file)
        #expect(!FileManager.default.fileExists(atPath: spare.path))
        #expect(try ResultArchive.make(directory: output.url, inMemoryUpTo: total - 1, orAt: spare) == nil)
        #expect(Array(try Data(contentsOf: spare)) == file)
        let missing = #expect(throws: RuntimeError.self) {
            try ResultArchive.make(
                directory: work.url.appendingPathComponent("none"), inMemoryUpTo: 1 << 30, orAt: spare)
        }
        #expect(missing?.code == .io)
    }

    @Test func anEmptyFolderIsAnEmptyArchive() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        let zipURL = work.url.appendingPathComponent("result.zip")
        try ResultArchive.write(directory: output.url, to: zipURL)
        #expect(try ZipReader(bytes: Array(Data(contentsOf: zipURL))).entries.isEmpty)
    }

    @Test func otherReadersReadIt() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try Self.sampleOutput(in: output.url)
        let zipURL = work.url.appendingPathComponent("result.zip")
        try ResultArchive.write(directory: output.url, to: zipURL)
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                names = z.namelist()
                assert names == sorted(names, key=lambda n: n.encode()), names
                assert z.read("out/sub/deep.txt") == b"deep"
                print(len(names))
            """
        for (tool, arguments) in [("python3", ["-c", script, zipURL.path]), ("unzip", ["-t", zipURL.path])] {
            guard let path = Self.which(tool) else { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(tool) did not read the archive")
        }
    }

    @Test func refusesSymbolicLinks() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try Data("x".utf8).write(to: output.url.appendingPathComponent("real.txt"))
        try FileManager.default.createSymbolicLink(atPath: output.path("link.txt"), withDestinationPath: "/etc/passwd")
        let destination = work.url.appendingPathComponent("result.zip")
        do {
            try ResultArchive.write(directory: output.url, to: destination)
            Issue.record("a symbolic link was archived")
        } catch {
            #expect(error.code == .invalidOutput)
            #expect(error.message.contains("link.txt"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.url.path).isEmpty)
    }

    @Test func refusesNamesAZipCannotCarry() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try Data("x".utf8).write(to: output.url.appendingPathComponent("résultat.txt"))
        #expect(throws: RuntimeError.self) {
            try ResultArchive.write(directory: output.url, to: work.url.appendingPathComponent("result.zip"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.url.path).isEmpty)
    }

    static func which(_ tool: String) -> String? {
        for folder in ["/usr/bin", "/bin", "/usr/local/bin"]
        where FileManager.default.isExecutableFile(
            atPath: "\(folder)/\(tool)")
        {
            return "\(folder)/\(tool)"
        }
        return nil
    }
}
