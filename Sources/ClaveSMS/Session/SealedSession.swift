import ClaveCore
public import ClaveAttestation
public import ClaveCrypto
import Foundation

extension HPKEEnvelope.Purpose {
    /// A task's secrets, sealed by the SMS to an enclave session's key: `clave-sms-session-v1` (the context is the
    /// task id).
    public static let smsSession = HPKEEnvelope.Purpose(label: "clave-sms-session-v1")
}

/// What the SMS answers to a session it opens: the task's secrets (``SessionSecrets``) sealed with HPKE to the
/// session's key for ``ClaveCrypto/HPKEEnvelope/Purpose/smsSession``, bound to the task id, and the kind of evidence
/// it was released on.
///
/// JSON: `{"taskId": "0x…", "attestation": "simulated", "envelope": {HPKE envelope JSON}}`.
public struct SealedSession: Sendable, Hashable {
    public var taskId: Bytes32
    /// The kind of evidence the secrets were released on: `simulated`, `sgx-dcap`, `tdx`. Whatever is computed with
    /// secrets released on `simulated` evidence must say so.
    public var attestation: EvidenceKind
    public var envelope: HPKEEnvelope

    public init(taskId: Bytes32, attestation: EvidenceKind, envelope: HPKEEnvelope) {
        self.taskId = taskId
        self.attestation = attestation
        self.envelope = envelope
    }

    /// Whether the secrets were released on simulated evidence.
    public var isSimulated: Bool { attestation == .simulated }

    public var json: JSONValue {
        // Encoding an envelope (strings and integers) cannot fail.
        let envelopeJSON = try! JSONValue(parsing: envelope.jsonData())
        return [
            "taskId": .string(taskId.description), "attestation": .string(attestation.rawValue),
            "envelope": envelopeJSON,
        ]
    }

    public init(json: JSONValue) throws(SMSError) {
        var envelopeValue = JSONValue.null
        let (taskId, attestation) = try SMSJSON.read(json, "sealedSession", code: .unavailable) {
            (fields) throws(TransactionFormatError) in
            envelopeValue = try fields.member("envelope")
            return (try fields.bytes32("taskId"), try fields.string("attestation"))
        }
        do {
            envelope = try HPKEEnvelope(jsonData: Data(envelopeValue.serialized()))
        } catch {
            throw SMSError(.unavailable, "sealedSession.envelope: \(error.message)")
        }
        self.taskId = taskId
        self.attestation = EvidenceKind(rawValue: attestation)
    }
}

/// A task's secrets, as the enclave reads them once it opens a ``SealedSession``:
/// `{"taskId", "datasetKey", "appDeveloperSecret", "requesterSecrets", "enclaveChallengeKey"}`, values in base64
/// (`null` when there is none), `requesterSecrets` keyed by iExec's index (`"1"`, `"2"`, … as the deal's
/// `iexec_secrets` numbers them), the challenge key as 0x-hex.
public struct SessionSecrets: Sendable, Hashable {
    public var taskId: Bytes32
    /// The dataset's key; nil when the deal has no dataset.
    public var datasetKey: [UInt8]?
    /// The app's developer secret; nil when its owner pushed none.
    public var appDeveloperSecret: [UInt8]?
    /// The requester secrets the deal names, by their index in `iexec_secrets` (`IEXEC_REQUESTER_SECRET_<index>`).
    public var requesterSecrets: [UInt64: [UInt8]]
    /// The task's enclave challenge key: it signs the enclave's contribution; its address is the authorization's
    /// `enclaveChallenge`.
    public var enclaveChallengeKey: PrivateKey

    public init(
        taskId: Bytes32, datasetKey: [UInt8]?, appDeveloperSecret: [UInt8]?, requesterSecrets: [UInt64: [UInt8]],
        enclaveChallengeKey: PrivateKey
    ) {
        self.taskId = taskId
        self.datasetKey = datasetKey
        self.appDeveloperSecret = appDeveloperSecret
        self.requesterSecrets = requesterSecrets
        self.enclaveChallengeKey = enclaveChallengeKey
    }

    public var json: JSONValue {
        func base64(_ bytes: [UInt8]?) -> JSONValue { bytes.map { .string(Data($0).base64EncodedString()) } ?? .null }
        return [
            "taskId": .string(taskId.description), "datasetKey": base64(datasetKey),
            "appDeveloperSecret": base64(appDeveloperSecret),
            "requesterSecrets": .object(
                JSONValue.Object(Dictionary(uniqueKeysWithValues: requesterSecrets.map { (String($0), base64($1)) }))),
            "enclaveChallengeKey": .string(Hex.encode(enclaveChallengeKey.rawRepresentation)),
        ]
    }

    public init(json: JSONValue) throws(SMSError) {
        func bytes(_ value: JSONValue?, _ path: String) throws(TransactionFormatError) -> [UInt8]? {
            guard let value else { return nil }
            guard case .string(let text) = value, let data = Data(base64Encoded: text) else {
                throw TransactionFormatError(.invalidValue, at: path, "expected base64 text or null.")
            }
            return Array(data)
        }
        self = try SMSJSON.read(json, "secrets", code: .unavailable) { (fields) throws(TransactionFormatError) in
            let taskId = try fields.bytes32("taskId")
            let datasetKey = try bytes(fields.optional("datasetKey"), "secrets.datasetKey")
            let developer = try bytes(fields.optional("appDeveloperSecret"), "secrets.appDeveloperSecret")
            let pairs = try fields.members("requesterSecrets") { (key, value, path) throws(TransactionFormatError) in
                guard let index = UInt64(key), String(index) == key, let secret = try bytes(value, path) else {
                    throw TransactionFormatError(.invalidValue, at: path, "expected an index and a base64 value.")
                }
                return (index, secret)
            }
            let keyText = try fields.string("enclaveChallengeKey")
            guard let key = try? PrivateKey(hex: keyText) else {
                throw TransactionFormatError(
                    .invalidValue, at: "secrets.enclaveChallengeKey", "is not a secp256k1 private key.")
            }
            return SessionSecrets(
                taskId: taskId, datasetKey: datasetKey, appDeveloperSecret: developer,
                requesterSecrets: Dictionary(pairs, uniquingKeysWith: { first, _ in first }), enclaveChallengeKey: key)
        }
    }
}

extension EnclaveSession {
    /// Opens the secrets the SMS sealed to this session.
    ///
    /// - Throws: ``SMSError/Code/evidenceNotBound`` when the envelope was sealed to another session or task, or was
    ///   altered; ``SMSError/Code/unavailable`` when what it holds is not a session's secrets.
    public func open(_ sealed: SealedSession) throws(SMSError) -> SessionSecrets {
        guard sealed.taskId == taskId else {
            throw SMSError(
                .evidenceNotBound, "These secrets are for task \(sealed.taskId), but this session is task \(taskId)'s.")
        }
        let plaintext: [UInt8]
        do {
            plaintext = try open(sealed.envelope, purpose: .smsSession)
        } catch {
            throw SMSError(.evidenceNotBound, error.message)
        }
        let secrets: SessionSecrets
        do {
            secrets = try SessionSecrets(json: JSONValue(parsing: plaintext))
        } catch let error as SMSError {
            throw error
        } catch {
            throw SMSError(.unavailable, "The sealed secrets are not JSON: \(error).")
        }
        guard secrets.taskId == taskId else {
            throw SMSError(.evidenceNotBound, "The sealed secrets name task \(secrets.taskId), not \(taskId).")
        }
        return secrets
    }
}
