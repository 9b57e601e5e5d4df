public import ClaveCrypto

/// What an enclave presents to prove what it runs and which key it holds: its kind, the measurement of the code it
/// runs, 32 bytes of report data the code chose, and the kind's own proof over both.
///
/// The report data of an enclave asking the SMS for a task's secrets is ``ReportData/binding(sessionPublicKey:taskId:)``,
/// so that the evidence cannot be replayed for another task or another key. A value of this type has not been
/// checked: an ``EvidenceVerifier`` turns it into ``VerifiedEvidence``.
public struct Evidence: Sendable, Hashable {
    public var kind: EvidenceKind
    /// The measurement of what runs: for Clave's apps, sha-256 of the app bundle (the app's registered fingerprint).
    public var measurement: Bytes32
    /// The 32 bytes the enclave's code bound into the evidence.
    public var reportData: Bytes32
    /// The kind's proof: for ``EvidenceKind/simulated``, the 65-byte EIP-191 signature of
    /// ``SimulatedEvidence/message(measurement:reportData:)``; for the hardware kinds, the quote.
    public var payload: [UInt8]

    public init(kind: EvidenceKind, measurement: Bytes32, reportData: Bytes32, payload: [UInt8]) {
        self.kind = kind
        self.measurement = measurement
        self.reportData = reportData
        self.payload = payload
    }
}

/// Evidence whose proof a verifier checked: the measurement and report data are what the attester vouches for.
public struct VerifiedEvidence: Sendable, Hashable {
    public let kind: EvidenceKind
    public let measurement: Bytes32
    public let reportData: Bytes32

    /// Made by a verifier once it has checked the evidence's proof.
    public init(kind: EvidenceKind, measurement: Bytes32, reportData: Bytes32) {
        self.kind = kind
        self.measurement = measurement
        self.reportData = reportData
    }

    /// Whether the evidence was simulated: it then proves nothing against the host, and whatever is produced under it
    /// must say so.
    public var isSimulated: Bool { kind == .simulated }

    /// How results made under this evidence are labelled: `simulated`, or the hardware kind (`sgx-dcap`, `tdx`).
    public var label: String { kind.rawValue }
}

/// Checks evidence of one kind.
public protocol EvidenceVerifier: Sendable {
    /// The kind of evidence this verifier checks.
    var kind: EvidenceKind { get }

    /// Checks `evidence`'s proof and returns what it proves.
    ///
    /// - Throws: ``AttestationError`` with ``AttestationError/Code/unsupportedKind`` for evidence of another kind,
    ///   ``AttestationError/Code/invalidSignature`` for a proof that does not cover the evidence, and
    ///   ``AttestationError/Code/untrustedAttester`` for one made by an attester the verifier does not trust.
    func verify(_ evidence: Evidence) throws(AttestationError) -> VerifiedEvidence
}
