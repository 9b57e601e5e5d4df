import ClaveCrypto
import Foundation
import ClaveTestSupport
import Testing

/// clave-stream-v1 through files and file handles.
@Suite struct StreamFileTests {
    /// Runs `body` in a fresh temporary directory, removed afterwards.
    static func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let directory = try TemporaryDirectory(prefix: "clave-stream")
        try body(directory.url)
    }

    @Test func fileRoundTrip() throws {
        try Self.withTemporaryDirectory { directory in
            let plaintext = Data(StreamFixture.bytes(5 * 1024 * 1024 + 12_345, seed: 5))
            let source = directory.appendingPathComponent("data.bin")
            let sealed = directory.appendingPathComponent("data.bin.clave")
            let opened = directory.appendingPathComponent("data.out")
            try plaintext.write(to: source)
            let key = StreamKey.generate()

            try ClaveStream.sealFile(at: source, to: sealed, key: key)
            let sealedBytes = try Data(contentsOf: sealed)
            #expect(sealedBytes.count == ClaveStream.sealedByteCount(plaintextByteCount: plaintext.count))
            // The file is the same stream the in-memory opener reads.
            #expect(try ClaveStream.open(sealedBytes, key: key) == plaintext)

            try ClaveStream.openFile(at: sealed, to: opened, key: key)
            #expect(try Data(contentsOf: opened) == plaintext)
            // Only the three files: no temporary files left behind.
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                    "data.bin", "data.bin.clave", "data.out",
                ])
        }
    }

    @Test(arguments: [0, 1, 16, 17, 64])
    func fileRoundTripSmallSegments(size: Int) throws {
        try Self.withTemporaryDirectory { directory in
            let plaintext = Data(StreamFixture.bytes(size, seed: 6))
            let source = directory.appendingPathComponent("in")
            try plaintext.write(to: source)
            try ClaveStream.sealFile(
                at: source, to: directory.appendingPathComponent("sealed"), key: StreamFixture.key, segmentSize: 16)
            let sealed = try Data(contentsOf: directory.appendingPathComponent("sealed"))
            #expect(try ClaveStream.open(sealed, key: StreamFixture.key) == plaintext)
            try ClaveStream.openFile(
                at: directory.appendingPathComponent("sealed"), to: directory.appendingPathComponent("out"),
                key: StreamFixture.key)
            #expect(try Data(contentsOf: directory.appendingPathComponent("out")) == plaintext)
        }
    }

    /// A damaged file is refused, and the destination is neither created nor, if it exists, touched.
    @Test func damagedFileLeavesTheDestinationAlone() throws {
        try Self.withTemporaryDirectory { directory in
            var sealed = try StreamFixture.seal(StreamFixture.bytes(300_000), segmentSize: 65_536)
            sealed[200_000] ^= 1
            let source = directory.appendingPathComponent("sealed")
            try Data(sealed).write(to: source)
            let destination = directory.appendingPathComponent("out")

            #expect(throws: CryptoError.self) {
                try ClaveStream.openFile(at: source, to: destination, key: StreamFixture.key)
            }
            #expect(!FileManager.default.fileExists(atPath: destination.path))

            try Data("previous".utf8).write(to: destination)
            let error = #expect(throws: CryptoError.self) {
                try ClaveStream.openFile(at: source, to: destination, key: StreamFixture.key)
            }
            #expect(error?.code == .authenticationFailed)
            #expect(try Data(contentsOf: destination) == Data("previous".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["out", "sealed"])
        }
    }

    @Test func truncatedFileIsRefused() throws {
        try Self.withTemporaryDirectory { directory in
            let sealed = try StreamFixture.seal(StreamFixture.bytes(200_000), segmentSize: 65_536)
            let source = directory.appendingPathComponent("sealed")
            // Cut exactly after the third segment: every remaining segment is intact.
            try Data(sealed.prefix(48 + 3 * (65_536 + 16))).write(to: source)
            let error = #expect(throws: CryptoError.self) {
                try ClaveStream.openFile(
                    at: source, to: directory.appendingPathComponent("out"), key: StreamFixture.key)
            }
            #expect(error?.code == .authenticationFailed)
            #expect(error?.message.contains("truncated") == true)
        }
    }

    @Test func missingSourceIsAnIOError() throws {
        try Self.withTemporaryDirectory { directory in
            let error = #expect(throws: CryptoError.self) {
                try ClaveStream.sealFile(
                    at: directory.appendingPathComponent("absent"), to: directory.appendingPathComponent("out"),
                    key: StreamFixture.key)
            }
            #expect(error?.code == .io)
            #expect(error?.message.contains("absent") == true)
        }
    }

    /// FileHandle variants, through a pipe for the input so that reads come back short.
    @Test func fileHandlesAndPipes() throws {
        try Self.withTemporaryDirectory { directory in
            let plaintext = StreamFixture.bytes(1_000_003, seed: 8)
            let pipe = Pipe()
            let writer = Thread {
                try? pipe.fileHandleForWriting.write(contentsOf: plaintext)
                try? pipe.fileHandleForWriting.close()
            }
            writer.start()
            let sealedURL = directory.appendingPathComponent("sealed")
            _ = FileManager.default.createFile(atPath: sealedURL.path, contents: nil)
            let sealedHandle = try FileHandle(forWritingTo: sealedURL)
            try ClaveStream.seal(
                from: pipe.fileHandleForReading, to: sealedHandle, key: StreamFixture.key, segmentSize: 4096)
            try sealedHandle.close()

            let input = try FileHandle(forReadingFrom: sealedURL)
            let openedURL = directory.appendingPathComponent("opened")
            _ = FileManager.default.createFile(atPath: openedURL.path, contents: nil)
            let output = try FileHandle(forWritingTo: openedURL)
            try ClaveStream.open(from: input, to: output, key: StreamFixture.key)
            try input.close()
            try output.close()
            #expect(try Data(contentsOf: openedURL) == Data(plaintext))
        }
    }
}
