import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import ClaveTestSupport
import Foundation
import Testing

@Suite struct DataCommandTests {
    @Test func grantListRevokeAndTransfer() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 2) { node in
            let owner = node.node.createdAccounts[0].privateKey
            let requester = node.node.createdAccounts[1].privateKey.address
            let app = try createdAsset(
                try await node.submit(
                    owner,
                    .createApp(
                        name: "hello", type: "WASM", multiaddr: "bafyhello", checksum: Keccak256.hash([7]),
                        mrenclave: "")), "app")
            let dataset = try createdAsset(
                try await node.submit(
                    owner,
                    .createDataset(
                        name: "contacts", multiaddr: "bafycontacts", checksum: Keccak256.hash([1]),
                        schema: "{\"email\":\"string\"}")), "dataset")
            let signer = node.signer(owner.address)

            let granted = try await clave(
                [
                    "data", "grant", dataset.checksummed, "--app", app.checksummed, "--user", requester.checksummed,
                    "--count", "3", "--price", "7",
                ] + signer + node.remote)
            #expect(granted.contains("Granted 3 run(s) of \(dataset)"))
            #expect(granted.contains("runs left  3 of 3"))
            #expect(granted.contains("price      7 per run"))
            let grantJSON = try json(
                try await clave(
                    ["data", "grant", dataset.checksummed, "--app", app.checksummed, "--json"] + signer + node.remote))
            let anyoneHash = try Bytes32(hex: try #require(grantJSON["orderHash"]?.stringValue))

            let listed = try json(
                try await clave(["data", "access", dataset.checksummed, "--json"] + node.remote))
            #expect(listed["grants"]?.arrayValue?.count == 2)
            let strict = try await clave(
                ["data", "access", "--user", requester.checksummed, "--strict"] + node.remote)
            #expect(strict.contains("requester  \(requester)"))
            #expect(!strict.contains(anyoneHash.description))

            let revoked = try await clave(["data", "revoke", anyoneHash.description] + signer + node.remote)
            #expect(revoked.contains("Revoked \(anyoneHash)"))
            #expect(await node.ledger.isClosed(anyoneHash))
            let all = try json(
                try await clave(["data", "revoke", "--all", dataset.checksummed, "--json"] + signer + node.remote))
            #expect(all["revoked"]?.arrayValue?.count == 1)
            #expect(try await clave(["data", "access", dataset.checksummed] + node.remote).contains("No open grant."))

            let transferred = try await clave(
                ["data", "transfer", dataset.checksummed, requester.checksummed] + signer + node.remote)
            #expect(transferred.contains("\(dataset) now belongs to \(requester)"))
            #expect(await node.ledger.dataset(dataset)?.owner == requester)

            // No longer the owner: refused by name, nothing published.
            await expectFailure(
                ["data", "grant", dataset.checksummed, "--app", app.checksummed] + signer + node.remote, .refused,
                "belongs to \(requester)")
            // Neither a grant nor --all: the parser refuses before anything is asked.
            await #expect(throws: (any Error).self) { try await clave(["data", "revoke"] + signer + node.remote) }
        }
    }
}
