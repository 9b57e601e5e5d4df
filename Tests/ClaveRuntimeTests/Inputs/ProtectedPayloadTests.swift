import ClaveCore
import ClaveCrypto
import ClaveRuntime
import ClaveStorage
import ClaveTestSupport
import Foundation
import Logging
import Testing

/// A dataset's payload fetched from a real LocalBlobStore and decrypted, and each refusal leaving no file.
@Suite struct ProtectedPayloadTests {
    let folder: TemporaryDirectory
    let blobs: LocalBlobStore
    let key = DatasetKey.generate(.clave)
    let plaintext = Array("the protected zip".utf8)

    init() throws {
        folder = try TemporaryDirectory()
        blobs = try LocalBlobStore(directory: folder.url.appendingPathComponent("blobs"), logger: .quiet)
    }

    /// The payload of `plaintext` under `key`, stored; a dataset registered for it.
    func stored(multiaddr: ((CID) -> String)? = nil, checksum: Bytes32? = nil) async throws -> Dataset {
        var sealed: [UInt8] = []
        let encryptor = try key.encryptor()
        try plaintext.withUnsafeBytes { try encryptor.update($0) { sealed.append(contentsOf: $0) } }
        try encryptor.finish { sealed.append(contentsOf: $0) }
        let cid = try await blobs.put(bytes: sealed).cid
        return Dataset(
            address: TestAccount(1).address, owner: TestAccount(2).address, name: "d",
            multiaddr: multiaddr?(cid) ?? cid.locator, checksum: checksum ?? cid.sha256Digest, schema: "")
    }

    @Test func aPayloadIsFetchedAndDecrypted() async throws {
        for multiaddr: (CID) -> String in [{ $0.locator }, { $0.description }] {
            let dataset = try await stored(multiaddr: multiaddr)
            let out = folder.url.appendingPathComponent("out-\(UUID())")
            let size = try await ProtectedPayload.decrypt(dataset, key: key, blobs: blobs, to: out)
            #expect(size == Int64(plaintext.count))
            #expect(Array(try Data(contentsOf: out)) == plaintext)
        }
    }

    @Test func aRegistrationThatNamesNoBlobOrAnotherChecksumIsRefused() async throws {
        let out = folder.url.appendingPathComponent("out")
        let notACID = try await stored(multiaddr: { _ in "ipfs://somewhere" })
        let refused = await #expect(throws: RuntimeError.self) {
            try await ProtectedPayload.decrypt(notACID, key: key, blobs: blobs, to: out)
        }
        #expect(refused?.code == .invalidInput)
        #expect(refused?.message.contains("register it again") == true)
        let otherChecksum = try await stored(checksum: Keccak256.hash(utf8: "other"))
        let inconsistent = await #expect(throws: RuntimeError.self) {
            try await ProtectedPayload.decrypt(otherChecksum, key: key, blobs: blobs, to: out)
        }
        #expect(inconsistent?.message.contains("inconsistent") == true)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aWrongKeyOrAnAlteredBlobLeavesNoFile() async throws {
        let dataset = try await stored()
        let out = folder.url.appendingPathComponent("out")
        await #expect(throws: (any Error).self) {
            try await ProtectedPayload.decrypt(dataset, key: .generate(.clave), blobs: blobs, to: out)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // One byte of the stored payload flipped: the store refuses its copy.
        let file = blobs.url(for: try CID(locator: dataset.multiaddr))
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 1] ^= 1
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try bytes.write(to: file)
        let corrupted = await #expect(throws: StorageError.self) {
            try await ProtectedPayload.decrypt(dataset, key: key, blobs: blobs, to: out)
        }
        #expect(corrupted?.code == .corrupted)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
