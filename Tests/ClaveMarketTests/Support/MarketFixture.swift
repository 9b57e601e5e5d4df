import ClaveCore
import ClaveCrypto
import ClaveMarket
import Foundation
import GRDB
import Logging
import Testing
import ClaveTestSupport

/// A development chain with an app, a second app, a dataset and a workerpool registered by real transactions, the
/// state served to an orderbook in SQLite (in memory unless a path is given).
struct MarketFixture {
    static let hub = try! Address("0x4848484848484848484848484848484848484848")
    static let configuration = ChainConfiguration(chainId: 1337, hub: hub, isDevelopment: true)
    static let start: UInt64 = 1_700_000_000

    let requester = TestAccount(1)
    let appOwner = TestAccount(2)
    let datasetOwner = TestAccount(3)
    let scheduler = TestAccount(4)
    let stranger = TestAccount(6)

    var state: State
    let ledger: LatestState
    let book: SQLiteOrderbook
    private(set) var app = Address.zero
    private(set) var otherApp = Address.zero
    private(set) var dataset = Address.zero
    private(set) var workerpool = Address.zero

    var domain: OrderDomain { state.orderDomain }

    init(path: String? = nil) throws {
        let parties = [requester, appOwner, datasetOwner, scheduler, stranger]
        state = State(
            configuration: MarketFixture.configuration,
            genesis: Dictionary(uniqueKeysWithValues: parties.map { ($0.address, 10_000_000) }))
        ledger = LatestState(state)
        book =
            if let path {
                try SQLiteOrderbook(path: path, ledger: ledger, logger: Logger.quiet)
            } else {
                try SQLiteOrderbook(database: DatabaseQueue(), ledger: ledger, logger: Logger.quiet)
            }
        for party in parties { try send(party, .deposit(amount: 5_000_000)) }
        app = try created(
            send(
                appOwner,
                .createApp(
                    name: "hello", type: "WASM", multiaddr: "bafyapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: "")))
        otherApp = try created(
            send(
                appOwner,
                .createApp(
                    name: "other", type: "WASM", multiaddr: "bafyother", checksum: Keccak256.hash(utf8: "other"),
                    mrenclave: "")))
        dataset = try created(
            send(
                datasetOwner,
                .createDataset(
                    name: "contacts", multiaddr: "bafydata", checksum: Keccak256.hash(utf8: "data"),
                    schema: "email:string")))
        workerpool = try created(send(scheduler, .createWorkerpool(description: "pool")))
    }

    /// Applies `body` from `party` with its next nonce and serves the new state to the orderbook.
    @discardableResult
    mutating func send(_ party: TestAccount, _ body: TransactionBody) throws -> [Event] {
        let transaction = Transaction(
            chainId: state.configuration.chainId, from: party.address, nonce: state.account(party.address).nonce,
            body: body)
        let events = try state.apply(transaction, at: MarketFixture.start)
        ledger.update(state)
        return events
    }

    private func created(_ events: [Event]) throws -> Address {
        for event in events {
            switch event {
            case .appCreated(let address, _), .datasetCreated(let address, _), .workerpoolCreated(let address, _):
                return address
            default: continue
            }
        }
        throw FixtureFailure("no asset was created")
    }

    // MARK: Orders

    func appOrder(
        price: UInt64 = 5_000, volume: UInt64 = 10, tag: Bytes32 = .zero, app: Address? = nil,
        datasetrestrict: Address = .zero, workerpoolrestrict: Address = .zero, requesterrestrict: Address = .zero,
        salt: UInt64 = 0
    ) -> AppOrder {
        AppOrder(
            app: app ?? self.app, appprice: price, volume: volume, tag: tag, datasetrestrict: datasetrestrict,
            workerpoolrestrict: workerpoolrestrict, requesterrestrict: requesterrestrict,
            salt: Bytes32(uint64: salt))
    }

    func datasetOrder(
        price: UInt64 = 3_000, volume: UInt64 = 10, tag: Bytes32 = .zero, apprestrict: Address = .zero,
        workerpoolrestrict: Address = .zero, requesterrestrict: Address = .zero, salt: UInt64 = 0
    ) -> DatasetOrder {
        DatasetOrder(
            dataset: dataset, datasetprice: price, volume: volume, tag: tag, apprestrict: apprestrict,
            workerpoolrestrict: workerpoolrestrict, requesterrestrict: requesterrestrict, salt: Bytes32(uint64: salt))
    }

    func workerpoolOrder(
        price: UInt64 = 100_000, volume: UInt64 = 10, tag: Bytes32 = .zero, category: UInt64 = 0,
        apprestrict: Address = .zero, datasetrestrict: Address = .zero, requesterrestrict: Address = .zero,
        salt: UInt64 = 0
    ) -> WorkerpoolOrder {
        WorkerpoolOrder(
            workerpool: workerpool, workerpoolprice: price, volume: volume, tag: tag, category: category, trust: 1,
            apprestrict: apprestrict, datasetrestrict: datasetrestrict, requesterrestrict: requesterrestrict,
            salt: Bytes32(uint64: salt))
    }

    func requestOrder(
        volume: UInt64 = 10, withDataset: Bool = true, workerpool: Address? = nil, tag: Bytes32 = .zero,
        category: UInt64 = 0, appmaxprice: UInt64 = 5_000, datasetmaxprice: UInt64 = 3_000,
        workerpoolmaxprice: UInt64 = 100_000, salt: UInt64 = 0
    ) -> RequestOrder {
        RequestOrder(
            app: app, appmaxprice: appmaxprice, dataset: withDataset ? dataset : .zero,
            datasetmaxprice: withDataset ? datasetmaxprice : 0, workerpool: workerpool ?? self.workerpool,
            workerpoolmaxprice: workerpoolmaxprice, requester: requester.address, volume: volume, tag: tag,
            category: category, trust: 1, beneficiary: requester.address, params: "{\"iexec_args\":\"hello\"}",
            salt: Bytes32(uint64: salt))
    }

    /// The key that signs each kind of order here.
    func signer(of order: AnyOrder) -> TestAccount {
        switch order {
        case .app: appOwner
        case .dataset: datasetOwner
        case .workerpool: scheduler
        case .request: requester
        }
    }

    /// `order`'s signature by its rightful signer (or `party`) in this chain's domain (or `domain`).
    func signature(_ order: AnyOrder, by party: TestAccount? = nil, in domain: OrderDomain? = nil) -> Signature {
        (party ?? signer(of: order)).key.sign(digest: order.hash(in: domain ?? self.domain))
    }

    /// Publishes `order` signed by its rightful signer.
    @discardableResult
    func publish(_ order: AnyOrder) async throws -> OrderbookEntry {
        try await book.publish(order, signature: signature(order))
    }

    /// The body of a matchOrders of these orders, each signed by its signer.
    func matchBody(
        app: AppOrder, dataset: DatasetOrder?, workerpool: WorkerpoolOrder, request: RequestOrder
    ) -> TransactionBody {
        .matchOrders(
            app: .signed(app, with: appOwner.key, in: domain),
            dataset: dataset.map { .signed($0, with: datasetOwner.key, in: domain) },
            workerpool: .signed(workerpool, with: scheduler.key, in: domain),
            request: .signed(request, with: requester.key, in: domain))
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Expects `body` to throw a ``MarketError`` with `code` whose message mentions each of `mentions`.
func expectRefused(
    _ code: MarketError.Code, mentioning mentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("Accepted; expected \(code).", sourceLocation: sourceLocation)
    } catch let error as MarketError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for mention in mentions {
            #expect(
                error.message.contains(mention), "'\(error.message)' does not mention \(mention)",
                sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("Threw \(error), not a MarketError; expected \(code).", sourceLocation: sourceLocation)
    }
}
