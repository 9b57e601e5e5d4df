import ClaveCore
import ClaveCrypto
import ClaveMarket
import Foundation
import Testing

@Suite struct QueryTests {
    /// The order hashes of a page.
    private func hashes(_ page: OrderPage) -> [Bytes32] { page.entries.map(\.orderHash) }

    private func hash(_ order: AnyOrder, _ market: MarketFixture) -> Bytes32 { order.hash(in: market.domain) }

    @Test func byKind() async throws {
        let market = try MarketFixture()
        let orders: [AnyOrder] = [
            .app(market.appOrder()), .dataset(market.datasetOrder()), .workerpool(market.workerpoolOrder()),
            .request(market.requestOrder()),
        ]
        for order in orders { try await market.publish(order) }
        for order in orders {
            #expect(hashes(try await market.book.query(OrderQuery(kind: order.kind))) == [hash(order, market)])
        }
        #expect(try await market.book.query(OrderQuery()).entries.count == 4)
    }

    @Test func byAsset() async throws {
        let market = try MarketFixture()
        let mine = AnyOrder.app(market.appOrder())
        let other = AnyOrder.app(market.appOrder(app: market.otherApp))
        let request = AnyOrder.request(market.requestOrder())
        for order in [mine, other, request] { try await market.publish(order) }
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .app, app: market.otherApp))) == [hash(other, market)])
        // Without a kind, the app's own orders and the requests asking for it, cheapest first.
        #expect(
            hashes(try await market.book.query(OrderQuery(app: market.app))) == [
                hash(mine, market), hash(request, market),
            ])
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .request, dataset: market.dataset)))
                == [hash(request, market)])
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .request, workerpool: market.workerpool)))
                == [hash(request, market)])
    }

    @Test func byRequester() async throws {
        let market = try MarketFixture()
        let request = AnyOrder.request(market.requestOrder())
        try await market.publish(request)
        try await market.publish(.app(market.appOrder()))
        #expect(
            hashes(try await market.book.query(OrderQuery(requester: market.requester.address))) == [
                hash(request, market)
            ])
        #expect(try await market.book.query(OrderQuery(requester: market.stranger.address)).entries.isEmpty)
    }

    @Test func byTag() async throws {
        let market = try MarketFixture()
        let plain = AnyOrder.workerpool(market.workerpoolOrder(price: 1, salt: 1))
        let tee = AnyOrder.workerpool(market.workerpoolOrder(price: 2, tag: Tag.with(Tag.tee), salt: 2))
        let tdx = AnyOrder.workerpool(
            market.workerpoolOrder(price: 3, tag: Tag.with(Tag.tee, Tag.tdx, Tag.gpu), salt: 3))
        for order in [plain, tee, tdx] { try await market.publish(order) }
        func includes(_ tag: Bytes32) async throws -> [Bytes32] {
            hashes(try await market.book.query(OrderQuery(kind: .workerpool, tagIncludes: tag)))
        }
        #expect(try await includes(.zero) == [plain, tee, tdx].map { hash($0, market) })
        #expect(try await includes(Tag.with(Tag.tee)) == [tee, tdx].map { hash($0, market) })
        #expect(try await includes(Tag.with(Tag.tee, Tag.tdx)) == [hash(tdx, market)])
        #expect(try await includes(Tag.with(200)).isEmpty)

        // An app order is usable by a pool only if the pool offers every bit of its tag.
        let standardApp = AnyOrder.app(market.appOrder(price: 1, salt: 1))
        let gpuApp = AnyOrder.app(market.appOrder(price: 2, tag: Tag.with(Tag.tee, Tag.gpu), salt: 2))
        for order in [standardApp, gpuApp] { try await market.publish(order) }
        func within(_ tag: Bytes32) async throws -> [Bytes32] {
            hashes(try await market.book.query(OrderQuery(kind: .app, tagWithin: tag)))
        }
        #expect(try await within(.zero) == [hash(standardApp, market)])
        #expect(try await within(Tag.with(Tag.tee)) == [hash(standardApp, market)])
        #expect(
            try await within(Tag.with(Tag.tee, Tag.gpu, Tag.tdx)) == [standardApp, gpuApp].map { hash($0, market) })
    }

    @Test func byCategory() async throws {
        let market = try MarketFixture()
        let small = AnyOrder.workerpool(market.workerpoolOrder(category: 0))
        let large = AnyOrder.workerpool(market.workerpoolOrder(category: 3))
        let request = AnyOrder.request(market.requestOrder(category: 3))
        for order in [small, large, request] { try await market.publish(order) }
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .workerpool, category: 3))) == [hash(large, market)])
        #expect(hashes(try await market.book.query(OrderQuery(kind: .request, category: 3))) == [hash(request, market)])
        #expect(try await market.book.query(OrderQuery(kind: .request, category: 0)).entries.isEmpty)
    }

    @Test func byRestriction() async throws {
        let market = try MarketFixture()
        let open = AnyOrder.dataset(market.datasetOrder(price: 1, salt: 1))
        let forApp = AnyOrder.dataset(market.datasetOrder(price: 2, apprestrict: market.app, salt: 2))
        let forOther = AnyOrder.dataset(market.datasetOrder(price: 3, apprestrict: market.otherApp, salt: 3))
        let forRequester = AnyOrder.dataset(
            market.datasetOrder(price: 4, requesterrestrict: market.requester.address, salt: 4))
        let forStranger = AnyOrder.dataset(
            market.datasetOrder(price: 5, requesterrestrict: market.stranger.address, salt: 5))
        let forPool = AnyOrder.dataset(market.datasetOrder(price: 6, workerpoolrestrict: market.workerpool, salt: 6))
        for order in [open, forApp, forOther, forRequester, forStranger, forPool] { try await market.publish(order) }

        let usableWithApp = try await market.book.query(OrderQuery(kind: .dataset, usableWithApp: market.app))
        #expect(hashes(usableWithApp) == [open, forApp, forRequester, forStranger, forPool].map { hash($0, market) })
        let usableByRequester = try await market.book.query(
            OrderQuery(kind: .dataset, usableWithApp: market.app, usableByRequester: market.requester.address))
        #expect(hashes(usableByRequester) == [open, forApp, forRequester, forPool].map { hash($0, market) })
        let anyPool = try await market.book.query(OrderQuery(kind: .dataset, usableWithWorkerpool: .zero))
        #expect(hashes(anyPool) == [open, forApp, forOther, forRequester, forStranger].map { hash($0, market) })

        let appForDataset = AnyOrder.app(market.appOrder(datasetrestrict: market.dataset))
        try await market.publish(appForDataset)
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .app, usableWithDataset: market.dataset)))
                == [hash(appForDataset, market)])
        #expect(try await market.book.query(OrderQuery(kind: .app, usableWithDataset: .zero)).entries.isEmpty)
    }

    @Test func byMaxPriceSortedByPriceThenPublication() async throws {
        let market = try MarketFixture()
        let orders = [3_000, 1_000, 2_000, 1_000, UInt64.max].enumerated().map { index, price in
            AnyOrder.app(market.appOrder(price: price, salt: UInt64(index)))
        }
        for order in orders { try await market.publish(order) }
        let all = try await market.book.query(OrderQuery(kind: .app))
        #expect(hashes(all) == [orders[1], orders[3], orders[2], orders[0], orders[4]].map { hash($0, market) })
        let cheap = try await market.book.query(OrderQuery(kind: .app, maxPrice: 2_000))
        #expect(hashes(cheap) == [orders[1], orders[3], orders[2]].map { hash($0, market) })
        #expect(try await market.book.query(OrderQuery(kind: .app, maxPrice: 999)).entries.isEmpty)
        #expect(try await market.book.query(OrderQuery(kind: .app, maxPrice: .max)).entries.count == 5)
    }

    @Test func aRequestIsListedAtTheMostItPays() async throws {
        let market = try MarketFixture()
        let request = AnyOrder.request(
            market.requestOrder(appmaxprice: .max, datasetmaxprice: .max, workerpoolmaxprice: .max))
        let cheap = AnyOrder.request(market.requestOrder(salt: 1))
        for order in [request, cheap] { try await market.publish(order) }
        #expect(OrderPrice.of(request) == 3 * UInt128(UInt64.max))
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .request)))
                == [cheap, request].map { hash($0, market) })
        #expect(
            hashes(try await market.book.query(OrderQuery(kind: .request, maxPrice: 108_000))) == [hash(cheap, market)])
    }

    // MARK: Paging

    @Test func pagesHaveNoDuplicatesNorGapsAndAStableOrder() async throws {
        let market = try MarketFixture()
        // 37 orders, prices with many ties, published in a scrambled order.
        var published: [(price: UInt64, index: Int, hash: Bytes32)] = []
        for index in 0..<37 {
            let price = UInt64((index * 7) % 5) * 100
            let order = AnyOrder.workerpool(market.workerpoolOrder(price: price, salt: UInt64(index)))
            try await market.publish(order)
            published.append((price, index, hash(order, market)))
        }
        let expected = published.sorted { ($0.price, $0.index) < ($1.price, $1.index) }.map(\.hash)
        for limit in [1, 7, 36, 37, 100] {
            var seen: [Bytes32] = []
            var cursor: OrderCursor?
            var pages = 0
            repeat {
                let page = try await market.book.query(OrderQuery(kind: .workerpool, limit: limit, cursor: cursor))
                #expect(page.entries.count <= limit)
                seen += hashes(page)
                // The cursor goes through its text form, as a client would send it back.
                cursor = try page.nextCursor.map { try OrderCursor($0.description) }
                pages += 1
            } while cursor != nil && pages < 100
            #expect(seen == expected, "limit \(limit)")
            #expect(pages == (37 + limit - 1) / limit, "limit \(limit)")
        }
        // The same query gives the same first page.
        let first = try await market.book.query(OrderQuery(kind: .workerpool, limit: 10))
        #expect(try await market.book.query(OrderQuery(kind: .workerpool, limit: 10)) == first)
    }

    @Test func ordersDoneBetweenPagesNeitherRepeatNorShiftTheRest() async throws {
        var market = try MarketFixture()
        var orders: [AnyOrder] = []
        for index in 0..<10 {
            let order = AnyOrder.app(market.appOrder(price: UInt64(index), salt: UInt64(index)))
            try await market.publish(order)
            orders.append(order)
        }
        let first = try await market.book.query(OrderQuery(kind: .app, limit: 4))
        #expect(hashes(first) == orders[0..<4].map { hash($0, market) })
        // One listed order and one not yet listed are closed on the ledger before the next page is read.
        try market.send(market.appOwner, .closeOrder(orders[1]))
        try market.send(market.appOwner, .closeOrder(orders[5]))
        let second = try await market.book.query(OrderQuery(kind: .app, limit: 4, cursor: first.nextCursor))
        #expect(hashes(second) == [4, 6, 7, 8].map { hash(orders[$0], market) })
        let third = try await market.book.query(OrderQuery(kind: .app, limit: 4, cursor: second.nextCursor))
        #expect(hashes(third) == [hash(orders[9], market)])
        #expect(third.nextCursor == nil)
    }

    @Test func pageSizesAndCursorsAreChecked() async throws {
        let market = try MarketFixture()
        for limit in [0, -1, 101] {
            await expectRefused(.invalidQuery, mentioning: ["100"]) {
                _ = try await market.book.query(OrderQuery(limit: limit))
            }
        }
        #expect(try await market.book.query(OrderQuery(limit: 100)).entries.isEmpty)
        let wrongVersion = Data("v2:000000000000000000000:1".utf8).map { String(format: "%02x", $0) }.joined()
        let shortPrice = Data("v1:1:1".utf8).map { String(format: "%02x", $0) }.joined()
        for text in ["", "not hex!", "ff", wrongVersion, shortPrice] {
            #expect(throws: MarketError.self) { try OrderCursor(text) }
        }
        await expectRefused(.invalidCursor) { _ = try OrderCursor("garbage") }
    }

    // MARK: The ledger's word

    @Test func remainingVolumeFollowsTheLedger() async throws {
        var market = try MarketFixture()
        let app = market.appOrder(volume: 10)
        let dataset = market.datasetOrder(volume: 10)
        let pool = market.workerpoolOrder(volume: 3)
        let request = market.requestOrder(volume: 3)
        for order in [AnyOrder.app(app), .dataset(dataset), .workerpool(pool), .request(request)] {
            try await market.publish(order)
        }
        try market.send(
            market.requester, market.matchBody(app: app, dataset: dataset, workerpool: pool, request: request))

        let apps = try await market.book.query(OrderQuery(kind: .app))
        #expect(apps.entries.map(\.remainingVolume) == [7])
        #expect(try await market.book.query(OrderQuery(kind: .dataset)).entries.map(\.remainingVolume) == [7])
        // The pool and request orders are fully consumed: never listed as open again.
        #expect(try await market.book.query(OrderQuery(kind: .workerpool)).entries.isEmpty)
        #expect(try await market.book.query(OrderQuery(kind: .request)).entries.isEmpty)
        let poolEntry = try #require(try await market.book.order(pool.hash(in: market.domain)))
        #expect(poolEntry.status == .consumed && poolEntry.remainingVolume == 0)
        let appEntry = try #require(try await market.book.order(app.hash(in: market.domain)))
        #expect(appEntry.status == .open && appEntry.remainingVolume == 7)
    }

    @Test func anOrderWhoseAssetChangedOwnersIsNotListed() async throws {
        var market = try MarketFixture()
        let order = AnyOrder.workerpool(market.workerpoolOrder())
        try await market.publish(order)
        try market.send(
            market.scheduler,
            .transferWorkerpoolOwnership(workerpool: market.workerpool, newOwner: market.stranger.address))
        #expect(try await market.book.query(OrderQuery()).entries.isEmpty)
        #expect(try await market.book.order(hash(order, market))?.status == .ownerChanged)
    }
}
