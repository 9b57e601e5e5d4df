public import ClaveAttestation
public import ClaveCore
public import ClaveCrypto
import Foundation

/// The pure rules of a release: which evidence kinds a deal's tag accepts, an app's registered fingerprint, and the
/// requester secrets a deal's params name. No I/O: ``SecretManagementService`` applies them to what it reads.
public enum ReleasePolicy {
    /// Checks that evidence of `kind` may open sessions for a deal tagged `tag`.
    ///
    /// A deal whose tag has bit 0 (`tee`) clear accepts every kind, `simulated` included. One with bit 0 set needs
    /// hardware evidence: `tdx` when bit 3 (TDX) is set, `sgx-dcap` when bit 1 (Scone) or 2 (Gramine) is, any
    /// hardware kind when bit 0 alone is.
    public static func checkKind(_ kind: EvidenceKind, tag: Bytes32) throws(SMSError) {
        guard Tag.isSet(Tag.tee, in: tag) else { return }
        let required: EvidenceKind? =
            if Tag.isSet(Tag.tdx, in: tag) {
                .tdx
            } else if Tag.isSet(Tag.scone, in: tag) || Tag.isSet(Tag.gramine, in: tag) {
                .sgxDCAP
            } else {
                nil
            }
        guard kind.isHardware, required == nil || required == kind else {
            let wanted = required.map { "`\($0)` evidence" } ?? "evidence from a hardware TEE (`sgx-dcap` or `tdx`)"
            throw SMSError(
                .evidenceKindRefused,
                "The deal's tag \(tag) asks for a hardware TEE (bit 0), so its tasks need \(wanted), not `\(kind)`. Run the task on a worker with that TEE; `simulated` evidence serves only deals without the TEE bit."
            )
        }
    }

    /// The measurement registered for `app`: its `mrenclave` as 32 bytes of hex (with or without 0x), or the
    /// `fingerprint` member of iExec's JSON form (`{"framework": …, "fingerprint": "…"}`); nil when it is neither.
    public static func fingerprint(of app: App) -> Bytes32? {
        let text = app.mrenclave.trimmingCharacters(in: .whitespacesAndNewlines)
        if let hex = try? Bytes32(hex: text) { return hex }
        guard let json = try? JSONValue(parsing: text), let fingerprint = json["fingerprint"]?.stringValue else {
            return nil
        }
        return try? Bytes32(hex: fingerprint)
    }

    /// The requester secrets a deal's `params` name: iExec's `iexec_secrets`, an object of index ("1", "2", …) to
    /// secret name, read by ``ClaveCore/DealParams`` as the worker reads it. None when the params are not a JSON
    /// object or have no `iexec_secrets`.
    ///
    /// - Throws: ``SMSError/Code/invalidDealParams`` when the params are a JSON object the worker would refuse
    ///   (`iexec_secrets` malformed among them), or name a secret that is not a requester secret's name.
    public static func requesterSecretNames(params: String) throws(SMSError) -> [UInt64: String] {
        let parsed: DealParams
        do {
            parsed = try DealParams(json: params)
        } catch {
            // Parsed a second time only when refused: params that are not a JSON object name no secret.
            guard let json = try? JSONValue(parsing: params), json.objectValue != nil else { return [:] }
            throw SMSError(
                .invalidDealParams,
                "The deal's params cannot be read (\(error.message)); the requester must make a new deal with params such as {\"iexec_secrets\": {\"1\": \"name\"}}."
            )
        }
        var names: [UInt64: String] = [:]
        for (index, name) in parsed.secrets {
            guard SecretIdentifier.isRequesterName(name) else {
                throw SMSError(
                    .invalidDealParams,
                    "The deal's iexec_secrets maps \(index) to '\(name.prefix(80))', but secret names are 1 to 64 characters from A-Z, a-z, 0-9, '-' and '_'; the requester must make a new deal."
                )
            }
            names[UInt64(index)] = name
        }
        return names
    }
}
