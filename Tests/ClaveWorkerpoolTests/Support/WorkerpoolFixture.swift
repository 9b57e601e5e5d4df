import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveSMS
import ClaveTestSupport
import ClaveWorkerpool
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// A real ledger (SQLite in a temporary directory) and a real SMS over it, both on a ``ManualClock``; an app whose
/// measurement is registered, a dataset whose key is pushed, and a workerpool; a scheduler for the pool and workers
/// on demand.
struct WorkerpoolFixture {
    static let chainId: UInt64 = 1337
    static let start: UInt64 = 1_700_000_000
    /// The development category (time reference 20 s): contribution deadline 140 s, final deadline 200 s.
    static let category: UInt64 = 5
    static let measurement = Keccak256.hash(Array("(module) ;; test app".utf8))
    static let appPrice: UInt64 = 5_000
    static let datasetPrice: UInt64 = 3_000
    static let poolPrice: UInt64 = 100_000

    let requester = TestAccount(1)
    let appOwner = TestAccount(2)
    let datasetOwner = TestAccount(3)
    let owner = TestAccount(4)
    /// Workers, funded in their wallets only: they deposit their stakes themselves.
    let workers = [TestAccount(5), TestAccount(6), TestAccount(7)]

    let directory: TemporaryDirectory
    let clock: ManualClock
    let ledger: Ledger
    let sms: SecretManagementService
    let enclave: SimulatedEnclave
    private(set) var app = Address.zero
    private(set) var dataset = Address.zero
    private(set) var workerpool = Address.zero

    var domain: OrderDomain { genesis.configuration.orderDomain }
    let genesis: Genesis

    init() async throws {
        directory = try TemporaryDirectory(prefix: "clave-workerpool")
        let clock = ManualClock(start: Self.start + 10)
        self.clock = clock
        let genesis = Genesis(
            configuration: ChainConfiguration(
                chainId: Self.chainId, hub: try Address("0x4848484848484848484848484848484848484848"),
                isDevelopment: true),
            allocations: Dictionary(uniqueKeysWithValues: (1...7).map { (TestAccount($0).address, 10_000_000) }),
            timestamp: Self.start)
        self.genesis = genesis
        let ledger = try await Ledger(
            configuration: .init(genesis: genesis), store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")),
            now: clock.unixSource, logger: .quiet)
        self.ledger = ledger
        let enclave = SimulatedEnclave(simulationKey: TestAccount(99).key)
        self.enclave = enclave
        sms = try SecretManagementService(
            path: directory.path("sms.sqlite"), masterKeyFile: directory.url.appendingPathComponent("sms.key"),
            ledger: ledger, domain: PushDomain(genesis.configuration),
            verifiers: [SimulatedEvidenceVerifier(trusting: enclave.attester)], logger: .quiet,
            now: clock.unixSource)
        for party in [requester, appOwner, datasetOwner, owner] { try await submit(party, .deposit(amount: 5_000_000)) }
        app = try created(
            await submit(
                appOwner,
                .createApp(
                    name: "test", type: "WASM", multiaddr: "bafyapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: Self.measurement.description)))
        dataset = try created(
            await submit(
                datasetOwner,
                .createDataset(
                    name: "data", multiaddr: "bafydata", checksum: Keccak256.hash(utf8: "data"), schema: "email:string")
            ))
        workerpool = try created(await submit(owner, .createWorkerpool(description: "pool")))
        _ = try await sms.push(
            SecretPush(
                Array("0123456789abcdef0123456789abcdef".utf8), into: .datasetKey(dataset),
                domain: PushDomain(genesis.configuration), expiry: clock.unixTime + 300,
                nonce: PushChallenge.randomNonce(), signedWith: datasetOwner.key))
    }

    // MARK: Ledger

    @discardableResult
    func submit(_ party: TestAccount, _ body: TransactionBody) async throws -> Receipt {
        let nonce = await ledger.account(party.address).nonce
        let transaction = Transaction(chainId: Self.chainId, from: party.address, nonce: nonce, body: body)
        return try await ledger.submit(try SignedTransaction(transaction, signedWith: party.key))
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

    /// Matches a deal of `volume` tasks at `trust` for the fixture's app and dataset, with the request's `params`;
    /// returns its id.
    func match(volume: UInt64, trust: UInt64, salt: UInt64, params: String = "") async throws -> Bytes32 {
        let salt = Bytes32(uint64: salt)
        let appOrder = AppOrder(app: app, appprice: Self.appPrice, volume: volume, tag: .zero, salt: salt)
        let datasetOrder = DatasetOrder(dataset: dataset, datasetprice: Self.datasetPrice, volume: volume, salt: salt)
        let poolOrder = WorkerpoolOrder(
            workerpool: workerpool, workerpoolprice: Self.poolPrice, volume: volume, tag: .zero,
            category: Self.category, trust: trust, salt: salt)
        let request = RequestOrder(
            app: app, appmaxprice: Self.appPrice, dataset: dataset, datasetmaxprice: Self.datasetPrice,
            workerpool: workerpool, workerpoolmaxprice: Self.poolPrice, requester: requester.address, volume: volume,
            category: Self.category, trust: trust, beneficiary: requester.address, params: params, salt: salt)
        let receipt = try await submit(
            requester,
            .matchOrders(
                app: SignedOrder(order: appOrder, signature: appOrder.sign(with: appOwner.key, in: domain)),
                dataset: SignedOrder(
                    order: datasetOrder, signature: datasetOrder.sign(with: datasetOwner.key, in: domain)),
                workerpool: SignedOrder(order: poolOrder, signature: poolOrder.sign(with: owner.key, in: domain)),
                request: SignedOrder(order: request, signature: request.sign(with: requester.key, in: domain))))
        for case .ordersMatched(let dealId, _, _, _, _, _) in receipt.events { return dealId }
        throw FixtureError("matchOrders emitted no OrdersMatched")
    }

    func taskIds(_ dealId: Bytes32, count: UInt64) -> [Bytes32] {
        (0..<count).map { ComputeTask.id(dealId: dealId, index: $0) }
    }

    /// Everything the account holds: wallet, free and locked escrow.
    func holdings(_ account: TestAccount) async -> UInt64 {
        let state = await ledger.account(account.address)
        return state.wallet + state.balance + state.frozen
    }

    // MARK: Services

    /// The pool's scheduler on the fixture's clock; on `ledger` (the fixture's by default) and with a journal at
    /// `journal` when given.
    func scheduler(
        configuration: WorkerpoolScheduler.Configuration = .init(), journal: String? = nil,
        ledger: (any LedgerService)? = nil
    ) throws -> WorkerpoolScheduler {
        WorkerpoolScheduler(
            workerpool: workerpool, ownerKey: owner.key, journal: try journal.map { try SchedulerJournal(path: $0) },
            ledger: ledger ?? self.ledger, sms: sms, configuration: configuration, clock: clock,
            wallClock: clock.unixSource, logger: .quiet)
    }

    func agent(
        _ worker: TestAccount, _ behavior: TestExecutor.Behavior = .honest, scheduler: any SchedulerService
    ) -> WorkerAgent {
        WorkerAgent(
            key: worker.key, scheduler: scheduler, ledger: ledger,
            executor: TestExecutor(sms: sms, enclave: enclave, measurement: Self.measurement, behavior: behavior),
            configuration: .init(capacity: 1, ledgerPollTimeout: .seconds(2)), clock: clock, logger: .quiet)
    }
}

/// A service running in the background until ``stop()``.
struct Running {
    let task: Task<Void, Never>

    init(_ service: some Service) {
        task = Task { try? await service.run() }
    }

    /// Cancels the service, as a crash or a kill would stop it, and waits for it to end.
    func stop() async {
        task.cancel()
        await task.value
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
