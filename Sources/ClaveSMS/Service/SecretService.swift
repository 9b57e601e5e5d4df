import ClaveCore
public import ClaveCrypto

/// The Secret Management Service as its users reach it: data owners, app developers and requesters push secrets;
/// workers ask for a task's enclave challenge; enclaves open sessions that release a task's secrets
/// (docs/sms.md).
///
/// ``SecretManagementService`` implements it in process; `ClaveClient.SecretServiceClient` over HTTP. Every refusal
/// is an ``SMSError`` and changes nothing.
public protocol SecretService: Sendable {
    /// Stores `push.value` as the secret its challenge names, once the challenge's signature, domain, expiry, nonce
    /// and the signer's right to the secret are checked.
    func push(_ push: SecretPush) async throws(SMSError) -> PushReceipt

    /// Whether a value is stored for `secret`. Says nothing else about it: a data owner whose protect was interrupted
    /// asks before pushing the dataset key again.
    func exists(_ secret: SecretIdentifier) async throws(SMSError) -> Bool

    /// The address of task `taskId`'s enclave challenge key, created the first time it is asked for. Only for a task
    /// that is ACTIVE on the ledger.
    func enclaveChallenge(for taskId: Bytes32) async throws(SMSError) -> Address

    /// Releases task `request.taskId`'s secrets sealed to `request.sessionKey`, once the authorization, the evidence
    /// and the ledger allow it (the checks, in order, are in docs/sms.md).
    func openSession(_ request: SessionRequest) async throws(SMSError) -> SealedSession
}

/// What a push stored.
public struct PushReceipt: Sendable, Hashable {
    public var secret: SecretIdentifier
    /// Whether the push replaced an earlier value (requester and app developer secrets can be updated).
    public var replaced: Bool

    public init(secret: SecretIdentifier, replaced: Bool) {
        self.secret = secret
        self.replaced = replaced
    }

    /// `{"kind", "target", "name", "replaced"}`.
    public var json: JSONValue {
        [
            "kind": .string(secret.kind.rawValue), "target": .string(secret.target.checksummed),
            "name": .string(secret.name), "replaced": .bool(replaced),
        ]
    }

    public init(json: JSONValue) throws(SMSError) {
        let (kind, target, name, replaced) = try SMSJSON.read(json, "receipt", code: .unavailable) {
            (fields) throws(TransactionFormatError) in
            (
                try fields.string("kind"), try fields.address("target"), try fields.string("name"),
                try fields.bool("replaced")
            )
        }
        guard let kind = SecretKind(rawValue: kind) else {
            throw SMSError(.unavailable, "receipt.kind '\(kind.prefix(40))' is not a kind of secret.")
        }
        self.init(secret: try SecretIdentifier(kind: kind, target: target, name: name), replaced: replaced)
    }
}
