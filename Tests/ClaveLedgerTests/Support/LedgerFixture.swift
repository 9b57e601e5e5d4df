import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import Foundation
import Logging
import Synchronization

/// A time source that tests move by hand.
final class ManualClock: Sendable {
    private let seconds: Mutex<UInt64>
    init(_ start: UInt64) { seconds = Mutex(start) }
    var now: UInt64 { seconds.withLock { $0 } }
    func advance(by delta: UInt64) { seconds.withLock { $0 += delta } }
    var source: Ledger.TimeSource { { self.now } }
}

enum LedgerFixture {
    static let hub = try! Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")
    static let configuration = ChainConfiguration(chainId: 65535, hub: hub, isDevelopment: true)

    /// Deterministic keys: 1, 2, 3, ... as 32-byte big-endian numbers.
    static func key(_ index: Int) -> PrivateKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[30] = UInt8(index >> 8)
        bytes[31] = UInt8(index & 0xff)
        return try! PrivateKey(rawRepresentation: bytes)
    }

    static func genesis(accounts: Int, amount: UInt64 = 1_000_000) -> Genesis {
        Genesis(
            configuration: configuration,
            allocations: Dictionary(uniqueKeysWithValues: (1...accounts).map { (key($0).address, amount) }),
            timestamp: 1_700_000_000)
    }

    static func ledger(
        store: any LedgerStore, genesis: Genesis, clock: ManualClock, maximumWaitBlocks: Int = 100
    ) async throws -> Ledger {
        try await Ledger(
            configuration: .init(genesis: genesis, maximumWaitBlocks: maximumWaitBlocks), store: store,
            now: clock.source, logger: quietLogger)
    }

    static func signed(_ key: PrivateKey, nonce: UInt64, _ body: TransactionBody) -> SignedTransaction {
        try! SignedTransaction(
            Transaction(chainId: configuration.chainId, from: key.address, nonce: nonce, body: body), signedWith: key)
    }
}

/// Warnings and errors only, so test output stays readable.
let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()
