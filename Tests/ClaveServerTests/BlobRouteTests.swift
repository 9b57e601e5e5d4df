import ClaveCrypto
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/v1/blobs` in process: statuses, headers, error bodies, and that a refused upload stores nothing.
@Suite struct BlobRouteTests {
    static let hello = Array("hello world\n".utf8)
    static let helloCID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"

    @Test func putThenGetAndHead() async throws {
        let fixture = try await ServerFixture()
        try await fixture.application().test(.router) { client in
            let created = try await client.call(
                .put, "/v1/blobs", body: "hello world\n", headers: [.contentType: "application/octet-stream"])
            #expect(created.status == .created)
            #expect(created.json == ["cid": .string(Self.helloCID), "size": 12])
            #expect(created.headers[.location] == "/v1/blobs/\(Self.helloCID)")
            let again = try await client.call(
                .put, "/v1/blobs?cid=\(Self.helloCID)", body: "hello world\n", headers: [:])
            #expect(again.status == .ok && again.json == created.json)

            try await client.execute(uri: "/v1/blobs/\(Self.helloCID)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == Self.hello)
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.headers[.contentLength] == "12")
                #expect(response.headers[.eTag] == "\"\(Self.helloCID)\"")
                #expect(response.headers[.cacheControl]?.contains("immutable") == true)
            }
            try await client.execute(uri: "/v1/blobs/\(Self.helloCID)", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == "12")
                #expect(response.body.readableBytes == 0)
            }
            // The empty blob.
            let empty = try await client.call(.put, "/v1/blobs", body: "", headers: [:])
            #expect(empty.json["cid"]?.stringValue == CID(hashing: []).description)
        }
    }

    @Test func refusals() async throws {
        let fixture = try await ServerFixture(maximumBlobSize: 100)
        try await fixture.application().test(.router) { client in
            let octets: HTTPFields = [.contentType: "application/octet-stream"]
            // 400: a CID that is not one, in the path or as the expected CID.
            for uri in ["/v1/blobs/QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp", "/v1/blobs?cid=zb2rhi36Gc9GJW"] {
                let method: HTTPRequest.Method = uri.contains("?") ? .put : .get
                let answer = try await client.call(method, uri, body: method == .put ? "x" : nil, headers: octets)
                #expect(answer.status == .badRequest, "\(uri)")
                #expect(answer.code == "invalidCID" && answer.json["kind"] == "storage", "\(uri)")
            }
            let v0 = try await client.call(.get, "/v1/blobs/QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp")
            #expect(v0.message?.contains("is a CIDv0") == true)
            // 404 (HEAD's error body is dropped by the HTTP encoder on a live server).
            let missing = CID(hashing: Array("missing".utf8))
            let notFound = try await client.call(.get, "/v1/blobs/\(missing)")
            #expect(notFound.status == .notFound && notFound.code == "notFound")
            #expect(notFound.message == "This node holds no blob \(missing); store it with PUT /v1/blobs.")
            try await client.execute(uri: "/v1/blobs/\(missing)", method: .head) { response in
                #expect(response.status == .notFound)
            }
            // 413, 415, 422, 400 for an unknown parameter: nothing stored.
            let large = try await client.call(
                .put, "/v1/blobs", body: String(repeating: "x", count: 101), headers: octets)
            #expect(large.status == .contentTooLarge && large.code == "tooLarge")
            #expect(large.message?.contains("more than the 100 bytes this node accepts") == true)
            let json = try await client.call(.put, "/v1/blobs", body: "{}")
            #expect(json.status == .unsupportedMediaType && json.code == "unsupportedMediaType")
            let wrong = try await client.call(.put, "/v1/blobs?cid=\(missing)", body: "hello", headers: octets)
            #expect(wrong.status == .unprocessableContent && wrong.code == "digestMismatch")
            let unknown = try await client.call(.put, "/v1/blobs?size=5", body: "hello", headers: octets)
            #expect(unknown.status == .badRequest && unknown.code == "invalidParameter")
            let delete = try await client.call(.delete, "/v1/blobs/\(missing)")
            #expect(delete.status == .methodNotAllowed && delete.headers[.allow] == "GET, HEAD")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.blobs.directory.path).isEmpty)
    }

    /// A small blob damaged on the node's disk is verified before the answer starts: a 500 that says so, and no
    /// path of the node.
    @Test func aSmallCorruptedBlobIsA500() async throws {
        let fixture = try await ServerFixture()
        let cid = try await fixture.blobs.put(bytes: Self.hello).cid
        let file = fixture.blobs.url(for: cid)
        try Data("hello World\n".utf8).write(to: file)
        try await fixture.application().test(.router) { client in
            let answer = try await client.call(.get, "/v1/blobs/\(cid)")
            #expect(answer.status == .internalServerError)
            #expect(answer.code == "corrupted" && answer.json["kind"] == "storage")
            #expect(answer.message?.contains("that this node stores is corrupted") == true)
            #expect(answer.message?.contains(file.path) == false)
        }
    }
}
