import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import Foundation
import GRDB
import ClaveTestSupport
import Testing

@Suite struct LedgerCommandTests {
    @Test func blocksAndTransactions() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 1) { node in
            let key = node.node.createdAccounts[0].privateKey
            var receipts: [Receipt] = []
            for amount in [10, 20, 30] as [UInt64] {
                receipts.append(try await node.submit(key, .deposit(amount: amount)))
            }
            let head = await node.ledger.head.height
            #expect(head == 3)

            let all = try await clave(["ledger", "blocks", "--from", "0"] + node.remote)
            let lines = all.split(separator: "\n")
            #expect(lines.count == 4)
            let genesisBlock = try #require(await node.ledger.block(height: 0))
            #expect(lines[0].hasPrefix("Block 0  \(genesisBlock.hash)"))
            #expect(lines[0].hasSuffix("0 transactions"))
            #expect(lines[3].hasPrefix("Block 3  \(receipts[2].blockHash)"))
            #expect(lines[3].hasSuffix("1 transaction"))

            // By default, the last blocks up to the head.
            let latest = try await clave(["ledger", "blocks", "--limit", "2"] + node.remote)
            #expect(latest.split(separator: "\n").map { $0.prefix(8) } == ["Block 2 ", "Block 3 "])
            let blocksJSON = try json(
                try await clave(["ledger", "blocks", "--from", "1", "--limit", "1", "--json"] + node.remote))
            let block = try Block(json: try #require(blocksJSON["blocks"]?[0]))
            #expect(block.hash == receipts[0].blockHash)
            #expect(blocksJSON["blocks"]?.arrayValue?.count == 1)
            #expect(
                try await clave(["ledger", "blocks", "--from", "9"] + node.remote).contains(
                    "There is no block 9 yet; the head is block 3."))

            let hash = receipts[1].transactionHash
            let text = try await clave(["ledger", "tx", hash.description] + node.remote)
            #expect(text.contains("Transaction \(hash)"))
            #expect(text.contains("block      2 at position 0"))
            #expect(text.contains("from       \(key.address)"))
            #expect(text.contains("type       deposit"))
            #expect(text.contains("body       {\"amount\":\"20\"}"))
            #expect(text.contains("Deposit account=\(key.address) amount=20"))
            let record = try TransactionRecord(
                json: try json(try await clave(["ledger", "tx", hash.description, "--json"] + node.remote)))
            #expect(record.transaction.hash == hash)
            await expectFailure(["ledger", "tx", Bytes32(uint64: 1).description] + node.remote, .notFound, "No block")
        }
    }

    @Test func verifyReplaysTheLogAndNamesTheBlockATamperedCopyBreaksAt() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        let tampered = try await withNode(at: directory, accounts: 1) { node in
            let key = node.node.createdAccounts[0].privateKey
            var receipts: [Receipt] = []
            for amount in [10, 20, 30] as [UInt64] {
                receipts.append(try await node.submit(key, .deposit(amount: amount)))
            }
            // While the node runs.
            let output = try await clave(["ledger", "verify", "--data-dir", directory.path])
            #expect(output.contains("verifies: 4 blocks (0 to 3) and 3 transactions"))
            return receipts[1]
        }

        let copy = folder.url.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: directory, to: copy)
        let store = try SQLiteLedgerStore(path: copy.appendingPathComponent("ledger.sqlite").path)
        try await store.database.write { db in
            let json = try #require(
                try Data.fetchOne(
                    db, sql: "SELECT json FROM transactions WHERE hash = ?", arguments: [tampered.transactionHash.data])
            )
            let altered = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"20\"", with: "\"21\"")
            try db.execute(
                sql: "UPDATE transactions SET json = ? WHERE hash = ?",
                arguments: [Data(altered.utf8), tampered.transactionHash.data])
        }
        try store.database.close()
        await expectFailure(
            ["ledger", "verify", "--data-dir", copy.path], .verificationFailed, "does not verify",
            "block \(tampered.height) diverges (alteredTransaction)", "2 blocks before it verified")
        // The original is untouched.
        #expect(try await clave(["ledger", "verify", "--data-dir", directory.path]).contains("verifies"))

        await expectFailure(
            ["ledger", "verify", "--data-dir", folder.url.appendingPathComponent("nothing").path],
            .invalidInput, "nothing is there yet")
    }
}
