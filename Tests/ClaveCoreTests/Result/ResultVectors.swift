import ClaveCore
import ClaveCrypto
import Foundation

/// `Tests/ClaveCoreTests/Fixtures/results.json`, written by `Scripts/vectors/results.py` with hashlib, eth-hash,
/// eth-abi and eth-account.
struct ResultVectors: Decodable {
    struct Signer: Decodable {
        let privateKey: String
        let address: String
        let message: String
        let signature: String
    }

    struct FileCase: Decodable {
        let name: String
        let contents: String
        let sha256: String
        let taskId: String
        let worker: String
        let resultDigest: String
        let resultHash: String
        let resultSeal: String
        let enclaveMessage: String
        let enclaveKey: String
        let enclaveAddress: String
        let enclaveSignature: String
    }

    struct DirectoryCase: Decodable {
        struct Entry: Decodable {
            let name: String
            let contents: String
            let sha256: String
        }

        let name: String
        let entries: [Entry]
        let digest: String
    }

    struct CallbackCase: Decodable {
        let data: String
        let digest: String
        let textDigest: String
    }

    let signer: Signer
    let files: [FileCase]
    let directories: [DirectoryCase]
    let callbacks: [CallbackCase]

    static func load() throws -> ResultVectors {
        guard let url = Bundle.module.url(forResource: "Fixtures/results.json", withExtension: nil) else {
            throw VectorError("Fixtures/results.json is missing; run python3 Scripts/vectors/generate.py.")
        }
        return try JSONDecoder().decode(ResultVectors.self, from: Data(contentsOf: url))
    }
}
