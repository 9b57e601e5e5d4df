public import ClaveCrypto
import Crypto

/// The report data an enclave binds into its evidence.
public enum ReportData {
    /// The report data of an enclave asking for a task's secrets: sha-256(session public key ‖ task id), the X25519
    /// public key's 32 raw bytes (RFC 7748) then the task id's 32 bytes. Evidence with it cannot be used for another
    /// task, nor to have the secrets sealed to another key (docs/attestation.md).
    public static func binding(sessionPublicKey: X25519PublicKey, taskId: Bytes32) -> Bytes32 {
        var hasher = SHA256()
        hasher.update(data: sessionPublicKey.rawRepresentation)
        hasher.update(data: taskId.bytes)
        // SHA-256 digests are 32 bytes.
        return try! Bytes32(Array(hasher.finalize()))
    }
}
