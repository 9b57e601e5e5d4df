package import ClaveAttestation
import ClaveCore
package import ClaveCrypto
package import ClaveSMS
package import ClaveWorkerpool

/// The contribution a worker's enclave makes for `digest` on the task of `assignment`, without running anything: a
/// session of `enclave` for the task and `measurement`, opened by the SMS with the scheduler's authorization, whose
/// enclave challenge key signs resultHash ‖ resultSeal. What honest test workers report, and what a lying worker
/// that commands its (simulated) enclave can sign.
package func enclaveContribution(
    digest: Bytes32, results: [UInt8], callback: [UInt8] = [], for assignment: WorkAssignment, measurement: Bytes32,
    enclave: some Enclave, sms: any SecretService
) async -> Result<ReplicateResult, ReplicateFailure> {
    let taskId = assignment.taskId
    let challengeKey: PrivateKey
    do {
        let session = try enclave.startSession(taskId: taskId, measurement: measurement)
        let sealed = try await sms.openSession(
            SessionRequest(authorization: assignment.authorization, session: session))
        challengeKey = try session.open(sealed).enclaveChallengeKey
    } catch {
        return .failure(ReplicateFailure(.keyReleaseRefused, "\(error)", isDeterministic: false))
    }
    let hash = ComputeTask.resultHash(taskId: taskId, resultDigest: digest)
    let seal = ComputeTask.resultSeal(worker: assignment.worker, taskId: taskId, resultDigest: digest)
    let signature = challengeKey.signPersonalMessage(
        ComputeTask.enclaveMessage(resultHash: hash, resultSeal: seal).bytes)
    return .success(
        ReplicateResult(
            resultDigest: digest, enclaveChallenge: challengeKey.address, enclaveSignature: signature,
            results: results, resultsCallback: callback))
}
