import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveSMS
import ClaveWorkerpool
import ClaveTestSupport
import Foundation

/// An executor for tests: it opens the task's real SMS session in a simulated enclave, takes the enclave challenge
/// key from it, and signs a digest that is keccak256 of the task id (an honest worker) or of something else (a
/// liar). It can also fail, or hang until cancelled (a worker that dies mid-task).
struct TestExecutor: TaskExecuting {
    enum Behavior: Sendable {
        case honest
        case liar
        case fail(ReplicateFailure)
        case hang
    }

    let sms: any SecretService
    let enclave: SimulatedEnclave
    let measurement: Bytes32
    let behavior: Behavior

    /// The digest an honest worker computes for `taskId`.
    static func honestDigest(_ taskId: Bytes32) -> Bytes32 { Keccak256.hash(taskId.bytes) }

    /// The results an honest worker reports for `taskId`, which finalize stores.
    static func results(_ taskId: Bytes32) -> [UInt8] { Array(#"{"location":"test:\#(taskId)"}"#.utf8) }

    func execute(
        _ assignment: WorkAssignment, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async -> Result<ReplicateResult, ReplicateFailure> {
        await progress(.computing)
        switch behavior {
        case .fail(let failure):
            return .failure(failure)
        case .hang:
            try? await Task.sleep(for: .seconds(3600))
            return .failure(ReplicateFailure(.workerError, "stopped", isDeterministic: false))
        case .honest, .liar:
            break
        }
        let taskId = assignment.taskId
        let digest: Bytes32
        if case .liar = behavior {
            digest = Keccak256.hash(Array("a lie".utf8) + taskId.bytes)
        } else {
            digest = Self.honestDigest(taskId)
        }
        return await enclaveContribution(
            digest: digest, results: Self.results(taskId), for: assignment, measurement: measurement,
            enclave: enclave, sms: sms)
    }
}
