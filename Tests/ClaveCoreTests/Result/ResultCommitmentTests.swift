import ClaveCore
import ClaveCrypto
import Testing

/// resultHash, resultSeal and the enclave signature against eth-abi / eth-account (Scripts/vectors/results.py) and
/// tee-worker-post-compute-rust's signer test.
@Suite struct ResultCommitmentTests {
    /// tee-worker-post-compute-rust `src/post_compute/signer.rs`: its key signs its message to its signature.
    @Test func rustSignerVector() throws {
        let signer = try ResultVectors.load().signer
        #expect(signer.signature.hasPrefix("0xfcc6bce5eb04284c2eb1ed14405b943574343b1abda33628fbf94a374b18dd16"))
        let key = try PrivateKey(hex: signer.privateKey)
        let message = try Bytes32(hex: signer.message)
        #expect(key.address == (try Address(signer.address)))
        #expect(key.address == (try Address("0x9605a0b32a4b9bbe41043459ef4d1507600c10b1")))
        let signature = key.sign(digest: ComputeTask.personalMessageDigest(message))
        #expect(signature.description == signer.signature)
    }

    @Test func fileVectors() throws {
        let cases = try ResultVectors.load().files
        #expect(cases.count >= 6)
        for vector in cases {
            let contents = try Hex.decode(vector.contents)
            let digest = try ResultDigest.file(
                sha256: Bytes32(hex: vector.sha256), byteCount: UInt64(contents.count))
            #expect(digest.description == vector.resultDigest, "\(vector.name)")
            let commitment = ResultCommitment(
                taskId: try Bytes32(hex: vector.taskId), worker: try Address(vector.worker), resultDigest: digest)
            #expect(commitment.resultHash.description == vector.resultHash, "\(vector.name)")
            #expect(commitment.resultSeal.description == vector.resultSeal, "\(vector.name)")
            #expect(commitment.enclaveMessage.description == vector.enclaveMessage, "\(vector.name)")
            let key = try PrivateKey(hex: vector.enclaveKey)
            let enclave = try Address(vector.enclaveAddress)
            #expect(key.address == enclave)
            let signature = commitment.enclaveSignature(signedWith: key)
            #expect(signature.description == vector.enclaveSignature, "\(vector.name)")
            try commitment.verifyEnclaveSignature(
                try Signature(hex: vector.enclaveSignature), enclaveChallenge: enclave)
        }
    }

    /// The research note's "hello\n" vector, written out so that a reader sees the numbers.
    @Test func helloVector() throws {
        let commitment = ResultCommitment(
            taskId: try Bytes32(hex: "0x" + String(repeating: "11", count: 32)),
            worker: try Address("0x" + String(repeating: "22", count: 20)),
            resultDigest: try Bytes32(hex: "0x5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"))
        #expect(
            commitment.resultHash.description == "0xbf228189bfc410c8e751024281149db787e9598417b583fffb9572fbe783a1a3")
        #expect(
            commitment.resultSeal.description == "0x3f975827bab3479153e1c28bea94f46d4b25ca80d8dbcd7e71539837dd50d5fc")
        #expect(
            commitment.enclaveMessage.description
                == "0xe69b01203d82394cdb34ce38bd72a3f3d8ae95a59199504ac65ebd766d6d95f8")
        let key = try PrivateKey(hex: "0xdd3b993ec21c71c1f6d63a5240850e0d4d8dd83ff70d29e49247958548c1d479")
        #expect(
            commitment.enclaveSignature(signedWith: key).description
                == "0x1e50d5374e3cb2e988fc53f3972a3f9ff3ef8676f09c79cdf57820db578dc2a1698eb43bf0725c05780f617a5bbadef5bb3d9318ebbdee702e08b3bc1ad193221b"
        )
    }

    /// What the ledger checks at contribute and reveal is what ResultCommitment computes.
    @Test func sameHashesAsTheLedger() throws {
        let commitment = ResultCommitment(
            taskId: Keccak256.hash(utf8: "task"), worker: try Address("0x" + String(repeating: "ab", count: 20)),
            resultDigest: Keccak256.hash(utf8: "digest"))
        #expect(
            commitment.resultHash
                == ComputeTask.resultHash(taskId: commitment.taskId, resultDigest: commitment.resultDigest))
        #expect(
            commitment.resultSeal
                == ComputeTask.resultSeal(
                    worker: commitment.worker, taskId: commitment.taskId, resultDigest: commitment.resultDigest))
        let key = try PrivateKey(hex: "0x" + String(repeating: "07", count: 32))
        let signature = commitment.enclaveSignature(signedWith: key)
        let digest = ComputeTask.personalMessageDigest(
            ComputeTask.enclaveMessage(resultHash: commitment.resultHash, resultSeal: commitment.resultSeal))
        #expect(try signature.recoverAddress(digest: digest) == key.address)
        #expect(try signature.recoverPersonalMessageSigner(commitment.enclaveMessage.bytes) == key.address)
    }

    @Test func verificationRefusesAnotherSignerOrAnotherResult() throws {
        let enclaveKey = try PrivateKey(hex: "0x" + String(repeating: "07", count: 32))
        let otherKey = try PrivateKey(hex: "0x" + String(repeating: "08", count: 32))
        let commitment = ResultCommitment(
            taskId: Keccak256.hash(utf8: "task"), worker: try Address("0x" + String(repeating: "ab", count: 20)),
            resultDigest: Keccak256.hash(utf8: "digest"))
        let byOther = commitment.enclaveSignature(signedWith: otherKey)
        #expect(commitment.enclaveSigner(of: byOther) == otherKey.address)
        let error = #expect(throws: ResultError.self) {
            try commitment.verifyEnclaveSignature(byOther, enclaveChallenge: enclaveKey.address)
        }
        #expect(error?.code == .enclaveSignatureMismatch)
        #expect(error?.path == "enclave-signature")
        #expect(error?.message.contains("is signed by \(otherKey.address), not by the enclave challenge") == true)

        // A signature over another worker's seal does not vouch for this worker's result.
        let otherWorker = ResultCommitment(
            taskId: commitment.taskId, worker: try Address("0x" + String(repeating: "cd", count: 20)),
            resultDigest: commitment.resultDigest)
        let forOtherWorker = otherWorker.enclaveSignature(signedWith: enclaveKey)
        #expect(throws: ResultError.self) {
            try commitment.verifyEnclaveSignature(forOtherWorker, enclaveChallenge: enclaveKey.address)
        }
        try commitment.verifyEnclaveSignature(
            commitment.enclaveSignature(signedWith: enclaveKey), enclaveChallenge: enclaveKey.address)
    }
}
