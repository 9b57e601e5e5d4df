import ClaveCore
import ClaveCrypto
import Testing

/// The worked example and the vectors of docs/protocol.md. The vectors were checked with pycryptodome's Keccak and
/// eth-account's EIP-712 encoder.
@Suite struct ProtocolExampleTests {
    @Test func vectors() throws {
        let owner = try Address("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        let app = AssetKind.app.address(owner: owner, nonce: 0)
        #expect(app.description == "0x8Dc9Fd5d52AAe325e2982ef12Da8A428B0b37dFF")
        #expect(
            AssetKind.dataset.address(owner: owner, nonce: 1).description
                == "0x7adba458Df425A76734B8d0399D295192B97F905")
        #expect(
            AssetKind.workerpool.address(owner: owner, nonce: 2).description
                == "0x150B5c1bAd8CC7FeAd87c2D42B035a00fFE831FF")
        let request = RequestOrder(
            app: app, appmaxprice: 5_000, workerpoolmaxprice: 100_000, requester: owner, volume: 1, category: 0,
            trust: 1, beneficiary: owner, params: "{\"iexec_args\":\"hello\"}", salt: .zero)
        let requestHash = request.hash(
            in: OrderDomain(chainId: 1337, verifyingContract: try Address("0x4848484848484848484848484848484848484848"))
        )
        #expect(requestHash.description == "0xf10e5d250d89743f2277cc817e0d3cc44f7cc3963bc0abca8cca63c8281b67a4")
        let dealId = Deal.id(requestOrderHash: requestHash, consumedBefore: 0)
        #expect(dealId.description == "0x7c7d320c024d37be8612cf15c4460f720e6fb200ab59ac274372e0db005a9de4")
        #expect(
            ComputeTask.id(dealId: dealId, index: 0).description
                == "0xe5b3151ebd6df6ed23f77dadd81e8e23260a07516746d48cf6e992d27f9c1942")
    }

    @Test func workedExample() throws {
        var fixture = try Fixture()
        let start = fixture.time
        let (first, second) = (fixture.workers[0], fixture.workers[1])
        let digest = Keccak256.hash(utf8: "the result")

        // 1. The orders match: the requester locks 108 000, the scheduler 30 000.
        let deal = try fixture.match(fixture.orders(trust: 3))
        #expect(fixture.account(fixture.requester).frozen == 108_000)
        #expect(fixture.account(fixture.scheduler).frozen == 30_000)

        // 2. The task starts; deadlines 7 and 10 time references (300 s) after the deal.
        let taskId = try fixture.initialize(deal)
        var task = try #require(fixture.state.task(taskId))
        #expect(task.contributionDeadline == start + 2_100 && task.finalDeadline == start + 3_000)

        // 3. Two new workers (weight 2 each) contribute the same result; the second makes the consensus.
        fixture.time = start + 30
        try fixture.contribute(first, taskId, digest: digest)
        #expect(fixture.state.task(taskId)?.status == .active)
        fixture.time = start + 60
        try fixture.contribute(second, taskId, digest: digest)
        task = try #require(fixture.state.task(taskId))
        #expect(task.status == .revealing && task.revealDeadline == start + 660)
        #expect(task.groupWeights[Fixture.resultHash(taskId, digest)] == 4 && task.totalWeight == 4)

        // 4. Both reveal; the scheduler finalizes.
        fixture.time = start + 120
        try fixture.reveal(first, taskId, digest: digest)
        fixture.time = start + 150
        try fixture.reveal(second, taskId, digest: digest)
        fixture.time = start + 200
        try fixture.send(fixture.scheduler, .finalize(taskId: taskId, results: [], resultsCallback: []))

        // 5. Who got what.
        #expect(fixture.account(fixture.requester).balance == Fixture.escrowFunds - 108_000)
        #expect(fixture.account(fixture.appOwner).balance == Fixture.escrowFunds + 5_000)
        #expect(fixture.account(fixture.datasetOwner).balance == Fixture.escrowFunds + 3_000)
        #expect(fixture.account(first).balance == Fixture.escrowFunds + 49_500)
        #expect(fixture.account(second).balance == Fixture.escrowFunds + 49_500)
        #expect(fixture.account(first).score == 1 && fixture.account(second).score == 1)
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds + 1_000)
        for actor in fixture.everyone { #expect(fixture.account(actor).frozen == 0) }
    }
}
