import ClaveAttestation
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveSMS
import ClaveServer
import ClaveTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The SMS over HTTP: the routes' statuses and error bodies, and ``SecretServiceClient`` against a live server on
/// port 0 answering and refusing as the local ``SecretManagementService`` does.
@Suite struct SMSRouteTests {
    static let bundle = Array("(module) ;; served".utf8)
    static let measurement = PushChallenge.hash(bundle)

    /// A deal of a measured app and the fixture's dataset, naming the requester secret `api-key`, with its first
    /// task initialized; returns the task id.
    func activeTask(_ fixture: ServerFixture, salt: UInt64 = 0) async throws -> Bytes32 {
        let receipt = try await fixture.submit(
            fixture.appOwner,
            .createApp(
                name: "measured", type: "WASM", multiaddr: "bafy", checksum: Keccak256.hash(utf8: "m"),
                mrenclave: Self.measurement.description))
        guard case .appCreated(let app, _) = receipt.events.first(where: { $0.name == "AppCreated" }) else {
            throw FixtureError("no app was created")
        }
        let domain = fixture.domain
        let saltBytes = Bytes32(uint64: salt)
        let appOrder = AppOrder(app: app, appprice: 0, volume: 1, salt: saltBytes)
        let datasetOrder = DatasetOrder(dataset: fixture.dataset, datasetprice: 0, volume: 1, salt: saltBytes)
        let poolOrder = WorkerpoolOrder(
            workerpool: fixture.workerpool, workerpoolprice: 0, volume: 1, category: 0, trust: 1, salt: saltBytes)
        let request = RequestOrder(
            app: app, appmaxprice: 0, dataset: fixture.dataset, datasetmaxprice: 0, workerpool: fixture.workerpool,
            workerpoolmaxprice: 0, requester: fixture.requester.address, volume: 1, category: 0, trust: 1,
            beneficiary: fixture.requester.address, params: #"{"iexec_secrets":{"1":"api-key"}}"#, salt: saltBytes)
        let matched = try await fixture.submit(
            fixture.requester,
            .matchOrders(
                app: SignedOrder(order: appOrder, signature: appOrder.sign(with: fixture.appOwner.key, in: domain)),
                dataset: SignedOrder(
                    order: datasetOrder, signature: datasetOrder.sign(with: fixture.datasetOwner.key, in: domain)),
                workerpool: SignedOrder(
                    order: poolOrder, signature: poolOrder.sign(with: fixture.scheduler.key, in: domain)),
                request: SignedOrder(order: request, signature: request.sign(with: fixture.requester.key, in: domain))))
        guard
            case .ordersMatched(let dealId, _, _, _, _, _) = matched.events.first(where: { $0.name == "OrdersMatched" })
        else { throw FixtureError("no deal was made") }
        try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 0))
        return ComputeTask.id(dealId: dealId, index: 0)
    }

    func push(_ fixture: ServerFixture, _ value: [UInt8], into secret: SecretIdentifier, by signer: TestAccount)
        -> SecretPush
    {
        SecretPush(
            value, into: secret, domain: PushDomain(ServerFixture.genesis.configuration),
            expiry: ServerFixture.start + 300, signedWith: signer.key)
    }

    /// The code of the SMSError `body` throws, or nil.
    func refusal(_ body: () async throws -> Void) async -> SMSError.Code? {
        do {
            try await body()
            return nil
        } catch {
            return (error as? SMSError)?.code
        }
    }

    @Test func theClientAnswersAndRefusesAsTheLocalService() async throws {
        let fixture = try await ServerFixture()
        let local = fixture.sms
        let datasetKey = SecretIdentifier.datasetKey(fixture.dataset)
        let apiKey = try SecretIdentifier.requesterSecret(fixture.requester.address, name: "api-key")
        try await fixture.application().test(.live) { client in
            let remote = SecretServiceClient(
                connection: try NodeConnection(url: "http://127.0.0.1:\(client.port!)"))

            #expect(try await remote.exists(datasetKey) == false)
            let receipt = try await remote.push(push(fixture, [1, 2, 3], into: datasetKey, by: fixture.datasetOwner))
            #expect(receipt == PushReceipt(secret: datasetKey, replaced: false))
            #expect(try await remote.exists(datasetKey) == local.exists(datasetKey))
            #expect(try await remote.exists(datasetKey))
            let first = push(fixture, Array("one".utf8), into: apiKey, by: fixture.requester)
            _ = try await remote.push(first)
            #expect(
                try await remote.push(push(fixture, Array("two".utf8), into: apiKey, by: fixture.requester)).replaced)

            // The same refusals, with the same codes, remotely and locally; nothing stored by either.
            let refused: [(SecretPush, SMSError.Code)] = [
                (first, .replayed),
                (push(fixture, [9], into: datasetKey, by: fixture.datasetOwner), .alreadyExists),
                (push(fixture, [9], into: .appDeveloperSecret(fixture.app), by: fixture.stranger), .notOwner),
                (push(fixture, [UInt8](repeating: 0, count: 4097), into: apiKey, by: fixture.requester), .tooLarge),
            ]
            for (attempt, code) in refused {
                #expect(await refusal { _ = try await remote.push(attempt) } == code)
                #expect(await refusal { _ = try await local.push(attempt) } == code)
            }
            #expect(try await local.storedValue(apiKey) == Array("two".utf8))
            #expect(try await local.storedValue(datasetKey) == [1, 2, 3])
            #expect(try await remote.exists(.appDeveloperSecret(fixture.app)) == false)

            // Sessions.
            let taskId = try await activeTask(fixture)
            let challenge = try await remote.enclaveChallenge(for: taskId)
            #expect(try await local.enclaveChallenge(for: taskId) == challenge)
            let authorization = WorkerAuthorization(
                worker: fixture.worker.address, taskId: taskId, enclaveChallenge: challenge,
                signedWith: fixture.scheduler.key)
            let session = try fixture.enclave.startSession(taskId: taskId, measurement: Self.measurement)
            let sealed = try await remote.openSession(SessionRequest(authorization: authorization, session: session))
            #expect(sealed.isSimulated)
            let secrets = try session.open(sealed)
            #expect(secrets.datasetKey == [1, 2, 3])
            #expect(secrets.requesterSecrets == [1: Array("two".utf8)])
            #expect(secrets.enclaveChallengeKey.address == challenge)

            let stranger = WorkerAuthorization(
                worker: fixture.worker.address, taskId: taskId, enclaveChallenge: challenge,
                signedWith: fixture.stranger.key)
            let wrongCode = try fixture.enclave.startSession(taskId: taskId, measurement: Keccak256.hash(utf8: "x"))
            let notActive = ComputeTask.id(dealId: taskId, index: 0)
            let sessions: [(SessionRequest, SMSError.Code)] = [
                (SessionRequest(authorization: stranger, session: session), .notPoolOwner),
                (SessionRequest(authorization: authorization, session: wrongCode), .wrongMeasurement),
                (
                    SessionRequest(
                        authorization: authorization, sessionKey: X25519PrivateKey.generate().publicKey,
                        evidence: session.evidence), .evidenceNotBound
                ),
                (
                    SessionRequest(
                        authorization: WorkerAuthorization(
                            worker: fixture.worker.address, taskId: notActive, enclaveChallenge: challenge,
                            signedWith: fixture.scheduler.key), session: session), .taskNotActive
                ),
            ]
            for (request, code) in sessions {
                #expect(await refusal { _ = try await remote.openSession(request) } == code)
                #expect(await refusal { _ = try await local.openSession(request) } == code)
            }
            #expect(await refusal { _ = try await remote.enclaveChallenge(for: notActive) } == .taskNotActive)
        }
    }

    @Test func refusalsHaveTheirStatusAndAnSMSErrorBody() async throws {
        let fixture = try await ServerFixture()
        let datasetKey = SecretIdentifier.datasetKey(fixture.dataset)
        _ = try await fixture.sms.push(push(fixture, [1], into: datasetKey, by: fixture.datasetOwner))
        let apiKey = try SecretIdentifier.requesterSecret(fixture.requester.address, name: "api-key")
        try await fixture.application().test(.router) { client in
            let cases: [(JSONValue, Int, String)] = [
                (push(fixture, [2], into: datasetKey, by: fixture.datasetOwner).json, 409, "alreadyExists"),
                (push(fixture, [2], into: apiKey, by: fixture.stranger).json, 403, "notOwner"),
                (
                    push(fixture, [UInt8](repeating: 1, count: 5000), into: apiKey, by: fixture.requester).json, 413,
                    "tooLarge"
                ),
                (["challenge": [:], "signature": "0x", "value": ""], 400, "invalidRequest"),
            ]
            for (body, status, code) in cases {
                let answer = try await client.call(.post, "/v1/sms/secrets", json: body)
                #expect(Int(answer.status.code) == status, "\(code)")
                #expect(answer.code == code)
                #expect(answer.json["kind"] == "sms")
                #expect(answer.message?.isEmpty == false)
            }

            let exists = try await client.call(
                .get, "/v1/sms/secrets/dataset/\(fixture.dataset.checksummed)/dataset-key")
            #expect(exists.status == .ok)
            #expect(exists.json["exists"] == true)
            let absent = try await client.call(.get, "/v1/sms/secrets/requester/\(fixture.requester.address)/nothing")
            #expect(absent.json["exists"] == false)
            let badKind = try await client.call(.get, "/v1/sms/secrets/owner/\(fixture.requester.address)/x")
            #expect(badKind.status == .badRequest)
            #expect(badKind.code == "invalidParameter")
            let badName = try await client.call(.get, "/v1/sms/secrets/requester/\(fixture.requester.address)/a.b")
            #expect(badName.status == .badRequest)
            #expect(badName.code == "invalidPush")

            let inactive = try await client.call(.post, "/v1/sms/tasks/\(Bytes32.zero)/enclave-challenge", body: "{}")
            #expect(inactive.status == .unprocessableContent)
            #expect(inactive.code == "taskNotActive")
            let session = try await client.call(.post, "/v1/sms/sessions", body: #"{"authorization": 1}"#)
            #expect(session.status == .badRequest)
            #expect(session.code == "invalidRequest")
        }
        #expect(try await fixture.sms.storedValue(datasetKey) == [1])
        #expect(try await fixture.sms.exists(apiKey) == false)
    }
}
