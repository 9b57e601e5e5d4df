import ClaveCore
import ClaveCrypto
import ClaveRuntime
import ClaveTestSupport
import Foundation
import Testing

/// The result digest of a run's output folder, as iExec computes it, and the same digest recomputed by a verifier from
/// the result archive.
@Suite struct OutputDigestTests {
    static func computed(_ path: String?, callback: [UInt8]? = nil) throws -> ComputedFile {
        try ComputedFile(deterministicOutputPath: path, callbackData: callback)
    }

    static func refusal(_ body: () throws -> Void) -> ResultError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ResultError
        }
    }

    @Test func fileDigestIsItsSha256() throws {
        let output = try TemporaryDirectory()
        try Data("hello\n".utf8).write(to: output.url.appendingPathComponent("result.txt"))
        for path in ["/iexec_out/result.txt", "result.txt", "./result.txt"] {
            let digest = try OutputDigest.compute(output: output.url, computed: Self.computed(path))
            // docs/formats/result.md's one-file vector.
            #expect(digest.description == "0x5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        }
    }

    @Test func directoryDigestFollowsIExec() throws {
        let output = try TemporaryDirectory()
        let folder = output.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: folder.appendingPathComponent("a.txt"))
        try Data("b".utf8).write(to: folder.appendingPathComponent("b.txt"))
        try Data().write(to: folder.appendingPathComponent("empty"))
        try Data("ignored".utf8).write(to: folder.appendingPathComponent("sub/deep.txt"))
        let digest = try OutputDigest.compute(output: output.url, computed: Self.computed("/iexec_out/out"))
        // docs/formats/result.md's two-file vector: an empty file and a subdirectory add nothing.
        #expect(digest.description == "0x9357c59d3ff5027438ddab3b1655da04ba890e0a43fac9d9568f78941d4b5a1f")
    }

    @Test func callbackDigestIgnoresTheFolder() throws {
        let output = try TemporaryDirectory()
        let data = [UInt8](repeating: 0, count: 31) + [1]
        let digest = try OutputDigest.compute(output: output.url, computed: Self.computed(nil, callback: data))
        #expect(digest.description == "0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6")
    }

    @Test func readsComputedJSONFromTheFolder() throws {
        let output = try TemporaryDirectory()
        try Data("hello\n".utf8).write(to: output.url.appendingPathComponent("result.txt"))
        try Data("{\"deterministic-output-path\":\"/iexec_out/result.txt\"}".utf8)
            .write(to: output.url.appendingPathComponent("computed.json"))
        let (computed, digest) = try OutputDigest.compute(output: output.url)
        #expect(computed.outputPathInIexecOut == "result.txt")
        #expect(digest == SHA256Hasher.hash(Array("hello\n".utf8)))
    }

    @Test func refusesWhatIsMissingOrNotAFile() throws {
        let output = try TemporaryDirectory()
        #expect(Self.refusal { _ = try OutputDigest.compute(output: output.url) }?.code == .missingOutput)
        let missing = Self.refusal {
            _ = try OutputDigest.compute(output: output.url, computed: Self.computed("/iexec_out/nothing.txt"))
        }
        #expect(missing?.code == .outputNotFound)
        #expect(missing?.message.contains("/iexec_out/nothing.txt") == true)
        try FileManager.default.createSymbolicLink(atPath: output.path("link"), withDestinationPath: "/etc/hostname")
        let link = Self.refusal {
            _ = try OutputDigest.compute(output: output.url, computed: Self.computed("link"))
        }
        #expect(link?.code == .unsupportedOutputEntry)
        try Data().write(to: output.url.appendingPathComponent("empty.txt"))
        let empty = Self.refusal {
            _ = try OutputDigest.compute(output: output.url, computed: Self.computed("empty.txt"))
        }
        #expect(empty?.code == .emptyOutput)
    }

    /// The verifier's digest, from the archive, is the worker's, from the folder: for a file, a directory and the
    /// whole output.
    @Test(arguments: ["/iexec_out/result.txt", "/iexec_out/out", "/iexec_out/out/sub", "/iexec_out"])
    func archiveAndFolderAgree(path: String) throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try ResultArchiveTests.sampleOutput(in: output.url)
        let digest = try OutputDigest.compute(output: output.url, computed: Self.computed(path))
        let zipURL = work.url.appendingPathComponent("result.zip")
        try ResultArchive.write(directory: output.url, to: zipURL)
        let worker = TestAccount(10)
        let enclave = TestAccount(30)
        func receipt(_ digest: Bytes32) -> ResultReceipt {
            ResultReceipt.signed(
                chainId: 1, taskId: Bytes32(uint64: 1), dealId: Bytes32(uint64: 2), app: TestAccount(2).address,
                appMeasurement: Bytes32(uint64: 3), dataset: nil, datasetChecksum: nil, inputFiles: [],
                worker: worker.address, resultDigest: digest, callbackData: nil, deterministicOutputPath: path,
                result: nil, evidence: .simulated, enclaveChallengeKey: enclave.key)
        }
        try receipt(digest).verifyArchive(at: zipURL)
        let wrong = Self.refusal { try receipt(Bytes32(uint64: 9)).verifyArchive(at: zipURL) }
        #expect(wrong?.code == .storedResultMismatch)
    }

    @Test func sealedArchiveOpensToTheSameDigest() throws {
        let output = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try ResultArchiveTests.sampleOutput(in: output.url)
        let digest = try OutputDigest.compute(output: output.url, computed: Self.computed("/iexec_out/out"))
        let zipURL = work.url.appendingPathComponent("result.zip")
        let sealedURL = work.url.appendingPathComponent("result.sealed")
        let openedURL = work.url.appendingPathComponent("opened.zip")
        try ResultArchive.write(directory: output.url, to: zipURL)
        let account = TestAccount(1)
        let taskId = Bytes32(uint64: 42)
        try ResultEncryption.seal(
            fileAt: zipURL, to: sealedURL, recipient: ResultKey.derive(from: account.key).publicKey, taskId: taskId)
        try ResultEncryption.open(
            fileAt: sealedURL, to: openedURL, key: ResultKey.derive(from: account.key), taskId: taskId)
        let sealed = try Array(Data(contentsOf: sealedURL))
        let receipt = ResultReceipt.signed(
            chainId: 1, taskId: taskId, dealId: Bytes32(uint64: 2), app: TestAccount(2).address,
            appMeasurement: Bytes32(uint64: 3), dataset: nil, datasetChecksum: nil, inputFiles: [],
            worker: TestAccount(10).address, resultDigest: digest, callbackData: nil,
            deterministicOutputPath: "/iexec_out/out",
            result: .init(
                cid: "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", sha256: SHA256Hasher.hash(sealed),
                size: UInt64(sealed.count), isEncrypted: true),
            evidence: .tdx, enclaveChallengeKey: TestAccount(30).key)
        try receipt.verify()
        try receipt.verifyStoredResult(at: sealedURL)
        try receipt.verifyArchive(at: openedURL)
    }
}
