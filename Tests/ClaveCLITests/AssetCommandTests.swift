import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import Foundation
import ClaveTestSupport
import Testing

/// The address an asset-creating receipt's event names (`app`, `dataset` or `workerpool`).
func createdAsset(_ receipt: Receipt, _ member: String) throws -> Address {
    try Address(try #require(receipt.events.first?.json[member]?.stringValue))
}

@Suite struct AssetCommandTests {
    @Test func showsRegisteredAppsDatasetsAndWorkerpools() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 1) { node in
            let key = node.node.createdAccounts[0].privateKey
            let checksum = Keccak256.hash(Array("the app's bytes".utf8))
            let app = try createdAsset(
                try await node.submit(
                    key,
                    .createApp(
                        name: "hello-wasm", type: "WASM", multiaddr: "ipfs://bafyhello", checksum: checksum,
                        mrenclave: "")), "app")
            let dataset = try createdAsset(
                try await node.submit(
                    key,
                    .createDataset(
                        name: "contacts", multiaddr: "ipfs://bafycontacts", checksum: Keccak256.hash([1, 2, 3]),
                        schema: "{\"email\":\"string\"}")), "dataset")
            let pool = try createdAsset(
                try await node.submit(key, .createWorkerpool(description: "the local pool")), "workerpool")

            let appText = try await clave(["app", "show", app.checksummed] + node.remote)
            #expect(appText.contains("App \(app)"))
            #expect(appText.contains("owner      \(key.address)"))
            #expect(appText.contains("name       hello-wasm"))
            #expect(appText.contains("type       WASM"))
            #expect(appText.contains("checksum   \(checksum)"))
            let appJSON = try json(try await clave(["app", "show", app.checksummed, "--json"] + node.remote))
            #expect(try App(json: appJSON) == (await node.ledger.app(app)))

            let datasetText = try await clave(["dataset", "show", dataset.checksummed] + node.remote)
            #expect(datasetText.contains("Dataset \(dataset)"))
            #expect(datasetText.contains("schema     {\"email\":\"string\"}"))
            let datasetJSON = try json(
                try await clave(["dataset", "show", dataset.checksummed, "--json"] + node.remote))
            #expect(try Dataset(json: datasetJSON) == (await node.ledger.dataset(dataset)))

            let poolText = try await clave(["pool", "show", pool.checksummed] + node.remote)
            #expect(poolText.contains("Workerpool \(pool)"))
            #expect(poolText.contains("description             the local pool"))
            #expect(poolText.contains("worker stake ratio      30 %"))
            let poolJSON = try json(try await clave(["pool", "show", pool.checksummed, "--json"] + node.remote))
            #expect(try Workerpool(json: poolJSON) == (await node.ledger.workerpool(pool)))

            // An address with nothing registered, and an asset of another kind.
            await expectFailure(
                ["app", "show", dataset.checksummed] + node.remote, .notFound, "No app is registered at \(dataset)")
            await expectFailure(["dataset", "show", app.checksummed] + node.remote, .notFound, "No dataset")
            await expectFailure(["pool", "show", app.checksummed] + node.remote, .notFound, "No workerpool")
        }
    }
}
