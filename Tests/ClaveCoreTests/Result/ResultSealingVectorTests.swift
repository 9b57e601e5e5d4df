import ClaveCore
import ClaveCrypto
import Foundation
import Testing

/// `Tests/ClaveCoreTests/Fixtures/result_sealing.json`, written by `Scripts/vectors/result_sealing.py` with
/// pyca/cryptography (HKDF, X25519, AES-GCM), pyhpke, rfc8785, eth-hash and eth-account: result keys, results sealed
/// in Python that Swift opens, and receipts whose signatures Swift verifies.
struct ResultSealingVectors: Decodable {
    struct ResultKeyCase: Decodable {
        let accountKey: String
        let resultKey: String
        let resultPublicKey: String
    }

    struct SealedCase: Decodable {
        let name: String
        let accountKey: String
        let resultPublicKey: String
        let taskId: String
        let plaintext: String
        let sealed: String
    }

    struct ReceiptCase: Decodable {
        let enclaveKey: String
        let unsignedCanonical: String
        let signedDigest: String
        let canonical: String
    }

    let resultKeys: [ResultKeyCase]
    let sealed: [SealedCase]
    let receipts: [ReceiptCase]

    static func load() throws -> ResultSealingVectors {
        guard let url = Bundle.module.url(forResource: "Fixtures/result_sealing.json", withExtension: nil) else {
            throw VectorError("Fixtures/result_sealing.json is missing; run python3 Scripts/vectors/generate.py.")
        }
        return try JSONDecoder().decode(ResultSealingVectors.self, from: Data(contentsOf: url))
    }
}

@Suite struct ResultSealingVectorTests {
    @Test func resultKeysMatchPython() throws {
        let cases = try ResultSealingVectors.load().resultKeys
        #expect(cases.count == 3)
        for vector in cases {
            let key = ResultKey.derive(from: try PrivateKey(hex: vector.accountKey))
            #expect(Hex.encode(key.rawRepresentation) == vector.resultKey)
            #expect(key.publicKey.hex == vector.resultPublicKey)
        }
    }

    @Test func opensResultsSealedInPython() throws {
        let cases = try ResultSealingVectors.load().sealed
        #expect(cases.count == 5)
        for vector in cases {
            let key = ResultKey.derive(from: try PrivateKey(hex: vector.accountKey))
            #expect(key.publicKey.hex == vector.resultPublicKey, "\(vector.name)")
            let opened = try ResultEncryption.open(
                try Hex.decode(vector.sealed), key: key, taskId: try Bytes32(hex: vector.taskId))
            #expect(opened == (try Hex.decode(vector.plaintext)), "\(vector.name)")
        }
    }

    @Test func verifiesReceiptsSignedInPython() throws {
        let cases = try ResultSealingVectors.load().receipts
        #expect(cases.count == 3)
        for vector in cases {
            // The receipt as rfc8785 wrote it (the fixture also shows it as an object, `receipt`).
            let receipt = try ResultReceipt(parsing: try Hex.decode(vector.canonical))
            try receipt.verify()
            #expect(receipt.signedDigest.description == vector.signedDigest)
            #expect(Hex.encode(receipt.canonicalBytes) == vector.canonical)
            // Swift signs the same receipt to the same bytes (RFC 6979 signatures are deterministic).
            let resigned = ResultReceipt.signed(
                chainId: receipt.chainId, taskId: receipt.taskId, dealId: receipt.dealId, app: receipt.app,
                appMeasurement: receipt.appMeasurement, dataset: receipt.dataset,
                datasetChecksum: receipt.datasetChecksum, inputFiles: receipt.inputFiles, worker: receipt.worker,
                resultDigest: receipt.resultDigest, callbackData: receipt.callbackData,
                deterministicOutputPath: receipt.deterministicOutputPath, result: receipt.result,
                evidence: receipt.evidence, enclaveChallengeKey: try PrivateKey(hex: vector.enclaveKey))
            #expect(resigned == receipt)
        }
    }
}
