public import ClaveCrypto

/// What a worker commits to for one task's result, and what its enclave signs (docs/formats/result.md).
///
/// PoCo (IexecPoco2Facet.sol): `resultHash = keccak256(taskid ‖ digest)` (the same for every honest worker),
/// `resultSeal = keccak256(worker ‖ taskid ‖ digest)` (different for each worker), and for a TEE task the enclave
/// challenge key signs `keccak256(resultHash ‖ resultSeal)` as an EIP-191 personal message
/// (`toEthSignedMessageHash`). tee-worker-post-compute-rust's `sign_computed_file` computes the same three hashes and
/// signs with alloy's `sign_message_sync`.
///
/// The hashes are ``ComputeTask``'s, the same functions the ledger uses to check `contribute`, `reveal` and
/// `contributeAndFinalize`, so what a worker signs is what the ledger verifies.
public struct ResultCommitment: Sendable, Hashable {
    public let taskId: Bytes32
    /// The worker that contributes (its account address, not the enclave's).
    public let worker: Address
    public let resultDigest: Bytes32

    public init(taskId: Bytes32, worker: Address, resultDigest: Bytes32) {
        self.taskId = taskId
        self.worker = worker
        self.resultDigest = resultDigest
    }

    /// keccak256(taskId ‖ resultDigest).
    public var resultHash: Bytes32 { ComputeTask.resultHash(taskId: taskId, resultDigest: resultDigest) }

    /// keccak256(worker ‖ taskId ‖ resultDigest).
    public var resultSeal: Bytes32 {
        ComputeTask.resultSeal(worker: worker, taskId: taskId, resultDigest: resultDigest)
    }

    /// The 32-byte message the enclave signs: keccak256(resultHash ‖ resultSeal).
    public var enclaveMessage: Bytes32 {
        ComputeTask.enclaveMessage(resultHash: resultHash, resultSeal: resultSeal)
    }

    /// The enclave signature: `enclaveChallengeKey`'s EIP-191 personal-message signature of ``enclaveMessage``.
    public func enclaveSignature(signedWith enclaveChallengeKey: PrivateKey) -> Signature {
        enclaveChallengeKey.sign(digest: ComputeTask.personalMessageDigest(enclaveMessage))
    }

    /// The address that made `signature` over this result as an enclave signature, or `nil` if none can be recovered.
    public func enclaveSigner(of signature: Signature) -> Address? {
        try? signature.recoverAddress(digest: ComputeTask.personalMessageDigest(enclaveMessage))
    }

    /// Checks that `signature` is the enclave signature of this result by `enclaveChallenge`.
    public func verifyEnclaveSignature(_ signature: Signature, enclaveChallenge: Address) throws(ResultError) {
        let signer = enclaveSigner(of: signature)
        guard signer == enclaveChallenge else {
            let actual = signer.map { "is signed by \($0)" } ?? "is not a valid signature"
            throw ResultError(
                .enclaveSignatureMismatch, at: "enclave-signature",
                "The enclave signature of task \(taskId) for worker \(worker) \(actual), not by the enclave challenge \(enclaveChallenge), over keccak256(resultHash ‖ resultSeal) of digest \(resultDigest); have that enclave sign this result."
            )
        }
    }
}
