public import ClaveCrypto

/// Where a task's code runs: it makes, for each task, a session key pair whose public half its evidence binds, and
/// opens what the SMS seals to that key.
///
/// ``SimulatedEnclave`` is the development kind; the hardware kinds (SGX DCAP, TDX) come with the runtime.
public protocol Enclave: Sendable {
    /// The kind of evidence this enclave produces.
    var kind: EvidenceKind { get }

    /// Starts a session for `taskId`: a fresh X25519 key pair, and evidence for `measurement` whose report data is
    /// ``ReportData/binding(sessionPublicKey:taskId:)``.
    ///
    /// - Parameter measurement: the measurement of the code the enclave runs (sha-256 of the app bundle).
    func startSession(taskId: Bytes32, measurement: Bytes32) throws(AttestationError) -> EnclaveSession
}

/// One task's session inside an enclave: its evidence, and the private key that opens what is sealed to it. The
/// private key never leaves the value.
public struct EnclaveSession: Sendable {
    public let taskId: Bytes32
    /// The evidence to present; its report data binds ``publicKey`` and ``taskId``.
    public let evidence: Evidence
    private let privateKey: X25519PrivateKey

    /// A session holding `privateKey`, presenting `evidence`.
    public init(taskId: Bytes32, privateKey: X25519PrivateKey, evidence: Evidence) {
        self.taskId = taskId
        self.privateKey = privateKey
        self.evidence = evidence
    }

    /// The session's public key: where the SMS seals the task's secrets.
    public var publicKey: X25519PublicKey { privateKey.publicKey }

    /// Opens an envelope sealed to this session for `purpose`, bound to this session's task id.
    ///
    /// - Throws: ``ClaveCrypto/CryptoError`` `authenticationFailed` when it was sealed to another key, for another
    ///   purpose or task, or was altered.
    public func open(_ envelope: HPKEEnvelope, purpose: HPKEEnvelope.Purpose) throws(CryptoError) -> [UInt8] {
        try envelope.open(with: privateKey, purpose: purpose, context: taskId.bytes)
    }
}

/// An enclave simulated by the node: sessions are real key pairs, but their evidence is signed by the node's
/// simulation key, which the host holds. For development only: it proves nothing against the host.
public struct SimulatedEnclave: Enclave {
    private let simulationKey: PrivateKey

    /// An enclave whose evidence `simulationKey` signs; a ``SimulatedEvidenceVerifier`` trusting its address checks
    /// it.
    public init(simulationKey: PrivateKey) {
        self.simulationKey = simulationKey
    }

    /// The address of the simulation key: what a verifier must trust.
    public var attester: Address { simulationKey.address }

    public var kind: EvidenceKind { .simulated }

    public func startSession(taskId: Bytes32, measurement: Bytes32) throws(AttestationError) -> EnclaveSession {
        let privateKey = X25519PrivateKey.generate()
        let reportData = ReportData.binding(sessionPublicKey: privateKey.publicKey, taskId: taskId)
        let evidence = SimulatedEvidence.make(
            measurement: measurement, reportData: reportData, simulationKey: simulationKey)
        return EnclaveSession(taskId: taskId, privateKey: privateKey, evidence: evidence)
    }
}
