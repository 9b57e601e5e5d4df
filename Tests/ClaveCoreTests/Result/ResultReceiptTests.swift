import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Foundation
import Testing

/// Result receipts: signing, strict reading, offline verification and its refusals, and the result location.
@Suite struct ResultReceiptTests {
    static let enclave = TestAccount(30)
    static let worker = TestAccount(10)
    static let cid = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    static let receiptCID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"

    static func receipt(
        digest: Bytes32 = Bytes32(uint64: 0xD16E57), callbackData: [UInt8]? = nil,
        result: ResultReceipt.StoredResult? = ResultReceipt.StoredResult(
            cid: cid, sha256: Bytes32(uint64: 0x5A), size: 1234, isEncrypted: true),
        evidence: ResultReceipt.EvidenceKind = .tdx, key: PrivateKey = enclave.key
    ) -> ResultReceipt {
        ResultReceipt.signed(
            chainId: 1337, taskId: Bytes32(uint64: 0x7A5C), dealId: Bytes32(uint64: 0xDEA1),
            app: TestAccount(2).address, appMeasurement: Bytes32(uint64: 0xA99), dataset: TestAccount(3).address,
            datasetChecksum: Bytes32(uint64: 0xDA7A),
            inputFiles: [.init(url: "https://example.com/in.csv", sha256: Bytes32(uint64: 1))],
            worker: worker.address, resultDigest: digest, callbackData: callbackData,
            deterministicOutputPath: callbackData == nil ? "/iexec_out/result.txt" : nil, result: result,
            evidence: evidence, enclaveChallengeKey: key)
    }

    /// The receipt's JSON with `member` replaced by `value`, read back.
    static func altered(_ receipt: ResultReceipt, _ member: String, _ value: JSONValue) throws -> ResultReceipt {
        var object = try #require(receipt.json.objectValue)
        object[member] = value
        return try ResultReceipt(json: .object(object))
    }

    static func refusal(_ body: () throws -> Void) -> ResultError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ResultError
        }
    }

    @Test func signedReceiptVerifiesAndReadsBack() throws {
        let receipt = Self.receipt()
        try receipt.verify()
        #expect(receipt.enclaveChallenge == Self.enclave.address)
        #expect(
            receipt.resultHash == ComputeTask.resultHash(taskId: receipt.taskId, resultDigest: receipt.resultDigest))
        #expect(!receipt.isSimulated)
        let read = try ResultReceipt(parsing: receipt.canonicalBytes)
        #expect(read == receipt)
        try read.verify()
        // The receipt signature is EIP-191 over keccak256 of the canonical JSON without receiptSignature.
        var unsigned = try #require(receipt.json.objectValue)
        unsigned.removeValue(forKey: "receiptSignature")
        let digest = Keccak256.hash(CanonicalJSON.encode(.object(unsigned)))
        #expect(try receipt.receiptSignature.recoverPersonalMessageSigner(digest.bytes) == Self.enclave.address)
    }

    @Test func callbackReceiptVerifies() throws {
        let data: [UInt8] = [0x00, 0x01, 0x02]
        let receipt = Self.receipt(digest: try ResultDigest.callback(data), callbackData: data, result: nil)
        try receipt.verify()
        try ResultReceipt(parsing: receipt.canonicalBytes).verify()
    }

    @Test func simulatedEvidenceIsFlagged() {
        #expect(Self.receipt(evidence: .simulated).isSimulated)
    }

    @Test func refusesAChangedDigest() throws {
        let receipt = Self.receipt()
        let changed = try Self.altered(receipt, "resultDigest", .string(Bytes32(uint64: 1).description))
        #expect(Self.refusal { try changed.verify() }?.code == .receiptMismatch)
    }

    @Test func refusesAChangedResultHashOrSeal() throws {
        let receipt = Self.receipt()
        for member in ["resultHash", "resultSeal"] {
            let changed = try Self.altered(receipt, member, .string(Bytes32(uint64: 1).description))
            #expect(Self.refusal { try changed.verify() }?.code == .receiptMismatch, "\(member)")
        }
    }

    @Test func refusesAChangedStoredResultSha() throws {
        let receipt = Self.receipt()
        let changed = try Self.altered(
            receipt, "result",
            .object([
                "cid": .string(Self.cid), "sha256": .string(Bytes32(uint64: 0x5B).description), "size": 1234,
                "encrypted": true,
            ]))
        #expect(Self.refusal { try changed.verify() }?.code == .receiptSignatureMismatch)
    }

    @Test func refusesAChangedEvidenceLabel() throws {
        let receipt = Self.receipt(evidence: .simulated)
        let changed = try Self.altered(receipt, "evidence", "tdx")
        #expect(Self.refusal { try changed.verify() }?.code == .receiptSignatureMismatch)
    }

    @Test func refusesASignatureByAnotherKey() throws {
        let receipt = Self.receipt()
        let forged = Self.receipt(key: TestAccount(31).key)
        // Another key's receipt signature, with the enclave challenge left as it was.
        let mixed = try Self.altered(receipt, "receiptSignature", .string(forged.receiptSignature.description))
        #expect(Self.refusal { try mixed.verify() }?.code == .receiptSignatureMismatch)
        // Another key's enclave signature.
        let enclaveForged = try Self.altered(
            receipt, "enclaveSignature", .string(forged.enclaveSignature.description))
        #expect(Self.refusal { try enclaveForged.verify() }?.code == .enclaveSignatureMismatch)
        // A whole receipt signed by another key, claiming the real enclave challenge.
        let claimed = try Self.altered(forged, "enclaveChallenge", .string(Self.enclave.address.checksummed))
        #expect(Self.refusal { try claimed.verify() }?.code == .enclaveSignatureMismatch)
    }

    @Test func refusesCallbackDataThatIsNotTheDigest() throws {
        let data: [UInt8] = [1, 2, 3]
        let receipt = Self.receipt(digest: Bytes32(uint64: 9), callbackData: data, result: nil)
        #expect(Self.refusal { try receipt.verify() }?.code == .receiptMismatch)
    }

    @Test func readingIsStrict() throws {
        let receipt = Self.receipt()
        let object = try #require(receipt.json.objectValue)
        func refused(_ change: (inout JSONValue.Object) -> Void) -> ResultError? {
            var copy = object
            change(&copy)
            return Self.refusal { _ = try ResultReceipt(json: .object(copy)) }
        }
        #expect(refused { $0["extra"] = 1 }?.code == .malformedReceipt)
        #expect(refused { $0.removeValue(forKey: "dataset") }?.code == .malformedReceipt)
        #expect(refused { $0["version"] = 2 }?.code == .malformedReceipt)
        #expect(refused { $0["evidence"] = "sev-snp" }?.code == .malformedReceipt)
        #expect(refused { $0["chainId"] = "1337" }?.code == .malformedReceipt)
        #expect(refused { $0["taskId"] = "0x12" }?.code == .malformedReceipt)
        #expect(
            refused { $0["worker"] = .string(Self.worker.address.description.lowercased()) }?.code == .malformedReceipt)
        #expect(
            refused {
                $0["resultDigest"] = .string(
                    receipt.resultDigest.description.uppercased().replacingOccurrences(of: "0X", with: "0x"))
            }?.code == .malformedReceipt)
        #expect(Self.refusal { _ = try ResultReceipt(parsing: Array("[]".utf8)) }?.code == .malformedReceipt)
        #expect(Self.refusal { _ = try ResultReceipt(parsing: Array("{".utf8)) }?.code == .malformedReceipt)
    }

    @Test func storedResultIsCheckedBySizeAndSha() throws {
        let folder = try TemporaryDirectory()
        let blob = folder.url.appendingPathComponent("blob")
        let contents = Array("sealed result bytes".utf8)
        try Data(contents).write(to: blob)
        let receipt = Self.receipt(
            result: .init(
                cid: Self.cid, sha256: SHA256Hasher.hash(contents), size: UInt64(contents.count), isEncrypted: true))
        try receipt.verifyStoredResult(at: blob)
        try Data(contents + [0]).write(to: blob)
        #expect(Self.refusal { try receipt.verifyStoredResult(at: blob) }?.code == .storedResultMismatch)
    }

    @Test func resultLocationRoundTrips() throws {
        let location = ResultLocation(location: Self.cid, receipt: Self.receiptCID, encrypted: true)
        #expect(
            String(decoding: location.bytes, as: UTF8.self)
                == "{\"encrypted\":true,\"location\":\"\(Self.cid)\",\"receipt\":\"\(Self.receiptCID)\",\"storage\":\"clave\"}"
        )
        #expect(try ResultLocation(bytes: location.bytes) == location)
        let callbackOnly = ResultLocation(location: nil, receipt: Self.receiptCID, encrypted: false)
        #expect(try ResultLocation(bytes: callbackOnly.bytes) == callbackOnly)
        let ipfs = Array(
            "{\"encrypted\":false,\"location\":null,\"receipt\":\"\(Self.receiptCID)\",\"storage\":\"ipfs\"}".utf8)
        #expect(Self.refusal { _ = try ResultLocation(bytes: ipfs) }?.code == .malformedReceipt)
        let badCID = Array(
            "{\"encrypted\":false,\"location\":\"Qm\",\"receipt\":\"\(Self.receiptCID)\",\"storage\":\"clave\"}".utf8)
        #expect(Self.refusal { _ = try ResultLocation(bytes: badCID) }?.code == .malformedReceipt)
    }
}
