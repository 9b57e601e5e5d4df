import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveSMS
import Foundation
import Logging

/// SMS sessions opened per second: `SecretManagementService.openSession` in process, over a real ledger (SQLite in a
/// temporary directory) and the SMS's own SQLite database, for ACTIVE tasks made with the same transactions as
/// ClaveSMSTests' fixture: an app with a registered measurement, a dataset whose key is pushed, a workerpool, a
/// matchOrders whose params name two requester secrets, and initialize. Each request comes from a new session of a
/// `SimulatedEnclave` with the scheduler's `WorkerAuthorization`, made beforehand.
///
/// Each session checks the authorization's signature and the evidence's (two secp256k1 recoveries), reads the task,
/// deal, workerpool, app, OrdersMatched event and closed orders from the ledger, reads and decrypts the challenge key
/// and four secrets, and seals them with HPKE (X25519, HKDF-SHA256, AES-256-GCM) to the session key. The reference,
/// measured in the same rounds: single-core `Signature.recoverPersonalMessageSigner` (the dominant primitive, twice
/// per session); the notes give one HPKE seal alone too, and the rate the session's crypto alone would allow.
struct SMSBenchmark {
    let sessions: Int
    let taskCount: Int
    let concurrency = 8
    let rounds: Int
    let progress: Progress

    init(options: Options, progress: Progress) {
        sessions = options.quick ? 300 : 3_000
        taskCount = options.quick ? 8 : 64
        rounds = options.rounds ?? (options.quick ? 1 : 3)
        self.progress = progress
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let chainId: UInt64 = 1337
    static let start: UInt64 = 1_700_000_000
    static let bundle = Array("(module) ;; hello.wasm".utf8)
    static let params = #"{"iexec_args":"hello","iexec_secrets":{"1":"api-key","2":"db-password"}}"#

    func run() async throws -> [Measurement] {
        let fixture = try await SMSBenchmarkFixture(tasks: taskCount, progress: progress)
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let sms = fixture.sms

        progress.say("sms: making \(sessions) enclave sessions and authorizations for \(taskCount) tasks (untimed)")
        let one = try fixture.requests(count: sessions, tasks: 1)
        let many = try fixture.requests(count: sessions, tasks: taskCount)
        // Warm-up, and a check that a session opens to the right secrets.
        let sealed = try await sms.openSession(one[0].request)
        let secrets = try one[0].session.open(sealed)
        guard secrets.datasetKey == SMSBenchmarkFixture.datasetKey, secrets.requesterSecrets.count == 2 else {
            throw Failure(description: "the session opened to other secrets than pushed")
        }
        let sealedSize = sealed.envelope.ciphertext.count - 16

        // What the reference recovers: the authorizations' signatures, as the SMS does (EIP-191 over 32 bytes).
        let signatures = many.prefix(256).map { $0.request.authorization }
        let hpkeKey = X25519PrivateKey.generate().publicKey
        let payload = [UInt8](repeating: 0x5A, count: sealedSize)
        let recoveries = sessions
        let seals = sessions

        var oneTask: [Double] = []
        var manyTasks: [Double] = []
        var concurrent: [Double] = []
        var recover: [Double] = []
        var seal: [Double] = []
        var cores: [(own: Double, others: Double?)] = []
        var switchesPerSession: [Double] = []
        let clock = ContinuousClock()
        for round in 1...rounds {
            progress.say("round \(round)/\(rounds): secp256k1 recover x\(recoveries) and HPKE seal x\(seals)")
            recover.append(
                try clock.measure {
                    for index in 0..<recoveries {
                        let authorization = signatures[index % signatures.count]
                        guard authorization.signer == fixture.scheduler.address else {
                            throw Failure(description: "an authorization recovered another signer")
                        }
                    }
                }.seconds)
            seal.append(
                try clock.measure {
                    for _ in 0..<seals {
                        _ = try HPKEEnvelope.seal(
                            payload, to: hpkeKey, purpose: .smsSession, context: sealed.taskId.bytes)
                    }
                }.seconds)
            progress.say("round \(round)/\(rounds): openSession x\(sessions), one task, then \(taskCount) tasks")
            let switches = contextSwitches()
            oneTask.append(try await Self.open(one, on: sms, concurrency: 1))
            switchesPerSession.append(Double(contextSwitches() - switches) / Double(sessions))
            let use = CPUUse()
            manyTasks.append(try await Self.open(many, on: sms, concurrency: 1))
            cores.append(use.measure())
            progress.say(
                "round \(round)/\(rounds): openSession x\(sessions), \(taskCount) tasks, \(concurrency) at once")
            concurrent.append(try await Self.open(many, on: sms, concurrency: concurrency))
        }
        await fixture.ledger.shutDown()

        let count = Double(sessions)
        let recoverRate = count / median(recover)
        let sealRate = count / median(seal)
        // Two recoveries and one seal per session, one after the other on one core.
        let cryptoRate = 1 / (2 / recoverRate + 1 / sealRate)
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let typicalCores = cores.sorted { $0.own < $1.own }[cores.count / 2]
        let otherCores = typicalCores.others.map { ", other processes \(String(format: "%.2f", $0)) cores" } ?? ""
        let crypto =
            "reference: Signature.recoverPersonalMessageSigner of the scheduler's authorizations, single-threaded, "
            + "\(recoveries) per round; one HPKEEnvelope.seal of the session's \(sealedSize)-byte secrets alone: "
            + "\(Report.format(sealRate)) seals/s; two recoveries and one seal, the session's crypto alone, would "
            + "allow \(Report.format(cryptoRate)) sessions/s on one core"
        func spread(_ values: [Double]) -> String {
            let rates = values.map { count / $0 }
            return "median of \(values.count) rounds of \(sessions) (\(Report.format(rates.min()!))-"
                + "\(Report.format(rates.max()!)) sessions/s)"
        }
        return [
            .ratio(
                "sms openSession, one task", value: count / median(oneTask), unit: "op/s",
                reference: recoverRate, referenceName: "secp256k1 recover",
                note: "\(spread(oneTask)); one after the other, all for one ACTIVE task, each from a new enclave "
                    + "session; \(crypto); two recoveries per session make 0.5x the ceiling; "
                    + "\(Report.format(median(switchesPerSession))) context switches per session (getrusage)"),
            .ratio(
                "sms openSession, \(taskCount) tasks", value: count / median(manyTasks), unit: "op/s",
                reference: recoverRate, referenceName: "secp256k1 recover",
                note: "\(spread(manyTasks)); one after the other, round-robin over \(taskCount) ACTIVE tasks of one "
                    + "deal; this process kept \(String(format: "%.2f", typicalCores.own)) cores busy\(otherCores)"),
            .ratio(
                "sms openSession, \(taskCount) tasks, \(concurrency) at once", value: count / median(concurrent),
                unit: "op/s", reference: recoverRate, referenceName: "secp256k1 recover",
                note: "\(spread(concurrent)); \(concurrency) callers at once on \(cpus) cores; the SMS's database "
                    + "accesses are serialized by its writer"),
        ]
    }

    /// Opens every request's session, `concurrency` at a time; returns the seconds it took.
    private static func open(
        _ requests: [SMSBenchmarkFixture.Prepared], on sms: SecretManagementService, concurrency: Int
    ) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        if concurrency == 1 {
            for prepared in requests { _ = try await sms.openSession(prepared.request) }
        } else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<concurrency {
                    group.addTask {
                        for index in stride(from: lane, to: requests.count, by: concurrency) {
                            _ = try await sms.openSession(requests[index].request)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return (clock.now - start).seconds
    }
}

/// The ledger, SMS and parties of the SMS benchmark, with `tasks` ACTIVE tasks of one deal whose secrets are pushed,
/// made with real transactions as ClaveSMSTests' `SMSFixture` makes them.
struct SMSBenchmarkFixture {
    static let datasetKey = Array("0123456789abcdef0123456789abcdef".utf8)

    let directory: URL
    let ledger: Ledger
    let sms: SecretManagementService
    let enclave: SimulatedEnclave
    let requester: PrivateKey
    let appOwner: PrivateKey
    let datasetOwner: PrivateKey
    let scheduler: PrivateKey
    let worker: PrivateKey
    let configuration: ChainConfiguration
    let measurement: Bytes32
    /// The ACTIVE tasks, and the enclave challenge the SMS made for each.
    private(set) var tasks: [(id: Bytes32, challenge: Address)] = []

    /// A session request made beforehand, with the session that can open what it releases.
    struct Prepared: Sendable {
        var request: SessionRequest
        var session: EnclaveSession
    }

    init(tasks count: Int, progress: Progress) async throws {
        func key(_ index: UInt32) throws -> PrivateKey {
            try PrivateKey(
                rawRepresentation: [UInt8](repeating: 0, count: 28) + withUnsafeBytes(of: index.bigEndian, Array.init))
        }
        requester = try key(1)
        appOwner = try key(2)
        datasetOwner = try key(3)
        scheduler = try key(4)
        worker = try key(5)
        let simulationKey = try key(7)
        let parties = [requester, appOwner, datasetOwner, scheduler, worker]
        configuration = ChainConfiguration(
            chainId: SMSBenchmark.chainId, hub: try Address("0x4848484848484848484848484848484848484848"),
            isDevelopment: true)
        let genesis = Genesis(
            configuration: configuration,
            allocations: Dictionary(uniqueKeysWithValues: parties.map { ($0.address, 1_000_000_000_000) }),
            timestamp: SMSBenchmark.start)
        measurement = PushChallenge.hash(SMSBenchmark.bundle)

        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "clave-benchmarks-sms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now: @Sendable () -> UInt64 = { SMSBenchmark.start + 10 }
        let logger = Logger.benchmark("clave-benchmarks.sms")
        ledger = try await Ledger(
            configuration: Ledger.Configuration(genesis: genesis),
            store: try SQLiteLedgerStore(path: directory.appendingPathComponent("ledger.sqlite").path), now: now,
            logger: logger)
        enclave = SimulatedEnclave(simulationKey: simulationKey)
        sms = try SecretManagementService(
            path: directory.appendingPathComponent("sms.sqlite").path,
            masterKeyFile: directory.appendingPathComponent("sms-master.key"), ledger: ledger,
            domain: PushDomain(configuration), verifiers: [SimulatedEvidenceVerifier(trusting: simulationKey.address)],
            logger: logger, now: now)

        progress.say("sms: a ledger and an SMS in \(directory.path); assets, secrets, a deal of \(count) tasks")
        for party in parties { try await submit(party, .deposit(amount: 500_000_000_000)) }
        let app = try await created(
            submit(
                appOwner,
                .createApp(
                    name: "hello", type: "WASM", multiaddr: "bafyapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: measurement.description)))
        let dataset = try await created(
            submit(
                datasetOwner,
                .createDataset(
                    name: "contacts", multiaddr: "bafydata", checksum: Keccak256.hash(utf8: "data"),
                    schema: "email:string")))
        let workerpool = try await created(submit(scheduler, .createWorkerpool(description: "pool")))

        let domain = PushDomain(configuration)
        let expiry = SMSBenchmark.start + 300
        _ = try await sms.push(
            SecretPush(
                Self.datasetKey, into: .datasetKey(dataset), domain: domain, expiry: expiry, signedWith: datasetOwner))
        _ = try await sms.push(
            SecretPush(
                Array("developer token".utf8), into: .appDeveloperSecret(app), domain: domain, expiry: expiry,
                signedWith: appOwner))
        for name in ["api-key", "db-password"] {
            _ = try await sms.push(
                SecretPush(
                    Array("value of \(name)".utf8), into: .requesterSecret(requester.address, name: name),
                    domain: domain, expiry: expiry, signedWith: requester))
        }

        // One deal of `count` tasks: every order of volume `count`.
        let orders = configuration.orderDomain
        let volume = UInt64(count)
        let salt = Bytes32.zero
        let appOrder = AppOrder(app: app, appprice: 5_000, volume: volume, tag: .zero, salt: salt)
        let datasetOrder = DatasetOrder(dataset: dataset, datasetprice: 3_000, volume: volume, salt: salt)
        let poolOrder = WorkerpoolOrder(
            workerpool: workerpool, workerpoolprice: 100_000, volume: volume, tag: .zero, category: 0, trust: 1,
            salt: salt)
        let requestOrder = RequestOrder(
            app: app, appmaxprice: 5_000, dataset: dataset, datasetmaxprice: 3_000, workerpool: workerpool,
            workerpoolmaxprice: 100_000, requester: requester.address, volume: volume, category: 0, trust: 1,
            beneficiary: requester.address, params: SMSBenchmark.params, salt: salt)
        let receipt = try await submit(
            requester,
            .matchOrders(
                app: SignedOrder(order: appOrder, signature: appOrder.sign(with: appOwner, in: orders)),
                dataset: SignedOrder(order: datasetOrder, signature: datasetOrder.sign(with: datasetOwner, in: orders)),
                workerpool: SignedOrder(order: poolOrder, signature: poolOrder.sign(with: scheduler, in: orders)),
                request: SignedOrder(order: requestOrder, signature: requestOrder.sign(with: requester, in: orders))))
        var deal: Bytes32?
        for case .ordersMatched(let dealId, _, _, _, _, _) in receipt.events { deal = dealId }
        guard let deal else { throw SMSBenchmark.Failure(description: "matchOrders emitted no OrdersMatched") }
        for index in 0..<volume {
            try await submit(scheduler, .initialize(dealId: deal, index: index))
            let taskId = ComputeTask.id(dealId: deal, index: index)
            tasks.append((taskId, try await sms.enclaveChallenge(for: taskId)))
        }
    }

    /// `count` requests, round-robin over the first `tasks` tasks, each from a new enclave session, with the
    /// scheduler's authorization of the worker for its task.
    func requests(count: Int, tasks: Int) throws -> [Prepared] {
        let authorizations = self.tasks.prefix(tasks).map { task in
            WorkerAuthorization(
                worker: worker.address, taskId: task.id, enclaveChallenge: task.challenge, signedWith: scheduler)
        }
        return try (0..<count).map { index in
            let authorization = authorizations[index % authorizations.count]
            let session = try enclave.startSession(taskId: authorization.taskId, measurement: measurement)
            return Prepared(request: SessionRequest(authorization: authorization, session: session), session: session)
        }
    }

    @discardableResult
    private func submit(_ key: PrivateKey, _ body: TransactionBody) async throws -> Receipt {
        let nonce = await ledger.account(key.address).nonce
        let transaction = Transaction(chainId: configuration.chainId, from: key.address, nonce: nonce, body: body)
        return try await ledger.submit(try SignedTransaction(transaction, signedWith: key))
    }

    private func created(_ receipt: Receipt) throws -> Address {
        for event in receipt.events {
            switch event {
            case .appCreated(let address, _), .datasetCreated(let address, _), .workerpoolCreated(let address, _):
                return address
            default: continue
            }
        }
        throw SMSBenchmark.Failure(description: "no asset was created")
    }
}
