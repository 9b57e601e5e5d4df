import ClaveCore
import ClaveCrypto
import ClaveLedger
import Foundation
import Logging

/// The ledger end to end: N deposit and withdraw transactions from many accounts, signed beforehand, submitted
/// concurrently through `Ledger` over `SQLiteLedgerStore` in a temporary directory. Each submission builds its
/// `SignedTransaction` from the transaction and signature (so the signature is checked, as a server would) and waits
/// for its receipt, given after the block is durably stored. Then, untimed, the setup of an app, a dataset and a
/// workerpool and a block's worth of matchOrders go through the ledger too, and `LedgerVerifier.verify` replays the
/// whole log, timed. The reference is single-core public-key recovery, measured in the same run: the ledger's
/// throughput as a multiple of what one core can recover. Each round uses a new store; the figures are medians.
struct LedgerBenchmark {
    let count: Int
    let accounts: Int
    let matchCount: Int
    let rounds: Int
    let blockSize: Int?
    let progress: Progress

    init(options: Options, progress: Progress) {
        count = options.quick ? 5_000 : 50_000
        accounts = options.quick ? 200 : 2_000
        matchCount = options.quick ? 64 : 256
        rounds = options.rounds ?? 3
        blockSize = options.blockSize
        self.progress = progress
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What one round measured.
    struct Round {
        var submitSeconds: Double
        var submitCores: (own: Double, others: Double?)
        var blocks: UInt64
        var verifySeconds: Double
        var verifyCores: (own: Double, others: Double?)
        var verified: Int
    }

    func run() async throws -> [Measurement] {
        let hub = try Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")
        let configuration = ChainConfiguration(chainId: 65535, hub: hub, isDevelopment: true)
        let timestamp: UInt64 = 1_700_000_000
        let keys = (1...accounts).map { index in
            try! PrivateKey(
                rawRepresentation: [UInt8](repeating: 0, count: 28)
                    + withUnsafeBytes(of: UInt32(index).bigEndian, Array.init))
        }
        let matching = try MatchOrdersFixture(
            configuration: configuration, timestamp: timestamp, requesters: 64, firstKey: 1_000_000)
        let genesis = Genesis(
            configuration: configuration,
            allocations: Dictionary(uniqueKeysWithValues: keys.map { ($0.address, 1_000_000_000) })
                .merging(matching.allocations) { $1 },
            timestamp: timestamp)

        progress.say("ledger: signing \(count) transactions from \(accounts) accounts, and \(matchCount) matchOrders")
        let perAccount = count / accounts
        var lanes: [[SignedTransaction]] = []
        for key in keys {
            let address = key.address
            lanes.append(
                try (0..<perAccount).map { nonce in
                    let body: TransactionBody = nonce % 2 == 0 ? .deposit(amount: 10) : .withdraw(amount: 3)
                    let transaction = Transaction(
                        chainId: configuration.chainId, from: address, nonce: UInt64(nonce), body: body)
                    return try SignedTransaction(transaction, signedWith: key)
                })
        }
        let total = perAccount * accounts
        let matchKeys = matching.keys
        func signed(_ transactions: [Transaction]) throws -> [[SignedTransaction]] {
            var bySender: [Address: [SignedTransaction]] = [:]
            for transaction in transactions {
                bySender[transaction.from, default: []].append(
                    try SignedTransaction(transaction, signedWith: matchKeys[transaction.from]!))
            }
            return Array(bySender.values)
        }
        let setupLanes = try signed(matching.setup)
        let matchLanes = try signed(matching.matches(0..<matchCount))
        let logged = total + matching.setup.count + matchCount

        let sample = lanes.joined().prefix(10_000)
        let clock = ContinuousClock()
        var recoverSeconds: [Double] = []
        var measured: [Round] = []
        for round in 1...rounds {
            progress.say(
                "round \(round)/\(rounds): recover x\(sample.count), then submit \(total) transactions from "
                    + "\(accounts) concurrent submitters, then verify")
            recoverSeconds.append(
                try clock.measure {
                    for signed in sample {
                        guard
                            try signed.signature.recoverPersonalMessageSigner(signed.hash.bytes)
                                == signed.transaction.from
                        else { throw Failure(description: "a signature did not recover to its sender") }
                    }
                }.seconds)
            measured.append(
                try await self.round(
                    genesis: genesis, lanes: lanes, setupLanes: setupLanes, matchLanes: matchLanes, logged: logged))
        }

        progress.say("ledger: store append alone, \(total) transactions in blocks of 1,000")
        let append = try await storeAppend(lanes: lanes, genesis: genesis)

        let recoverRate = Double(sample.count) / median(recoverSeconds)
        let submitRates = measured.map { Double(total) / $0.submitSeconds }
        let verifyRates = measured.map { Double($0.verified) / $0.verifySeconds }
        let rate = median(submitRates)
        let blocks = median(measured.map { Double($0.blocks) })
        func cores(_ use: [(own: Double, others: Double?)]) -> String {
            let own = median(use.map(\.own))
            let others = use.compactMap(\.others)
            return String(format: "%.2f cores busy", own)
                + (others.isEmpty ? "" : String(format: ", other processes %.2f", median(others)))
        }
        func range(_ rates: [Double]) -> String {
            "rounds \(Report.format(rates.min() ?? 0))–\(Report.format(rates.max() ?? 0)) tx/s"
        }
        let rounds = "median of \(rounds) rounds"
        return [
            .ratio(
                "ledger submit->receipt", value: rate, unit: "tx/s", reference: recoverRate,
                referenceName: "1-core recover",
                note: "\(rounds), \(range(submitRates)); \(total) deposit/withdraw tx, \(accounts) concurrent "
                    + "submitters, signature checked per submit, \(Int(blocks)) blocks (\(total / max(Int(blocks), 1)) "
                    + "tx/block), SQLite WAL synchronous=FULL; \(cores(measured.map(\.submitCores))); "
                    + "target 10000 tx/s: \(rate >= 10_000 ? "met" : "MISSED")"),
            .ratio(
                "ledger verify replay", value: median(verifyRates), unit: "tx/s", reference: recoverRate,
                referenceName: "1-core recover",
                note: "\(rounds), \(range(verifyRates)); LedgerVerifier.verify of \(logged) tx (the deposits and "
                    + "withdrawals, \(matching.setup.count) setup tx and \(matchCount) matchOrders): hashes, "
                    + "signatures, re-apply, events, links; \(cores(measured.map(\.verifyCores)))"),
            .ratio(
                "ledger store append", value: append.rate, unit: "tx/s", reference: recoverRate,
                referenceName: "1-core recover",
                note: "SQLiteLedgerStore.append alone (the sequencer's writer, no signature checks), one run of "
                    + "\(total) tx in blocks of 1,000 applied beforehand; "
                    + String(format: "%.1f µs CPU per tx", append.cpuMicroseconds)),
        ]
    }

    /// One round on a new store: the timed submissions, the untimed matchOrders, the timed verification.
    private func round(
        genesis: Genesis, lanes: [[SignedTransaction]], setupLanes: [[SignedTransaction]],
        matchLanes: [[SignedTransaction]], logged: Int
    ) async throws -> Round {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clave-ledger-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLedgerStore(path: directory.appendingPathComponent("ledger.sqlite").path)
        var configuration = Ledger.Configuration(genesis: genesis)
        if let blockSize { configuration.maximumBlockSize = blockSize }
        let ledger = try await Ledger(
            configuration: configuration, store: store, now: { UInt64(Date().timeIntervalSince1970) },
            logger: Logger(label: "bench"))

        let clock = ContinuousClock()
        let start = clock.now
        let submitUse = CPUUse()
        try await Self.submit(lanes, to: ledger)
        let submitSeconds = (clock.now - start).seconds
        let submitCores = submitUse.measure()
        let blocks = await ledger.head.height

        try await Self.submit(setupLanes, to: ledger)
        try await Self.submit(matchLanes, to: ledger)
        await ledger.shutDown()

        let verifyStart = clock.now
        let verifyUse = CPUUse()
        let report = try await LedgerVerifier.verify(store: store)
        let verifySeconds = (clock.now - verifyStart).seconds
        let verifyCores = verifyUse.measure()
        guard report.isValid, report.transactions == logged else { throw Failure(description: "verify: \(report)") }
        return Round(
            submitSeconds: submitSeconds, submitCores: submitCores, blocks: blocks, verifySeconds: verifySeconds,
            verifyCores: verifyCores, verified: report.transactions)
    }

    /// Submits each lane's transactions in order, the lanes concurrently, each as a server would: the signature is
    /// checked again on the submitter's task, then the submitter waits for the receipt.
    private static func submit(_ lanes: [[SignedTransaction]], to ledger: Ledger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in lanes {
                group.addTask {
                    for signed in lane {
                        _ = try await ledger.submit(
                            try SignedTransaction(signed.transaction, signature: signed.signature))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The sequencer's writer alone: the same transactions applied beforehand into blocks of 1,000, then appended one
    /// block after the other to a new store.
    private func storeAppend(lanes: [[SignedTransaction]], genesis: Genesis) async throws -> (
        rate: Double, cpuMicroseconds: Double
    ) {
        var state = genesis.state
        var blocks: [SealedBlock] = []
        var parent = genesis.hash
        var transactions: [SignedTransaction] = []
        var events: [[Event]] = []
        var digest = EventsDigest()
        func seal() {
            let block = Block(
                height: UInt64(blocks.count + 1), parent: parent, timestamp: genesis.timestamp,
                transactions: transactions, eventsDigest: digest.value)
            let sealed = SealedBlock(block: block, events: events)
            blocks.append(sealed)
            parent = sealed.hash
            transactions = []
            events = []
            digest = EventsDigest()
        }
        let depth = lanes.map(\.count).min() ?? 0
        for nonce in 0..<depth {
            for lane in lanes {
                let produced = try state.apply(lane[nonce].transaction, at: genesis.timestamp)
                for event in produced { digest.append(event) }
                transactions.append(lane[nonce])
                events.append(produced)
                if transactions.count == 1_000 { seal() }
            }
        }
        if !transactions.isEmpty { seal() }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clave-ledger-append-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLedgerStore(path: directory.appendingPathComponent("ledger.sqlite").path)
        try await store.initialize(genesis: genesis)
        let count = blocks.reduce(0) { $0 + $1.block.transactions.count }
        let clock = ContinuousClock()
        let cpu = processCPUSeconds()
        let start = clock.now
        for block in blocks { try await store.append(block) }
        let seconds = (clock.now - start).seconds
        return (Double(count) / seconds, (processCPUSeconds() - cpu) * 1e6 / Double(count))
    }
}
