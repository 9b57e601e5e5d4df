public import ClaveCrypto

/// The `simulated` evidence kind: the node's *simulation key* (a secp256k1 key) vouches for a measurement and report
/// data with an EIP-191 signature.
///
/// It is for development only. Whoever holds the simulation key — the host that runs the node — can make evidence for
/// any measurement and any report data, so it proves nothing against that host (docs/attestation.md). Results made
/// under it say `simulated`.
public enum SimulatedEvidence {
    /// The domain-separation prefix of the signed message.
    public static let prefix = "clave.simulated-evidence.v1"

    /// The 32-byte message the simulation key signs as an EIP-191 personal message:
    /// keccak256(UTF-8 of ``prefix`` ‖ measurement ‖ reportData).
    public static func message(measurement: Bytes32, reportData: Bytes32) -> Bytes32 {
        var hasher = Keccak256()
        hasher.update(Array(prefix.utf8))
        hasher.update(measurement.bytes)
        hasher.update(reportData.bytes)
        return hasher.finalize()
    }

    /// Evidence for `measurement` and `reportData`, signed with `simulationKey`.
    public static func make(measurement: Bytes32, reportData: Bytes32, simulationKey: PrivateKey) -> Evidence {
        let signature = simulationKey.signPersonalMessage(
            message(measurement: measurement, reportData: reportData).bytes)
        return Evidence(
            kind: .simulated, measurement: measurement, reportData: reportData, payload: signature.rawRepresentation)
    }
}

/// Checks `simulated` evidence: its payload must be the EIP-191 signature by the trusted simulation key's address
/// over ``SimulatedEvidence/message(measurement:reportData:)``.
public struct SimulatedEvidenceVerifier: EvidenceVerifier {
    /// The address of the simulation key whose evidence is accepted.
    public let trustedAttester: Address

    public init(trusting attester: Address) {
        trustedAttester = attester
    }

    public var kind: EvidenceKind { .simulated }

    public func verify(_ evidence: Evidence) throws(AttestationError) -> VerifiedEvidence {
        guard evidence.kind == .simulated else {
            throw AttestationError(
                .unsupportedKind,
                "This verifier checks `simulated` evidence, not `\(evidence.kind)`; give it to a verifier of that kind."
            )
        }
        let signature: Signature
        do {
            signature = try Signature(bytes: evidence.payload)
        } catch {
            throw AttestationError(
                .invalidSignature,
                "The payload of simulated evidence must be a 65-byte EIP-191 signature, but it is not one (\(error.message)); make the evidence with a SimulatedEnclave."
            )
        }
        let message = SimulatedEvidence.message(measurement: evidence.measurement, reportData: evidence.reportData)
        let signer: Address
        do {
            signer = try signature.recoverPersonalMessageSigner(message.bytes)
        } catch {
            throw AttestationError(
                .invalidSignature,
                "No signer can be recovered from the simulated evidence's signature (\(error.message)); make the evidence with a SimulatedEnclave."
            )
        }
        guard signer == trustedAttester else {
            throw AttestationError(
                .untrustedAttester,
                "The simulated evidence is signed by \(signer), not by this node's simulation key \(trustedAttester) (or its measurement or report data were changed after signing); make it with the node's SimulatedEnclave."
            )
        }
        return VerifiedEvidence(kind: .simulated, measurement: evidence.measurement, reportData: evidence.reportData)
    }
}
