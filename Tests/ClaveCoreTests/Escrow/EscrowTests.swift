import ClaveCore
import ClaveCrypto
import Testing
import ClaveTestSupport

@Suite struct EscrowTests {
    @Test func faucetDepositWithdraw() throws {
        var fixture = try Fixture()
        let actor = fixture.stranger
        let before = fixture.account(actor)
        #expect(try fixture.send(actor, .faucet(amount: 700)) == [.faucet(account: actor.address, amount: 700)])
        #expect(try fixture.send(actor, .deposit(amount: 200)) == [.deposit(account: actor.address, amount: 200)])
        #expect(try fixture.send(actor, .withdraw(amount: 50)) == [.withdraw(account: actor.address, amount: 50)])
        let after = fixture.account(actor)
        #expect(after.wallet == before.wallet + 700 - 200 + 50)
        #expect(after.balance == before.balance + 150)
        #expect(after.nonce == before.nonce + 3)
    }

    @Test func faucetOnANonDevelopmentChain() throws {
        let fixture = try Fixture(configuration: ChainConfiguration(chainId: Fixture.chainId, hub: Fixture.hub))
        fixture.expectRejected(
            .faucetDisabled, mentioning: ["not a development chain"], fixture.stranger, .faucet(amount: 1))
    }

    @Test func faucetAboveTheLimit() throws {
        let fixture = try Fixture()
        let limit = Fixture.configuration.faucetLimit
        fixture.expectRejected(
            .faucetLimitExceeded, mentioning: ["\(limit)", "\(limit + 1)"], fixture.stranger, .faucet(amount: limit + 1)
        )
    }

    @Test func withdrawMoreThanTheBalance() throws {
        var fixture = try Fixture()
        // Locked funds cannot be withdrawn either.
        try fixture.match(fixture.orders())
        let account = fixture.account(fixture.requester)
        fixture.expectRejected(
            .insufficientBalance, mentioning: ["\(account.balance) free", "\(account.frozen) locked"],
            fixture.requester, .withdraw(amount: account.balance + 1))
    }

    @Test func depositMoreThanTheWallet() throws {
        let fixture = try Fixture()
        fixture.expectRejected(
            .insufficientWallet, mentioning: ["\(Fixture.walletFunds - Fixture.escrowFunds)"], fixture.requester,
            .deposit(amount: Fixture.walletFunds))
    }

    @Test func walletOverflowIsARejection() throws {
        var state = State(configuration: Fixture.configuration, genesis: [TestAccount(1).address: .max])
        let transaction = Transaction(
            chainId: Fixture.chainId, from: TestAccount(1).address, nonce: 0, body: .faucet(amount: 1))
        expectRejected(.arithmeticOverflow, mentioning: ["wallet"], transaction, on: state, at: 0)
        _ = try state.apply(
            Transaction(chainId: Fixture.chainId, from: TestAccount(1).address, nonce: 0, body: .deposit(amount: .max)),
            at: 0)
        #expect(state.account(TestAccount(1).address).balance == .max)
    }
}
