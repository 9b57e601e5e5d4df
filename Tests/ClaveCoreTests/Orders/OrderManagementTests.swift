import ClaveCore
import ClaveCrypto
import Testing

@Suite struct OrderManagementTests {
    @Test func presignAndCloseByTheSigner() throws {
        var fixture = try Fixture()
        let orders = fixture.orders(volume: 9)
        let hash = orders.request.hash(in: fixture.domain)
        #expect(
            try fixture.send(fixture.requester, .presign(.request(orders.request)))
                == [.orderPresigned(kind: .request, orderHash: hash, signer: fixture.requester.address)])
        #expect(fixture.state.presigner(hash) == fixture.requester.address)
        #expect(fixture.state.remainingVolume(.request(orders.request)) == 9)
        #expect(!fixture.state.isClosed(hash))
        #expect(
            try fixture.send(fixture.requester, .closeOrder(.request(orders.request)))
                == [.orderClosed(kind: .request, orderHash: hash)])
        #expect(fixture.state.consumed(hash) == 9)
        #expect(fixture.state.remainingVolume(.request(orders.request)) == 0)
        #expect(fixture.state.isClosed(hash))
    }

    @Test func onlyTheSignerPresignsOrCloses() throws {
        let fixture = try Fixture()
        let orders = fixture.orders()
        for order in [AnyOrder.app(orders.app), .workerpool(orders.workerpool), .request(orders.request)] {
            fixture.expectRejected(
                .notOwner, mentioning: [fixture.stranger.address.description], fixture.stranger, .presign(order))
            fixture.expectRejected(.notOwner, fixture.stranger, .closeOrder(order))
        }
        fixture.expectRejected(.notOwner, fixture.stranger, .closeOrder(.dataset(try #require(orders.dataset))))
        var unknown = orders.app
        unknown.app = fixture.stranger.address
        fixture.expectRejected(.unknownApp, fixture.stranger, .presign(.app(unknown)))
    }

    @Test func aPresignatureLapsesWhenTheAssetChangesHands() throws {
        var fixture = try Fixture()
        var orders = fixture.orders()
        try fixture.send(fixture.appOwner, .presign(.app(orders.app)))
        try fixture.send(fixture.appOwner, .transferAppOwnership(app: fixture.app, newOwner: fixture.stranger.address))
        orders.appSigner = nil
        fixture.expectRejected(.invalidAppOrderSignature, fixture.requester, fixture.matchBody(orders))
    }
}
