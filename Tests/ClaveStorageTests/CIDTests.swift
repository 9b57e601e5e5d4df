import ClaveCrypto
import ClaveStorage
import ClaveTestSupport
import Foundation
import Testing

/// CIDs against py-cid (Tests/ClaveStorageTests/Fixtures/cid.json) and the answers IPFS publishes.
@Suite struct CIDTests {
    struct Vectors: Decodable {
        struct Case: Decodable {
            struct Repeat: Decodable {
                var byte: String
                var count: Int
            }
            var name: String
            var input: String?
            var `repeat`: Repeat?
            var digest: String
            var bytes: String
            var cid: String

            func content() throws -> [UInt8] {
                if let input { return try Hex.decode(input) }
                let spec = try #require(`repeat`)
                return [UInt8](repeating: try Hex.decode(spec.byte)[0], count: spec.count)
            }
        }
        struct Refusal: Decodable {
            var name: String
            var text: String
            var reason: String
        }
        var cases: [Case]
        var invalid: [Refusal]
    }

    static let vectors = try! Fixtures.load(Vectors.self, "cid.json")

    /// What IPFS answers for raw blocks (`ipfs add --cid-version 1 --raw-leaves`, `ipfs block put`).
    @Test func publishedAnswers() throws {
        #expect(CID(hashing: []).description == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
        #expect(
            CID(hashing: Array("hello world\n".utf8)).description
                == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4")
    }

    @Test func theVectorsOfPyCID() throws {
        #expect(Self.vectors.cases.count >= 20)
        for vector in Self.vectors.cases {
            let content = try vector.content()
            let cid = CID(hashing: content)
            #expect(cid.description == vector.cid, "\(vector.name)")
            #expect(cid.bytes == (try Hex.decode(vector.bytes)), "\(vector.name)")
            #expect(cid.sha256Digest == (try Bytes32(hex: vector.digest)), "\(vector.name)")
            #expect(try CID(vector.cid) == cid, "\(vector.name)")
            #expect(try CID(bytes: Hex.decode(vector.bytes)) == cid, "\(vector.name)")
            #expect(CID(sha256Digest: try Bytes32(hex: vector.digest)) == cid, "\(vector.name)")
        }
    }

    /// The hasher gives the one-shot CID whatever the chunks, and counts the bytes.
    @Test(arguments: [1, 7, 63, 64, 65, 4096])
    func hashingInChunks(size: Int) throws {
        let content = randomBytes(10_000, seed: UInt64(size))
        var hasher = CID.Hasher()
        for start in stride(from: 0, to: content.count, by: size) {
            hasher.update(content[start..<min(content.count, start + size)])
        }
        #expect(hasher.finalize() == CID(hashing: content))
        #expect(hasher.byteCount == content.count)
        // A collection without contiguous storage is hashed too.
        var other = CID.Hasher()
        other.update(content.lazy.map { $0 })
        #expect(other.finalize() == CID(hashing: content))
    }

    /// Every refusal is `invalidCID` and says what the text is.
    @Test func refusals() throws {
        let mentions = [
            "cidv0": "CIDv0", "multibase": "multibase prefix", "codec": "codec", "hashFunction": "hash function",
            "length": "must be 32", "notBase32": "base32", "empty": "empty",
        ]
        #expect(Self.vectors.invalid.count >= 15)
        for refusal in Self.vectors.invalid {
            let mention = try #require(mentions[refusal.reason], "unknown reason \(refusal.reason)")
            let error = #expect(throws: StorageError.self, "\(refusal.name)") { try CID(refusal.text) }
            #expect(error?.code == .invalidCID, "\(refusal.name)")
            #expect(error?.message.contains(mention) == true, "\(refusal.name): \(error?.message ?? "")")
        }
    }

    @Test func messagesSayWhatToDo() throws {
        func message(_ text: String) -> String {
            do {
                _ = try CID(text)
                return ""
            } catch {
                return error.message
            }
        }
        #expect(message("QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp").contains("--raw-leaves"))
        #expect(message("zb2rhi36Gc9GJWijLEL6zW45MBux5FcFv5gJmjXA7VAMozEXY").contains("base58btc"))
        #expect(message("zb2rhi36Gc9GJWijLEL6zW45MBux5FcFv5gJmjXA7VAMozEXY").contains("ipfs cid format -b base32"))
        #expect(message("bafybeifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4").contains("dag-pb (0x70)"))
        #expect(message("BAFKREIFJJCIE6LYPI6NY7AMXNFFTAGCLBUXNDQONFIPMB64F2KM2DEVEI4").contains("uppercase"))
        #expect(message("bafkreifjjcie6lypi6nY7AMXNFFTAgclbuxndqonfipmb64f2km2devei4").contains("lowercase"))
        #expect(message(String(repeating: "b", count: 500)).count < 400)
        // The binary form is checked the same way.
        #expect(throws: StorageError.self) {
            try CID(bytes: [0x01, 0x55, 0x12, 0x20] + [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: StorageError.self) { try CID(bytes: []) }
    }

    /// The pattern docs/openapi.yaml gives CIDs takes every CID and none of the refused texts.
    @Test func theOpenAPIPatternMatchesExactlyTheCIDs() throws {
        let pattern = try Regex("^bafkrei[a-h][a-z2-7]{50}[aeimquy4]$")
        for vector in Self.vectors.cases { #expect(vector.cid.wholeMatch(of: pattern) != nil, "\(vector.name)") }
        for refusal in Self.vectors.invalid {
            #expect(refusal.text.wholeMatch(of: pattern) == nil, "\(refusal.name)")
        }
        var generator = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let cid = CID(sha256Digest: try Bytes32((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            #expect(cid.description.wholeMatch(of: pattern) != nil, "\(cid)")
        }
    }

    @Test func codableAsItsText() throws {
        let cid = CID(hashing: Array("hello world\n".utf8))
        let json = try JSONEncoder().encode([cid])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(cid)\"]")
        #expect(try JSONDecoder().decode([CID].self, from: json) == [cid])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CID].self, from: Data("[\"Qm\"]".utf8)) }
    }
}
