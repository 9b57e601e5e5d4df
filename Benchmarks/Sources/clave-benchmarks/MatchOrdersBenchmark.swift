import ClaveCore
import ClaveCrypto

/// The protocol's state machine alone: `State.apply` of matchOrders transactions, single-threaded, no ledger, no
/// storage. Each match hashes its four orders (EIP-712), recovers their four signers, checks prices, tags,
/// restrictions and volumes, locks the price and the scheduler stake, and records the deal. The reference is
/// single-core recovery of order signatures (`Signature.recoverAddress(digest:)`), measured in the same run: a match
/// recovers four, so 0.25x is what four recoveries alone would allow.
struct MatchOrdersBenchmark {
    let count: Int
    let rounds: Int
    let progress: Progress

    init(options: Options, progress: Progress) {
        count = options.quick ? 400 : 4_000
        rounds = options.rounds ?? 3
        self.progress = progress
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() throws -> [Measurement] {
        let hub = try Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")
        let fixture = try MatchOrdersFixture(
            configuration: ChainConfiguration(chainId: 65535, hub: hub, isDevelopment: true),
            timestamp: 1_700_000_000, requesters: 64, firstKey: 1_000_000)
        progress.say("matchorders: signing \(count) order sets (4 orders each)")
        let matches = fixture.matches(0..<count)
        let base = try fixture.state()

        // The reference recovers the signers of the first orders, as the matches do.
        let domain = fixture.configuration.orderDomain
        var signed: [(Signature, Bytes32, Address)] = []
        for transaction in matches.prefix(1_000) {
            guard case .matchOrders(let app, let dataset, let pool, let request) = transaction.body,
                let dataset
            else { continue }
            signed.append((app.signature!, app.order.hash(in: domain), fixture.appOwner.address))
            signed.append((dataset.signature!, dataset.order.hash(in: domain), fixture.datasetOwner.address))
            signed.append((pool.signature!, pool.order.hash(in: domain), fixture.scheduler.address))
            signed.append((request.signature!, request.order.hash(in: domain), request.order.requester))
        }

        let clock = ContinuousClock()
        var recoverSeconds: [Double] = []
        var matchSeconds: [Double] = []
        var deals = 0
        for round in 1...rounds {
            progress.say(
                "round \(round)/\(rounds): recover x\(signed.count) order signatures, then State.apply x\(count) matchOrders"
            )
            recoverSeconds.append(
                try clock.measure {
                    for (signature, digest, signer) in signed {
                        guard try signature.recoverAddress(digest: digest) == signer else {
                            throw Failure(description: "an order signature did not recover to its signer")
                        }
                    }
                }.seconds)
            var state = base
            var produced = 0
            matchSeconds.append(
                try clock.measure {
                    for transaction in matches {
                        for case .ordersMatched in try state.apply(transaction, at: fixture.timestamp) {
                            produced += 1
                        }
                    }
                }.seconds)
            deals = produced
        }
        guard deals == count else { throw Failure(description: "\(deals) deals from \(count) matches") }

        let rate = Double(count) / median(matchSeconds)
        let recoverRate = Double(signed.count) / median(recoverSeconds)
        return [
            .ratio(
                "matchOrders (State.apply)", value: rate, unit: "tx/s", reference: recoverRate,
                referenceName: "1-core recover",
                note:
                    "median of \(rounds) rounds of \(count) matchOrders (app, dataset, workerpool and request orders, "
                    + "volume 1, each signed), single-threaded; 4 signature recoveries per match, so 0.25x is the "
                    + "ceiling set by recovery alone; rounds \(Self.range(count, matchSeconds)) tx/s")
        ]
    }

    /// The slowest and fastest rates of the rounds, as `low–high`.
    static func range(_ count: Int, _ seconds: [Double]) -> String {
        let rates = seconds.map { Double(count) / $0 }
        return "\(Report.format(rates.min() ?? 0))–\(Report.format(rates.max() ?? 0))"
    }
}
