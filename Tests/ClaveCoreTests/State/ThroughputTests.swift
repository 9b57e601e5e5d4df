import ClaveCore
import ClaveCrypto
import Testing

/// A transaction must cost the same whatever the size of the state: it touches a few entries and never copies the
/// state's dictionaries. Measured as a same-run ratio, so a slow or busy machine does not matter.
@Suite struct ThroughputTests {
    static let transactions = 400

    @Test func applyingDoesNotDependOnTheSizeOfTheState() throws {
        let small = try time(accounts: 10)
        let large = try time(accounts: 100_000)
        // Copying 100 000 accounts per transaction would make the ratio several hundred.
        #expect(large < small * 15, "small state: \(small), large state: \(large)")
    }

    /// The time to apply `transactions` deposits and withdrawals on a state with `accounts` funded accounts.
    private func time(accounts: Int) throws -> Duration {
        let addresses = (0..<accounts).map { index in
            try! Address(
                bytes: [UInt8](repeating: 0, count: 12) + withUnsafeBytes(of: UInt64(index + 1).bigEndian, Array.init))
        }
        var state = State(
            configuration: Fixture.configuration,
            genesis: Dictionary(uniqueKeysWithValues: addresses.map { ($0, 1_000_000) }))
        let senders = Array(addresses.prefix(10))
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<Self.transactions {
            let sender = senders[index % senders.count]
            let body: TransactionBody = (index / senders.count) % 2 == 0 ? .deposit(amount: 10) : .withdraw(amount: 5)
            _ = try state.apply(
                Transaction(chainId: Fixture.chainId, from: sender, nonce: state.account(sender).nonce, body: body),
                at: 0)
        }
        let elapsed = clock.now - start
        #expect(state.accounts.count == accounts)
        return elapsed
    }
}
