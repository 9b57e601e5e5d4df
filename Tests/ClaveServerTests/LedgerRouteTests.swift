import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import ClaveTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct LedgerRouteTests {
    @Test func submitThenReadTheAccountTheTransactionTheBlockAndItsEvents() async throws {
        let fixture = try await ServerFixture()
        let alice = fixture.requester
        try await fixture.application().test(.router) { client in
            let chain = try await client.call(.get, "/v1/ledger/chain")
            #expect(chain.status == .ok)
            #expect(chain.json["genesisHash"] == .string(ServerFixture.genesis.hash.description))
            let height = try #require(chain.json["head"]?["height"]?.numberValue?.uint64)

            let deposit = await fixture.signed(alice, .deposit(amount: 1_000))
            let receipt = try await client.call(.post, "/v1/ledger/transactions", json: deposit.json)
            #expect(receipt.status == .ok)
            #expect(receipt.json["transactionHash"] == .string(deposit.hash.description))
            #expect(receipt.json["height"] == .number(.init(height + 1)))
            #expect(receipt.json["events"] == [Event.deposit(account: alice.address, amount: 1_000).json])

            let account = try await client.call(.get, "/v1/ledger/accounts/\(alice.address)")
            #expect(try await Account(json: account.json) == fixture.ledger.account(alice.address))
            #expect(account.json["balance"] == "5001000")

            let record = try await client.call(.get, "/v1/ledger/transactions/\(deposit.hash)")
            #expect(try TransactionRecord(json: record.json).transaction == deposit)
            let block = try await client.call(.get, "/v1/ledger/blocks/\(height + 1)")
            #expect(try Block(json: block.json).transactions == [deposit])

            let events = try await client.call(
                .get, "/v1/ledger/events?account=\(alice.address)&name=Deposit&fromBlock=\(height + 1)")
            #expect(events.json["events"]?.arrayValue?.count == 1)
            #expect(events.json["events"]?[0]?["event"] == Event.deposit(account: alice.address, amount: 1_000).json)
            #expect(events.json["nextCursor"] == .string("\(height + 1).0.0"))

            let missing = try await client.call(.get, "/v1/ledger/transactions/\(Bytes32.zero)")
            #expect(missing.status == .notFound)
            #expect(missing.code == "notFound")
            let future = try await client.call(.get, "/v1/ledger/blocks/\(height + 50)")
            #expect(future.status == .notFound)
            #expect(future.message?.contains("the head is block \(height + 1)") == true)
        }
    }

    @Test func assetsDealsAndTasksAreServedAndUnknownOnesAre404() async throws {
        let fixture = try await ServerFixture()
        let dealId = try await fixture.match()
        try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 0))
        let taskId = ComputeTask.id(dealId: dealId, index: 0)
        try await fixture.application().test(.router) { client in
            let app = try await client.call(.get, "/v1/ledger/apps/\(fixture.app)")
            #expect(try await App(json: app.json) == fixture.ledger.app(fixture.app))
            let dataset = try await client.call(.get, "/v1/ledger/datasets/\(fixture.dataset)")
            #expect(try await Dataset(json: dataset.json) == fixture.ledger.dataset(fixture.dataset))
            let pool = try await client.call(.get, "/v1/ledger/workerpools/\(fixture.workerpool)")
            #expect(try await Workerpool(json: pool.json) == fixture.ledger.workerpool(fixture.workerpool))
            let deal = try await client.call(.get, "/v1/ledger/deals/\(dealId)")
            #expect(try await Deal(json: deal.json) == fixture.ledger.deal(dealId))
            let task = try await client.call(.get, "/v1/ledger/tasks/\(taskId)")
            #expect(try await ComputeTask(json: task.json) == fixture.ledger.task(taskId))
            #expect(task.json["status"] == "ACTIVE")
            let (_, _, _, request) = fixture.orders()
            let consumed = try await client.call(.get, "/v1/ledger/orders/\(request.hash(in: fixture.domain))/consumed")
            #expect(consumed.json["consumed"] == "1")

            for path in [
                "/v1/ledger/apps/\(fixture.dataset)", "/v1/ledger/datasets/\(fixture.app)",
                "/v1/ledger/workerpools/\(fixture.app)", "/v1/ledger/deals/\(taskId)", "/v1/ledger/tasks/\(dealId)",
            ] {
                let answer = try await client.call(.get, path)
                #expect(answer.status == .notFound, "\(path)")
                #expect(answer.code == "notFound", "\(path)")
            }
        }
    }

    /// Transactions that must be refused with a 4xx, a code and a message, leaving the state as it was.
    enum BadTransaction: String, CaseIterable, Sendable {
        case truncatedJSON, notAnObject, repeatedMember, unknownTopField, unknownBodyField, nonceAsString
        case amountAsNumber, missingSignature, signedByAnother, tamperedAfterSigning, wrongChainId, reusedNonce
        case moreThanTheWallet, unknownType, overflowingAmount

        /// The body sent, and the status and code expected.
        func request(_ fixture: ServerFixture) async -> (body: String, status: HTTPResponse.Status, code: String) {
            let party = fixture.requester
            let deposit = await fixture.signed(party, .deposit(amount: 10))
            let text = String(decoding: deposit.json.serialized(), as: UTF8.self)
            func edited(_ edit: (inout JSONValue.Object) -> Void) -> String {
                var object = deposit.json.objectValue!
                edit(&object)
                return String(decoding: JSONValue.object(object).serialized(), as: UTF8.self)
            }
            func editedTransaction(_ edit: (inout JSONValue.Object) -> Void) -> String {
                edited { object in
                    var transaction = object["transaction"]!.objectValue!
                    edit(&transaction)
                    object["transaction"] = .object(transaction)
                }
            }
            switch self {
            case .truncatedJSON: return (String(text.dropLast(5)), .badRequest, "invalidJSON")
            case .notAnObject: return ("[1, 2]", .badRequest, "invalidJSON")
            case .repeatedMember:
                return (
                    "{\"signature\": \"0x00\"," + text.dropFirst(), .badRequest, "invalidJSON"
                )
            case .unknownTopField: return (edited { $0["memo"] = "hi" }, .badRequest, "unknownField")
            case .unknownBodyField:
                return (
                    editedTransaction { $0["body"] = ["amount": "10", "memo": "hi"] }, .badRequest, "unknownField"
                )
            case .nonceAsString: return (editedTransaction { $0["nonce"] = "0" }, .badRequest, "invalidValue")
            case .amountAsNumber:
                return (editedTransaction { $0["body"] = ["amount": 10] }, .badRequest, "invalidValue")
            case .missingSignature: return (edited { $0["signature"] = nil }, .badRequest, "missingField")
            case .signedByAnother:
                let other = try! SignedTransaction(
                    Transaction(
                        chainId: ServerFixture.chainId, from: fixture.stranger.address, nonce: 0,
                        body: .deposit(amount: 10)),
                    signedWith: fixture.stranger.key)
                return (edited { $0["signature"] = .string(other.signature.description) }, .badRequest, "badSignature")
            case .tamperedAfterSigning:
                return (editedTransaction { $0["body"] = ["amount": "1000"] }, .badRequest, "badSignature")
            case .wrongChainId:
                let wrong = await fixture.signed(party, .deposit(amount: 10), chainId: 1)
                return (String(decoding: wrong.json.serialized(), as: UTF8.self), .unprocessableContent, "wrongChain")
            case .reusedNonce:
                let reused = await fixture.signed(party, .deposit(amount: 10), nonce: 0)
                return (String(decoding: reused.json.serialized(), as: UTF8.self), .conflict, "wrongNonce")
            case .moreThanTheWallet:
                let greedy = await fixture.signed(party, .deposit(amount: 6_000_000))
                return (
                    String(decoding: greedy.json.serialized(), as: UTF8.self), .unprocessableContent,
                    "insufficientWallet"
                )
            case .unknownType: return (editedTransaction { $0["type"] = "mint" }, .badRequest, "unknownType")
            case .overflowingAmount:
                return (
                    editedTransaction { $0["body"] = ["amount": "18446744073709551616"] }, .badRequest, "invalidValue"
                )
            }
        }
    }

    @Test(arguments: BadTransaction.allCases)
    func aBadTransactionIsRefusedWithA4xxAndChangesNothing(_ bad: BadTransaction) async throws {
        let fixture = try await ServerFixture()
        let before = await fixture.snapshot()
        let (body, status, code) = await bad.request(fixture)
        try await fixture.application().test(.router) { client in
            let answer = try await client.call(.post, "/v1/ledger/transactions", body: body)
            #expect(answer.status == status)
            #expect(answer.code == code)
            #expect((answer.message ?? "").count > 20)
        }
        #expect(await fixture.snapshot() == before)
    }

    @Test func requestsTheAPICannotServeGetAClear4xx() async throws {
        let fixture = try await ServerFixture()
        let before = await fixture.snapshot()
        let deposit = await fixture.signed(fixture.requester, .deposit(amount: 10))
        let text = String(decoding: deposit.json.serialized(), as: UTF8.self)
        try await fixture.application().test(.router) { client in
            let cases: [(HTTPRequest.Method, String, String?, HTTPFields, HTTPResponse.Status, String)] = [
                (
                    .post, "/v1/ledger/transactions", text, [.contentType: "text/plain"], .unsupportedMediaType,
                    "unsupportedMediaType"
                ),
                (
                    .post, "/v1/ledger/transactions", String(repeating: " ", count: (1 << 20) + 1) + text,
                    [.contentType: "application/json"], .contentTooLarge, "bodyTooLarge"
                ),
                (.post, "/v1/ledger/transactions", "", [.contentType: "application/json"], .badRequest, "invalidJSON"),
                (.get, "/v1/ledger/nothing", nil, [:], .notFound, "notFound"),
                (.delete, "/v1/ledger/transactions", nil, [:], .methodNotAllowed, "methodNotAllowed"),
                (.get, "/v1/ledger/accounts/0x1234", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/blocks/minus-one", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/deals/0xzz", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/events?colour=red", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/events?limit=0", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/events?limit=5&limit=6", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/events?wait=3600", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/events?after=1.2", nil, [:], .badRequest, "invalidParameter"),
                (.get, "/v1/ledger/events?account=someone", nil, [:], .badRequest, "invalidParameter"),
            ]
            for (method, uri, body, headers, status, code) in cases {
                let answer = try await client.call(method, uri, body: body, headers: headers)
                #expect(answer.status == status, "\(method) \(uri)")
                #expect(answer.code == code, "\(method) \(uri)")
                #expect((answer.message ?? "").count > 20, "\(method) \(uri)")
                if status == .methodNotAllowed { #expect(answer.headers[.allow] == "POST") }
            }
        }
        #expect(await fixture.snapshot() == before)
    }

    @Test func eventsPageWithTheCursorAndALongPollWakesOnTheNextBlock() async throws {
        let fixture = try await ServerFixture()
        let alice = fixture.requester
        for amount in [1, 2, 3] as [UInt64] { try await fixture.submit(alice, .deposit(amount: amount)) }
        try await fixture.application().test(.router) { client in
            let first = try await client.call(.get, "/v1/ledger/events?account=\(alice.address)&name=Deposit&limit=2")
            let page = try EventPage(json: first.json)
            #expect(
                page.events.compactMap(\.event) == [
                    .deposit(account: alice.address, amount: 5_000_000), .deposit(account: alice.address, amount: 1),
                ])
            let cursor = try #require(page.nextCursor)
            let second = try await EventPage(
                json: client.call(.get, "/v1/ledger/events?account=\(alice.address)&name=Deposit&after=\(cursor)").json)
            #expect(
                second.events.compactMap(\.event) == [
                    .deposit(account: alice.address, amount: 2), .deposit(account: alice.address, amount: 3),
                ])
            let last = try #require(second.nextCursor)

            let empty = try await client.call(.get, "/v1/ledger/events?account=\(alice.address)&after=\(last)")
            #expect(empty.json["events"] == [])
            #expect(empty.json["nextCursor"] == .null)

            async let waited = client.call(.get, "/v1/ledger/events?account=\(alice.address)&after=\(last)&wait=30")
            try await Task.sleep(for: .milliseconds(200))
            let start = ContinuousClock.now
            try await fixture.submit(alice, .withdraw(amount: 4))
            let answer = try await EventPage(json: waited.json)
            #expect(answer.events.compactMap(\.event) == [.withdraw(account: alice.address, amount: 4)])
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test func aTaskLongPollAnswersWhenItsStatusChangesOrWhenTheWaitIsOver() async throws {
        let fixture = try await ServerFixture()
        let dealId = try await fixture.match()
        let taskId = ComputeTask.id(dealId: dealId, index: 0)
        try await fixture.application().test(.router) { client in
            // Not initialized yet: UNSET, until the scheduler initializes it.
            async let initialized = client.call(.get, "/v1/ledger/tasks/\(taskId)?unlike=UNSET&wait=30")
            try await Task.sleep(for: .milliseconds(200))
            let start = ContinuousClock.now
            try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 0))
            let answer = try await initialized
            #expect(answer.status == .ok)
            #expect(answer.json["status"] == "ACTIVE")
            #expect(ContinuousClock.now - start < .seconds(10))

            // Already unlike the status asked: at once.
            let now = try await client.call(.get, "/v1/ledger/tasks/\(taskId)?unlike=UNSET&wait=30")
            #expect(now.json["status"] == "ACTIVE")
            // Still ACTIVE when the wait is over: the task as it is.
            let waitStart = ContinuousClock.now
            let unchanged = try await client.call(.get, "/v1/ledger/tasks/\(taskId)?unlike=ACTIVE&wait=1")
            #expect(unchanged.status == .ok)
            #expect(unchanged.json["status"] == "ACTIVE")
            #expect(ContinuousClock.now - waitStart >= .milliseconds(900))
            // Several statuses: an ACTIVE task waited on until it is neither UNSET nor ACTIVE is ACTIVE when the wait
            // is over; one waited on until it is neither UNSET nor COMPLETED answers at once.
            let severalStart = ContinuousClock.now
            let stillActive = try await client.call(
                .get, "/v1/ledger/tasks/\(taskId)?unlike=UNSET,ACTIVE,REVEALING&wait=1")
            #expect(stillActive.json["status"] == "ACTIVE")
            #expect(ContinuousClock.now - severalStart >= .milliseconds(900))
            let atOnceStart = ContinuousClock.now
            let atOnce = try await client.call(.get, "/v1/ledger/tasks/\(taskId)?unlike=UNSET,COMPLETED&wait=30")
            #expect(atOnce.json["status"] == "ACTIVE")
            #expect(ContinuousClock.now - atOnceStart < .seconds(10))
            // A task that never comes is 404 once the wait is over.
            let missing = try await client.call(.get, "/v1/ledger/tasks/\(Bytes32.zero)?unlike=UNSET&wait=1")
            #expect(missing.status == .notFound)

            for uri in [
                "/v1/ledger/tasks/\(taskId)?unlike=DONE", "/v1/ledger/tasks/\(taskId)?wait=5",
                "/v1/ledger/tasks/\(taskId)?unlike=ACTIVE,DONE", "/v1/ledger/tasks/\(taskId)?unlike=ACTIVE,&wait=1",
                "/v1/ledger/tasks/\(taskId)?unlike=&wait=1",
                "/v1/ledger/tasks/\(taskId)?unlike=ACTIVE&wait=61", "/v1/ledger/tasks/\(taskId)?unlike=ACTIVE&since=1",
            ] {
                let refused = try await client.call(.get, uri)
                #expect(refused.status == .badRequest, "\(uri)")
                #expect(refused.code == "invalidParameter", "\(uri)")
                #expect((refused.message ?? "").count > 20, "\(uri)")
            }
        }
    }

    /// `POST /v1/ledger/transactions/batch`, through the client: one request and one block for a sender's
    /// transactions; each one's receipt or refusal, the ones after a refused one not applied.
    @Test func aBatchIsOneRequestAndOneBlockAndStopsAtItsFirstRefusal() async throws {
        let fixture = try await ServerFixture()
        let alice = fixture.requester
        try await fixture.application().test(.live) { client in
            let ledger = LedgerClient(connection: try NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            let first = await fixture.ledger.account(alice.address).nonce
            let deposits = (0..<3).map { offset in
                try! SignedTransaction(
                    Transaction(
                        chainId: ServerFixture.chainId, from: alice.address, nonce: first + UInt64(offset),
                        body: .deposit(amount: 5)),
                    signedWith: alice.key)
            }
            let receipts = try await ledger.submit(batch: deposits).map { try $0.get() }
            #expect(receipts.map(\.transactionHash) == deposits.map(\.hash))
            #expect(Set(receipts.map(\.height)).count == 1)

            let next = first + 3
            let batch = [
                try SignedTransaction(
                    Transaction(
                        chainId: ServerFixture.chainId, from: alice.address, nonce: next, body: .deposit(amount: 1)),
                    signedWith: alice.key),
                try SignedTransaction(
                    Transaction(
                        chainId: ServerFixture.chainId, from: alice.address, nonce: next + 1,
                        body: .withdraw(amount: 1_000_000_000)),
                    signedWith: alice.key),
                try SignedTransaction(
                    Transaction(
                        chainId: ServerFixture.chainId, from: alice.address, nonce: next + 2, body: .deposit(amount: 1)),
                    signedWith: alice.key),
            ]
            let results = try await ledger.submit(batch: batch)
            #expect((try? results[0].get()) != nil)
            guard case .failure(let refusal) = results[1], case .failure(let after) = results[2] else {
                Issue.record("the overdraft or the one after it was applied: \(results)")
                return
            }
            #expect((refusal as? Rejection)?.code == .insufficientBalance)
            #expect((after as? LedgerError)?.code == .earlierInBatchRefused)
            #expect(await fixture.ledger.account(alice.address).nonce == next + 1)
        }
    }

    @Test func aMalformedBatchIsA400AndQueuesNothing() async throws {
        let fixture = try await ServerFixture()
        let (alice, bob) = (fixture.requester, fixture.appOwner)
        try await fixture.application().test(.router) { client in
            let height = await fixture.ledger.head.height
            let notAnArray = try await client.call(
                .post, "/v1/ledger/transactions/batch", json: await fixture.signed(alice, .deposit(amount: 1)).json)
            #expect(notAnArray.status == .badRequest)
            #expect(notAnArray.message?.contains("JSON array of signed transactions") == true)

            var unreadable = try #require(await fixture.signed(alice, .deposit(amount: 1)).json.objectValue)
            unreadable["signature"] = .string("0x00")
            let badItem = try await client.call(
                .post, "/v1/ledger/transactions/batch",
                json: .array([await fixture.signed(alice, .deposit(amount: 1)).json, .object(unreadable)]))
            #expect(badItem.status == .badRequest)
            #expect(badItem.json["path"]?.stringValue?.hasPrefix("$[1]") == true)

            let twoSenders = try await client.call(
                .post, "/v1/ledger/transactions/batch",
                json: .array([
                    await fixture.signed(alice, .deposit(amount: 1)).json,
                    await fixture.signed(bob, .deposit(amount: 1)).json,
                ]))
            #expect(twoSenders.status == .badRequest)
            #expect(twoSenders.code == "malformedBatch")
            #expect(twoSenders.message?.contains("one sender's transactions") == true)

            let empty = try await client.call(.post, "/v1/ledger/transactions/batch", json: .array([]))
            #expect(empty.status == .badRequest)
            #expect(empty.code == "malformedBatch")

            // Too long: refused on its length, before its items are read.
            let item = await fixture.signed(alice, .deposit(amount: 1)).json
            let tooLong = try await client.call(
                .post, "/v1/ledger/transactions/batch",
                json: .array(Array(repeating: item, count: Ledger.maximumBatchSize + 1)))
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.code == "malformedBatch")
            #expect(tooLong.message?.contains("send at most \(Ledger.maximumBatchSize)") == true)
            #expect(await fixture.ledger.head.height == height)
        }
    }

    /// `GET /v1/ledger/deals/{id}/tasks`: one long poll for the tasks of a deal, through the client, and its
    /// refusals.
    @Test func theTasksOfADealAreWaitedOnTogether() async throws {
        let fixture = try await ServerFixture()
        let dealId = try await fixture.match(volume: 3)
        try await fixture.application().test(.live) { client in
            let ledger = LedgerClient(connection: try NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            #expect(
                try await ledger.tasks(ofDeal: dealId, indices: 0..<3, unlike: [], timeout: .zero) == [nil, nil, nil])
            // Waited on until none is UNSET: the third initialize, 300 ms after the first two, ends it.
            async let all = ledger.tasks(ofDeal: dealId, indices: 0..<3, unlike: [.unset], timeout: .seconds(30))
            try await Task.sleep(for: .milliseconds(200))
            try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 0))
            try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 1))
            try await Task.sleep(for: .milliseconds(300))
            let start = ContinuousClock.now
            try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 2))
            let states = try await all
            #expect(states.map { $0?.status } == [.active, .active, .active])
            #expect(states.map { $0?.index } == [0, 1, 2])
            #expect(ContinuousClock.now - start < .seconds(10))
            // Still ACTIVE when the wait is over: the tasks as they are; a part of the deal.
            let waitStart = ContinuousClock.now
            let unchanged = try await ledger.tasks(
                ofDeal: dealId, indices: 1..<3, unlike: [.active], timeout: .seconds(1))
            #expect(unchanged.map { $0?.index } == [1, 2])
            #expect(ContinuousClock.now - waitStart >= .milliseconds(900))
            // A deal the node does not hold has no tasks.
            #expect(try await ledger.tasks(ofDeal: .zero, indices: 0..<2, unlike: [], timeout: .zero) == [nil, nil])

            let page = try await client.call(.get, "/v1/ledger/deals/\(dealId)/tasks?from=2")
            #expect(page.status == .ok)
            #expect(page.json["dealId"] == .string(dealId.description) && page.json["from"] == "2")
            #expect(page.json["tasks"]?.arrayValue?.count == 1)
            let unknown = try await client.call(.get, "/v1/ledger/deals/\(Bytes32.zero)/tasks")
            #expect(unknown.status == .notFound)
            for uri in [
                "from=3", "count=0", "count=4", "from=1&count=3", "wait=5", "unlike=DONE&wait=1",
                "unlike=ACTIVE&wait=61",
                "index=1",
            ] {
                let refused = try await client.call(.get, "/v1/ledger/deals/\(dealId)/tasks?\(uri)")
                #expect(refused.status == .badRequest, "\(uri)")
                #expect(refused.code == "invalidParameter", "\(uri)")
                #expect((refused.message ?? "").count > 20, "\(uri)")
            }
        }
    }

    @Test func aLedgerServiceWithoutALongPollOfItsOwnWaitsForADealsTasksOneByOne() async throws {
        let fixture = try await ServerFixture()
        let dealId = try await fixture.match(volume: 2)
        let service = EventsOnly(base: fixture.ledger)
        async let both = service.tasks(ofDeal: dealId, indices: 0..<2, unlike: [.unset], timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(200))
        try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 1))
        try await Task.sleep(for: .milliseconds(200))
        try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 0))
        #expect(try await both.map { $0?.status } == [.active, .active])
        let start = ContinuousClock.now
        let unchanged = try await service.tasks(
            ofDeal: dealId, indices: 0..<2, unlike: [.active], timeout: .milliseconds(300))
        #expect(unchanged.map { $0?.status } == [.active, .active])
        #expect(ContinuousClock.now - start >= .milliseconds(250))
    }

    @Test func aLedgerServiceWithoutALongPollOfItsOwnFollowsTheTaskEvents() async throws {
        let fixture = try await ServerFixture()
        let dealId = try await fixture.match()
        let taskId = ComputeTask.id(dealId: dealId, index: 0)
        let service = EventsOnly(base: fixture.ledger)
        // Waited on until it is neither UNSET nor REVEALING: the initialize ends the wait.
        async let initialized = service.task(taskId, unlike: [.unset, .revealing], timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(200))
        try await fixture.submit(fixture.scheduler, .initialize(dealId: dealId, index: 0))
        #expect(try await initialized?.status == .active)
        let start = ContinuousClock.now
        #expect(try await service.task(taskId, unlike: [.active], timeout: .milliseconds(300))?.status == .active)
        #expect(ContinuousClock.now - start >= .milliseconds(250))
        let severalStart = ContinuousClock.now
        let stillActive = try await service.task(
            taskId, unlike: [.unset, .active, .revealing], timeout: .milliseconds(300))
        #expect(stillActive?.status == .active)
        #expect(ContinuousClock.now - severalStart >= .milliseconds(250))
    }
}

/// A ledger reached only through the requirements every `LedgerService` has: its task long poll is the protocol's.
private struct EventsOnly: ForwardingLedgerService {
    let base: any LedgerService
}
