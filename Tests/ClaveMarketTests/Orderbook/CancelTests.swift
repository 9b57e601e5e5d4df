import ClaveCore
import ClaveCrypto
import ClaveMarket
import Testing
import ClaveTestSupport

@Suite struct CancelTests {
    @Test func theSignerCancels() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.dataset(market.datasetOrder())
        let hash = order.hash(in: market.domain)
        try await market.publish(order)
        let request = CancelRequest(orderHash: hash, chainId: MarketFixture.configuration.chainId)
        let signature = request.sign(with: market.datasetOwner.key)
        let cancelled = try await market.book.cancel(hash, signature: signature)
        #expect(cancelled.status == .cancelled)
        #expect(try await market.book.order(hash)?.status == .cancelled)
        #expect(try await market.book.query(OrderQuery()).entries.isEmpty)
        // Cancelling again changes nothing; publishing again is refused.
        #expect(try await market.book.cancel(hash, signature: signature) == cancelled)
        await expectRefused(.orderCancelled, mentioning: ["\(hash)"]) {
            _ = try await market.book.publish(order, signature: market.signature(order))
        }
    }

    @Test func theCancelDocumentIsCanonicalJSON() throws {
        let hash = try Bytes32(hex: "0x" + String(repeating: "ab", count: 32))
        let request = CancelRequest(orderHash: hash, chainId: 1337)
        #expect(
            String(decoding: CanonicalJSON.encode(request.json), as: UTF8.self)
                == "{\"cancel\":\"0x\(String(repeating: "ab", count: 32))\",\"chainId\":1337}")
        let key = TestAccount(9).key
        #expect(try request.signer(of: request.sign(with: key)) == key.address)
        #expect(
            try request.signer(of: key.signPersonalMessage(CanonicalJSON.digest(request.json).bytes)) == key.address)
    }

    @Test func onlyTheSignerCancels() async throws {
        let market = try MarketFixture()
        let order = AnyOrder.request(market.requestOrder())
        let hash = order.hash(in: market.domain)
        try await market.publish(order)
        let request = CancelRequest(orderHash: hash, chainId: MarketFixture.configuration.chainId)
        await expectRefused(
            .wrongSigner, mentioning: [market.stranger.address.checksummed, market.requester.address.checksummed]
        ) {
            _ = try await market.book.cancel(hash, signature: request.sign(with: market.stranger.key))
        }
        // Signed for another chain: recovers to another address.
        let otherChain = CancelRequest(orderHash: hash, chainId: 1)
        await expectRefused(.wrongSigner) {
            _ = try await market.book.cancel(hash, signature: otherChain.sign(with: market.requester.key))
        }
        #expect(try await market.book.order(hash)?.status == .open)
    }

    @Test func anUnknownOrderCannotBeCancelled() async throws {
        let market = try MarketFixture()
        let hash = Bytes32(uint64: 42)
        await expectRefused(.unknownOrder) {
            _ = try await market.book.cancel(
                hash, signature: CancelRequest(orderHash: hash, chainId: 1337).sign(with: market.requester.key))
        }
        #expect(try await market.book.order(hash) == nil)
    }
}
