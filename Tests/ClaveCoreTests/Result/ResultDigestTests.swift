import ClaveCore
import ClaveCrypto
import Testing

/// iExec's result digest rules against hashlib / eth-hash (Scripts/vectors/results.py).
@Suite struct ResultDigestTests {
    @Test func directoryVectors() throws {
        let cases = try ResultVectors.load().directories
        #expect(cases.count >= 7)
        for vector in cases {
            let entries = try vector.entries.map { entry in
                ResultDigest.Entry.file(
                    entry.name, sha256: try Bytes32(hex: entry.sha256),
                    byteCount: UInt64(try Hex.decode(entry.contents).count))
            }
            #expect(try ResultDigest.directory(entries).description == vector.digest, "\(vector.name)")
            #expect(try ResultDigest.directory(entries.reversed()).description == vector.digest, "\(vector.name)")
        }
    }

    /// The research note's two-file directory: a.txt = "a", b.txt = "b".
    @Test func twoFileDirectory() throws {
        let entries: [ResultDigest.Entry] = [
            .file(
                "b.txt", sha256: try Bytes32(hex: "0x3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"),
                byteCount: 1),
            .file(
                "a.txt", sha256: try Bytes32(hex: "0xca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
                byteCount: 1),
        ]
        #expect(
            try ResultDigest.directory(entries).description
                == "0x9357c59d3ff5027438ddab3b1655da04ba890e0a43fac9d9568f78941d4b5a1f")
        // A subdirectory contributes nothing.
        #expect(
            try ResultDigest.directory(entries + [ResultDigest.Entry(name: "sub", content: .directory)])
                == ResultDigest.directory(entries))
    }

    @Test func callbackVectors() throws {
        let cases = try ResultVectors.load().callbacks
        #expect(cases.count >= 4)
        for vector in cases {
            let digest = try ResultDigest.callback(Hex.decode(vector.data))
            #expect(digest.description == vector.digest)
            #expect(digest.description != vector.textDigest, "never the Rust port's hash of the hex text")
        }
        let one = try ResultDigest.callback([UInt8](repeating: 0, count: 31) + [1])
        #expect(one.description == "0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6")
    }

    @Test func emptyOutputsAreRefused() throws {
        let sha256OfNothing = try Bytes32(hex: "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let file = #expect(throws: ResultError.self) { try ResultDigest.file(sha256: sha256OfNothing, byteCount: 0) }
        #expect(file?.code == .emptyOutput)
        #expect(file?.message.hasPrefix("The deterministic output file is empty") == true)
        let directory = #expect(throws: ResultError.self) { try ResultDigest.directory([]) }
        #expect(directory?.code == .emptyOutput)
        #expect(directory?.message.hasPrefix("The deterministic output directory has no entries") == true)
        let callback = #expect(throws: ResultError.self) { try ResultDigest.callback([]) }
        #expect(callback?.code == .emptyOutput)
        #expect(callback?.path == "callback-data")
    }

    @Test(arguments: ["", ".", "..", "a/b", "/a"])
    func entryNamesMustBeDirectEntries(name: String) {
        let error = #expect(throws: ResultError.self) {
            try ResultDigest.directory([.file(name, sha256: .zero, byteCount: 1)])
        }
        #expect(error?.code == .invalidEntryName)
        #expect(error?.message.contains("is not the name of a direct entry") == true)
    }
}
