import ClaveCore
import ClaveCrypto
import ClaveMarket
import Foundation
import Logging
import Testing
import ClaveTestSupport

@Suite struct PersistenceTests {
    @Test func reopeningTheFileKeepsTheBook() async throws {
        let directory = try TemporaryDirectory(prefix: "clave-market")
        do {
            let path = directory.path("orderbook.sqlite")
            let market = try MarketFixture(path: path)
            let kept = AnyOrder.app(market.appOrder())
            let cancelled = AnyOrder.workerpool(market.workerpoolOrder())
            try await market.publish(kept)
            try await market.publish(cancelled)
            let cancelledHash = cancelled.hash(in: market.domain)
            _ = try await market.book.cancel(
                cancelledHash,
                signature: CancelRequest(orderHash: cancelledHash, chainId: 1337).sign(with: market.scheduler.key))
            let before = try await market.book.query(OrderQuery())

            let reopened = try SQLiteOrderbook(path: path, ledger: market.ledger, logger: Logger.quiet)
            let after = try await reopened.query(OrderQuery())
            #expect(after == before)
            #expect(after.entries.map(\.order) == [kept])
            #expect(try await reopened.order(cancelledHash)?.status == .cancelled)
            // Publishing into the reopened book still finds the existing row.
            #expect(try await reopened.publish(kept, signature: market.signature(kept)) == before.entries[0])
        }
    }
}
