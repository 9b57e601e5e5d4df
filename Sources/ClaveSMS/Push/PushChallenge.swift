public import ClaveCore
public import ClaveCrypto
import Crypto
public import Foundation

/// Whose SMS a push is for: `{"name": "clave-sms", "version": "1", "chainId": …, "hub": "0x…"}`, the ledger's chain
/// id and hub address. A push signed for one chain's SMS is refused by every other.
public struct PushDomain: Sendable, Hashable {
    /// `clave-sms`.
    public static let name = "clave-sms"
    /// The version of the push format.
    public static let version = "1"

    public let chainId: UInt64
    public let hub: Address

    public init(chainId: UInt64, hub: Address) {
        self.chainId = chainId
        self.hub = hub
    }

    /// The domain of the SMS of the chain `configuration` describes.
    public init(_ configuration: ChainConfiguration) {
        self.init(chainId: configuration.chainId, hub: configuration.hub)
    }

    public var json: JSONValue {
        [
            "name": .string(Self.name), "version": .string(Self.version), "chainId": .number(.init(chainId)),
            "hub": .string(hub.checksummed),
        ]
    }

    init(json: JSONValue, path: String) throws(SMSError) {
        let (chainId, hub) = try SMSJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            let name = try fields.string("name")
            let version = try fields.string("version")
            guard name == Self.name, version == Self.version else {
                throw TransactionFormatError(
                    .invalidValue, at: path,
                    "names '\(name.prefix(40))' version '\(version.prefix(10))', but this SMS reads only '\(Self.name)' version '\(Self.version)'."
                )
            }
            return (try fields.number("chainId"), try fields.address("hub"))
        }
        self.init(chainId: chainId, hub: hub)
    }
}

/// What the signer of a push signs (docs/formats/sms-push.md): a JSON object canonicalized with RFC 8785 and signed
/// as transactions are, with an EIP-191 personal-message signature over the keccak-256 of its canonical bytes.
///
/// It binds everything the push does: whose SMS (``domain``), which secret (``kind``, ``target``, ``name``), which
/// value (``valueHash``, sha-256 of the value), who signs, and until when (``expiry``); its ``nonce`` is stored once
/// used, so a captured push cannot be sent again.
public struct PushChallenge: Sendable, Hashable {
    public var domain: PushDomain
    public var kind: SecretKind
    /// Who signs: the dataset's owner, the app's owner, or the requester.
    public var signer: Address
    /// The dataset's, the app's or the requester's address.
    public var target: Address
    public var name: String
    /// sha-256 of the value.
    public var valueHash: Bytes32
    /// Unix seconds; the push is refused from then on, and when it is further ahead than the SMS accepts.
    public var expiry: UInt64
    /// 32 random bytes, used once.
    public var nonce: Bytes32

    public init(
        domain: PushDomain, kind: SecretKind, signer: Address, target: Address, name: String, valueHash: Bytes32,
        expiry: UInt64, nonce: Bytes32
    ) {
        self.domain = domain
        self.kind = kind
        self.signer = signer
        self.target = target
        self.name = name
        self.valueHash = valueHash
        self.expiry = expiry
        self.nonce = nonce
    }

    /// `{"domain", "kind", "signer", "target", "name", "valueHash", "expiry", "nonce"}`; `expiry` is a JSON number.
    public var json: JSONValue {
        [
            "domain": domain.json, "kind": .string(kind.rawValue), "signer": .string(signer.checksummed),
            "target": .string(target.checksummed), "name": .string(name), "valueHash": .string(valueHash.description),
            "expiry": .number(.init(expiry)), "nonce": .string(nonce.description),
        ]
    }

    /// Reads a challenge written by ``json``, strictly.
    public init(json: JSONValue, path: String = "challenge") throws(SMSError) {
        var domainValue = JSONValue.null
        self = try SMSJSON.read(json, path) { (fields) throws(TransactionFormatError) in
            domainValue = try fields.member("domain")
            let kindText = try fields.string("kind")
            guard let kind = SecretKind(rawValue: kindText) else {
                throw TransactionFormatError(
                    .invalidValue, at: "\(path).kind",
                    "'\(kindText.prefix(40))' is not a kind of secret; use dataset, app-developer or requester.")
            }
            return PushChallenge(
                domain: PushDomain(chainId: 0, hub: .zero), kind: kind, signer: try fields.address("signer"),
                target: try fields.address("target"), name: try fields.string("name"),
                valueHash: try fields.bytes32("valueHash"), expiry: try fields.number("expiry"),
                nonce: try fields.bytes32("nonce"))
        }
        domain = try PushDomain(json: domainValue, path: "\(path).domain")
    }

    /// The RFC 8785 bytes of ``json``: what is hashed and signed.
    public var canonicalBytes: [UInt8] { CanonicalJSON.encode(json) }

    /// keccak-256 of ``canonicalBytes``: the 32-byte message of the EIP-191 signature.
    public var digest: Bytes32 { CanonicalJSON.digest(json) }

    /// sha-256 of `value`, as ``valueHash`` holds it.
    public static func hash(_ value: some DataProtocol) -> Bytes32 {
        // SHA-256 digests are 32 bytes.
        try! Bytes32(Array(SHA256.hash(data: Array(value))))
    }

    /// 32 random bytes from the system's secure generator, for ``nonce``.
    public static func randomNonce() -> Bytes32 {
        var generator = SystemRandomNumberGenerator()
        // 32 bytes make a Bytes32.
        return try! Bytes32((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// A push: the secret's value, the challenge that names it and the signer's signature over the challenge.
///
/// JSON: `{"challenge": {…}, "signature": "0x…", "value": "<base64>"}`.
public struct SecretPush: Sendable, Hashable {
    public var challenge: PushChallenge
    public var signature: Signature
    public var value: [UInt8]

    public init(challenge: PushChallenge, signature: Signature, value: [UInt8]) {
        self.challenge = challenge
        self.signature = signature
        self.value = value
    }

    /// Signs a push of `value` into `secret` with `key`, for the SMS of `domain`, valid until `expiry` (Unix
    /// seconds), with a fresh random nonce unless one is given.
    public init(
        _ value: [UInt8], into secret: SecretIdentifier, domain: PushDomain, expiry: UInt64,
        nonce: Bytes32 = PushChallenge.randomNonce(), signedWith key: PrivateKey
    ) {
        let challenge = PushChallenge(
            domain: domain, kind: secret.kind, signer: key.address, target: secret.target, name: secret.name,
            valueHash: PushChallenge.hash(value), expiry: expiry, nonce: nonce)
        self.init(challenge: challenge, signature: key.signCanonical(challenge.json), value: value)
    }

    /// The secret the challenge names, once its name is checked against its kind.
    public func identifier() throws(SMSError) -> SecretIdentifier {
        try SecretIdentifier(kind: challenge.kind, target: challenge.target, name: challenge.name)
    }

    public var json: JSONValue {
        [
            "challenge": challenge.json, "signature": .string(signature.description),
            "value": .string(Data(value).base64EncodedString()),
        ]
    }

    /// Reads a push written by ``json``, strictly (the signature is checked by the SMS, not here).
    public init(json: JSONValue) throws(SMSError) {
        var challengeValue = JSONValue.null
        var valueText = ""
        let signature = try SMSJSON.read(json, "push") { (fields) throws(TransactionFormatError) in
            challengeValue = try fields.member("challenge")
            valueText = try fields.string("value")
            return try fields.signature("signature")
        }
        guard let value = Data(base64Encoded: valueText) else {
            throw SMSError(.invalidRequest, "push.value is not base64; encode the secret's bytes in standard base64.")
        }
        self.init(
            challenge: try PushChallenge(json: challengeValue, path: "push.challenge"), signature: signature,
            value: Array(value))
    }
}
