import ClaveCore
import ClaveCrypto
import ClaveSMS
import ClaveTestSupport
import Foundation
import Testing

/// Pushes: who may push which secret, and every refusal leaving the stored secrets and the spent nonces as they were.
@Suite struct PushTests {
    @Test func ownersPushTheirSecretsAndOnlyTheDatasetKeyIsWriteOnce() async throws {
        let f = try await SMSFixture()
        let datasetKey = SecretIdentifier.datasetKey(f.dataset)
        let developer = SecretIdentifier.appDeveloperSecret(f.app)
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        for secret in [datasetKey, developer, apiKey] { #expect(try await f.sms.exists(secret) == false) }

        let receipt = try await f.sms.push(f.push(SMSFixture.datasetKey, into: datasetKey, by: f.datasetOwner))
        #expect(receipt == PushReceipt(secret: datasetKey, replaced: false))
        #expect(try await f.sms.push(f.push([1], into: developer, by: f.appOwner)).replaced == false)
        #expect(try await f.sms.push(f.push([2], into: developer, by: f.appOwner)).replaced == true)
        #expect(try await f.sms.push(f.push(Array("v1".utf8), into: apiKey, by: f.requester)).replaced == false)
        #expect(try await f.sms.push(f.push(Array("v2".utf8), into: apiKey, by: f.requester)).replaced == true)

        for secret in [datasetKey, developer, apiKey] { #expect(try await f.sms.exists(secret)) }
        #expect(try await f.sms.storedValue(datasetKey) == SMSFixture.datasetKey)
        #expect(try await f.sms.storedValue(developer) == [2])
        #expect(try await f.sms.storedValue(apiKey) == Array("v2".utf8))
        #expect(try await f.sms.storedNonceCount() == 5)
    }

    @Test func theAppsNewOwnerPushesItsDeveloperSecretAndTheOldOneNoLonger() async throws {
        let f = try await SMSFixture()
        let developer = SecretIdentifier.appDeveloperSecret(f.app)
        try await f.submit(f.appOwner, .transferAppOwnership(app: f.app, newOwner: f.stranger.address))
        await expectRefusal(.notOwner) { try await f.sms.push(f.push([1], into: developer, by: f.appOwner)) }
        #expect(try await f.sms.exists(developer) == false)
        #expect(try await f.sms.push(f.push([2], into: developer, by: f.stranger)).replaced == false)
    }

    @Test func aPushByANonOwnerIsRefusedAndStoresNothing() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        _ = try await f.sms.push(f.push(Array("mine".utf8), into: apiKey, by: f.requester))
        let attempts: [(SecretIdentifier, TestAccount)] = [
            (.datasetKey(f.dataset), f.stranger), (.datasetKey(f.dataset), f.requester),
            (.appDeveloperSecret(f.app), f.stranger), (.appDeveloperSecret(f.app), f.datasetOwner),
            (apiKey, f.stranger),
        ]
        for (secret, signer) in attempts {
            let error = await expectRefusal(.notOwner) {
                try await f.sms.push(f.push(Array("stolen".utf8), into: secret, by: signer))
            }
            #expect(error?.message.contains(signer.address.checksummed) == true)
        }
        #expect(try await f.sms.exists(.datasetKey(f.dataset)) == false)
        #expect(try await f.sms.exists(.appDeveloperSecret(f.app)) == false)
        #expect(try await f.sms.storedValue(apiKey) == Array("mine".utf8))
        #expect(try await f.sms.storedNonceCount() == 1)

        // A push for an asset the ledger does not have.
        await expectRefusal(.unknownAsset) {
            try await f.sms.push(f.push([1], into: .datasetKey(f.stranger.address), by: f.stranger))
        }
        #expect(try await f.sms.exists(.datasetKey(f.stranger.address)) == false)
    }

    @Test func aReplayedPushIsRefusedAndChangesNothing() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        let first = f.push(Array("first".utf8), into: apiKey, by: f.requester)
        _ = try await f.sms.push(first)
        _ = try await f.sms.push(f.push(Array("second".utf8), into: apiKey, by: f.requester))
        // Someone who captured the first push sends it again to roll the secret back.
        await expectRefusal(.replayed) { try await f.sms.push(first) }
        #expect(try await f.sms.storedValue(apiKey) == Array("second".utf8))
        #expect(try await f.sms.storedNonceCount() == 2)
    }

    @Test func aReplayIsRefusedAfterARestartAndNoncesArePurgedOnceExpired() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        let first = f.push(Array("first".utf8), into: apiKey, by: f.requester, lifetime: 100)
        _ = try await f.sms.push(first)
        _ = try await f.sms.push(f.push(Array("second".utf8), into: apiKey, by: f.requester, lifetime: 500))

        let restarted = try f.reopened()
        await expectRefusal(.replayed) { try await restarted.push(first) }
        #expect(try await restarted.storedValue(apiKey) == Array("second".utf8))
        #expect(try await restarted.storedNonceCount() == 2)

        // Past the first push's expiry its nonce is no longer needed: the next push purges it, and the push itself
        // is refused as expired.
        f.clock.advance(by: 100)
        _ = try await restarted.push(f.push(Array("third".utf8), into: apiKey, by: f.requester))
        #expect(try await restarted.storedNonceCount() == 2)
        await expectRefusal(.expired) { try await restarted.push(first) }
        #expect(try await restarted.storedValue(apiKey) == Array("third".utf8))
    }

    @Test func anExpiredPushOrOneExpiringTooFarAheadIsRefused() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        let soon = f.push(Array("late".utf8), into: apiKey, by: f.requester, lifetime: 30)
        f.clock.advance(by: 30)
        await expectRefusal(.expired) { try await f.sms.push(soon) }
        await expectRefusal(.expiryTooFar) {
            try await f.sms.push(f.push(Array("far".utf8), into: apiKey, by: f.requester, lifetime: 601))
        }
        #expect(try await f.sms.exists(apiKey) == false)
        #expect(try await f.sms.storedNonceCount() == 0)
        // The edge: exactly the window is accepted.
        _ = try await f.sms.push(f.push(Array("ok".utf8), into: apiKey, by: f.requester, lifetime: 600))
    }

    @Test func anOversizedSecretIsRefused() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        let developer = SecretIdentifier.appDeveloperSecret(f.app)
        let datasetKey = SecretIdentifier.datasetKey(f.dataset)
        let oversized = [UInt8](repeating: 0x41, count: 4097)
        for (secret, signer) in [(apiKey, f.requester), (developer, f.appOwner), (datasetKey, f.datasetOwner)] {
            await expectRefusal(.tooLarge) { try await f.sms.push(f.push(oversized, into: secret, by: signer)) }
            #expect(try await f.sms.exists(secret) == false)
        }
        #expect(try await f.sms.storedNonceCount() == 0)
        let largest = [UInt8](repeating: 0x42, count: 4096)
        _ = try await f.sms.push(f.push(largest, into: apiKey, by: f.requester))
        #expect(try await f.sms.storedValue(apiKey) == largest)
    }

    @Test func aSecondDatasetKeyPushIsRefusedEvenWithTheSameValue() async throws {
        let f = try await SMSFixture()
        let datasetKey = SecretIdentifier.datasetKey(f.dataset)
        _ = try await f.sms.push(f.push(SMSFixture.datasetKey, into: datasetKey, by: f.datasetOwner))
        for value in [SMSFixture.datasetKey, Array("another key".utf8)] {
            await expectRefusal(.alreadyExists) {
                try await f.sms.push(f.push(value, into: datasetKey, by: f.datasetOwner))
            }
        }
        #expect(try await f.sms.storedValue(datasetKey) == SMSFixture.datasetKey)
        #expect(try await f.sms.storedNonceCount() == 1)
    }

    @Test func malformedOrForgedPushesAreRefused() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        let good = f.push(Array("value".utf8), into: apiKey, by: f.requester)

        var otherValue = good
        otherValue.value = Array("other".utf8)
        await expectRefusal(.invalidPush) { try await f.sms.push(otherValue) }

        var otherName = good
        otherName.challenge.name = "other-name"
        await expectRefusal(.invalidSignature) { try await f.sms.push(otherName) }

        var signedByStranger = good
        signedByStranger.signature = f.stranger.key.signCanonical(good.challenge.json)
        await expectRefusal(.invalidSignature) { try await f.sms.push(signedByStranger) }

        let otherChain = SecretPush(
            Array("value".utf8), into: apiKey, domain: PushDomain(chainId: 1, hub: SMSFixture.hub),
            expiry: f.clock.now + 60, signedWith: f.requester.key)
        await expectRefusal(.wrongDomain) { try await f.sms.push(otherChain) }

        var badName = good
        badName.challenge.name = "no spaces/allowed"
        await expectRefusal(.invalidPush) { try await f.sms.push(badName) }
        var datasetNamed = good
        datasetNamed.challenge.kind = .dataset
        await expectRefusal(.invalidPush) { try await f.sms.push(datasetNamed) }

        #expect(try await f.sms.exists(apiKey) == false)
        #expect(try await f.sms.storedNonceCount() == 0)
        _ = try await f.sms.push(good)
    }

    @Test(arguments: ["a", "A-z_0-9", String(repeating: "x", count: 64)])
    func requesterSecretNamesFollowIExecsPattern(name: String) throws {
        #expect(SecretIdentifier.isRequesterName(name))
    }

    @Test(arguments: ["", String(repeating: "x", count: 65), "a b", "é", "a.b", "a/b", "a\u{0}"])
    func otherNamesAreRefused(name: String) throws {
        #expect(!SecretIdentifier.isRequesterName(name))
        #expect(throws: SMSError.self) { try SecretIdentifier.requesterSecret(.zero, name: name) }
    }
}
