import GRDB
import Logging
import ClaveCore
import ClaveCrypto
import ClaveMarket
import Testing

@Suite struct PublishTests {
    @Test func eachKindRoundTrips() async throws {
        let market = try MarketFixture()
        let orders: [AnyOrder] = [
            .app(market.appOrder()), .dataset(market.datasetOrder()), .workerpool(market.workerpoolOrder()),
            .request(market.requestOrder()),
        ]
        for order in orders {
            let signature = market.signature(order)
            let entry = try await market.book.publish(order, signature: signature)
            let hash = order.hash(in: market.domain)
            #expect(entry.orderHash == hash)
            #expect(entry.order == order)
            #expect(entry.signature == signature)
            #expect(entry.signer == market.signer(of: order).address)
            #expect(entry.remainingVolume == 10)
            #expect(entry.status == .open)
            #expect(try await market.book.order(hash) == entry)
            let page = try await market.book.query(OrderQuery(kind: order.kind))
            #expect(page.entries == [entry])
            #expect(page.nextCursor == nil)
        }
    }

    @Test func signedOrderOverloadsPublish() async throws {
        let market = try MarketFixture()
        let order = market.appOrder()
        let entry = try await market.book.publish(
            SignedOrder.signed(order, with: market.appOwner.key, in: market.domain))
        #expect(entry.order == .app(order))
    }

    @Test func aDuplicateReturnsTheExistingEntry() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.dataset(market.datasetOrder())
        let first = try await market.publish(order)
        let second = try await market.publish(order)
        #expect(first == second)
        #expect(try await market.book.query(OrderQuery()).entries.count == 1)
    }

    @Test func concurrentDuplicatesStoreOneRow() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.app(market.appOrder())
        let signature = market.signature(order)
        let book = market.book
        let entries = try await withThrowingTaskGroup(of: OrderbookEntry.self) { group in
            for _ in 0..<8 { group.addTask { try await book.publish(order, signature: signature) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(entries).count == 1)
        #expect(try await market.book.query(OrderQuery()).entries == [entries[0]])
    }

    @Test func thePublicationTimeComesFromTheInjectedClock() async throws {
        let market = try MarketFixture()
        let book = try SQLiteOrderbook(
            database: DatabaseQueue(), ledger: market.ledger, logger: .quiet, currentTime: { 1_234 })
        let order = AnyOrder.request(market.requestOrder())
        #expect(try await book.publish(order, signature: market.signature(order)).publishedAt == 1_234)
    }

    @Test func aPresignedOrderNeedsNoSignature() async throws {
        var market = try MarketFixture()
        let order = AnyOrder.app(market.appOrder())
        await expectRefused(.missingSignature, mentioning: [market.appOwner.address.checksummed]) {
            _ = try await market.book.publish(order, signature: nil)
        }
        try market.send(market.appOwner, .presign(order))
        let entry = try await market.book.publish(order, signature: nil)
        #expect(entry.signature == nil && entry.status == .open)
    }

    // MARK: Refusals

    @Test func aMalformedSignatureIsRefused() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.app(market.appOrder())
        let digest = order.hash(in: market.domain)
        // A well-formed signature whose r is no point's x coordinate: no key can be recovered from it.
        let candidates = (1...64).compactMap { r in
            try? Signature(bytes: Bytes32(uint64: UInt64(r)).bytes + Bytes32(uint64: 1).bytes + [27])
        }
        let bad = try #require(candidates.first { (try? $0.recoverAddress(digest: digest)) == nil })
        await expectRefused(.invalidSignature) {
            _ = try await market.book.publish(order, signature: bad)
        }
    }

    @Test func aSignerWhoIsNotTheOwnerIsRefused() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.workerpool(market.workerpoolOrder())
        await expectRefused(
            .wrongSigner, mentioning: [market.stranger.address.checksummed, market.scheduler.address.checksummed]
        ) {
            _ = try await market.book.publish(order, signature: market.signature(order, by: market.stranger))
        }
        // A request order is the requester's to sign.
        let request = AnyOrder.request(market.requestOrder())
        await expectRefused(.wrongSigner) {
            _ = try await market.book.publish(request, signature: market.signature(request, by: market.appOwner))
        }
    }

    @Test func theCurrentOwnerSigns() async throws {
        var market = try MarketFixture()
        let order = AnyOrder.app(market.appOrder())
        let oldSignature = market.signature(order)
        try market.send(market.appOwner, .transferAppOwnership(app: market.app, newOwner: market.stranger.address))
        await expectRefused(.wrongSigner, mentioning: [market.stranger.address.checksummed]) {
            _ = try await market.book.publish(order, signature: oldSignature)
        }
        let entry = try await market.book.publish(order, signature: market.signature(order, by: market.stranger))
        #expect(entry.signer == market.stranger.address)
    }

    @Test func theNewOwnerReopensAnOrderByPublishingItAgain() async throws {
        var market = try MarketFixture()
        let order = AnyOrder.dataset(market.datasetOrder())
        let first = try await market.publish(order)
        try market.send(
            market.datasetOwner, .transferDatasetOwnership(dataset: market.dataset, newOwner: market.stranger.address))
        #expect(try await market.book.order(first.orderHash)?.status == .ownerChanged)
        let signature = market.signature(order, by: market.stranger)
        let reopened = try await market.book.publish(order, signature: signature)
        #expect(reopened.status == .open)
        #expect(reopened.signer == market.stranger.address && reopened.signature == signature)
        #expect(reopened.publishedAt == first.publishedAt)
        #expect(try await market.book.query(OrderQuery()).entries == [reopened])
    }

    @Test func aSignatureInAnotherDomainIsRefused() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.dataset(market.datasetOrder())
        let otherChain = OrderDomain(chainId: 1, verifyingContract: MarketFixture.hub)
        let otherHub = OrderDomain(chainId: 1337, verifyingContract: market.app)
        for domain in [otherChain, otherHub] {
            await expectRefused(.wrongSigner, mentioning: ["chainId 1337", MarketFixture.hub.checksummed]) {
                _ = try await market.book.publish(order, signature: market.signature(order, in: domain))
            }
        }
    }

    @Test func unknownAssetsAreRefused() async throws {
        let market = try MarketFixture()
        let nowhere = try Address("0x00000000000000000000000000000000000000aa")
        var app = market.appOrder()
        app.app = nowhere
        var dataset = market.datasetOrder()
        dataset.dataset = nowhere
        var pool = market.workerpoolOrder()
        pool.workerpool = nowhere
        var requestApp = market.requestOrder()
        requestApp.app = nowhere
        var requestDataset = market.requestOrder()
        requestDataset.dataset = nowhere
        for order in [
            AnyOrder.app(app), .dataset(dataset), .workerpool(pool), .request(requestApp), .request(requestDataset),
        ] {
            await expectRefused(.unknownAsset, mentioning: [nowhere.checksummed]) {
                _ = try await market.book.publish(order, signature: market.signature(order))
            }
        }
        // A request without a dataset names none, and that is fine.
        try await market.publish(.request(market.requestOrder(withDataset: false)))
    }

    @Test func anUnknownCategoryIsRefused() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.workerpool(market.workerpoolOrder(category: 99))
        await expectRefused(.unknownCategory, mentioning: ["99"]) {
            _ = try await market.book.publish(order, signature: market.signature(order))
        }
    }

    @Test func zeroVolumeIsRefused() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.app(market.appOrder(volume: 0))
        await expectRefused(.zeroVolume) {
            _ = try await market.book.publish(order, signature: market.signature(order))
        }
    }

    @Test func aFullyConsumedOrderIsRefused() async throws {
        var market = try MarketFixture()
        let app = market.appOrder(volume: 2)
        let dataset = market.datasetOrder(volume: 2)
        let pool = market.workerpoolOrder(volume: 2)
        let request = market.requestOrder(volume: 2)
        try market.send(
            market.requester, market.matchBody(app: app, dataset: dataset, workerpool: pool, request: request))
        for order in [AnyOrder.app(app), .dataset(dataset), .workerpool(pool), .request(request)] {
            await expectRefused(.noRemainingVolume, mentioning: ["\(order.hash(in: market.domain))"]) {
                _ = try await market.book.publish(order, signature: market.signature(order))
            }
        }
    }

    @Test func anOrderClosedOnTheLedgerIsRefused() async throws {
        var market = try MarketFixture()
        let order = AnyOrder.dataset(market.datasetOrder())
        try market.send(market.datasetOwner, .closeOrder(order))
        await expectRefused(.noRemainingVolume) {
            _ = try await market.book.publish(order, signature: market.signature(order))
        }
    }

    @Test func anUnreachableLedgerIsReported() async throws {
        struct Down: LedgerViewSource {
            struct Unreachable: Error {}
            func currentView() async throws -> any LedgerView { throw Unreachable() }
        }
        let book = try SQLiteOrderbook(database: DatabaseQueue(), ledger: Down(), logger: Logger.quiet)
        let market = try MarketFixture()
        let order = AnyOrder.app(market.appOrder())
        await expectRefused(.ledgerUnavailable) {
            _ = try await book.publish(order, signature: market.signature(order))
        }
    }
}
