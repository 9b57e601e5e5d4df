import ClaveCore
import ClaveCrypto
import Testing

@Suite struct LifecycleTests {
    static let digest = Keccak256.hash(utf8: "the result")
    static let wrongDigest = Keccak256.hash(utf8: "a lie")

    @Test func trustOneContributeAndFinalize() throws {
        var fixture = try Fixture()
        let totalBefore = fixture.total
        let deal = try fixture.match(fixture.orders())
        let taskId = try fixture.initialize(deal)
        let worker = fixture.workers[0]
        let events = try fixture.send(
            worker, fixture.contributeAndFinalizeBody(worker, taskId, digest: Self.digest))

        let task = try #require(fixture.state.task(taskId))
        #expect(task.status == .completed)
        #expect(task.resultDigest == Self.digest)
        #expect(task.results == Array("bafyresult".utf8))
        #expect(task.contributions[worker.address]?.status == .proved)
        // The requester paid the task price; the owners got their prices; the worker 99 % of the workerpool price
        // (no stake); the scheduler its stake back and 1 %.
        #expect(
            fixture.account(fixture.requester)
                == Account(
                    wallet: Fixture.walletFunds - Fixture.escrowFunds, balance: Fixture.escrowFunds - 108_000, nonce: 2)
        )
        #expect(fixture.account(fixture.appOwner).balance == Fixture.escrowFunds + 5_000)
        #expect(fixture.account(fixture.datasetOwner).balance == Fixture.escrowFunds + 3_000)
        #expect(fixture.account(worker).balance == Fixture.escrowFunds + 99_000)
        #expect(fixture.account(worker).frozen == 0)
        #expect(fixture.account(worker).score == 0)
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds + 1_000)
        #expect(fixture.account(fixture.scheduler).frozen == 0)
        #expect(fixture.total == totalBefore)
        #expect(
            events.map(\.name) == [
                "TaskContribute", "TaskConsensus", "TaskReveal", "Seize", "Reward", "Reward", "Unlock", "Reward",
                "Reward", "TaskFinalize",
            ])
        #expect(events.contains(.reward(account: worker.address, amount: 99_000, reference: taskId)))
        #expect(events.last == .taskFinalize(taskId: taskId, results: Array("bafyresult".utf8)))
    }

    @Test func trustFiveWithThreeHonestWorkers() throws {
        var fixture = try Fixture()
        let escrowBefore = fixture.escrowTotal
        let deal = try fixture.match(fixture.orders(trust: 5))
        let taskId = try fixture.initialize(deal)
        let workers = Array(fixture.workers[0..<3])
        for (index, worker) in workers.enumerated() {
            let events = try fixture.contribute(worker, taskId, digest: Self.digest)
            #expect(fixture.account(worker).frozen == Fixture.stake)
            // Weights 2, 4 (2 × 2), 8: trust 5 needs 8 × 5 > (8 + 1) × 4.
            #expect(events.contains { $0.name == "TaskConsensus" } == (index == 2))
        }
        var task = try #require(fixture.state.task(taskId))
        #expect(task.status == .revealing)
        #expect(task.winnerCounter == 3)
        #expect(task.revealDeadline == fixture.time + 2 * Fixture.timeref)
        for worker in workers {
            try fixture.reveal(worker, taskId, digest: Self.digest)
        }
        task = try #require(fixture.state.task(taskId))
        #expect(task.revealCounter == 3)
        try fixture.send(fixture.scheduler, .finalize(taskId: taskId, results: [1, 2, 3], resultsCallback: []))

        // 99 % of 100 000 shared by equal weights: 33 000 each; the scheduler keeps 1 000.
        for worker in workers {
            #expect(fixture.account(worker).balance == Fixture.escrowFunds + 33_000)
            #expect(fixture.account(worker).frozen == 0)
            #expect(fixture.account(worker).score == 1)
        }
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds + 1_000)
        #expect(fixture.account(fixture.requester).balance == Fixture.escrowFunds - 108_000)
        #expect(fixture.escrowTotal == escrowBefore)
        #expect(fixture.state.task(taskId)?.status == .completed)
    }

    @Test func trustThreeWithALyingWorker() throws {
        var fixture = try Fixture()
        let liar = fixture.workers[0]
        let honest = Array(fixture.workers[1..<4])
        // The liar first earns a score of 3 on three tasks of trust 2, where its weight alone is enough.
        for salt in 1...3 {
            let deal = try fixture.match(fixture.orders(trust: 2, salt: UInt64(salt)))
            let taskId = try fixture.initialize(deal)
            try fixture.contribute(liar, taskId, digest: Self.digest)
            try fixture.reveal(liar, taskId, digest: Self.digest)
            try fixture.send(fixture.scheduler, .finalize(taskId: taskId, results: [], resultsCallback: []))
        }
        #expect(fixture.account(liar).score == 3)
        let liarBalance = fixture.account(liar).balance
        let escrowBefore = fixture.escrowTotal

        let deal = try fixture.match(fixture.orders(trust: 3))
        let taskId = try fixture.initialize(deal)
        try fixture.contribute(liar, taskId, digest: Self.wrongDigest)
        try fixture.contribute(honest[0], taskId, digest: Self.digest)
        try fixture.contribute(honest[1], taskId, digest: Self.digest)
        // Honest 4 against 2: 4 × 3 > (6 + 1) × 2 fails; a third honest worker makes it 8 × 3 > (10 + 1) × 2.
        #expect(fixture.state.task(taskId)?.status == .active)
        try fixture.contribute(honest[2], taskId, digest: Self.digest)
        #expect(fixture.state.task(taskId)?.status == .revealing)
        #expect(fixture.state.task(taskId)?.winnerCounter == 3)
        fixture.expectRejected(
            .notContributor, mentioning: [liar.address.description], liar,
            .reveal(taskId: taskId, resultDigest: Self.wrongDigest))
        for worker in honest {
            try fixture.reveal(worker, taskId, digest: Self.digest)
        }
        let events = try fixture.send(fixture.scheduler, .finalize(taskId: taskId, results: [], resultsCallback: []))

        // The liar's 30 000 joins the reward: 130 000 × 99 % = 128 700, 42 900 per honest worker; the scheduler
        // keeps 1 300.
        #expect(fixture.account(liar).balance == liarBalance - Fixture.stake)
        #expect(fixture.account(liar).frozen == 0)
        #expect(fixture.account(liar).score == 2)
        #expect(events.contains(.seize(account: liar.address, amount: Fixture.stake, reference: taskId)))
        #expect(events.contains(.faultyContribution(worker: liar.address, taskId: taskId)))
        for worker in honest {
            #expect(fixture.account(worker).balance == Fixture.escrowFunds + 42_900)
            #expect(fixture.account(worker).score == 1)
            #expect(events.contains(.accurateContribution(worker: worker.address, taskId: taskId)))
        }
        #expect(events.contains(.reward(account: fixture.scheduler.address, amount: 1_300, reference: taskId)))
        #expect(fixture.escrowTotal == escrowBefore)
    }

    @Test func nobodyRevealsThenReopenAndCompleteWithAnotherWorker() throws {
        var fixture = try Fixture()
        let (silent, second) = (fixture.workers[0], fixture.workers[1])
        let deal = try fixture.match(fixture.orders())
        let taskId = try fixture.initialize(deal)
        try fixture.contribute(silent, taskId, digest: Self.digest)
        let revealDeadline = try #require(fixture.state.task(taskId)).revealDeadline

        fixture.time = revealDeadline - 1
        fixture.expectRejected(.tooEarly, mentioning: ["\(revealDeadline)"], fixture.scheduler, .reopen(taskId: taskId))
        fixture.time = revealDeadline
        fixture.expectRejected(.notScheduler, fixture.stranger, .reopen(taskId: taskId))
        try fixture.send(fixture.scheduler, .reopen(taskId: taskId))
        var task = try #require(fixture.state.task(taskId))
        #expect(task.status == .active)
        #expect(task.contributions[silent.address]?.status == .rejected)
        #expect(task.totalWeight == 0)
        fixture.expectRejected(.alreadyContributed, silent, fixture.contributeBody(silent, taskId, digest: Self.digest))

        try fixture.contribute(second, taskId, digest: Self.digest)
        try fixture.reveal(second, taskId, digest: Self.digest)
        try fixture.send(fixture.scheduler, .finalize(taskId: taskId, results: [], resultsCallback: []))
        task = try #require(fixture.state.task(taskId))
        #expect(task.status == .completed)
        // The silent worker loses its stake to the reward: (100 000 + 30 000) × 99 % goes to the second worker.
        #expect(fixture.account(silent).balance == Fixture.escrowFunds - Fixture.stake)
        #expect(fixture.account(silent).frozen == 0)
        #expect(fixture.account(second).balance == Fixture.escrowFunds + 128_700)
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds + 1_300)
    }

    @Test func finalDeadlinePassedClaimRefundsAndFillsTheKitty() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(trust: 3))
        let taskId = try fixture.initialize(deal)
        let worker = fixture.workers[0]
        try fixture.contribute(worker, taskId, digest: Self.digest)
        let finalDeadline = Fixture.start + 10 * Fixture.timeref
        #expect(fixture.state.task(taskId)?.finalDeadline == finalDeadline)

        fixture.time = finalDeadline - 1
        fixture.expectRejected(.tooEarly, mentioning: ["\(finalDeadline)"], fixture.stranger, .claim(taskId: taskId))
        fixture.time = finalDeadline
        let escrowBefore = fixture.escrowTotal
        let events = try fixture.send(fixture.stranger, .claim(taskId: taskId))

        #expect(fixture.state.task(taskId)?.status == .failed)
        #expect(fixture.account(fixture.requester).balance == Fixture.escrowFunds)
        #expect(fixture.account(fixture.requester).frozen == 0)
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds - Fixture.stake)
        #expect(fixture.account(fixture.scheduler).frozen == 0)
        #expect(fixture.account(worker).balance == Fixture.escrowFunds)
        #expect(fixture.account(worker).frozen == 0)
        #expect(fixture.state.kitty == Fixture.stake)
        #expect(fixture.escrowTotal == escrowBefore)
        #expect(
            events == [
                .unlock(account: fixture.requester.address, amount: 108_000, reference: taskId),
                .seize(account: fixture.scheduler.address, amount: Fixture.stake, reference: taskId),
                .kittyFilled(amount: Fixture.stake, taskId: taskId),
                .unlock(account: worker.address, amount: Fixture.stake, reference: taskId),
                .taskClaimed(taskId: taskId),
            ])
        fixture.expectRejected(.wrongTaskStatus, mentioning: ["FAILED"], fixture.stranger, .claim(taskId: taskId))

        // The next completed task pays the scheduler from the kitty: min(kitty, max(10 %, 1 RLC)) = all of it.
        let next = try fixture.match(fixture.orders(salt: 7))
        let nextTask = try fixture.initialize(next)
        try fixture.send(worker, fixture.contributeAndFinalizeBody(worker, nextTask, digest: Self.digest))
        #expect(fixture.state.kitty == 0)
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds + 1_000)
    }

    @Test func aTaskNeverInitializedIsClaimedWithInitializeAndClaim() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(volume: 2))
        fixture.time = Fixture.start + 10 * Fixture.timeref - 1
        fixture.expectRejected(.tooEarly, fixture.stranger, .initializeAndClaim(dealId: deal.id, index: 1))
        fixture.expectRejected(.taskIndexOutOfRange, fixture.stranger, .initializeAndClaim(dealId: deal.id, index: 2))
        fixture.time += 1
        try fixture.send(fixture.stranger, .initializeAndClaim(dealId: deal.id, index: 1))
        #expect(fixture.state.task(ComputeTask.id(dealId: deal.id, index: 1))?.status == .failed)
        #expect(fixture.account(fixture.requester).frozen == 108_000)
        #expect(fixture.state.kitty == Fixture.stake)
    }

    @Test func initializeArrayStartsTasksOfSeveralDealsInOneTransaction() throws {
        var fixture = try Fixture()
        let first = try fixture.match(fixture.orders(volume: 3))
        let second = try fixture.match(fixture.orders(salt: 1))
        let events = try fixture.send(
            fixture.scheduler,
            .initializeArray(dealIds: [first.id, second.id, first.id], indices: [2, second.botFirst, 0]))
        let started = [
            ComputeTask.id(dealId: first.id, index: 2), ComputeTask.id(dealId: second.id, index: second.botFirst),
            ComputeTask.id(dealId: first.id, index: 0),
        ]
        #expect(events.map(\.name) == ["TaskInitialized", "TaskInitialized", "TaskInitialized"])
        for taskId in started {
            let task = try #require(fixture.state.task(taskId))
            #expect(task.status == .active)
            #expect(task.contributionDeadline == Fixture.start + 7 * Fixture.timeref)
        }
        #expect(fixture.state.task(ComputeTask.id(dealId: first.id, index: 1)) == nil)
    }

    @Test func initializeArrayIsAllOrNothing() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(volume: 3))
        _ = try fixture.initialize(deal, index: 1)
        // One pair that cannot be initialized refuses the whole transaction, which names the pair.
        fixture.expectRejected(
            .wrongTaskStatus, mentioning: ["Pair 1 of initializeArray", "already initialized"], fixture.scheduler,
            .initializeArray(dealIds: [deal.id, deal.id, deal.id], indices: [0, 1, 2]))
        fixture.expectRejected(
            .taskIndexOutOfRange, mentioning: ["Pair 1"], fixture.scheduler,
            .initializeArray(dealIds: [deal.id, deal.id], indices: [0, 3]))
        fixture.expectRejected(
            .unknownDeal, mentioning: ["Pair 0"], fixture.scheduler,
            .initializeArray(dealIds: [Keccak256.hash(utf8: "no deal")], indices: [0]))
        // The same task twice: the second is already initialized by the first.
        fixture.expectRejected(
            .wrongTaskStatus, mentioning: ["Pair 1"], fixture.scheduler,
            .initializeArray(dealIds: [deal.id, deal.id], indices: [0, 0]))
        #expect(fixture.state.task(ComputeTask.id(dealId: deal.id, index: 0)) == nil)
        #expect(fixture.state.task(ComputeTask.id(dealId: deal.id, index: 2)) == nil)
        // The arrays must pair up, and hold 1 to 256 pairs.
        fixture.expectRejected(
            .invalidArgument, mentioning: ["2 deal ids and 1 indices"], fixture.scheduler,
            .initializeArray(dealIds: [deal.id, deal.id], indices: [0]))
        fixture.expectRejected(
            .invalidArgument, mentioning: ["0 deal ids"], fixture.scheduler, .initializeArray(dealIds: [], indices: []))
        let limit = TransactionBody.initializeArrayLimit
        fixture.expectRejected(
            .invalidArgument, mentioning: ["1 to \(limit) pairs"], fixture.scheduler,
            .initializeArray(
                dealIds: Array(repeating: deal.id, count: limit + 1), indices: Array(repeating: 0, count: limit + 1)))
        // After the contribution deadline no pair can be initialized.
        fixture.time = Fixture.start + 7 * Fixture.timeref
        fixture.expectRejected(
            .deadlinePassed, mentioning: ["Pair 0"], fixture.scheduler,
            .initializeArray(dealIds: [deal.id, deal.id], indices: [0, 2]))
    }

    @Test func finalizeAfterTheRevealDeadlineWithSomeWinnersSilent() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(trust: 5))
        let taskId = try fixture.initialize(deal)
        let workers = Array(fixture.workers[0..<3])
        for worker in workers { try fixture.contribute(worker, taskId, digest: Self.digest) }
        try fixture.reveal(workers[0], taskId, digest: Self.digest)
        let finalize = TransactionBody.finalize(taskId: taskId, results: [], resultsCallback: [])
        fixture.expectRejected(.revealsPending, mentioning: ["1 of the 3"], fixture.scheduler, finalize)

        fixture.time = try #require(fixture.state.task(taskId)).revealDeadline
        try fixture.send(fixture.scheduler, finalize)
        // The two silent winners did not prove their result: their stakes join the reward, all of which goes to
        // the one who revealed: (100 000 + 60 000) × 99 % = 158 400.
        #expect(fixture.account(workers[0]).balance == Fixture.escrowFunds + 158_400)
        #expect(fixture.account(workers[1]).balance == Fixture.escrowFunds - Fixture.stake)
        #expect(fixture.account(workers[2]).frozen == 0)
        #expect(fixture.account(fixture.scheduler).balance == Fixture.escrowFunds + 1_600)
    }

    @Test func aTeeTaskWithTheEnclavesSignature() throws {
        var fixture = try Fixture()
        var orders = fixture.orders(trust: 1)
        orders.app = AppOrder(
            app: fixture.teeApp, appprice: Fixture.appPrice, volume: 1, tag: Tag.with(Tag.tee, Tag.tdx),
            salt: .zero)
        orders.request.app = fixture.teeApp
        orders.workerpool.tag = Tag.with(Tag.tee, Tag.tdx)
        let deal = try fixture.match(orders)
        let taskId = try fixture.initialize(deal)
        let worker = fixture.workers[0]
        try fixture.send(worker, fixture.contributeAndFinalizeBody(worker, taskId, digest: Self.digest, tee: true))
        #expect(fixture.state.task(taskId)?.status == .completed)
        #expect(fixture.state.task(taskId)?.contributions[worker.address]?.enclaveChallenge == fixture.enclave.address)
    }

    @Test func aCallbackDealStoresTheCallbackData() throws {
        var fixture = try Fixture()
        let callbackData: [UInt8] = Array("callback".utf8)
        let digest = Keccak256.hash(callbackData)
        let deal = try fixture.match(fixture.orders(callback: fixture.stranger.address))
        let taskId = try fixture.initialize(deal)
        let worker = fixture.workers[0]
        fixture.expectRejected(
            .invalidCallbackResults, mentioning: [digest.description], worker,
            fixture.contributeAndFinalizeBody(worker, taskId, digest: digest, resultsCallback: [1]))
        try fixture.send(
            worker, fixture.contributeAndFinalizeBody(worker, taskId, digest: digest, resultsCallback: callbackData))
        #expect(fixture.state.task(taskId)?.resultsCallback == callbackData)
    }

    @Test func consensusNeedsTwoToThePowerOfWorkersAtLeastTrust() throws {
        // New workers weigh 2 and a group's weight is the product of its members': k agreeing new workers reach
        // trust t when 2^k ≥ t.
        for (trust, needed) in [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4)] as [(UInt64, Int)] {
            var fixture = try Fixture()
            let deal = try fixture.match(fixture.orders(trust: trust, salt: trust))
            let taskId = try fixture.initialize(deal)
            var contributions = 0
            while fixture.state.task(taskId)?.status == .active {
                try fixture.contribute(fixture.workers[contributions], taskId, digest: Self.digest)
                contributions += 1
            }
            #expect(contributions == needed, "trust \(trust)")
        }
    }
}
