import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveSMS
import ClaveTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A time source that tests move by hand (Unix seconds).
final class TestClock: Sendable {
    private let seconds: Mutex<UInt64>
    init(_ start: UInt64) { seconds = Mutex(start) }
    var now: UInt64 { seconds.withLock { $0 } }
    func advance(by delta: UInt64) { seconds.withLock { $0 += delta } }
    var source: @Sendable () -> UInt64 { { self.now } }
}

/// A real ledger (SQLite in a temporary directory) with an app whose measurement is registered, a dataset and a
/// workerpool, every party funded in escrow; and an SMS over it, with its database and master key file in the same
/// directory and a simulated enclave it trusts.
struct SMSFixture {
    static let chainId: UInt64 = 1337
    static let hub = try! Address("0x4848484848484848484848484848484848484848")
    static let start: UInt64 = 1_700_000_000
    static let genesis = Genesis(
        configuration: ChainConfiguration(chainId: chainId, hub: hub, isDevelopment: true),
        allocations: Dictionary(uniqueKeysWithValues: (1...6).map { (TestAccount($0).address, 10_000_000) }),
        timestamp: start)
    /// The app's bundle, and its measurement: what the app registers and an honest enclave measures.
    static let bundle = Array("(module) ;; hello.wasm".utf8)
    static let measurement = PushChallenge.hash(bundle)
    /// The secrets of the happy path.
    static let datasetKey = Array("0123456789abcdef0123456789abcdef".utf8)
    static let developerSecret = Array("developer token".utf8)
    static let params = #"{"iexec_args":"hello","iexec_secrets":{"1":"api-key","2":"db-password"}}"#

    let requester = TestAccount(1)
    let appOwner = TestAccount(2)
    let datasetOwner = TestAccount(3)
    let scheduler = TestAccount(4)
    let worker = TestAccount(5)
    let stranger = TestAccount(6)
    let simulationKey = TestAccount(7).key
    var everyone: [TestAccount] { [requester, appOwner, datasetOwner, scheduler, worker, stranger] }

    let directory: TemporaryDirectory
    let clock: TestClock
    let ledger: Ledger
    let sms: SecretManagementService
    let enclave: SimulatedEnclave
    private(set) var app = Address.zero
    private(set) var dataset = Address.zero
    private(set) var workerpool = Address.zero

    var domain: OrderDomain { Self.genesis.configuration.orderDomain }
    var pushDomain: PushDomain { PushDomain(Self.genesis.configuration) }
    var masterKeyFile: URL { directory.url.appendingPathComponent("sms-master.key") }
    var databasePath: String { directory.path("sms.sqlite") }

    init() async throws {
        directory = try TemporaryDirectory(prefix: "clave-sms")
        clock = TestClock(Self.start + 10)
        let clock = clock
        ledger = try await Ledger(
            configuration: .init(genesis: Self.genesis),
            store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")), now: clock.source, logger: .quiet)
        enclave = SimulatedEnclave(simulationKey: simulationKey)
        sms = try SecretManagementService(
            path: directory.path("sms.sqlite"), masterKeyFile: directory.url.appendingPathComponent("sms-master.key"),
            ledger: ledger, domain: PushDomain(Self.genesis.configuration),
            verifiers: [SimulatedEvidenceVerifier(trusting: simulationKey.address)], logger: .quiet,
            now: clock.source)
        for party in everyone { try await submit(party, .deposit(amount: 5_000_000)) }
        app = try await createApp(mrenclave: Self.measurement.description)
        dataset = try created(
            await submit(
                datasetOwner,
                .createDataset(
                    name: "contacts", multiaddr: "bafydata", checksum: Keccak256.hash(utf8: "data"),
                    schema: "email:string")))
        workerpool = try created(await submit(scheduler, .createWorkerpool(description: "pool")))
    }

    /// The SMS opened again on the same files, as after a restart.
    func reopened(verifiers: [any EvidenceVerifier]? = nil) throws(SMSError) -> SecretManagementService {
        try SecretManagementService(
            path: databasePath, masterKeyFile: masterKeyFile, ledger: ledger, domain: pushDomain,
            verifiers: verifiers ?? [SimulatedEvidenceVerifier(trusting: simulationKey.address)], logger: .quiet,
            now: clock.source)
    }

    // MARK: Ledger

    @discardableResult
    func submit(_ party: TestAccount, _ body: TransactionBody) async throws -> Receipt {
        let nonce = await ledger.account(party.address).nonce
        let transaction = Transaction(chainId: Self.chainId, from: party.address, nonce: nonce, body: body)
        return try await ledger.submit(try SignedTransaction(transaction, signedWith: party.key))
    }

    func createApp(mrenclave: String) async throws -> Address {
        try created(
            await submit(
                appOwner,
                .createApp(
                    name: "hello", type: "WASM", multiaddr: "bafyapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: mrenclave)))
    }

    private func created(_ receipt: Receipt) throws -> Address {
        for event in receipt.events {
            switch event {
            case .appCreated(let address, _), .datasetCreated(let address, _), .workerpoolCreated(let address, _):
                return address
            default: continue
            }
        }
        throw FixtureError("no asset was created")
    }

    /// The dataset order of ``match(app:params:tag:withDataset:salt:)`` with the same salt.
    func datasetOrder(salt: UInt64 = 0) -> DatasetOrder {
        DatasetOrder(dataset: dataset, datasetprice: 3_000, volume: 1, salt: Bytes32(uint64: salt))
    }

    /// Matches orders for one task of `app` (the fixture's by default) with `params`, tagged `tag` (set on the app
    /// and workerpool orders), and returns the deal id.
    func match(
        app: Address? = nil, params: String = SMSFixture.params, tag: Bytes32 = .zero, withDataset: Bool = true,
        salt: UInt64 = 0
    ) async throws -> Bytes32 {
        let app = app ?? self.app
        let saltBytes = Bytes32(uint64: salt)
        let appOrder = AppOrder(app: app, appprice: 5_000, volume: 1, tag: tag, salt: saltBytes)
        let datasetOrder = datasetOrder(salt: salt)
        let poolOrder = WorkerpoolOrder(
            workerpool: workerpool, workerpoolprice: 100_000, volume: 1, tag: tag, category: 0, trust: 1,
            salt: saltBytes)
        let request = RequestOrder(
            app: app, appmaxprice: 5_000, dataset: withDataset ? dataset : .zero,
            datasetmaxprice: withDataset ? 3_000 : 0, workerpool: workerpool, workerpoolmaxprice: 100_000,
            requester: requester.address, volume: 1, category: 0, trust: 1, beneficiary: requester.address,
            params: params, salt: saltBytes)
        let receipt = try await submit(
            requester,
            .matchOrders(
                app: SignedOrder(order: appOrder, signature: appOrder.sign(with: appOwner.key, in: domain)),
                dataset: withDataset
                    ? SignedOrder(order: datasetOrder, signature: datasetOrder.sign(with: datasetOwner.key, in: domain))
                    : nil,
                workerpool: SignedOrder(order: poolOrder, signature: poolOrder.sign(with: scheduler.key, in: domain)),
                request: SignedOrder(order: request, signature: request.sign(with: requester.key, in: domain))))
        for case .ordersMatched(let dealId, _, _, _, _, _) in receipt.events { return dealId }
        throw FixtureError("matchOrders emitted no OrdersMatched")
    }

    /// Initializes the first task of `dealId` and returns its id.
    func initialize(_ dealId: Bytes32) async throws -> Bytes32 {
        try await submit(scheduler, .initialize(dealId: dealId, index: 0))
        return ComputeTask.id(dealId: dealId, index: 0)
    }

    /// A deal of the fixture's app and dataset with an ACTIVE task; returns the task id.
    func activeTask(params: String = SMSFixture.params, salt: UInt64 = 0) async throws -> Bytes32 {
        try await initialize(match(params: params, salt: salt))
    }

    // MARK: SMS

    /// A push of `value` into `secret`, signed by `signer`, expiring `lifetime` seconds from now.
    func push(
        _ value: [UInt8], into secret: SecretIdentifier, by signer: TestAccount, lifetime: UInt64 = 300,
        nonce: Bytes32 = PushChallenge.randomNonce()
    ) -> SecretPush {
        SecretPush(
            value, into: secret, domain: pushDomain, expiry: clock.now + lifetime, nonce: nonce,
            signedWith: signer.key)
    }

    /// Pushes the happy path's secrets: the dataset key, the developer secret and the requester's two secrets.
    func pushAllSecrets() async throws {
        _ = try await sms.push(push(Self.datasetKey, into: .datasetKey(dataset), by: datasetOwner))
        _ = try await sms.push(push(Self.developerSecret, into: .appDeveloperSecret(app), by: appOwner))
        for name in ["api-key", "db-password"] {
            _ = try await sms.push(
                push(
                    Array("value of \(name)".utf8), into: .requesterSecret(requester.address, name: name), by: requester
                ))
        }
    }

    /// The scheduler's authorization of the worker for `taskId` with the SMS's enclave challenge (or `challenge`),
    /// signed by the scheduler (or `signer`).
    func authorization(_ taskId: Bytes32, challenge: Address? = nil, signer: TestAccount? = nil) async throws
        -> WorkerAuthorization
    {
        let enclaveChallenge: Address
        if let challenge {
            enclaveChallenge = challenge
        } else {
            enclaveChallenge = try await sms.enclaveChallenge(for: taskId)
        }
        return WorkerAuthorization(
            worker: worker.address, taskId: taskId, enclaveChallenge: enclaveChallenge,
            signedWith: (signer ?? scheduler).key)
    }

    /// A session of the fixture's simulated enclave for `taskId`, running code measured `measurement`.
    func session(_ taskId: Bytes32, measurement: Bytes32 = SMSFixture.measurement) throws -> EnclaveSession {
        try enclave.startSession(taskId: taskId, measurement: measurement)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Expects `body` to throw an ``SMSError`` with `code`, and returns it.
@discardableResult
func expectRefusal<T>(
    _ code: SMSError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> SMSError? {
    do {
        _ = try await body()
        Issue.record("expected the SMS to refuse with \(code), but it did not", sourceLocation: sourceLocation)
        return nil
    } catch let error as SMSError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected an SMSError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
