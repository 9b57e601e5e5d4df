import ClaveCore
import ClaveCrypto
import ClaveLedger
import Foundation
import GRDB
import ClaveTestSupport
import Testing

@Suite struct VerifierTests {
    typealias F = LedgerFixture

    /// Three blocks of one deposit each, then the store and the hash of the middle block's transaction.
    func threeBlocks(in directory: TemporaryDirectory) async throws -> (SQLiteLedgerStore, Bytes32) {
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let ledger = try await F.ledger(
            store: store, genesis: F.genesis(accounts: 1), clock: ManualClock(1_700_000_000))
        var hashes: [Bytes32] = []
        for nonce in 0..<3 {
            hashes.append(
                try await ledger.submit(F.signed(F.key(1), nonce: UInt64(nonce), .deposit(amount: 10))).transactionHash)
        }
        await ledger.shutDown()
        let report = try await LedgerVerifier.verify(store: store)
        #expect(report.isValid)
        #expect(report.blocks == 4)
        return (store, hashes[1])
    }

    @Test func anAlteredTransactionIsNamedWithItsBlock() async throws {
        let directory = try TemporaryDirectory()
        let (store, hash) = try await threeBlocks(in: directory)
        try await store.database.write { db in
            var json = try [UInt8](
                #require(
                    try Data.fetchOne(db, sql: "SELECT json FROM transactions WHERE hash = ?", arguments: [hash.data])))
            let digit = try #require(json.firstIndex(of: UInt8(ascii: "1")))
            json[digit] = UInt8(ascii: "9")
            try db.execute(sql: "UPDATE transactions SET json = ? WHERE hash = ?", arguments: [Data(json), hash.data])
        }
        let divergence = try #require(try await LedgerVerifier.verify(store: store).divergence)
        #expect(divergence.height == 2)
        #expect(divergence.kind == .alteredTransaction)
        #expect(divergence.transactionIndex == 0)
        #expect(divergence.message.contains("Transaction 0 of block 2"))
        await #expect(throws: LedgerError.self) {
            _ = try await F.ledger(store: store, genesis: F.genesis(accounts: 1), clock: ManualClock(0))
        }
    }

    @Test func aForgedSignatureIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let (store, hash) = try await threeBlocks(in: directory)
        let forged = F.signed(F.key(2), nonce: 0, .deposit(amount: 10)).signature
        try await store.database.write { db in
            try db.execute(
                sql: "UPDATE transactions SET signature = ? WHERE hash = ?",
                arguments: [Data(forged.rawRepresentation), hash.data])
        }
        let divergence = try #require(try await LedgerVerifier.verify(store: store).divergence)
        #expect(divergence.height == 2)
        #expect(divergence.kind == .badSignature)
    }

    @Test func anAlteredEventIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let (store, _) = try await threeBlocks(in: directory)
        try await store.database.write { db in
            var json = try [UInt8](#require(try Data.fetchOne(db, sql: "SELECT json FROM events WHERE height = 3")))
            let digit = try #require(json.firstIndex(of: UInt8(ascii: "1")))
            json[digit] = UInt8(ascii: "2")
            try db.execute(sql: "UPDATE events SET json = ? WHERE height = 3", arguments: [Data(json)])
        }
        let divergence = try #require(try await LedgerVerifier.verify(store: store).divergence)
        #expect(divergence.height == 3)
        #expect(divergence.kind == .wrongEvent)
        #expect(divergence.message.contains("replay produces"))
    }

    @Test func aBrokenParentLinkIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let (store, _) = try await threeBlocks(in: directory)
        try await store.database.write { db in
            try db.execute(sql: "UPDATE blocks SET parent = ? WHERE height = 2", arguments: [Bytes32.zero.data])
        }
        let divergence = try #require(try await LedgerVerifier.verify(store: store).divergence)
        #expect(divergence.height == 2)
        #expect(divergence.kind == .brokenLink)
        #expect(divergence.message.contains("block 1 hashes to"))
    }

    @Test func aRemovedBlockIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let (store, _) = try await threeBlocks(in: directory)
        try await store.database.write { db in
            try db.execute(sql: "DELETE FROM events WHERE height = 2")
            try db.execute(sql: "DELETE FROM transactions WHERE height = 2")
            try db.execute(sql: "DELETE FROM blocks WHERE height = 2")
        }
        let divergence = try #require(try await LedgerVerifier.verify(store: store).divergence)
        #expect(divergence.height == 2)
        #expect(divergence.kind == .missingBlock)
    }
}
