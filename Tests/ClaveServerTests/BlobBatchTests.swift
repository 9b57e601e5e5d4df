import ClaveClient
import ClaveCrypto
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/blobs?cids=` (docs/formats/blob-batch.md) and `BlobStore.contents(of:budget:)`: several blobs in one
/// answer, the node's refusals of bad requests, and the client's checks of what it receives.
@Suite struct BlobBatchTests {
    @Test func severalBlobsComeInOneAnswerInTheOrderAsked() async throws {
        let fixture = try await ServerFixture()
        let small = try await fixture.blobs.put(bytes: BlobClientTests.content(1000)).cid
        let empty = try await fixture.blobs.put(bytes: [UInt8]()).cid
        let large = try await fixture.blobs.put(bytes: BlobClientTests.content(300_000)).cid
        let other = try await fixture.blobs.put(bytes: BlobClientTests.content(5000).reversed()).cid
        let missing = CID(hashing: Array("never stored".utf8))
        try await fixture.application().test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            // The large blob does not fit in what is left of the budget; the smaller one after it still does.
            let asked = [small, missing, large, empty, other]
            let contents = try await blobs.contents(of: asked, budget: 100_000)
            #expect(
                contents == [
                    .content(BlobClientTests.content(1000)), .missing, .leftOut(size: 300_000), .content([]),
                    .content(Array(BlobClientTests.content(5000).reversed())),
                ])
            // The node's own store answers the same, one blob at a time.
            #expect(try await fixture.blobs.contents(of: asked, budget: 100_000) == contents)
            // A budget of 0 leaves out everything but the empty blob.
            #expect(
                try await blobs.contents(of: [small, empty], budget: 0) == [.leftOut(size: 1000), .content([])])
            // More CIDs than one request takes: the client asks in several, and the budget runs across them.
            let many = [CID](repeating: small, count: BlobBatch.maximumCount + 6)
            let answers = try await blobs.contents(of: many, budget: 1000 * 66)
            #expect(answers.count == many.count)
            #expect(answers.prefix(66).allSatisfy { $0 == .content(BlobClientTests.content(1000)) })
            #expect(answers.suffix(4).allSatisfy { $0 == .leftOut(size: 1000) })
        }
    }

    @Test func theWireFormatIsKindSizeThenContent() async throws {
        let fixture = try await ServerFixture()
        let cid = try await fixture.blobs.put(bytes: Array("hello world\n".utf8)).cid
        let missing = CID(hashing: [1])
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/v1/blobs?cids=\(cid),\(missing),\(cid)&budget=20", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.clave.blob-batch")
                let twelve: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 12]
                let expected: [UInt8] =
                    [1] + twelve + Array("hello world\n".utf8) + [0, 0, 0, 0, 0, 0, 0, 0, 0] + [2] + twelve
                #expect(Array(response.body.readableBytesView) == expected)
            }
        }
    }

    @Test func badBatchRequestsAreRefusedWithWhatToGive() async throws {
        let fixture = try await ServerFixture()
        let cid = CID(hashing: [1]).description
        try await fixture.application().test(.router) { client in
            let none = try await client.call(.get, "/v1/blobs")
            #expect(none.status == .badRequest && none.message?.contains("cids=CID,CID") == true)
            let tooMany = try await client.call(
                .get, "/v1/blobs?cids=" + [String](repeating: cid, count: 65).joined(separator: ","))
            #expect(tooMany.status == .badRequest && tooMany.message?.contains("1 to 64 CIDs") == true)
            let notACID = try await client.call(.get, "/v1/blobs?cids=\(cid),hello")
            #expect(notACID.status == .badRequest && notACID.code == "invalidCID")
            #expect(notACID.message?.contains("'hello' is not a CID") == true)
            let empty = try await client.call(.get, "/v1/blobs?cids=\(cid),")
            #expect(empty.status == .badRequest && empty.code == "invalidCID")
            let budget = try await client.call(.get, "/v1/blobs?cids=\(cid)&budget=\(BlobBatch.maximumBudget + 1)")
            #expect(budget.status == .badRequest && budget.message?.contains("budget") == true)
            let unknown = try await client.call(.get, "/v1/blobs?cids=\(cid)&limit=3")
            #expect(unknown.status == .badRequest && unknown.message?.contains("limit") == true)
        }
    }

    /// Content that does not hash to its CID is refused by the client whatever the node sent (here, a store that does
    /// not check what it serves), and a blob corrupted on the node's disk is a 500 that says so.
    @Test func theClientVerifiesEveryContentOfABatch() async throws {
        let fixture = try await ServerFixture()
        let cid = try await fixture.blobs.put(bytes: BlobClientTests.content(2000)).cid
        try await fixture.application(blobs: LyingStore(base: fixture.blobs)).test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            let error = await #expect(throws: StorageError.self) {
                try await blobs.contents(of: [cid], budget: 1 << 20)
            }
            #expect(error?.code == .corrupted)
            #expect(error?.message.contains("does not hash to it") == true)
        }
        try fixture.damage(cid, at: 100)
        try await fixture.application().test(.live) { client in
            let blobs = try BlobStoreClient(connection: NodeConnection(url: "http://127.0.0.1:\(client.port!)"))
            let error = await #expect(throws: StorageError.self) {
                try await blobs.contents(of: [cid], budget: 1 << 20)
            }
            #expect(error?.code == .corrupted)
            #expect(error?.message.contains("that this node stores is corrupted") == true)
            #expect(error?.message.contains("GET /v1/blobs/{cid} of each says which") == true)
        }
    }

    @Test func aBatchThatCannotBeReadIsRefused() throws {
        let cid = CID(hashing: Array("hi".utf8))
        let size: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 2]
        let good: [UInt8] = [1] + size + Array("hi".utf8)
        #expect(try BlobBatch.decode(good, cids: [cid], source: "test") == [.content(Array("hi".utf8))])
        let cases: [([UInt8], String)] = [
            ([], "record 1 of 1 is missing"),
            (Array(good.prefix(10)), "fewer follow"),
            (good + [0], "1 bytes follow the last record"),
            ([7] + size + Array("hi".utf8), "unknown kind 7"),
            ([0] + size, "is of a missing blob but has a size"),
        ]
        for (body, reason) in cases {
            let error = #expect(throws: StorageError.self) { try BlobBatch.decode(body, cids: [cid], source: "test") }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
        let wrong = #expect(throws: StorageError.self) {
            try BlobBatch.decode([1] + size + Array("ho".utf8), cids: [cid], source: "test")
        }
        #expect(wrong?.code == .corrupted)
    }
}
