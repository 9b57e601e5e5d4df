import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import ClaveTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// getProtectedData: datasets by owner and by schema, a page at a time, through a live node.
@Suite struct ListingTests {
    @Test func datasetsAreListedByOwnerAndSchemaAndPaged() async throws {
        let fixture = try await ServerFixture()
        let schemas = [
            "{\"email\":\"string\"}", "{\"email\":\"string\",\"profile\":{\"age\":\"f64\"}}",
            "{\"scan\":\"image/png\"}",
        ]
        var mine: [Address] = []
        for (index, schema) in schemas.enumerated() {
            let receipt = try await fixture.submit(
                fixture.stranger,
                .createDataset(
                    name: "d\(index)", multiaddr: "bafy\(index)", checksum: Keccak256.hash([UInt8(index)]),
                    schema: schema))
            for case .datasetCreated(let address, _) in receipt.events { mine.append(address) }
        }
        let created = mine
        try await fixture.application().test(.live) { client in
            let mine = created
            let ledger = LedgerClient(connection: try NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            let owned = try await ledger.datasets(DatasetQuery(owner: fixture.stranger.address))
            #expect(owned.datasets.map(\.address) == mine.sorted())
            #expect(owned.nextCursor == nil)

            let emails = try await ledger.datasets(
                DatasetQuery(schema: try ProtectedDataSchemaQuery(parsing: "email:string")))
            #expect(Set(emails.datasets.map(\.address)) == Set(mine.prefix(2)))
            let ages = try await ledger.datasets(
                DatasetQuery(schema: try ProtectedDataSchemaQuery(parsing: "email:string,profile.age:f64")))
            #expect(ages.datasets.map(\.address) == [mine[1]])
            let wrongType = try await ledger.datasets(
                DatasetQuery(schema: try ProtectedDataSchemaQuery(parsing: "email:f64")))
            #expect(wrongType.datasets.isEmpty)

            // Pages of one, by address, without repeats or gaps.
            var seen: [Address] = []
            var after: Address?
            repeat {
                let page = try await ledger.datasets(
                    DatasetQuery(owner: fixture.stranger.address, after: after, limit: 1))
                seen += page.datasets.map(\.address)
                after = page.nextCursor
            } while after != nil
            #expect(seen == mine.sorted())

            // The local ledger answers the same.
            #expect(await fixture.ledger.datasets(DatasetQuery(owner: fixture.stranger.address)) == owned)
        }
    }

    @Test func aMalformedSchemaQueryIsA400NamingIt() async throws {
        let fixture = try await ServerFixture()
        try await fixture.application().test(.router) { client in
            let answer = try await client.call(.get, "/v1/ledger/datasets?schema=email")
            #expect(answer.status == .badRequest)
            #expect(answer.code == "invalidParameter")
            #expect(answer.message?.contains("schema='email'") == true)
            let unknown = try await client.call(.get, "/v1/ledger/datasets?color=red")
            #expect(unknown.status == .badRequest)
        }
    }
}
