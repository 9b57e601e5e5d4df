import ClaveCore
import ClaveCrypto

/// A chain where orders can be matched: an app, a dataset and a workerpool registered by their owners, requesters
/// and the scheduler funded in escrow, and order sets that match, each order signed (EIP-712) by its owner.
///
/// The matchOrders benchmark applies the matches to a ``ClaveCore/State``; the ledger benchmark submits the setup and
/// a block's worth of matches through the ledger, so that the log it verifies holds matchOrders too.
struct MatchOrdersFixture {
    static let appPrice: UInt64 = 5
    static let datasetPrice: UInt64 = 3
    static let workerpoolPrice: UInt64 = 100
    static let funds: UInt64 = 1_000_000_000_000

    let configuration: ChainConfiguration
    let timestamp: UInt64
    let appOwner: PrivateKey
    let datasetOwner: PrivateKey
    let scheduler: PrivateKey
    let requesters: [PrivateKey]
    private(set) var app = Address.zero
    private(set) var dataset = Address.zero
    private(set) var workerpool = Address.zero

    /// The wallet of every party at genesis.
    var allocations: [Address: UInt64] {
        Dictionary(
            uniqueKeysWithValues: ([appOwner, datasetOwner, scheduler] + requesters).map { ($0.address, Self.funds) })
    }

    /// `requesters` requesters; the keys are derived from `firstKey` on, so that they differ from the caller's own.
    init(configuration: ChainConfiguration, timestamp: UInt64, requesters: Int, firstKey: UInt32) throws {
        func key(_ index: UInt32) throws -> PrivateKey {
            try PrivateKey(
                rawRepresentation: [UInt8](repeating: 0, count: 28) + withUnsafeBytes(of: index.bigEndian, Array.init))
        }
        self.configuration = configuration
        self.timestamp = timestamp
        appOwner = try key(firstKey)
        datasetOwner = try key(firstKey + 1)
        scheduler = try key(firstKey + 2)
        self.requesters = try (0..<UInt32(requesters)).map { try key(firstKey + 3 + $0) }
        // Apply the setup once to learn the addresses the assets get.
        var state = State(configuration: configuration, genesis: allocations)
        var created: [Address] = []
        for transaction in setup {
            for event in try state.apply(transaction, at: timestamp) {
                switch event {
                case .appCreated(let asset, _), .datasetCreated(let asset, _), .workerpoolCreated(let asset, _):
                    created.append(asset)
                default: break
                }
            }
        }
        guard created.count == 3 else { throw Failure(description: "the setup created \(created.count) assets, not 3") }
        (app, dataset, workerpool) = (created[0], created[1], created[2])
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Every party's first transactions: deposits into escrow, then the app, the dataset and the workerpool.
    var setup: [Transaction] {
        func transaction(_ key: PrivateKey, _ nonce: UInt64, _ body: TransactionBody) -> Transaction {
            Transaction(chainId: configuration.chainId, from: key.address, nonce: nonce, body: body)
        }
        var transactions = requesters.map { transaction($0, 0, .deposit(amount: Self.funds / 2)) }
        transactions.append(
            transaction(
                appOwner, 0,
                .createApp(
                    name: "bench", type: "WASM", multiaddr: "bafybenchapp", checksum: Keccak256.hash(utf8: "app"),
                    mrenclave: "")))
        transactions.append(
            transaction(
                datasetOwner, 0,
                .createDataset(
                    name: "bench", multiaddr: "bafybenchdata", checksum: Keccak256.hash(utf8: "data"),
                    schema: "value:string")))
        transactions.append(transaction(scheduler, 0, .deposit(amount: Self.funds / 2)))
        transactions.append(transaction(scheduler, 1, .createWorkerpool(description: "bench pool")))
        return transactions
    }

    /// The state after genesis and ``setup``.
    func state() throws -> State {
        var state = State(configuration: configuration, genesis: allocations)
        for transaction in setup { _ = try state.apply(transaction, at: timestamp) }
        return state
    }

    /// One matching order set of volume 1 per index (the index is the salt), each order signed by its owner, as
    /// matchOrders transactions from the requesters in turn, with the nonces that follow ``setup``.
    func matches(_ indices: Range<Int>) -> [Transaction] {
        let domain = configuration.orderDomain
        var nonces = [UInt64](repeating: 1, count: requesters.count)
        let addresses = requesters.map(\.address)
        return indices.map { index in
            let salt = Bytes32(uint64: UInt64(index))
            let lane = index % requesters.count
            let requester = requesters[lane]
            let app = AppOrder(app: self.app, appprice: Self.appPrice, volume: 1, salt: salt)
            let dataset = DatasetOrder(dataset: self.dataset, datasetprice: Self.datasetPrice, volume: 1, salt: salt)
            let pool = WorkerpoolOrder(
                workerpool: workerpool, workerpoolprice: Self.workerpoolPrice, volume: 1, category: 0, trust: 1,
                salt: salt)
            let request = RequestOrder(
                app: self.app, appmaxprice: Self.appPrice, dataset: self.dataset, datasetmaxprice: Self.datasetPrice,
                workerpool: workerpool, workerpoolmaxprice: Self.workerpoolPrice, requester: addresses[lane],
                volume: 1, category: 0, trust: 1, beneficiary: addresses[lane],
                params: "{\"iexec_args\":\"bench \(index)\"}", salt: salt)
            let body = TransactionBody.matchOrders(
                app: .signed(app, with: appOwner, in: domain),
                dataset: .signed(dataset, with: datasetOwner, in: domain),
                workerpool: .signed(pool, with: scheduler, in: domain),
                request: .signed(request, with: requester, in: domain))
            defer { nonces[lane] += 1 }
            return Transaction(chainId: configuration.chainId, from: addresses[lane], nonce: nonces[lane], body: body)
        }
    }

    /// The key of every party, by address: who signs which transaction.
    var keys: [Address: PrivateKey] {
        Dictionary(uniqueKeysWithValues: ([appOwner, datasetOwner, scheduler] + requesters).map { ($0.address, $0) })
    }
}
