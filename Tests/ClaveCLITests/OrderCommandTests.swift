import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveServer
import Foundation
import ClaveTestSupport
import Testing

@Suite struct OrderCommandTests {
    /// An app order for `app` at `price`, as the order file holds it.
    static func appOrder(_ app: Address, price: UInt64, salt: UInt64) -> AnyOrder {
        .app(AppOrder(app: app, appprice: price, volume: 10, salt: Bytes32(uint64: salt)))
    }

    static func file(_ folder: TemporaryDirectory, _ name: String, _ order: AnyOrder, _ signature: Signature?)
        throws -> String
    {
        try folder.file(
            name,
            contents: String(
                decoding: PublishRequest(order: order, signature: signature).json.serialized(), as: UTF8.self))
    }

    @Test func publishListAndCancel() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 2) { node in
            let owner = node.node.createdAccounts[0]
            let other = node.node.createdAccounts[1]
            let domain = node.node.directory.genesis.configuration.orderDomain
            let app = try createdAsset(
                try await node.submit(
                    owner.privateKey,
                    .createApp(name: "a", type: "WASM", multiaddr: "ipfs://a", checksum: .zero, mrenclave: "")),
                "app")

            // Signed by the CLI with the owner's keystore.
            let first = Self.appOrder(app, price: 3, salt: 1)
            let firstHash = first.hash(in: domain)
            let published = try await clave(
                ["order", "publish", try Self.file(folder, "first.json", first, nil), "--sign"] + node.remote
                    + node.signer(owner.address))
            #expect(published.contains("Published app order \(firstHash)"))
            #expect(published.contains("status     open"))
            #expect(published.contains("volume     10 remaining of 10"))
            #expect(published.contains("signer     \(owner.address)"))

            // Signed beforehand: the file carries the signature.
            let second = Self.appOrder(app, price: 1, salt: 2)
            let signature = second.sign(owner.privateKey, domain)
            let secondJSON = try json(
                try await clave(
                    ["order", "publish", try Self.file(folder, "second.json", second, signature), "--json"]
                        + node.remote))
            #expect(try OrderbookEntry(json: secondJSON).orderHash == second.hash(in: domain))

            // Refusals: no signature and no presign; another key than the owner's.
            let third = Self.appOrder(app, price: 2, salt: 3)
            let thirdFile = try Self.file(folder, "third.json", third, nil)
            await expectFailure(
                ["order", "publish", thirdFile] + node.remote, .refused, "The orderbook refused", "[missingSignature]")
            await expectFailure(
                ["order", "publish", thirdFile, "--sign"] + node.remote + node.signer(other.address), .refused,
                "[wrongSigner]")
            try await clave(["order", "publish", thirdFile, "--sign"] + node.remote + node.signer(owner.address))

            // Cheapest first.
            let list = try await clave(["order", "list", "--app", app.checksummed] + node.remote)
            let hashes = [second, third, first].map { $0.hash(in: domain).description }
            let lines = list.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(zip(lines, hashes).allSatisfy { $0.hasPrefix($1) })
            #expect(lines[0].contains("app order for app \(app)  price 1  remaining 10 of 10  open"))
            #expect(
                try await clave(["order", "list", "--kind", "request"] + node.remote).contains("No open order matches.")
            )
            #expect(
                try await clave(["order", "list", "--max-price", "2"] + node.remote).split(separator: "\n").count == 2)

            // Paging.
            let firstPage = try await clave(["order", "list", "--limit", "2"] + node.remote)
            let cursorLine = try #require(firstPage.split(separator: "\n").last)
            #expect(cursorLine.hasPrefix("More orders follow: add --cursor "))
            let cursor = String(cursorLine.dropFirst("More orders follow: add --cursor ".count).prefix { $0 != " " })
            let secondPage = try await clave(["order", "list", "--limit", "2", "--cursor", cursor] + node.remote)
            #expect(secondPage.split(separator: "\n").map(String.init) == [lines[2]])
            let everything = try json(
                try await clave(["order", "list", "--limit", "1", "--all", "--json"] + node.remote))
            let page = try OrderPage(json: everything)
            #expect(page.entries.map(\.orderHash.description) == hashes)
            #expect(page.nextCursor == nil)
            await expectFailure(["order", "list", "--cursor", "zz"] + node.remote, .invalidInput, "is not a cursor")

            // Cancel: only the signer may; the book then stops listing the order.
            await expectFailure(
                ["order", "cancel", firstHash.description] + node.remote + node.signer(other.address), .refused,
                "[wrongSigner]")
            let cancelled = try await clave(
                ["order", "cancel", firstHash.description] + node.remote + node.signer(owner.address))
            #expect(cancelled.contains("Cancelled order \(firstHash)"))
            #expect(cancelled.contains("status     cancelled"))
            #expect(!(try await clave(["order", "list"] + node.remote)).contains(firstHash.description))
            #expect(
                try await clave(["order", "show", firstHash.description] + node.remote).contains("status     cancelled")
            )
            await expectFailure(
                ["order", "show", Bytes32(uint64: 7).description] + node.remote, .notFound, "holds no order")
        }
    }

    @Test func orderFilesThatCannotBeReadAreRefused() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 1) { node in
            await expectFailure(
                ["order", "publish", folder.url.appendingPathComponent("missing.json").path] + node.remote,
                .invalidInput, "Could not read the order file")
            await expectFailure(
                ["order", "publish", try folder.file("bad.json", contents: "{\"kind\": ")] + node.remote, .invalidInput,
                "is not JSON")
            await expectFailure(
                ["order", "publish", try folder.file("kind.json", contents: "{\"kind\": \"lunch\", \"order\": {}}")]
                    + node.remote, .invalidInput, "is not an order document", "'lunch' is not app")
            let order = Self.appOrder(.zero, price: 1, salt: 1)
            var document = PublishRequest(order: order, signature: nil).json.objectValue ?? [:]
            document["order"] = ["app": "0x00"]
            await expectFailure(
                [
                    "order", "publish",
                    try folder.file(
                        "fields.json",
                        contents: String(decoding: JSONValue.object(document).serialized(), as: UTF8.self)),
                ]
                    + node.remote, .invalidInput, "$.order")
        }
    }
}

extension AnyOrder {
    /// The EIP-712 signature of `key` in `domain`, made here rather than by the CLI.
    func sign(_ key: PrivateKey, _ domain: OrderDomain) -> Signature {
        switch self {
        case .app(let order): order.sign(with: key, in: domain)
        case .dataset(let order): order.sign(with: key, in: domain)
        case .workerpool(let order): order.sign(with: key, in: domain)
        case .request(let order): order.sign(with: key, in: domain)
        }
    }
}
