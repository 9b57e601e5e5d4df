import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveServer
import ClaveTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// The HTTP clients against a live server on port 0 answer what the local services answer, and throw their errors.
@Suite struct ClientTests {
    @Test func theLedgerClientAnswersAsTheLocalLedger() async throws {
        let fixture = try await ServerFixture()
        let local = fixture.ledger
        try await fixture.application().test(.live) { client in
            let remote = try LedgerClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            #expect(try await remote.chainInfo() == local.chainInfo())

            let deposit = await fixture.signed(fixture.requester, .deposit(amount: 7))
            let receipt = try await remote.submit(deposit)
            #expect(receipt.events == [.deposit(account: fixture.requester.address, amount: 7)])
            #expect(try await remote.transaction(hash: deposit.hash) == local.transaction(hash: deposit.hash))
            #expect(try await remote.block(height: receipt.height) == local.block(height: receipt.height))
            #expect(try await remote.block(height: receipt.height + 10) == nil)

            let dealId = try await fixture.match()
            _ = try await remote.submit(fixture.signed(fixture.scheduler, .initialize(dealId: dealId, index: 0)))
            let taskId = ComputeTask.id(dealId: dealId, index: 0)
            for party in fixture.everyone {
                #expect(try await remote.account(party.address) == local.account(party.address))
            }
            #expect(try await remote.app(fixture.app) == local.app(fixture.app))
            #expect(try await remote.dataset(fixture.dataset) == local.dataset(fixture.dataset))
            #expect(try await remote.workerpool(fixture.workerpool) == local.workerpool(fixture.workerpool))
            #expect(try await remote.app(fixture.dataset) == nil)
            #expect(try await remote.deal(dealId) == local.deal(dealId))
            #expect(try await remote.task(taskId) == local.task(taskId))
            #expect(try await remote.task(dealId) == nil)
            let requestHash = fixture.orders().3.hash(in: fixture.domain)
            #expect(try await remote.consumed(requestHash) == 1)
            // Used up by the deal, not revoked.
            #expect(try await remote.isClosed(requestHash) == false)

            let filter = EventFilter(deal: dealId)
            let remoteEvents = try await remote.events(matching: filter, after: nil, limit: 100, timeout: .zero)
            #expect(remoteEvents == (try await local.events(matching: filter, after: nil, limit: 100)))
            #expect(
                remoteEvents.contains { $0.event == .schedulerNotice(workerpool: fixture.workerpool, dealId: dealId) })
        }
    }

    @Test func followYieldsTheLogThenNewEventsInOrder() async throws {
        let fixture = try await ServerFixture()
        let alice = fixture.requester
        try await fixture.application().test(.live) { client in
            let remote = try LedgerClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            var events = remote.follow(matching: EventFilter(account: alice.address, name: "Withdraw"), pageSize: 2)
                .makeAsyncIterator()
            for amount in 1...3 as ClosedRange<UInt64> { try await fixture.submit(alice, .withdraw(amount: amount)) }
            for amount in 1...3 as ClosedRange<UInt64> {
                #expect(try await events.next()?.event == .withdraw(account: alice.address, amount: amount))
            }
            try await fixture.submit(alice, .withdraw(amount: 4))
            #expect(try await events.next()?.event == .withdraw(account: alice.address, amount: 4))
        }
    }

    @Test func refusalsComeBackAsTheLocalErrorTypes() async throws {
        let fixture = try await ServerFixture()
        let before = await fixture.snapshot()
        try await fixture.application().test(.live) { client in
            let connection = try NodeConnection(url: "http://127.0.0.1:\(client.port!)/")
            let ledger = LedgerClient(connection: connection)
            let reused = await fixture.signed(fixture.requester, .deposit(amount: 1), nonce: 0)
            await #expect(
                performing: { try await ledger.submit(reused) },
                throws: { error in
                    (error as? Rejection)?.code == .wrongNonce
                        && (error as? Rejection)?.message.contains("nonce") == true
                })
            let greedy = await fixture.signed(fixture.requester, .withdraw(amount: 50_000_000))
            await #expect(
                performing: { try await ledger.submit(greedy) },
                throws: { error in
                    (error as? Rejection)?.code == .insufficientBalance
                })

            let book = OrderbookClient(connection: connection)
            let (app, _, _, _) = fixture.orders()
            await #expect(
                performing: {
                    try await book.publish(
                        .app(app), signature: app.sign(with: fixture.stranger.key, in: fixture.domain))
                }, throws: { ($0 as? MarketError)?.code == .wrongSigner })
            #expect(try await book.order(app.hash(in: fixture.domain)) == nil)

            let entry = try await book.publish(
                .app(app), signature: app.sign(with: fixture.appOwner.key, in: fixture.domain))
            #expect(try await book.order(entry.orderHash) == fixture.orderbook.order(entry.orderHash))
            #expect(try await book.query(OrderQuery(kind: .app)) == fixture.orderbook.query(OrderQuery(kind: .app)))
            let cancel = CancelRequest(orderHash: entry.orderHash, chainId: ServerFixture.chainId)
            await #expect(
                performing: {
                    try await book.cancel(entry.orderHash, signature: cancel.sign(with: fixture.stranger.key))
                }, throws: { ($0 as? MarketError)?.code == .wrongSigner })
            #expect(
                try await book.cancel(entry.orderHash, signature: cancel.sign(with: fixture.appOwner.key)).status
                    == .cancelled)
        }
        #expect(await fixture.snapshot() == before)
    }

    @Test func aNodeThatIsNotThereIsUnreachable() async throws {
        // Port 9 (discard) on loopback: nothing listens there.
        let connection = try NodeConnection(url: "http://127.0.0.1:9", configuration: .init(timeout: .seconds(5)))
        await #expect(
            performing: { try await LedgerClient(connection: connection).chainInfo() },
            throws: {
                ($0 as? ClientError)?.code == .unreachable
            })
        await #expect(
            performing: { try await OrderbookClient(connection: connection).query(OrderQuery()) },
            throws: {
                ($0 as? MarketError)?.code == .unavailable
            })
        #expect(throws: ClientError.self) { try NodeConnection(url: "ftp://example") }
        #expect(throws: ClientError.self) { try NodeConnection(url: "127.0.0.1:8545") }
    }

    @Test func aServerThatDoesNotSpeakTheAPIIsAnInvalidResponse() async throws {
        let router = Router()
        router.get("/v1/ledger/chain") { _, _ in "hello" }
        router.get("/v1/ledger/accounts/:address") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"balance": 5}"#)))
        }
        router.get("/v1/market/orders") { _, _ -> Response in throw HTTPError(.internalServerError) }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: .quiet)
        try await app.test(.live) { client in
            let connection = try NodeConnection(url: "http://127.0.0.1:\(client.port!)")
            let ledger = LedgerClient(connection: connection)
            await #expect(
                performing: { try await ledger.chainInfo() },
                throws: { error in
                    guard let error = error as? ClientError else { return false }
                    return error.code == .invalidResponse && error.message.contains("not JSON")
                })
            await #expect(
                performing: { try await ledger.account(.zero) },
                throws: { error in
                    guard let error = error as? ClientError else { return false }
                    return error.code == .invalidResponse && error.message.contains("another version")
                })
            await #expect(
                performing: { try await OrderbookClient(connection: connection).query(OrderQuery()) },
                throws: {
                    error in
                    guard let error = error as? MarketError else { return false }
                    return error.code == .unavailable && error.message.contains("500")
                })
        }
    }
}
