import ClaveCore
import ClaveCrypto
import ClaveLedger
import Foundation
import Logging

/// The ledger end to end: N deposit and withdraw transactions from many accounts, signed beforehand, submitted
/// concurrently through `Ledger` over `SQLiteLedgerStore` in a temporary directory. Each submission builds its
/// `SignedTransaction` from the transaction and signature (so the signature is checked, as a server would) and waits
/// for its receipt, given after the block is durably stored. The reference is single-core public-key recovery,
/// measured in the same run: the ledger's throughput as a multiple of what one core can recover.
struct LedgerBenchmark {
    let count: Int
    let accounts: Int
    let progress: Progress

    init(options: Options, progress: Progress) {
        count = options.quick ? 5_000 : 50_000
        accounts = options.quick ? 200 : 2_000
        self.progress = progress
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() async throws -> [Measurement] {
        let hub = try Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")
        let configuration = ChainConfiguration(chainId: 65535, hub: hub, isDevelopment: true)
        let keys = (1...accounts).map { index in
            try! PrivateKey(
                rawRepresentation: [UInt8](repeating: 0, count: 28)
                    + withUnsafeBytes(of: UInt32(index).bigEndian, Array.init))
        }
        let genesis = Genesis(
            configuration: configuration,
            allocations: Dictionary(uniqueKeysWithValues: keys.map { ($0.address, 1_000_000_000) }),
            timestamp: 1_700_000_000)
        progress.say("ledger: signing \(count) transactions from \(accounts) accounts")
        let perAccount = count / accounts
        var lanes: [[(Transaction, Signature)]] = []
        for key in keys {
            var lane: [(Transaction, Signature)] = []
            for nonce in 0..<perAccount {
                let body: TransactionBody = nonce % 2 == 0 ? .deposit(amount: 10) : .withdraw(amount: 3)
                let transaction = Transaction(chainId: 65535, from: key.address, nonce: UInt64(nonce), body: body)
                lane.append((transaction, try SignedTransaction(transaction, signedWith: key).signature))
            }
            lanes.append(lane)
        }
        let total = perAccount * accounts

        // The reference: single-core recovery of the same signatures' signers.
        progress.say("ledger: reference, single-core recovery of \(min(total, 10_000)) signatures")
        let sample = lanes.flatMap { $0 }.prefix(10_000)
        let digests = sample.map { CanonicalJSON.digest($0.0.json) }
        let clock = ContinuousClock()
        let recoverSeconds = try clock.measure {
            for (index, entry) in sample.enumerated() {
                guard try entry.1.recoverPersonalMessageSigner(digests[index].bytes) == entry.0.from else {
                    throw Failure(description: "a signature did not recover to its sender")
                }
            }
        }.seconds
        let recoverRate = Double(sample.count) / recoverSeconds

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clave-ledger-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLedgerStore(path: directory.appendingPathComponent("ledger.sqlite").path)
        let ledger = try await Ledger(
            configuration: .init(genesis: genesis), store: store, now: { UInt64(Date().timeIntervalSince1970) },
            logger: Logger(label: "bench"))

        progress.say("ledger: submitting \(total) transactions concurrently, \(accounts) submitters")
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in lanes {
                group.addTask {
                    for (transaction, signature) in lane {
                        _ = try await ledger.submit(try SignedTransaction(transaction, signature: signature))
                    }
                }
            }
            try await group.waitForAll()
        }
        let submitSeconds = (clock.now - start).seconds
        let height = await ledger.head.height
        await ledger.shutDown()

        progress.say("ledger: verify replay of \(height) blocks")
        let verifyStart = clock.now
        let report = try await LedgerVerifier.verify(store: store)
        let verifySeconds = (clock.now - verifyStart).seconds
        guard report.isValid, report.transactions == total else { throw Failure(description: "verify: \(report)") }

        let rate = Double(total) / submitSeconds
        return [
            .ratio(
                "ledger submit->receipt", value: rate, unit: "tx/s", reference: recoverRate,
                referenceName: "1-core recover",
                note: "\(total) deposit/withdraw tx, \(accounts) concurrent submitters, signature checked per submit, "
                    + "\(height) blocks (\(total / max(Int(height), 1)) tx/block), SQLite WAL synchronous=FULL; "
                    + "target 10000 tx/s: \(rate >= 10_000 ? "met" : "MISSED")"),
            .ratio(
                "ledger verify replay", value: Double(total) / verifySeconds, unit: "tx/s", reference: recoverRate,
                referenceName: "1-core recover",
                note: "LedgerVerifier.verify: hashes, signatures, re-apply, events, links; single task"),
        ]
    }
}
