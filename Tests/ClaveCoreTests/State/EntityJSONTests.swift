import ClaveCore
import ClaveCrypto
import Testing

/// The API's JSON forms of entities and events read back to the same values, and reading is strict.
@Suite struct EntityJSONTests {
    static let digest = Keccak256.hash(utf8: "the result")
    static let id = Keccak256.hash(utf8: "an id")
    static let address = try! Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")

    /// One event of every case.
    static let everyEvent: [Event] = [
        .faucet(account: address, amount: 1), .deposit(account: address, amount: 2),
        .withdraw(account: address, amount: 3), .lock(account: address, amount: 4, reference: id),
        .unlock(account: address, amount: 5, reference: id), .seize(account: address, amount: 6, reference: id),
        .reward(account: address, amount: 7, reference: id), .kittyFilled(amount: 8, taskId: id),
        .kittyReleased(amount: 9, taskId: id), .appCreated(app: address, owner: address),
        .datasetCreated(dataset: address, owner: address), .workerpoolCreated(workerpool: address, owner: address),
        .ownershipTransferred(kind: .dataset, asset: address, from: address, to: .zero),
        .workerpoolConfigured(workerpool: address, workerStakeRatio: 30, schedulerRewardRatio: 1),
        .orderPresigned(kind: .request, orderHash: id, signer: address), .orderClosed(kind: .app, orderHash: id),
        .ordersMatched(
            dealId: id, appOrderHash: digest, datasetOrderHash: .zero, workerpoolOrderHash: id,
            requestOrderHash: digest, volume: 10),
        .schedulerNotice(workerpool: address, dealId: id),
        .taskInitialized(taskId: id, dealId: digest, index: 11, workerpool: address),
        .taskContribute(taskId: id, worker: address, resultHash: digest), .taskConsensus(taskId: id, consensus: digest),
        .taskReveal(taskId: id, worker: address, resultDigest: digest), .taskReopen(taskId: id),
        .taskFinalize(taskId: id, results: [0, 1, 0xff]), .taskClaimed(taskId: id),
        .accurateContribution(worker: address, taskId: id), .faultyContribution(worker: address, taskId: id),
    ]

    @Test func everyEventReadsBack() throws {
        #expect(Set(Self.everyEvent.map(\.name)).count == Self.everyEvent.count)
        for event in Self.everyEvent {
            #expect(try Event(json: event.json) == event)
        }
    }

    @Test func eventsOfAnotherShapeAreRefused() {
        #expect(throws: TransactionFormatError.self) { try Event(json: ["event": "Deposit", "account": "0x00"]) }
        var extra = Event.deposit(account: Self.address, amount: 1).json
        extra = .object(extra.objectValue!.merging(["memo": "hi"]))
        #expect(
            performing: { try Event(json: extra) }, throws: { ($0 as? TransactionFormatError)?.code == .unknownField })
        #expect(
            performing: { try Event(json: ["event": "Mint"]) },
            throws: {
                ($0 as? TransactionFormatError)?.code == .unknownType
            })
    }

    @Test func aCompletedReplicatedTaskAndItsDealReadBack() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(trust: 5))
        let taskId = try fixture.initialize(deal)
        for worker in fixture.workers[0..<3] {
            try fixture.contribute(worker, taskId, digest: Self.digest)
        }
        for worker in fixture.workers[0..<3] {
            try fixture.reveal(worker, taskId, digest: Self.digest)
        }
        try fixture.send(
            fixture.scheduler, .finalize(taskId: taskId, results: Array("bafyresult".utf8), resultsCallback: []))
        let task = try #require(fixture.state.task(taskId))
        #expect(task.status == .completed)
        #expect(task.contributions.count == 3)
        #expect(try ComputeTask(json: task.json) == task)
        #expect(try Deal(json: deal.json) == deal)

        let app = try #require(fixture.state.app(fixture.app))
        #expect(try App(json: app.json) == app)
        let dataset = try #require(fixture.state.dataset(fixture.dataset))
        #expect(try Dataset(json: dataset.json) == dataset)
        let workerpool = try #require(fixture.state.workerpool(fixture.workerpool))
        #expect(try Workerpool(json: workerpool.json) == workerpool)
        let account = fixture.account(fixture.workers[0])
        #expect(account.score > 0)
        #expect(try Account(json: account.json) == account)
    }

    @Test func aTaskWithAnUnknownStatusIsRefused() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders())
        let taskId = try fixture.initialize(deal)
        let task = try #require(fixture.state.task(taskId))
        var json = task.json.objectValue!
        json["status"] = "DONE"
        #expect(
            performing: { try ComputeTask(json: .object(json)) },
            throws: {
                ($0 as? TransactionFormatError)?.path == "task.status"
            })
        var account = fixture.account(fixture.requester).json.objectValue!
        account["balance"] = 5
        #expect(
            performing: { try Account(json: .object(account)) },
            throws: {
                ($0 as? TransactionFormatError)?.path == "account.balance"
            })
    }
}

extension JSONValue.Object {
    fileprivate func merging(_ other: JSONValue.Object) -> JSONValue.Object {
        var result = self
        for (key, value) in other { result[key] = value }
        return result
    }
}
