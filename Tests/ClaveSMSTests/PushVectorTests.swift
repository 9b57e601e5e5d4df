import ClaveCrypto
import ClaveSMS
import Foundation
import Testing

/// The push challenge of docs/formats/sms-push.md: canonical bytes, digest and signature as Python's `rfc8785` and
/// `eth-account` make them.
@Suite struct PushVectorTests {
    static let key = try! PrivateKey(hex: "0x63093ea81b5175c5eae9465f20ca2be13bc81bfff04bf8c0bb8dcf3c17ab45d7")
    static let canonical =
        #"{"domain":{"chainId":134,"hub":"0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f","name":"clave-sms","version":"1"},"expiry":1700000600,"kind":"requester","name":"api-key","nonce":"0x1111111111111111111111111111111111111111111111111111111111111111","signer":"0x29aAebc2654FF8984c16D0eEd339271B92aE0eea","target":"0x29aAebc2654FF8984c16D0eEd339271B92aE0eea","valueHash":"0xb9d1d013f600ec1bf16bae6a3634cad15dcc490c9f2835764201a41a1d70de44"}"#
    static let signature =
        "0x011d3a22432d5205dff1ca24afd22b1b9c5916800604cb9fa85ff5d5583c54455c3533b69e4fa831279c4a61c24c629aa54166e1219edb7b441fce731f396ca01b"

    static func push() throws -> SecretPush {
        let domain = PushDomain(chainId: 134, hub: try Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"))
        return SecretPush(
            Array("my secret".utf8), into: try .requesterSecret(key.address, name: "api-key"), domain: domain,
            expiry: 1_700_000_600, nonce: try Bytes32(hex: "0x" + String(repeating: "11", count: 32)),
            signedWith: key)
    }

    @Test func theDocumentedVector() throws {
        let push = try Self.push()
        #expect(String(decoding: push.challenge.canonicalBytes, as: UTF8.self) == Self.canonical)
        #expect(
            push.challenge.digest.description == "0x3dd16e695dd99ff3575d8d2b1df632a056f76630ec1a93ba22dd46fce449692a")
        #expect(push.signature.description == Self.signature)
        #expect(try push.signature.recoverCanonicalSigner(push.challenge.json) == Self.key.address)
        #expect(push.json["value"] == "bXkgc2VjcmV0")
    }

    @Test func theJSONFormRoundTripsAndIsReadStrictly() throws {
        let push = try Self.push()
        #expect(try SecretPush(json: JSONValue(parsing: push.json.serialized())) == push)
        #expect(try PushChallenge(json: JSONValue(parsing: Self.canonical)) == push.challenge)

        var extra = try #require(push.json.objectValue)
        extra["extra"] = true
        #expect(throws: SMSError.self) { try SecretPush(json: .object(extra)) }
        var notBase64 = try #require(push.json.objectValue)
        notBase64["value"] = "not base64!"
        #expect(throws: SMSError.self) { try SecretPush(json: .object(notBase64)) }
        var challenge = try #require(push.challenge.json.objectValue)
        challenge["kind"] = "dataset-owner"
        #expect(throws: SMSError.self) { try PushChallenge(json: .object(challenge)) }
        var domain = try #require(push.challenge.json.objectValue)
        domain["domain"] = [
            "name": "iexec-sms", "version": "1", "chainId": 134, "hub": .string(Address.zero.checksummed),
        ]
        #expect(throws: SMSError.self) { try PushChallenge(json: .object(domain)) }
        var expiry = try #require(push.challenge.json.objectValue)
        expiry["expiry"] = "1700000600"
        #expect(throws: SMSError.self) { try PushChallenge(json: .object(expiry)) }
    }
}
