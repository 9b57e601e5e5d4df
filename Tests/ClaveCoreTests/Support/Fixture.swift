import ClaveCore
import ClaveCrypto
import Foundation
import Testing
import ClaveTestSupport

/// The four orders of a match, and who signs each (`nil`: sent unsigned, so it must be presigned).
struct Orders {
    var app: AppOrder
    var dataset: DatasetOrder?
    var workerpool: WorkerpoolOrder
    var request: RequestOrder
    var appSigner: TestAccount?
    var datasetSigner: TestAccount?
    var workerpoolSigner: TestAccount?
    var requestSigner: TestAccount?
}

/// A chain with funded parties, an app, a dataset and a workerpool registered, and helpers to drive tasks.
///
/// Prices: app 5 000, dataset 3 000, workerpool 100 000 (task price 108 000); worker and scheduler stakes 30 000.
struct Fixture {
    static let chainId: UInt64 = 1337
    static let hub = try! Address("0x4848484848484848484848484848484848484848")
    static let start: UInt64 = 1_700_000_000
    static let walletFunds: UInt64 = 10_000_000
    static let escrowFunds: UInt64 = 5_000_000
    static let appPrice: UInt64 = 5_000
    static let datasetPrice: UInt64 = 3_000
    static let workerpoolPrice: UInt64 = 100_000
    static let taskPrice = appPrice + datasetPrice + workerpoolPrice
    static let stake: UInt64 = 30_000
    static let category: UInt64 = 0
    static let timeref: UInt64 = 300
    static let configuration = ChainConfiguration(chainId: chainId, hub: hub, isDevelopment: true)

    var state: State
    var time: UInt64 = Fixture.start

    let requester = TestAccount(1)
    let appOwner = TestAccount(2)
    let datasetOwner = TestAccount(3)
    let scheduler = TestAccount(4)
    let sponsor = TestAccount(5)
    let stranger = TestAccount(6)
    let workers = (10..<16).map { TestAccount(UInt64($0)) }
    let enclave = TestAccount(30)
    private(set) var app = Address.zero
    private(set) var dataset = Address.zero
    private(set) var workerpool = Address.zero
    private(set) var teeApp = Address.zero

    /// Everyone funded in escrow: requester, owners, scheduler, sponsor, stranger and the workers.
    var everyone: [TestAccount] { [requester, appOwner, datasetOwner, scheduler, sponsor, stranger] + workers }
    var domain: OrderDomain { state.orderDomain }

    init(configuration: ChainConfiguration = Fixture.configuration) throws {
        let parties = [requester, appOwner, datasetOwner, scheduler, sponsor, stranger] + workers
        state = State(
            configuration: configuration,
            genesis: Dictionary(uniqueKeysWithValues: parties.map { ($0.address, Fixture.walletFunds) }))
        for actor in parties {
            try send(actor, .deposit(amount: Fixture.escrowFunds))
        }
        app = try created(
            send(
                appOwner,
                .createApp(
                    name: "hello", type: "WASM", multiaddr: "bafyapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: "")))
        teeApp = try created(
            send(
                appOwner,
                .createApp(
                    name: "hello-tee", type: "WASM", multiaddr: "bafyteeapp", checksum: Keccak256.hash(utf8: "tee"),
                    mrenclave: "{\"framework\":\"TDX\"}")))
        dataset = try created(
            send(
                datasetOwner,
                .createDataset(
                    name: "contacts", multiaddr: "bafydata", checksum: Keccak256.hash(utf8: "data"),
                    schema: "email:string")))
        workerpool = try created(send(scheduler, .createWorkerpool(description: "pool")))
    }

    private func created(_ events: [Event]) throws -> Address {
        for event in events {
            switch event {
            case .appCreated(let address, _), .datasetCreated(let address, _), .workerpoolCreated(let address, _):
                return address
            default: continue
            }
        }
        throw FixtureError("no asset was created")
    }

    // MARK: Transactions

    /// The transaction of `actor` with its next nonce.
    func transaction(_ actor: TestAccount, _ body: TransactionBody) -> Transaction {
        Transaction(
            chainId: state.configuration.chainId, from: actor.address, nonce: state.account(actor.address).nonce,
            body: body)
    }

    /// Applies `body` from `actor` at the fixture's time.
    @discardableResult
    mutating func send(_ actor: TestAccount, _ body: TransactionBody) throws(Rejection) -> [Event] {
        try state.apply(transaction(actor, body), at: time)
    }

    // MARK: Orders and deals

    /// Orders that match: volume 1, trust 1, category 0, no tags, each signed by its owner.
    func orders(
        volume: UInt64 = 1, trust: UInt64 = 1, withDataset: Bool = true, callback: Address = .zero, salt: UInt64 = 0
    ) -> Orders {
        let salt = Bytes32(uint64: salt)
        return Orders(
            app: AppOrder(app: app, appprice: Fixture.appPrice, volume: volume, salt: salt),
            dataset: withDataset
                ? DatasetOrder(dataset: dataset, datasetprice: Fixture.datasetPrice, volume: volume, salt: salt) : nil,
            workerpool: WorkerpoolOrder(
                workerpool: workerpool, workerpoolprice: Fixture.workerpoolPrice, volume: volume,
                category: Fixture.category, trust: max(trust, 1), salt: salt),
            request: RequestOrder(
                app: app, appmaxprice: Fixture.appPrice, dataset: withDataset ? dataset : .zero,
                datasetmaxprice: withDataset ? Fixture.datasetPrice : 0, workerpool: workerpool,
                workerpoolmaxprice: Fixture.workerpoolPrice, requester: requester.address, volume: volume,
                category: Fixture.category, trust: trust, beneficiary: requester.address, callback: callback,
                params: "{\"iexec_args\":\"hello\"}", salt: salt),
            appSigner: appOwner, datasetSigner: datasetOwner, workerpoolSigner: scheduler, requestSigner: requester)
    }

    /// The matchOrders (or sponsorMatchOrders) body of `orders`, signed by their signers.
    func matchBody(_ orders: Orders, sponsored: Bool = false) -> TransactionBody {
        func signed<O: EIP712Order>(_ order: O, _ signer: TestAccount?) -> SignedOrder<O> {
            SignedOrder(order: order, signature: signer.map { order.sign(with: $0.key, in: domain) })
        }
        let app = signed(orders.app, orders.appSigner)
        let dataset = orders.dataset.map { signed($0, orders.datasetSigner) }
        let pool = signed(orders.workerpool, orders.workerpoolSigner)
        let request = signed(orders.request, orders.requestSigner)
        return sponsored
            ? .sponsorMatchOrders(app: app, dataset: dataset, workerpool: pool, request: request)
            : .matchOrders(app: app, dataset: dataset, workerpool: pool, request: request)
    }

    /// Matches `orders` (sent by the requester, or by the sponsor when `sponsored`) and returns the deal.
    @discardableResult
    mutating func match(_ orders: Orders, sponsored: Bool = false) throws -> Deal {
        let events = try send(sponsored ? sponsor : requester, matchBody(orders, sponsored: sponsored))
        for case .ordersMatched(let dealId, _, _, _, _, _) in events {
            return try #require(state.deal(dealId))
        }
        throw FixtureError("matchOrders emitted no OrdersMatched")
    }

    /// Initializes task `index` of `deal` (sent by the scheduler) and returns its id.
    mutating func initialize(_ deal: Deal, index: UInt64? = nil) throws -> Bytes32 {
        try send(scheduler, .initialize(dealId: deal.id, index: index ?? deal.botFirst))
        return ComputeTask.id(dealId: deal.id, index: index ?? deal.botFirst)
    }

    // MARK: Workers

    /// The scheduler's (or `signer`'s) authorization for `worker`: an EIP-191 personal signature over
    /// keccak256(worker ‖ taskId ‖ enclave), computed here independently of ClaveCore.
    func authorization(_ worker: TestAccount, _ taskId: Bytes32, enclave: Address = .zero, signer: TestAccount? = nil)
        -> Signature
    {
        let message = Keccak256.hash(worker.address.bytes + taskId.bytes + enclave.bytes)
        return (signer ?? scheduler).key.signPersonalMessage(message.bytes)
    }

    static func resultHash(_ taskId: Bytes32, _ digest: Bytes32) -> Bytes32 {
        Keccak256.hash(taskId.bytes + digest.bytes)
    }

    static func resultSeal(_ worker: TestAccount, _ taskId: Bytes32, _ digest: Bytes32) -> Bytes32 {
        Keccak256.hash(worker.address.bytes + taskId.bytes + digest.bytes)
    }

    /// The enclave's signature over keccak256(resultHash ‖ resultSeal).
    func enclaveSignature(_ resultHash: Bytes32, _ resultSeal: Bytes32, signer: TestAccount? = nil) -> Signature {
        (signer ?? enclave).key.signPersonalMessage(Keccak256.hash(resultHash.bytes + resultSeal.bytes).bytes)
    }

    /// The contribute body of `worker` for the result `digest`, authorized by the scheduler; with the enclave's
    /// signature when `tee`.
    func contributeBody(_ worker: TestAccount, _ taskId: Bytes32, digest: Bytes32, tee: Bool = false) -> TransactionBody
    {
        let hash = Fixture.resultHash(taskId, digest)
        let seal = Fixture.resultSeal(worker, taskId, digest)
        let challenge = tee ? enclave.address : .zero
        return .contribute(
            taskId: taskId, resultHash: hash, resultSeal: seal, enclaveChallenge: challenge,
            enclaveSign: tee ? enclaveSignature(hash, seal) : nil,
            authorizationSign: authorization(worker, taskId, enclave: challenge))
    }

    @discardableResult
    mutating func contribute(_ worker: TestAccount, _ taskId: Bytes32, digest: Bytes32, tee: Bool = false)
        throws(Rejection)
        -> [Event]
    {
        try send(worker, contributeBody(worker, taskId, digest: digest, tee: tee))
    }

    @discardableResult
    mutating func reveal(_ worker: TestAccount, _ taskId: Bytes32, digest: Bytes32) throws(Rejection) -> [Event] {
        try send(worker, .reveal(taskId: taskId, resultDigest: digest))
    }

    /// The contributeAndFinalize body of `worker` for `digest`.
    func contributeAndFinalizeBody(
        _ worker: TestAccount, _ taskId: Bytes32, digest: Bytes32, results: [UInt8] = Array("bafyresult".utf8),
        resultsCallback: [UInt8] = [], tee: Bool = false
    ) -> TransactionBody {
        let challenge = tee ? enclave.address : .zero
        let signature =
            tee
            ? enclaveSignature(Fixture.resultHash(taskId, digest), Fixture.resultSeal(worker, taskId, digest)) : nil
        return .contributeAndFinalize(
            taskId: taskId, resultDigest: digest, results: results, resultsCallback: resultsCallback,
            enclaveChallenge: challenge, enclaveSign: signature,
            authorizationSign: authorization(worker, taskId, enclave: challenge))
    }

    // MARK: Totals

    /// Everything in escrow: free and locked balances of every account, and the kitty.
    var escrowTotal: UInt64 {
        state.accounts.values.reduce(state.kitty) { $0 + $1.balance + $1.frozen }
    }

    /// Everything: wallets, escrow and the kitty.
    var total: UInt64 {
        state.accounts.values.reduce(escrowTotal) { $0 + $1.wallet }
    }

    func account(_ actor: TestAccount) -> Account { state.account(actor.address) }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Applies `transaction` and expects it refused with `code` and a message containing each of `mentions`; checks
/// that the state did not change at all.
@discardableResult
func expectRejected(
    _ code: Rejection.Code, mentioning mentions: [String] = [], _ transaction: Transaction, on state: State,
    at time: UInt64, sourceLocation: SourceLocation = #_sourceLocation
) -> Rejection? {
    var copy = state
    do {
        let events = try copy.apply(transaction, at: time)
        Issue.record(
            "The transaction was accepted (events \(events.map(\.name))); expected \(code).",
            sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for mention in mentions {
            #expect(
                error.message.contains(mention), "'\(error.message)' does not mention \(mention)",
                sourceLocation: sourceLocation)
        }
        #expect(copy == state, "a refused transaction changed the state", sourceLocation: sourceLocation)
        return error
    }
}

extension Fixture {
    /// Expects `body` from `actor` refused with `code`, its message mentioning each of `mentions`, the state unchanged.
    @discardableResult
    func expectRejected(
        _ code: Rejection.Code, mentioning mentions: [String] = [], _ actor: TestAccount, _ body: TransactionBody,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Rejection? {
        ClaveCoreTests.expectRejected(
            code, mentioning: mentions, transaction(actor, body), on: state, at: time, sourceLocation: sourceLocation)
    }
}
