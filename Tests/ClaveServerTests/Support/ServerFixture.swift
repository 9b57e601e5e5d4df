import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveSMS
import ClaveServer
import ClaveStorage
import ClaveWorkerpool
import ClaveTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A ledger (SQLite in a temporary directory), an orderbook and an SMS over it, served by ``ClaveAPI``; an app, a
/// dataset and a workerpool registered by real transactions, every party funded in escrow.
struct ServerFixture {
    static let chainId: UInt64 = 1337
    static let hub = try! Address("0x4848484848484848484848484848484848484848")
    static let start: UInt64 = 1_700_000_000
    static let genesis = Genesis(
        configuration: ChainConfiguration(chainId: chainId, hub: hub, isDevelopment: true),
        allocations: Dictionary(uniqueKeysWithValues: (1...6).map { (TestAccount($0).address, 10_000_000) }),
        timestamp: start)

    let requester = TestAccount(1)
    let appOwner = TestAccount(2)
    let datasetOwner = TestAccount(3)
    let scheduler = TestAccount(4)
    let worker = TestAccount(5)
    let stranger = TestAccount(6)
    /// Signs the evidence of ``enclave``, which the SMS trusts.
    let simulationKey = TestAccount(7).key
    var everyone: [TestAccount] { [requester, appOwner, datasetOwner, scheduler, worker, stranger] }

    let directory: TemporaryDirectory
    let ledger: Ledger
    let orderbook: SQLiteOrderbook
    let blobs: LocalBlobStore
    let sms: SecretManagementService
    let enclave: SimulatedEnclave
    private(set) var api: ClaveAPI
    private(set) var app = Address.zero
    private(set) var dataset = Address.zero
    private(set) var workerpool = Address.zero

    var domain: OrderDomain { Self.genesis.configuration.orderDomain }

    /// - Parameter maximumBlobSize: the largest blob the API and its store accept.
    init(maximumBlobSize: Int = 1 << 30) async throws {
        directory = try TemporaryDirectory(prefix: "clave-server")
        ledger = try await Ledger(
            configuration: .init(genesis: Self.genesis),
            store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")), now: { ServerFixture.start + 10 },
            logger: .quiet)
        orderbook = try SQLiteOrderbook(
            path: directory.path("orderbook.sqlite"), ledger: LedgerStateSource(ledger: ledger), logger: .quiet,
            currentTime: { ServerFixture.start + 10 })
        blobs = try LocalBlobStore(
            directory: directory.url.appendingPathComponent("blobs"),
            configuration: .init(maximumBlobSize: maximumBlobSize), logger: .quiet)
        enclave = SimulatedEnclave(simulationKey: simulationKey)
        sms = try SecretManagementService(
            path: directory.path("sms.sqlite"), masterKeyFile: directory.url.appendingPathComponent("sms-master.key"),
            ledger: ledger, domain: PushDomain(Self.genesis.configuration),
            verifiers: [SimulatedEvidenceVerifier(trusting: simulationKey.address)], logger: .quiet,
            now: { ServerFixture.start + 10 })
        api = ClaveAPI(
            ledger: ledger, orderbook: orderbook, blobs: blobs, sms: sms, maximumBlobSize: maximumBlobSize)
        for party in everyone { try await submit(party, .deposit(amount: 5_000_000)) }
        app = try created(
            await submit(
                appOwner,
                .createApp(
                    name: "hello", type: "WASM", multiaddr: "bafyapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: "")))
        dataset = try created(
            await submit(
                datasetOwner,
                .createDataset(
                    name: "contacts", multiaddr: "bafydata", checksum: Keccak256.hash(utf8: "data"),
                    schema: "email:string")))
        workerpool = try created(await submit(scheduler, .createWorkerpool(description: "pool")))
        // The pool's scheduler answers /v1/pool (it is not run as a service: nothing here needs it to follow the
        // ledger).
        api.scheduler = WorkerpoolScheduler(
            workerpool: workerpool, ownerKey: scheduler.key, ledger: ledger, sms: sms, logger: .quiet)
    }

    /// A fresh application over the fixture's API.
    func application() -> some ApplicationProtocol {
        Application(
            router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: .quiet)
    }

    /// A fresh application over the fixture's ledger, orderbook and SMS, serving `blobs` instead of its store (a
    /// broken or malicious node's).
    func application(blobs: any BlobStore) -> some ApplicationProtocol {
        let api = ClaveAPI(ledger: ledger, orderbook: orderbook, blobs: blobs, sms: sms, scheduler: api.scheduler)
        return Application(
            router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: .quiet)
    }

    // MARK: Transactions

    /// `body` from `party`, signed, with its next nonce (or `nonce`) on this chain (or `chainId`).
    func signed(_ party: TestAccount, _ body: TransactionBody, nonce: UInt64? = nil, chainId: UInt64? = nil)
        async -> SignedTransaction
    {
        let next = await ledger.account(party.address).nonce
        let transaction = Transaction(
            chainId: chainId ?? Self.chainId, from: party.address, nonce: nonce ?? next, body: body)
        return try! SignedTransaction(transaction, signedWith: party.key)
    }

    @discardableResult
    func submit(_ party: TestAccount, _ body: TransactionBody) async throws -> Receipt {
        try await ledger.submit(signed(party, body))
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

    // MARK: Orders

    /// Orders that match (volume `volume`, trust 1, category 0), with the salt `salt`.
    func orders(volume: UInt64 = 1, salt: UInt64 = 0) -> (AppOrder, DatasetOrder, WorkerpoolOrder, RequestOrder) {
        let salt = Bytes32(uint64: salt)
        return (
            AppOrder(app: app, appprice: 5_000, volume: volume, salt: salt),
            DatasetOrder(dataset: dataset, datasetprice: 3_000, volume: volume, salt: salt),
            WorkerpoolOrder(
                workerpool: workerpool, workerpoolprice: 100_000, volume: volume, category: 0, trust: 1, salt: salt),
            RequestOrder(
                app: app, appmaxprice: 5_000, dataset: dataset, datasetmaxprice: 3_000, workerpool: workerpool,
                workerpoolmaxprice: 100_000, requester: requester.address, volume: volume, category: 0, trust: 1,
                beneficiary: requester.address, callback: .zero, params: "{\"iexec_args\":\"hello\"}", salt: salt)
        )
    }

    /// Matches a fresh set of orders on the ledger and returns the deal id.
    func match(salt: UInt64 = 0, volume: UInt64 = 1) async throws -> Bytes32 {
        let (app, dataset, pool, request) = orders(volume: volume, salt: salt)
        let receipt = try await submit(
            requester,
            .matchOrders(
                app: SignedOrder(order: app, signature: app.sign(with: appOwner.key, in: domain)),
                dataset: SignedOrder(order: dataset, signature: dataset.sign(with: datasetOwner.key, in: domain)),
                workerpool: SignedOrder(order: pool, signature: pool.sign(with: scheduler.key, in: domain)),
                request: SignedOrder(order: request, signature: request.sign(with: requester.key, in: domain))))
        for case .ordersMatched(let dealId, _, _, _, _, _) in receipt.events { return dealId }
        throw FixtureError("matchOrders emitted no OrdersMatched")
    }

    // MARK: State

    /// What a refused request must leave unchanged: the head and every party's account.
    struct Snapshot: Equatable {
        var height: UInt64
        var accounts: [Account]
    }

    func snapshot() async -> Snapshot {
        var accounts: [Account] = []
        for party in everyone { accounts.append(await ledger.account(party.address)) }
        return Snapshot(height: await ledger.head.height, accounts: accounts)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An answer of the API: status, headers and the JSON body.
struct APIAnswer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: JSONValue

    /// The error code of an error body.
    var code: String? { json["code"]?.stringValue }
    var message: String? { json["message"]?.stringValue }
}

extension TestClientProtocol {
    /// Sends a request and reads the JSON answer (failing the test if the body is not JSON).
    func call(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
        headers: HTTPFields = [.contentType: "application/json"]
    ) async throws -> APIAnswer {
        try await execute(
            uri: uri, method: method, headers: body == nil ? [:] : headers,
            body: body.map { ByteBuffer(string: $0) }
        ) { response in
            let json = try JSONValue(parsing: Array(response.body.readableBytesView))
            return APIAnswer(status: response.status, headers: response.headers, json: json)
        }
    }

    func call(_ method: HTTPRequest.Method, _ uri: String, json: JSONValue) async throws -> APIAnswer {
        try await call(method, uri, body: String(decoding: json.serialized(), as: UTF8.self))
    }
}
