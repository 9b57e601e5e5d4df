public import ClaveAttestation
import ClaveCore
public import ClaveCrypto

/// PoCo's worker authorization: the workerpool owner (the scheduler) lets `worker` run task `taskId` in the enclave
/// whose challenge address is `enclaveChallenge`, with an EIP-191 signature over
/// ``ClaveCore/ComputeTask/authorizationMessage(worker:taskId:enclaveChallenge:)``:
/// keccak256(worker ‖ taskId ‖ enclaveChallenge). The same signature authorizes the worker's contribution.
public struct WorkerAuthorization: Sendable, Hashable {
    public var worker: Address
    public var taskId: Bytes32
    public var enclaveChallenge: Address
    public var signature: Signature

    public init(worker: Address, taskId: Bytes32, enclaveChallenge: Address, signature: Signature) {
        self.worker = worker
        self.taskId = taskId
        self.enclaveChallenge = enclaveChallenge
        self.signature = signature
    }

    /// The authorization signed with `key` (the workerpool owner's).
    public init(worker: Address, taskId: Bytes32, enclaveChallenge: Address, signedWith key: PrivateKey) {
        let message = ComputeTask.authorizationMessage(
            worker: worker, taskId: taskId, enclaveChallenge: enclaveChallenge)
        self.init(
            worker: worker, taskId: taskId, enclaveChallenge: enclaveChallenge,
            signature: key.signPersonalMessage(message.bytes))
    }

    /// Who signed it, or nil when the signature recovers no one.
    public var signer: Address? {
        let message = ComputeTask.authorizationMessage(
            worker: worker, taskId: taskId, enclaveChallenge: enclaveChallenge)
        return try? signature.recoverPersonalMessageSigner(message.bytes)
    }

    /// `{"worker", "taskId", "enclaveChallenge", "signature"}`.
    public var json: JSONValue {
        [
            "worker": .string(worker.checksummed), "taskId": .string(taskId.description),
            "enclaveChallenge": .string(enclaveChallenge.checksummed), "signature": .string(signature.description),
        ]
    }

    public init(json: JSONValue, path: String = "authorization") throws(SMSError) {
        self = try SMSJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            WorkerAuthorization(
                worker: try fields.address("worker"), taskId: try fields.bytes32("taskId"),
                enclaveChallenge: try fields.address("enclaveChallenge"), signature: try fields.signature("signature"))
        }
    }
}

/// What an enclave sends to open a task's session: the scheduler's authorization, the session's public key, and the
/// evidence whose report data binds that key and the task.
///
/// JSON: `{"authorization": {…}, "sessionKey": "0x…", "evidence": {…}}`.
public struct SessionRequest: Sendable, Hashable {
    public var authorization: WorkerAuthorization
    /// Where the secrets are sealed: the enclave session's X25519 public key.
    public var sessionKey: X25519PublicKey
    public var evidence: Evidence

    public init(authorization: WorkerAuthorization, sessionKey: X25519PublicKey, evidence: Evidence) {
        self.authorization = authorization
        self.sessionKey = sessionKey
        self.evidence = evidence
    }

    /// The request of `session` (its public key and evidence) with `authorization`.
    public init(authorization: WorkerAuthorization, session: EnclaveSession) {
        self.init(authorization: authorization, sessionKey: session.publicKey, evidence: session.evidence)
    }

    /// The task the request is for: the authorization's.
    public var taskId: Bytes32 { authorization.taskId }

    public var json: JSONValue {
        ["authorization": authorization.json, "sessionKey": .string(sessionKey.hex), "evidence": evidence.json]
    }

    public init(json: JSONValue) throws(SMSError) {
        var authorization = JSONValue.null
        var evidence = JSONValue.null
        let keyText = try SMSJSON.read(json, "session") {
            (fields) throws(TransactionFormatError) in
            authorization = try fields.member("authorization")
            evidence = try fields.member("evidence")
            return try fields.string("sessionKey")
        }
        let sessionKey: X25519PublicKey
        do {
            sessionKey = try X25519PublicKey(hex: keyText)
        } catch {
            throw SMSError(.invalidRequest, "session.sessionKey: \(error.message)")
        }
        let parsedEvidence: Evidence
        do {
            parsedEvidence = try Evidence(json: evidence, path: "session.evidence")
        } catch {
            throw SMSError(.invalidRequest, error.message)
        }
        self.init(
            authorization: try WorkerAuthorization(json: authorization, path: "session.authorization"),
            sessionKey: sessionKey, evidence: parsedEvidence)
    }
}
