import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Foundation
import Testing

/// Sealing results to a beneficiary and opening them: round trips in memory and on disk, and every refusal, with no
/// plaintext left behind.
@Suite struct ResultEncryptionTests {
    static let beneficiary = ResultKey.derive(from: TestAccount(1).key)
    static let taskId = Bytes32(uint64: 0x7A5C)

    static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// The code of what `body` throws, or nil.
    static func refusal(_ body: () throws -> Void) -> ResultError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ResultError
        }
    }

    // MARK: The result key

    @Test func resultKeyIsDerivedDeterministicallyPerAccount() throws {
        let account = TestAccount(1).key
        #expect(ResultKey.derive(from: account).rawRepresentation == ResultKey.derive(from: account).rawRepresentation)
        #expect(ResultKey.derive(from: account).publicKey != ResultKey.derive(from: TestAccount(2).key).publicKey)
        #expect(ResultKey.derive(from: account).rawRepresentation != account.rawRepresentation)
    }

    // MARK: Round trips

    @Test(arguments: [0, 1, 15, 16, 17, 64, 1000, 4096])
    func roundTripInMemory(count: Int) throws {
        let plaintext = Self.bytes(count)
        let sealed = try ResultEncryption.seal(
            plaintext, recipient: Self.beneficiary.publicKey, taskId: Self.taskId, segmentSize: 16)
        #expect(ResultEncryption.isSealed(sealed))
        #expect(sealed.starts(with: Array("clave-result-v1".utf8) + [0] + Self.taskId.bytes))
        #expect(try ResultEncryption.open(sealed, key: Self.beneficiary, taskId: Self.taskId) == plaintext)
    }

    @Test(arguments: [0, 1, 65_536, 65_537, 200_000])
    func roundTripFiles(count: Int) throws {
        let folder = try TemporaryDirectory()
        let plain = folder.url.appendingPathComponent("result.zip")
        let sealed = folder.url.appendingPathComponent("result.sealed")
        let opened = folder.url.appendingPathComponent("opened.zip")
        let plaintext = Self.bytes(count, seed: UInt64(count))
        try Data(plaintext).write(to: plain)
        try ResultEncryption.seal(
            fileAt: plain, to: sealed, recipient: Self.beneficiary.publicKey, taskId: Self.taskId)
        let sealedBytes = try Array(Data(contentsOf: sealed))
        #expect(ResultEncryption.isSealed(sealedBytes.prefix(16)))
        // The file and memory forms are one format.
        #expect(try ResultEncryption.open(sealedBytes, key: Self.beneficiary, taskId: Self.taskId) == plaintext)
        try ResultEncryption.open(fileAt: sealed, to: opened, key: Self.beneficiary, taskId: Self.taskId)
        #expect(try Array(Data(contentsOf: opened)) == plaintext)
        #expect(try Self.leftovers(folder) == ["opened.zip", "result.sealed", "result.zip"])
    }

    /// One sealing seals a task's result and its logs: one envelope (the same first 143 bytes), two streams of their
    /// own salts, each opened alone with the beneficiary's key, from memory or from a file; another key opens neither.
    @Test func oneSealingSealsSeveralPlaintextsThatOpenAlone() throws {
        let folder = try TemporaryDirectory()
        let sealing = try ResultEncryption.Sealing(recipient: Self.beneficiary.publicKey, taskId: Self.taskId)
        let (result, logs) = (Self.bytes(3000, seed: 2), Array("== stdout ==\nhello\n".utf8))
        let sealedResult = try sealing.seal(result, segmentSize: 64)
        let plainFile = folder.url.appendingPathComponent("logs.txt")
        let sealedFile = folder.url.appendingPathComponent("logs.sealed")
        try Data(logs).write(to: plainFile)
        try sealing.seal(fileAt: plainFile, to: sealedFile)
        let sealedLogs = try Array(Data(contentsOf: sealedFile))
        let prefixCount = ResultEncryption.prefixByteCount + ResultEncryption.envelopeByteCount
        #expect(sealedResult.prefix(prefixCount) == sealedLogs.prefix(prefixCount))
        // The streams' headers (segment size, salt, nonce prefix) differ: the salts are fresh for each.
        #expect(sealedResult.dropFirst(prefixCount).prefix(48) != sealedLogs.dropFirst(prefixCount).prefix(48))
        #expect(try ResultEncryption.open(sealedResult, key: Self.beneficiary, taskId: Self.taskId) == result)
        #expect(try ResultEncryption.open(sealedLogs, key: Self.beneficiary, taskId: Self.taskId) == logs)
        let stranger = ResultKey.derive(from: TestAccount(2).key)
        #expect(
            Self.refusal { _ = try ResultEncryption.open(sealedLogs, key: stranger, taskId: Self.taskId) }?.code
                == .sealedResultRefused)
    }

    @Test func isSealedNeedsTheWholeMagic() {
        #expect(!ResultEncryption.isSealed(Array("clave-result-v1".utf8)))
        #expect(!ResultEncryption.isSealed(Array("PK\u{3}\u{4}0123456789abcdef".utf8)))
        #expect(ResultEncryption.isSealed(ResultEncryption.magic))
    }

    // MARK: Refusals

    static func sealedSample() throws -> [UInt8] {
        try ResultEncryption.seal(
            Self.bytes(100), recipient: Self.beneficiary.publicKey, taskId: Self.taskId, segmentSize: 32)
    }

    @Test func refusesAnotherKey() throws {
        let sealed = try Self.sealedSample()
        let error = Self.refusal {
            _ = try ResultEncryption.open(sealed, key: ResultKey.derive(from: TestAccount(2).key), taskId: Self.taskId)
        }
        #expect(error?.code == .sealedResultRefused)
    }

    @Test func refusesAnotherTask() throws {
        let sealed = try Self.sealedSample()
        let error = Self.refusal {
            _ = try ResultEncryption.open(sealed, key: Self.beneficiary, taskId: Bytes32(uint64: 1))
        }
        #expect(error?.code == .sealedForAnotherTask)
        #expect(error?.message.contains(Self.taskId.description) == true)
    }

    @Test func refusesARelabelledTask() throws {
        // Changing the task id in the clear to the one asked for does not help: the envelope is bound to it.
        var sealed = try Self.sealedSample()
        let other = Bytes32(uint64: 1)
        sealed.replaceSubrange(16..<48, with: other.bytes)
        let error = Self.refusal { _ = try ResultEncryption.open(sealed, key: Self.beneficiary, taskId: other) }
        #expect(error?.code == .sealedResultRefused)
    }

    @Test func refusesEveryFlippedByte() throws {
        let sealed = try Self.sealedSample()
        for index in sealed.indices {
            var altered = sealed
            altered[index] ^= 0x01
            let error = Self.refusal {
                _ = try ResultEncryption.open(altered, key: Self.beneficiary, taskId: Self.taskId)
            }
            let expected: Set<ResultError.Code> =
                switch index {
                case 0..<16: [.notASealedResult]
                case 16..<48: [.sealedForAnotherTask]
                case 48..<52: [.malformedSealedResult]
                case 52..<56: [.malformedSealedResult]  // CLHP
                case 56..<63: [.malformedSealedResult]  // the envelope's version and suite
                default: [.sealedResultRefused]
                }
            #expect(error.map { expected.contains($0.code) } == true, "byte \(index): \(String(describing: error))")
        }
    }

    @Test func refusesEveryTruncation() throws {
        let sealed = try Self.sealedSample()
        for count in 0..<sealed.count {
            let error = Self.refusal {
                _ = try ResultEncryption.open(sealed.prefix(count), key: Self.beneficiary, taskId: Self.taskId)
            }
            #expect(error != nil, "\(count) bytes opened")
        }
        // And an extension.
        let error = Self.refusal {
            _ = try ResultEncryption.open(sealed + [0], key: Self.beneficiary, taskId: Self.taskId)
        }
        #expect(error?.code == .sealedResultRefused)
    }

    @Test func refusesWhatIsNotASealedResult() {
        for bytes in [
            [], Array("PK\u{3}\u{4}".utf8) + [UInt8](repeating: 0, count: 100), Array("clave-result-v2\0".utf8),
        ] {
            let error = Self.refusal {
                _ = try ResultEncryption.open(bytes, key: Self.beneficiary, taskId: Self.taskId)
            }
            #expect(error?.code == .notASealedResult)
        }
    }

    @Test func fileRefusalsLeaveNoOutput() throws {
        let folder = try TemporaryDirectory()
        let plain = folder.url.appendingPathComponent("result.zip")
        let sealed = folder.url.appendingPathComponent("result.sealed")
        try Data(Self.bytes(300_000)).write(to: plain)
        try ResultEncryption.seal(fileAt: plain, to: sealed, recipient: Self.beneficiary.publicKey, taskId: Self.taskId)
        let good = try Array(Data(contentsOf: sealed))
        let opened = folder.url.appendingPathComponent("opened.zip")

        var lastSegment = good
        lastSegment[lastSegment.count - 1] ^= 0x80
        var middle = good
        middle[good.count / 2] ^= 0x01
        let cases: [(String, [UInt8], X25519PrivateKey, Bytes32, ResultError.Code)] = [
            ("wrong key", good, ResultKey.derive(from: TestAccount(9).key), Self.taskId, .sealedResultRefused),
            ("wrong task", good, Self.beneficiary, Bytes32(uint64: 2), .sealedForAnotherTask),
            ("last byte flipped", lastSegment, Self.beneficiary, Self.taskId, .sealedResultRefused),
            ("middle byte flipped", middle, Self.beneficiary, Self.taskId, .sealedResultRefused),
            ("truncated", Array(good.dropLast(17)), Self.beneficiary, Self.taskId, .sealedResultRefused),
            ("plain zip", try Array(Data(contentsOf: plain)), Self.beneficiary, Self.taskId, .notASealedResult),
        ]
        for (name, bytes, key, task, code) in cases {
            let source = folder.url.appendingPathComponent("case.sealed")
            try Data(bytes).write(to: source)
            let error = Self.refusal { try ResultEncryption.open(fileAt: source, to: opened, key: key, taskId: task) }
            #expect(error?.code == code, "\(name): \(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: opened.path), "\(name) left output")
            #expect(try Self.leftovers(folder) == ["case.sealed", "result.sealed", "result.zip"], "\(name)")
        }
    }

    @Test func refusalKeepsAnExistingDestination() throws {
        let folder = try TemporaryDirectory()
        let source = folder.url.appendingPathComponent("bad.sealed")
        let destination = folder.url.appendingPathComponent("out.zip")
        try Data("previous".utf8).write(to: destination)
        var sealed = try Self.sealedSample()
        sealed[sealed.count - 1] ^= 1
        try Data(sealed).write(to: source)
        let error = Self.refusal {
            try ResultEncryption.open(fileAt: source, to: destination, key: Self.beneficiary, taskId: Self.taskId)
        }
        #expect(error?.code == .sealedResultRefused)
        #expect(try String(contentsOf: destination, encoding: .utf8) == "previous")
    }

    @Test func missingSourceIsAnIOError() throws {
        let folder = try TemporaryDirectory()
        let error = Self.refusal {
            try ResultEncryption.open(
                fileAt: folder.url.appendingPathComponent("nothing"), to: folder.url.appendingPathComponent("out"),
                key: Self.beneficiary, taskId: Self.taskId)
        }
        #expect(error?.code == .io)
        #expect(try Self.leftovers(folder).isEmpty)
    }

    static func leftovers(_ folder: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
    }
}
