import ClaveCore
import ClaveCrypto
import ClaveMarket
import ClaveServer
import ClaveTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct MarketRouteTests {
    @Test func publishReadListAndCancelAnOrder() async throws {
        let fixture = try await ServerFixture()
        let (app, _, pool, _) = fixture.orders(volume: 3)
        let signature = app.sign(with: fixture.appOwner.key, in: fixture.domain)
        let hash = app.hash(in: fixture.domain)
        try await fixture.application().test(.router) { client in
            let published = try await client.call(
                .post, "/v1/market/orders", json: PublishRequest(order: .app(app), signature: signature).json)
            #expect(published.status == .ok)
            let entry = try OrderbookEntry(json: published.json)
            #expect(entry.orderHash == hash)
            #expect(entry.status == .open)
            #expect(entry.remainingVolume == 3)
            #expect(entry.signer == fixture.appOwner.address)

            let poolSignature = pool.sign(with: fixture.scheduler.key, in: fixture.domain)
            _ = try await client.call(
                .post, "/v1/market/orders",
                json: PublishRequest(order: .workerpool(pool), signature: poolSignature).json)

            let read = try await client.call(.get, "/v1/market/orders/\(hash)")
            #expect(try OrderbookEntry(json: read.json) == entry)
            let apps = try OrderPage(
                json: await client.call(.get, "/v1/market/orders?kind=app&app=\(fixture.app)").json)
            #expect(apps.entries.map(\.orderHash) == [hash])
            let cheap = try OrderPage(
                json: await client.call(.get, "/v1/market/orders?kind=workerpool&maxPrice=99999").json)
            #expect(cheap.entries.isEmpty)
            let firstPage = try OrderPage(json: await client.call(.get, "/v1/market/orders?limit=1").json)
            #expect(firstPage.entries.count == 1)
            let cursor = try #require(firstPage.nextCursor)
            let secondPage = try OrderPage(
                json: await client.call(.get, "/v1/market/orders?limit=1&cursor=\(cursor)").json)
            #expect(secondPage.entries.count == 1)
            #expect(secondPage.entries[0].orderHash != firstPage.entries[0].orderHash)

            let cancel = CancelRequest(orderHash: hash, chainId: ServerFixture.chainId).sign(with: fixture.appOwner.key)
            let cancelled = try await client.call(
                .post, "/v1/market/orders/\(hash)/cancel", json: CancelBody(signature: cancel).json)
            #expect(try OrderbookEntry(json: cancelled.json).status == .cancelled)
            let after = try OrderPage(json: await client.call(.get, "/v1/market/orders?kind=app").json)
            #expect(after.entries.isEmpty)
        }
    }

    @Test func refusedOrdersAndQueriesGetA4xxAndLeaveTheBookAsItWas() async throws {
        let fixture = try await ServerFixture()
        let (app, _, _, request) = fixture.orders()
        let hash = app.hash(in: fixture.domain)
        let strangerSignature = app.sign(with: fixture.stranger.key, in: fixture.domain)
        let ownerSignature = app.sign(with: fixture.appOwner.key, in: fixture.domain)
        let otherChain = OrderDomain(chainId: 1, verifyingContract: ServerFixture.hub)
        try await fixture.application().test(.router) { client in
            var unknownField = PublishRequest(order: .app(app), signature: ownerSignature).json.objectValue!
            unknownField["memo"] = "hi"
            var priceAsNumber = AnyOrder.app(app).json.objectValue!
            priceAsNumber["appprice"] = 5
            let cases: [(HTTPRequest.Method, String, JSONValue?, HTTPResponse.Status, String)] = [
                (
                    .post, "/v1/market/orders", PublishRequest(order: .app(app), signature: strangerSignature).json,
                    .unprocessableContent, "wrongSigner"
                ),
                (
                    .post, "/v1/market/orders",
                    PublishRequest(order: .app(app), signature: app.sign(with: fixture.appOwner.key, in: otherChain))
                        .json,
                    .unprocessableContent, "wrongSigner"
                ),
                (
                    .post, "/v1/market/orders", PublishRequest(order: .app(app), signature: nil).json,
                    .unprocessableContent, "missingSignature"
                ),
                (.post, "/v1/market/orders", .object(unknownField), .badRequest, "unknownField"),
                (
                    .post, "/v1/market/orders", ["kind": "app", "order": .object(priceAsNumber), "signature": .null],
                    .badRequest, "invalidValue"
                ),
                (
                    .post, "/v1/market/orders", ["kind": "bond", "order": AnyOrder.app(app).json, "signature": .null],
                    .badRequest,
                    "invalidValue"
                ),
                (
                    .post, "/v1/market/orders",
                    PublishRequest(
                        order: .request(request),
                        signature: request.sign(with: fixture.stranger.key, in: fixture.domain)
                    ).json,
                    .unprocessableContent, "wrongSigner"
                ),
                (.get, "/v1/market/orders/\(hash)", nil, .notFound, "notFound"),
                (
                    .post, "/v1/market/orders/\(hash)/cancel",
                    CancelBody(
                        signature: CancelRequest(orderHash: hash, chainId: ServerFixture.chainId).sign(
                            with: fixture.appOwner.key)
                    ).json,
                    .notFound, "unknownOrder"
                ),
                (.get, "/v1/market/orders?kind=bond", nil, .badRequest, "invalidQuery"),
                (.get, "/v1/market/orders?colour=red", nil, .badRequest, "invalidParameter"),
                (.get, "/v1/market/orders?limit=1000", nil, .badRequest, "invalidQuery"),
                (.get, "/v1/market/orders?cursor=00", nil, .badRequest, "invalidCursor"),
                (.get, "/v1/market/orders?app=0x12", nil, .badRequest, "invalidQuery"),
            ]
            for (method, uri, body, status, code) in cases {
                let answer =
                    if let body { try await client.call(method, uri, json: body) } else {
                        try await client.call(method, uri)
                    }
                #expect(answer.status == status, "\(method) \(uri) \(body.map { "\($0)" } ?? "")")
                #expect(answer.code == code, "\(method) \(uri)")
                #expect((answer.message ?? "").count > 20, "\(method) \(uri)")
            }
            let all = try OrderPage(json: await client.call(.get, "/v1/market/orders").json)
            #expect(all.entries.isEmpty)
        }
    }
}
