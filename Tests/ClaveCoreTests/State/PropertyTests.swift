import ClaveCore
import ClaveCrypto
import Testing
import ClaveTestSupport

/// Random sequences of transactions of every kind, many of them invalid, checked against the invariants of the
/// state machine after every transaction.
@Suite struct PropertyTests {
    static let batches = 8
    static let sequencesPerBatch = 25
    static let transactionsPerSequence = 50

    @Test(arguments: 0..<batches)
    func randomSequencesKeepTheInvariants(batch: Int) throws {
        for sequence in 0..<Self.sequencesPerBatch {
            var generator = SplitMix64(seed: UInt64(batch * 1_000 + sequence))
            var runner = try Runner()
            for _ in 0..<Self.transactionsPerSequence {
                try runner.step(&generator)
            }
            // Hashing a state works (the ledger relies on Hashable values) and is stable for equal states.
            let copy = runner.fixture.state
            #expect(copy.hashValue == runner.fixture.state.hashValue)
        }
    }

    @Test func theSequencesExerciseEveryOperation() throws {
        var accepted: [String: Int] = [:]
        var rejected: [String: Int] = [:]
        for sequence in 0..<40 {
            var generator = SplitMix64(seed: UInt64(sequence))
            var runner = try Runner()
            for _ in 0..<Self.transactionsPerSequence {
                let (type, ok) = try runner.step(&generator)
                if ok { accepted[type, default: 0] += 1 } else { rejected[type, default: 0] += 1 }
            }
        }
        // Every operation is tried and refused at least once; those that normally succeed also succeed.
        #expect(
            Set(rejected.keys) == Set(TransactionBody.types),
            "never refused: \(Set(TransactionBody.types).subtracting(rejected.keys))")
        let mustSucceed: Set<String> = [
            "faucet", "deposit", "withdraw", "createApp", "createDataset", "createWorkerpool", "presign",
            "closeOrder", "matchOrders", "sponsorMatchOrders", "initialize", "initializeArray", "contribute", "reveal",
            "finalize",
            "contributeAndFinalize", "claim",
        ]
        #expect(mustSucceed.isSubset(of: accepted.keys), "never accepted: \(mustSucceed.subtracting(accepted.keys))")
    }
}

/// Draws transactions, applies them and checks the invariants.
private struct Runner {
    var fixture: Fixture
    var deals: [Deal] = []
    var tasks: [Bytes32] = []
    var assets: [(AssetKind, Address)] = []
    let digests = [Keccak256.hash(utf8: "right"), Keccak256.hash(utf8: "wrong")]

    init() throws {
        fixture = try Fixture()
        assets = [(.app, fixture.app), (.dataset, fixture.dataset), (.workerpool, fixture.workerpool)]
    }

    /// Applies one random transaction; returns its type and whether it was accepted.
    @discardableResult
    mutating func step(_ random: inout SplitMix64) throws -> (String, Bool) {
        fixture.time += random.chance(5) ? 1_000 : UInt64.random(in: 0...90, using: &random)
        let (sender, body) = draw(&random)
        var transaction = fixture.transaction(sender, body)
        if random.chance(4) { transaction.nonce &+= UInt64.random(in: 1...3, using: &random) }
        if random.chance(2) { transaction.chainId = 1 }

        let before = fixture.state
        let escrowBefore = fixture.escrowTotal
        let totalBefore = fixture.total
        do {
            let events = try fixture.state.apply(transaction, at: fixture.time)
            #expect(transaction.nonce == before.account(sender.address).nonce)
            #expect(fixture.state.account(sender.address).nonce == transaction.nonce + 1)
            var deposited: Int128 = 0
            var fauceted: Int128 = 0
            var intoPot: Int128 = 0
            var outOfPot: Int128 = 0
            for event in events {
                switch event {
                case .deposit(_, let amount): deposited += Int128(amount)
                case .withdraw(_, let amount): deposited -= Int128(amount)
                case .faucet(_, let amount): fauceted += Int128(amount)
                case .seize(_, let amount, _), .kittyReleased(let amount, _): intoPot += Int128(amount)
                case .reward(_, let amount, _), .kittyFilled(let amount, _): outOfPot += Int128(amount)
                case .ordersMatched(let dealId, _, _, _, _, _):
                    if let deal = fixture.state.deal(dealId) { deals.append(deal) }
                case .taskInitialized(let taskId, _, _, _): tasks.append(taskId)
                case .appCreated(let address, _): assets.append((.app, address))
                case .datasetCreated(let address, _): assets.append((.dataset, address))
                case .workerpoolCreated(let address, _): assets.append((.workerpool, address))
                default: break
                }
            }
            // Escrow changes only by deposits and withdrawals; everything only by the faucet; what a task's pot
            // takes in, it pays out.
            #expect(Int128(fixture.escrowTotal) - Int128(escrowBefore) == deposited, "\(body.type)")
            #expect(Int128(fixture.total) - Int128(totalBefore) == fauceted, "\(body.type)")
            #expect(intoPot == outOfPot, "\(body.type): \(events)")
            // Only the sender's nonce moves.
            for (address, account) in fixture.state.accounts where address != sender.address {
                #expect(account.nonce == before.account(address).nonce)
            }
            return (body.type, true)
        } catch {
            #expect(fixture.state == before, "\(body.type) refused with \(error.code) but changed the state")
            return (body.type, false)
        }
    }

    private func draw(_ random: inout SplitMix64) -> (TestAccount, TransactionBody) {
        let actors = fixture.everyone
        let anyone = random.pick(actors)
        let worker = random.pick(fixture.workers)
        let amount = UInt64.random(in: 0...(random.chance(10) ? Fixture.walletFunds * 2 : 400_000), using: &random)
        let task =
            tasks.isEmpty || random.chance(5)
            ? Keccak256.hash(utf8: "no task") : random.chance(60) ? tasks[tasks.count - 1] : random.pick(tasks)
        let digest = random.chance(75) ? digests[0] : digests[1]
        let contributors = fixture.state.task(task)?.contributors ?? []
        let contributor = contributors.isEmpty || random.chance(20) ? worker : actor(random.pick(contributors))
        // Operation numbers, repeated to weigh them: the task operations need deals, deals need their assets.
        let weighted = [
            0, 1, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 12, 12, 12, 12, 14, 14, 14, 15, 15, 15, 15, 15, 16, 16, 16, 17,
            18, 18, 18, 19, 19, 20, 20, 21,
        ]
        var operation = random.pick(weighted)
        // Go deeper most of the time: a task operation without tasks initializes one, and that needs a deal.
        if operation >= 15 && operation <= 20 && tasks.isEmpty && random.chance(80) { operation = 14 }
        if operation == 14 && deals.isEmpty && random.chance(80) { operation = 12 }
        switch operation {
        case 0:
            return (anyone, .faucet(amount: random.chance(10) ? .max : amount))
        case 1:
            return (anyone, .deposit(amount: amount))
        case 2:
            return (anyone, .withdraw(amount: amount))
        case 3:
            let type = random.pick(["WASM", "PROCESS", "DOCKER", "JAR"])
            return (anyone, .createApp(name: "a", type: type, multiaddr: "m", checksum: digest, mrenclave: ""))
        case 4:
            return (anyone, .createDataset(name: "d", multiaddr: "m", checksum: digest, schema: "s"))
        case 5:
            return (anyone, .createWorkerpool(description: "p"))
        case 6:
            let (kind, asset) = random.pick(assets)
            let owner = ownerOrAnyone(kind, asset, &random)
            let newOwner = random.chance(20) ? Address.zero : random.pick(actors).address
            switch kind {
            case .app: return (owner, .transferAppOwnership(app: asset, newOwner: newOwner))
            case .dataset: return (owner, .transferDatasetOwnership(dataset: asset, newOwner: newOwner))
            case .workerpool: return (owner, .transferWorkerpoolOwnership(workerpool: asset, newOwner: newOwner))
            }
        case 9:
            let owner = ownerOrAnyone(.workerpool, fixture.workerpool, &random)
            return (
                owner,
                .configureWorkerpool(
                    workerpool: fixture.workerpool, workerStakeRatio: UInt64.random(in: 0...110, using: &random),
                    schedulerRewardRatio: UInt64.random(in: 0...110, using: &random))
            )
        case 8, 10:
            let orders = randomOrders(&random)
            let order: AnyOrder = random.pick([
                .app(orders.app), .workerpool(orders.workerpool), .request(orders.request),
                .dataset(
                    orders.dataset ?? DatasetOrder(dataset: fixture.dataset, datasetprice: 0, volume: 1, salt: .zero)),
            ])
            let signer: TestAccount
            switch order {
            case .app: signer = ownerOrAnyone(.app, fixture.app, &random)
            case .dataset: signer = ownerOrAnyone(.dataset, fixture.dataset, &random)
            case .workerpool: signer = ownerOrAnyone(.workerpool, fixture.workerpool, &random)
            case .request: signer = random.chance(80) ? fixture.requester : anyone
            }
            return (signer, random.chance(60) ? .presign(order) : .closeOrder(order))
        case 12:
            var orders = randomOrders(&random)
            if random.chance(10) { orders.requestSigner = nil }
            if random.chance(5) { orders.appSigner = fixture.stranger }
            let sponsored = random.chance(30)
            return (sponsored ? fixture.sponsor : anyone, fixture.matchBody(orders, sponsored: sponsored))
        case 14:
            if random.chance(25) {
                let pairs = (0..<Int.random(in: 0...3, using: &random)).map { _ in randomDealIndex(&random) }
                return (anyone, .initializeArray(dealIds: pairs.map(\.0), indices: pairs.map(\.1)))
            }
            let (dealId, index) = randomDealIndex(&random)
            return (anyone, .initialize(dealId: dealId, index: index))
        case 15:
            if random.chance(10) {
                return (
                    worker,
                    .contribute(
                        taskId: task, resultHash: Fixture.resultHash(task, digest),
                        resultSeal: Fixture.resultSeal(worker, task, digest), enclaveChallenge: .zero, enclaveSign: nil,
                        authorizationSign: fixture.authorization(worker, task, signer: fixture.stranger))
                )
            }
            return (worker, fixture.contributeBody(worker, task, digest: digest))
        case 16:
            let contributed = fixture.state.task(task)?.contributions[contributor.address]?.resultHash
            let revealed = digests.first { Fixture.resultHash(task, $0) == contributed } ?? digest
            return (contributor, .reveal(taskId: task, resultDigest: random.chance(85) ? revealed : digest))
        case 17:
            return (random.chance(80) ? fixture.scheduler : anyone, .reopen(taskId: task))
        case 18:
            return (
                random.chance(80) ? fixture.scheduler : anyone,
                .finalize(taskId: task, results: [1], resultsCallback: random.chance(10) ? [2] : [])
            )
        case 19:
            return (worker, fixture.contributeAndFinalizeBody(worker, task, digest: digest))
        case 20:
            return (anyone, .claim(taskId: task))
        default:
            let (dealId, index) = randomDealIndex(&random)
            return (anyone, .initializeAndClaim(dealId: dealId, index: index))
        }
    }

    /// Matching orders most of the time, with a random volume, trust and salt, and sometimes a broken field.
    private func randomOrders(_ random: inout SplitMix64) -> Orders {
        var orders = fixture.orders(
            volume: UInt64.random(in: 0...3, using: &random), trust: random.pick([0, 1, 1, 2, 3, 5]),
            withDataset: random.chance(70), salt: UInt64.random(in: 0..<6, using: &random))
        switch Int.random(in: 0..<12, using: &random) {
        case 0: orders.app.appprice += 1
        case 1: orders.workerpool.category = 1
        case 2: orders.request.tag = Tag.with(Tag.gpu)
        case 3: orders.workerpool.trust = 0
        case 4: orders.request.volume = 1_000
        default: break
        }
        return orders
    }

    private func randomDealIndex(_ random: inout SplitMix64) -> (Bytes32, UInt64) {
        guard let deal = deals.isEmpty || random.chance(5) ? nil : random.chance(50) ? deals.last : random.pick(deals)
        else {
            return (Keccak256.hash(utf8: "no deal"), 0)
        }
        return (deal.id, deal.botFirst + UInt64.random(in: 0...deal.botSize, using: &random))
    }

    private func actor(_ address: Address) -> TestAccount {
        fixture.everyone.first { $0.address == address } ?? fixture.stranger
    }

    /// The asset's owner if it is one of the fixture's actors (most of the time), else anyone.
    private func ownerOrAnyone(_ kind: AssetKind, _ asset: Address, _ random: inout SplitMix64) -> TestAccount {
        let owner: Address? =
            switch kind {
            case .app: fixture.state.app(asset)?.owner
            case .dataset: fixture.state.dataset(asset)?.owner
            case .workerpool: fixture.state.workerpool(asset)?.owner
            }
        if random.chance(80), let actor = fixture.everyone.first(where: { $0.address == owner }) { return actor }
        return random.pick(fixture.everyone)
    }
}
