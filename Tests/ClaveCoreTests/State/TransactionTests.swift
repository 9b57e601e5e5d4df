import ClaveCore
import ClaveCrypto
import Testing
import ClaveTestSupport

@Suite struct TransactionTests {
    @Test func wrongNonce() throws {
        let fixture = try Fixture()
        let actor = fixture.requester
        var transaction = fixture.transaction(actor, .deposit(amount: 1))
        let expected = transaction.nonce
        transaction.nonce += 1
        expectRejected(
            .wrongNonce, mentioning: ["nonce \(expected + 1)", "next nonce is \(expected)"], transaction,
            on: fixture.state, at: fixture.time)
        transaction.nonce = expected - 1
        expectRejected(.wrongNonce, transaction, on: fixture.state, at: fixture.time)
    }

    @Test func wrongChain() throws {
        let fixture = try Fixture()
        var transaction = fixture.transaction(fixture.requester, .deposit(amount: 1))
        transaction.chainId = 1
        expectRejected(
            .wrongChain, mentioning: ["chain 1,", "chain 1337"], transaction, on: fixture.state, at: fixture.time)
    }

    @Test func aRejectionLeavesTheNonceAndAnAcceptanceAdvancesIt() throws {
        var fixture = try Fixture()
        let nonce = fixture.account(fixture.requester).nonce
        fixture.expectRejected(.insufficientBalance, fixture.requester, .withdraw(amount: .max))
        #expect(fixture.account(fixture.requester).nonce == nonce)
        try fixture.send(fixture.requester, .withdraw(amount: 0))
        #expect(fixture.account(fixture.requester).nonce == nonce + 1)
    }

    @Test func typesAreStableNames() {
        let bodies: [TransactionBody] = [
            .faucet(amount: 1), .deposit(amount: 1), .withdraw(amount: 1), .reopen(taskId: .zero),
            .claim(taskId: .zero), .initializeAndClaim(dealId: .zero, index: 0),
        ]
        #expect(bodies.map(\.type) == ["faucet", "deposit", "withdraw", "reopen", "claim", "initializeAndClaim"])
        #expect(Set(TransactionBody.types).count == 23)
    }

    @Test func genesisFundsWallets() throws {
        let address = TestAccount(1).address
        let state = State(
            configuration: Fixture.configuration, genesis: [address: 42, TestAccount(2).address: 0])
        #expect(state.account(address) == Account(wallet: 42))
        #expect(state.accounts.count == 1)
    }

    @Test func developmentChainsHaveTheDevCategory() {
        let development = ChainConfiguration(chainId: 1, hub: .zero, isDevelopment: true)
        #expect(development.categories.map(\.name) == ["XS", "S", "M", "L", "XL", "DEV"])
        #expect(development.category(5)?.timeref == 20)
        let production = ChainConfiguration(chainId: 1, hub: .zero)
        #expect(production.categories.map(\.timeref) == [300, 1200, 3600, 10800, 36000])
        #expect(production.category(5) == nil)
        #expect(production.workerStakeRatio == 30 && production.schedulerRewardRatio == 1)
    }
}
