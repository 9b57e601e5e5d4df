import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveSMS
import ClaveTestSupport
import Foundation
import Testing

/// Sessions: the secrets of a task are released to an attested enclave only when the ledger and the evidence allow
/// it. Each refusal releases nothing (no sealed session comes back) and leaves the stored secrets as they were.
@Suite struct SessionTests {
    /// The secrets stored by ``SMSFixture/pushAllSecrets()``, read back.
    func storedSecrets(_ f: SMSFixture) async throws -> [[UInt8]?] {
        var values: [[UInt8]?] = [
            try await f.sms.storedValue(.datasetKey(f.dataset)),
            try await f.sms.storedValue(.appDeveloperSecret(f.app)),
        ]
        for name in ["api-key", "db-password"] {
            values.append(try await f.sms.storedValue(.requesterSecret(f.requester.address, name: name)))
        }
        return values
    }

    @Test func aSimulatedEnclaveOpensTheTasksSecrets() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let challenge = try await f.sms.enclaveChallenge(for: taskId)
        #expect(try await f.sms.enclaveChallenge(for: taskId) == challenge)

        let session = try f.session(taskId)
        let sealed = try await f.sms.openSession(
            SessionRequest(authorization: f.authorization(taskId), session: session))
        #expect(sealed.taskId == taskId)
        #expect(sealed.isSimulated)
        #expect(sealed.attestation == .simulated)

        let secrets = try session.open(sealed)
        #expect(secrets.taskId == taskId)
        #expect(secrets.datasetKey == SMSFixture.datasetKey)
        #expect(secrets.appDeveloperSecret == SMSFixture.developerSecret)
        #expect(secrets.requesterSecrets == [1: Array("value of api-key".utf8), 2: Array("value of db-password".utf8)])
        #expect(secrets.enclaveChallengeKey.address == challenge)

        // Only that session opens them: another session of the same enclave for the same task cannot.
        let other = try f.session(taskId)
        #expect(throws: SMSError.self) { try other.open(sealed) }

        // What the enclave then signs is what the ledger checks in contribute: the challenge key's signature.
        let authorization = try await f.authorization(taskId)
        #expect(authorization.signer == f.scheduler.address)
        #expect(authorization.enclaveChallenge == challenge)
    }

    @Test func aDealWithoutDatasetOrSecretsReleasesOnlyTheChallengeKey() async throws {
        let f = try await SMSFixture()
        let taskId = try await f.initialize(f.match(params: "", withDataset: false))
        let session = try f.session(taskId)
        let sealed = try await f.sms.openSession(
            SessionRequest(authorization: f.authorization(taskId), session: session))
        let secrets = try session.open(sealed)
        #expect(secrets.datasetKey == nil)
        #expect(secrets.appDeveloperSecret == nil)
        #expect(secrets.requesterSecrets.isEmpty)
        #expect(try await secrets.enclaveChallengeKey.address == f.sms.enclaveChallenge(for: taskId))
    }

    @Test func aTaskThatIsNotActiveGetsNoChallengeAndNoSession() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let dealId = try await f.match()
        let uninitialized = ComputeTask.id(dealId: dealId, index: 0)
        await expectRefusal(.taskNotActive) { try await f.sms.enclaveChallenge(for: uninitialized) }
        let challenge = PrivateKey.generate().address
        await expectRefusal(.taskNotActive) {
            try await f.sms.openSession(
                SessionRequest(
                    authorization: f.authorization(uninitialized, challenge: challenge),
                    session: f.session(uninitialized)))
        }

        // Once the task is over (claimed after its final deadline) the session is refused too.
        let taskId = try await f.initialize(dealId)
        let authorization = try await f.authorization(taskId)
        f.clock.advance(by: 10 * 300 + 1)
        try await f.submit(f.requester, .claim(taskId: taskId))
        await expectRefusal(.taskNotActive) {
            try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
        }
        #expect(try await storedSecrets(f).allSatisfy { $0 != nil })
    }

    @Test func aRevokedGrantReleasesNothing() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let authorization = try await f.authorization(taskId)
        // The dataset's owner closes the order the deal was made with.
        try await f.submit(f.datasetOwner, .closeOrder(.dataset(f.datasetOrder())))
        let error = await expectRefusal(.grantRevoked) {
            try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
        }
        #expect(error?.message.contains("revoked") == true)
        #expect(try await storedSecrets(f).allSatisfy { $0 != nil })
    }

    /// The SMS reads a deal's dataset order from the ledger once and remembers it; whether that order was closed is
    /// asked at every session, so a grant revoked after a deal's first session stops the next one.
    @Test func aGrantRevokedAfterASessionReleasesNothingToTheNext() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let authorization = try await f.authorization(taskId)
        _ = try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
        try await f.submit(f.datasetOwner, .closeOrder(.dataset(f.datasetOrder())))
        await expectRefusal(.grantRevoked) {
            try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
        }
    }

    @Test func aWrongMeasurementReleasesNothing() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let tampered = PushChallenge.hash(SMSFixture.bundle + [0x0A])
        await expectRefusal(.wrongMeasurement) {
            try await f.sms.openSession(
                SessionRequest(
                    authorization: f.authorization(taskId), session: f.session(taskId, measurement: tampered))
            )
        }
    }

    @Test func anAppWithoutARegisteredMeasurementReleasesNothing() async throws {
        let f = try await SMSFixture()
        let app = try await f.createApp(mrenclave: "")
        let taskId = try await f.initialize(f.match(app: app, params: "", withDataset: false))
        let error = await expectRefusal(.noMeasurement) {
            try await f.sms.openSession(
                SessionRequest(authorization: f.authorization(taskId), session: f.session(taskId)))
        }
        #expect(error?.message.contains("no measurement") == true)
    }

    @Test func iExecsFingerprintJSONIsTheRegisteredMeasurement() async throws {
        let f = try await SMSFixture()
        let hex = SMSFixture.measurement.description.dropFirst(2)
        let app = try await f.createApp(mrenclave: #"{"framework":"SCONE","version":"v5","fingerprint":"\#(hex)"}"#)
        let taskId = try await f.initialize(f.match(app: app, params: "", withDataset: false))
        let sealed = try await f.sms.openSession(
            SessionRequest(authorization: f.authorization(taskId), session: f.session(taskId)))
        #expect(sealed.isSimulated)
    }

    @Test func evidenceBoundToAnotherTaskOrKeyReleasesNothing() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let otherTask = try await f.initialize(f.match(salt: 1))
        let authorization = try await f.authorization(taskId)

        // Evidence made in another task's session.
        let otherSession = try f.session(otherTask)
        await expectRefusal(.evidenceNotBound) {
            try await f.sms.openSession(SessionRequest(authorization: authorization, session: otherSession))
        }
        // This task's evidence, but the secrets asked to be sealed to another key.
        let session = try f.session(taskId)
        let intruder = X25519PrivateKey.generate().publicKey
        await expectRefusal(.evidenceNotBound) {
            try await f.sms.openSession(
                SessionRequest(authorization: authorization, sessionKey: intruder, evidence: session.evidence))
        }
        #expect(try await storedSecrets(f).allSatisfy { $0 != nil })
    }

    @Test func anAuthorizationNotSignedByThePoolOwnerReleasesNothing() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        for signer in [f.stranger, f.worker, f.requester] {
            await expectRefusal(.notPoolOwner) {
                try await f.sms.openSession(
                    SessionRequest(authorization: f.authorization(taskId, signer: signer), session: f.session(taskId)))
            }
        }
        // The pool changed hands: the old owner's authorization no longer counts.
        let old = try await f.authorization(taskId)
        try await f.submit(
            f.scheduler, .transferWorkerpoolOwnership(workerpool: f.workerpool, newOwner: f.stranger.address))
        await expectRefusal(.notPoolOwner) {
            try await f.sms.openSession(SessionRequest(authorization: old, session: f.session(taskId)))
        }
        _ = try await f.sms.openSession(
            SessionRequest(authorization: f.authorization(taskId, signer: f.stranger), session: f.session(taskId)))
    }

    @Test func anAuthorizationForAnotherEnclaveChallengeReleasesNothing() async throws {
        let f = try await SMSFixture()
        let taskId = try await f.activeTask()
        await expectRefusal(.invalidAuthorization) {
            try await f.sms.openSession(
                SessionRequest(
                    authorization: f.authorization(taskId, challenge: f.worker.address), session: f.session(taskId)))
        }
    }

    @Test func evidenceFromAnUntrustedSimulationKeyReleasesNothing() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let rogue = SimulatedEnclave(simulationKey: f.stranger.key)
        let session = try rogue.startSession(taskId: taskId, measurement: SMSFixture.measurement)
        await expectRefusal(.evidenceInvalid) {
            try await f.sms.openSession(SessionRequest(authorization: f.authorization(taskId), session: session))
        }
        // An SMS that checks no simulated evidence refuses even the node's own.
        let strict = try f.reopened(verifiers: [])
        await expectRefusal(.evidenceInvalid) {
            try await strict.openSession(
                SessionRequest(authorization: f.authorization(taskId), session: f.session(taskId)))
        }
    }

    @Test func aTEEDealRefusesSimulatedEvidence() async throws {
        let f = try await SMSFixture()
        let tag = Tag.with(Tag.tee, Tag.tdx)
        let taskId = try await f.initialize(f.match(params: "", tag: tag, withDataset: false))
        let error = await expectRefusal(.evidenceKindRefused) {
            try await f.sms.openSession(
                SessionRequest(authorization: f.authorization(taskId), session: f.session(taskId)))
        }
        #expect(error?.message.contains("`tdx`") == true)
    }

    @Test func aMissingSecretReleasesNothing() async throws {
        let f = try await SMSFixture()
        let taskId = try await f.activeTask()
        let authorization = try await f.authorization(taskId)
        // No dataset key yet.
        await expectRefusal(.missingSecret) {
            try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
        }
        _ = try await f.sms.push(f.push(SMSFixture.datasetKey, into: .datasetKey(f.dataset), by: f.datasetOwner))
        // The deal names two requester secrets; only one is pushed.
        _ = try await f.sms.push(
            f.push([1], into: .requesterSecret(f.requester.address, name: "api-key"), by: f.requester))
        let error = await expectRefusal(.missingSecret) {
            try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
        }
        #expect(error?.message.contains("db-password") == true)
        _ = try await f.sms.push(
            f.push([2], into: .requesterSecret(f.requester.address, name: "db-password"), by: f.requester))
        _ = try await f.sms.openSession(SessionRequest(authorization: authorization, session: f.session(taskId)))
    }
}
