import ClaveCore
import ClaveCrypto
import Testing

@Suite struct TaskRefusalTests {
    static let digest = Keccak256.hash(utf8: "the result")

    /// A fixture with one matched deal of `trust` and its first task initialized.
    private func started(trust: UInt64 = 1, tee: Bool = false) throws -> (Fixture, Deal, Bytes32) {
        var fixture = try Fixture()
        var orders = fixture.orders(trust: trust)
        if tee {
            orders.app = AppOrder(
                app: fixture.teeApp, appprice: Fixture.appPrice, volume: 1, tag: Tag.with(Tag.tee), salt: .zero)
            orders.request.app = fixture.teeApp
            orders.workerpool.tag = Tag.with(Tag.tee)
        }
        let deal = try fixture.match(orders)
        let taskId = try fixture.initialize(deal)
        return (fixture, deal, taskId)
    }

    @Test func initializeTwiceOrOutOfTheBagOrTooLate() throws {
        var (fixture, deal, _) = try started()
        fixture.expectRejected(
            .wrongTaskStatus, mentioning: ["ACTIVE"], fixture.scheduler, .initialize(dealId: deal.id, index: 0))
        fixture.expectRejected(
            .taskIndexOutOfRange, mentioning: ["index 1"], fixture.scheduler, .initialize(dealId: deal.id, index: 1))
        fixture.expectRejected(.unknownDeal, fixture.scheduler, .initialize(dealId: Self.digest, index: 0))
        var orders = fixture.orders(salt: 5)
        orders.request.salt = Bytes32(uint64: 5)
        let second = try fixture.match(orders)
        fixture.time = Fixture.start + 7 * Fixture.timeref
        fixture.expectRejected(
            .deadlinePassed, mentioning: ["contribution deadline"], fixture.scheduler,
            .initialize(dealId: second.id, index: 0))
    }

    @Test func contributeAfterTheContributionDeadline() throws {
        var (fixture, _, taskId) = try started()
        let deadline = Fixture.start + 7 * Fixture.timeref
        fixture.time = deadline
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .deadlinePassed, mentioning: ["\(deadline)"], worker,
            fixture.contributeBody(worker, taskId, digest: Self.digest))
    }

    @Test func contributeWithAnAuthorizationFromSomeoneElse() throws {
        let (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        let hash = Fixture.resultHash(taskId, Self.digest)
        let seal = Fixture.resultSeal(worker, taskId, Self.digest)
        fixture.expectRejected(
            .invalidAuthorization,
            mentioning: [fixture.stranger.address.description, fixture.scheduler.address.description], worker,
            .contribute(
                taskId: taskId, resultHash: hash, resultSeal: seal, enclaveChallenge: .zero, enclaveSign: nil,
                authorizationSign: fixture.authorization(worker, taskId, signer: fixture.stranger)))
        // An authorization for another worker does not work either.
        fixture.expectRejected(
            .invalidAuthorization, worker,
            .contribute(
                taskId: taskId, resultHash: hash, resultSeal: seal, enclaveChallenge: .zero, enclaveSign: nil,
                authorizationSign: fixture.authorization(fixture.workers[1], taskId)))
    }

    @Test func contributeTwice() throws {
        var (fixture, _, taskId) = try started(trust: 3)
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        fixture.expectRejected(.alreadyContributed, worker, fixture.contributeBody(worker, taskId, digest: Self.digest))
    }

    @Test func contributeWithoutEnoughForTheStake() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.send(worker, .withdraw(amount: Fixture.escrowFunds - 1))
        fixture.expectRejected(
            .insufficientBalance, mentioning: ["worker stake"], worker,
            fixture.contributeBody(worker, taskId, digest: Self.digest))
    }

    @Test func contributeAZeroResult() throws {
        let (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .invalidResult, worker,
            .contribute(
                taskId: taskId, resultHash: .zero, resultSeal: Self.digest, enclaveChallenge: .zero, enclaveSign: nil,
                authorizationSign: fixture.authorization(worker, taskId)))
    }

    @Test func teeContributionWithoutEnclave() throws {
        let (fixture, _, taskId) = try started(tee: true)
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .invalidEnclaveSignature, mentioning: ["TEE"], worker,
            fixture.contributeBody(worker, taskId, digest: Self.digest))
    }

    @Test func teeContributionWithoutEnclaveSignature() throws {
        let (fixture, _, taskId) = try started(tee: true)
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .invalidEnclaveSignature, mentioning: ["no enclave signature"], worker,
            .contribute(
                taskId: taskId, resultHash: Fixture.resultHash(taskId, Self.digest),
                resultSeal: Fixture.resultSeal(worker, taskId, Self.digest), enclaveChallenge: fixture.enclave.address,
                enclaveSign: nil,
                authorizationSign: fixture.authorization(worker, taskId, enclave: fixture.enclave.address)))
    }

    @Test func teeContributionSignedByAnotherKey() throws {
        let (fixture, _, taskId) = try started(tee: true)
        let worker = fixture.workers[0]
        let hash = Fixture.resultHash(taskId, Self.digest)
        let seal = Fixture.resultSeal(worker, taskId, Self.digest)
        fixture.expectRejected(
            .invalidEnclaveSignature, mentioning: ["signed by \(fixture.stranger.address)"], worker,
            .contribute(
                taskId: taskId, resultHash: hash, resultSeal: seal, enclaveChallenge: fixture.enclave.address,
                enclaveSign: fixture.enclaveSignature(hash, seal, signer: fixture.stranger),
                authorizationSign: fixture.authorization(worker, taskId, enclave: fixture.enclave.address)))
        // The enclave's signature over another result does not work either.
        fixture.expectRejected(
            .invalidEnclaveSignature, worker,
            .contribute(
                taskId: taskId, resultHash: hash, resultSeal: seal, enclaveChallenge: fixture.enclave.address,
                enclaveSign: fixture.enclaveSignature(seal, hash),
                authorizationSign: fixture.authorization(worker, taskId, enclave: fixture.enclave.address)))
    }

    @Test func teeContributeAndFinalizeWithoutEnclave() throws {
        let (fixture, _, taskId) = try started(tee: true)
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .invalidEnclaveSignature, worker, fixture.contributeAndFinalizeBody(worker, taskId, digest: Self.digest))
    }

    @Test func revealWithTheWrongDigest() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        fixture.expectRejected(
            .invalidReveal, mentioning: [Keccak256.hash(utf8: "other").description], worker,
            .reveal(taskId: taskId, resultDigest: Keccak256.hash(utf8: "other")))
        fixture.expectRejected(
            .notContributor, fixture.workers[1], .reveal(taskId: taskId, resultDigest: Self.digest))
    }

    @Test func revealAfterTheRevealDeadline() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        fixture.time = try #require(fixture.state.task(taskId)).revealDeadline
        fixture.expectRejected(.deadlinePassed, worker, .reveal(taskId: taskId, resultDigest: Self.digest))
    }

    @Test func revealBeforeConsensus() throws {
        var (fixture, _, taskId) = try started(trust: 3)
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        fixture.expectRejected(
            .wrongTaskStatus, mentioning: ["ACTIVE", "REVEALING"], worker,
            .reveal(taskId: taskId, resultDigest: Self.digest))
    }

    @Test func finalizeByANonScheduler() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        try fixture.reveal(worker, taskId, digest: Self.digest)
        fixture.expectRejected(
            .notScheduler, mentioning: [fixture.scheduler.address.description, worker.address.description], worker,
            .finalize(taskId: taskId, results: [], resultsCallback: []))
    }

    @Test func finalizeBeforeEveryoneRevealedAndBeforeTheDeadline() throws {
        var (fixture, _, taskId) = try started()
        try fixture.contribute(fixture.workers[0], taskId, digest: Self.digest)
        fixture.expectRejected(
            .revealsPending, mentioning: ["0 of the 1", "reopen"], fixture.scheduler,
            .finalize(taskId: taskId, results: [], resultsCallback: []))
        // Past the reveal deadline with nobody revealed, finalize is still refused: reopen instead.
        fixture.time = try #require(fixture.state.task(taskId)).revealDeadline
        fixture.expectRejected(
            .revealsPending, fixture.scheduler, .finalize(taskId: taskId, results: [], resultsCallback: []))
    }

    @Test func finalizeAfterTheFinalDeadline() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        try fixture.reveal(worker, taskId, digest: Self.digest)
        fixture.time = Fixture.start + 10 * Fixture.timeref
        fixture.expectRejected(
            .deadlinePassed, mentioning: ["claimed"], fixture.scheduler,
            .finalize(taskId: taskId, results: [], resultsCallback: []))
    }

    @Test func finalizeWithCallbackDataOnADealWithoutCallback() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        try fixture.reveal(worker, taskId, digest: Self.digest)
        fixture.expectRejected(
            .invalidCallbackResults, mentioning: ["no callback"], fixture.scheduler,
            .finalize(taskId: taskId, results: [], resultsCallback: [42]))
    }

    @Test func claimBeforeTheFinalDeadline() throws {
        let (fixture, _, taskId) = try started()
        fixture.expectRejected(.tooEarly, fixture.stranger, .claim(taskId: taskId))
        fixture.expectRejected(.unknownTask, fixture.stranger, .claim(taskId: Self.digest))
    }

    @Test func reopenAfterAReveal() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        try fixture.reveal(worker, taskId, digest: Self.digest)
        fixture.time = try #require(fixture.state.task(taskId)).revealDeadline
        fixture.expectRejected(.alreadyRevealed, fixture.scheduler, .reopen(taskId: taskId))
    }

    @Test func contributeAndFinalizeOnAReplicatedDeal() throws {
        let (fixture, _, taskId) = try started(trust: 3)
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .replicationRequired, mentioning: ["trust 3"], worker,
            fixture.contributeAndFinalizeBody(worker, taskId, digest: Self.digest))
    }

    @Test func contributeAndFinalizeAfterAContribution() throws {
        var (fixture, _, taskId) = try started()
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        // Consensus was reached at once (trust 1), so the task is no longer ACTIVE.
        fixture.expectRejected(
            .wrongTaskStatus, fixture.workers[1],
            fixture.contributeAndFinalizeBody(fixture.workers[1], taskId, digest: Self.digest))
    }
}
