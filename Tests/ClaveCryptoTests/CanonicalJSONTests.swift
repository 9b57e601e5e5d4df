import ClaveCrypto
import Foundation
import Testing
import ClaveTestSupport

@Suite struct CanonicalJSONTests {
    struct CanonicalVector: Decodable {
        let name: String
        let input: String
        let canonical: String
    }

    struct TransactionVector: Decodable {
        let transaction: JSONValue
        let canonical: String
        let digest: String
        let privateKey: String
        let signature: String
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Independent vectors (rfc8785, eth-account)

    @Test func independentCanonicalVectors() throws {
        let vectors = try Fixtures.load([CanonicalVector].self, "canonical_json.json")
        #expect(vectors.count >= 40)
        for vector in vectors {
            let value = try JSONValue(parsing: Array(vector.input.utf8))
            let canonical = CanonicalJSON.encode(value)
            // Compared as hex: String's == would equate canonically equivalent texts with different bytes.
            #expect(Hex.encode(canonical) == vector.canonical, "\(vector.name): \(Self.text(canonical))")
            #expect(try Hex.encode(CanonicalJSON.canonicalize(Array(vector.input.utf8))) == vector.canonical)
        }
    }

    @Test func canonicalizationIsIdempotent() throws {
        for vector in try Fixtures.load([CanonicalVector].self, "canonical_json.json") {
            let once = try CanonicalJSON.canonicalize(Array(vector.input.utf8))
            let twice = try CanonicalJSON.canonicalize(once)
            #expect(twice == once, "\(vector.name)")
            // Canonical text has canonical numbers, so writing it back as written changes nothing either.
            #expect(try JSONValue(parsing: once).serialized() == once, "\(vector.name)")
        }
    }

    @Test func parsedValuesRoundTrip() throws {
        for vector in try Fixtures.load([CanonicalVector].self, "canonical_json.json") {
            let value = try JSONValue(parsing: vector.input)
            #expect(try JSONValue(parsing: value.serialized()) == value, "\(vector.name)")
            #expect(try JSONValue(parsing: value.description) == value, "\(vector.name)")
        }
    }

    @Test func independentTransactionVectors() throws {
        let vectors = try Fixtures.load([TransactionVector].self, "transactions.json")
        #expect(vectors.count >= 20)
        // The same transactions read by the strict parser instead of through Codable.
        let parsed = try JSONValue(parsing: Data(contentsOf: Fixtures.url("transactions.json")))
        for (index, vector) in vectors.enumerated() {
            let transaction = try #require(parsed[index]?["transaction"])
            #expect(CanonicalJSON.encode(transaction) == CanonicalJSON.encode(vector.transaction))
            #expect(Hex.encode(CanonicalJSON.encode(transaction)) == vector.canonical)
            #expect(CanonicalJSON.digest(transaction).description == vector.digest)

            let key = try PrivateKey(hex: vector.privateKey)
            let from = try Address(try #require(transaction["from"]?.stringValue))
            #expect(key.address == from)
            #expect(transaction["from"]?.stringValue == from.checksummed)

            let signature = key.signCanonical(transaction)
            #expect(signature.description == vector.signature, "transaction \(index)")
            let published = try Signature(hex: vector.signature)
            #expect(try published.recoverCanonicalSigner(transaction) == from)
            try published.verifyCanonical(transaction, signer: from, what: "transaction")

            // One changed field, and the signature belongs to someone else.
            var tampered = try #require(transaction.objectValue)
            tampered["nonce"] = .number(JSONValue.Number((tampered["nonce"]?.numberValue?.uint64 ?? 0) + 1))
            #expect(try published.recoverCanonicalSigner(.object(tampered)) != from)
            let error = expectCryptoError(.signatureMismatch) {
                try published.verifyCanonical(.object(tampered), signer: from, what: "transaction")
            }
            #expect(error?.message.contains("The transaction is signed by") == true)
        }
    }

    // MARK: Known answers

    /// RFC 8785 section 3.2.2's example and its canonical form, as the RFC prints them.
    @Test func rfc8785Example() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected =
            #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(Self.text(try CanonicalJSON.canonicalize(Array(input.utf8))) == expected)
    }

    /// RFC 8785 section 3.2.3: names sort by UTF-16 code units, so U+1F600 (D83D DE00) comes before U+FB33.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
             "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        let value = try JSONValue(parsing: input)
        #expect(value.objectValue?.keys == ["\r", "1", "\u{80}", "ö", "€", "😀", "\u{FB33}"])
        #expect(
            Self.text(CanonicalJSON.encode(value))
                == "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
                + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\","
                + "\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}")
    }

    @Test func stringEscapes() {
        let shortForms: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        for byte in UInt8(0)..<0x20 {
            let expected = shortForms[byte] ?? "\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            let text = String(UnicodeScalar(byte))
            #expect(Self.text(CanonicalJSON.encode(.string(text))) == "\"\(expected)\"", "U+\(byte)")
        }
        #expect(Self.text(CanonicalJSON.encode("\"\\/")) == #""\"\\/""#)
        // DEL, C1 controls, U+2028, U+2029, non-BMP and private-use characters are written raw.
        let raw = "\u{7F}\u{80}\u{9F}\u{2028}\u{2029}\u{FEFF}😀\u{10FFFF}é"
        #expect(CanonicalJSON.encode(.string(raw)) == Array("\"\(raw)\"".utf8))
    }

    @Test func noWhitespaceAndSortedAtEveryLevel() throws {
        let value = try JSONValue(parsing: "[ { \"b\" : { \"d\" : 1 , \"c\" : 2 } , \"a\" : [ ] } , { } ]")
        #expect(Self.text(CanonicalJSON.encode(value)) == #"[{"a":[],"b":{"c":2,"d":1}},{}]"#)
    }

    // MARK: Signing

    @Test func signingIsPersonalSignOverTheDigest() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let document: JSONValue = [
            "chainId": 134, "from": .string(key.address.checksummed), "nonce": 0, "type": "transfer",
            "body": ["to": "0x0000000000000000000000000000000000000000", "amount": "1000000000"],
        ]
        let canonical = CanonicalJSON.encode(document)
        #expect(
            Self.text(canonical)
                == #"{"body":{"amount":"1000000000","to":"0x0000000000000000000000000000000000000000"},"chainId":134,"#
                + #""from":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23","nonce":0,"type":"transfer"}"#)
        #expect(CanonicalJSON.digest(document) == Keccak256.hash(canonical))
        let signature = key.signCanonical(document)
        #expect(signature == key.signPersonalMessage(Keccak256.hash(canonical).bytes))
        #expect(try signature.recoverCanonicalSigner(document) == key.address)
        // Member order and spacing of the text do not change what is signed.
        let reordered = try JSONValue(
            parsing: #"{"type":"transfer","nonce":0.0,"from":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23","#
                + #" "chainId":1.34e2,"body":{"to":"0x0000000000000000000000000000000000000000","amount":"1000000000"}}"#
        )
        #expect(try signature.recoverCanonicalSigner(reordered) == key.address)
    }

    // MARK: Random documents

    @Test func randomDocumentsCanonicalizeStably() throws {
        var random = SplitMix64(seed: 0x4A43_5321)
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &random)
            let canonical = CanonicalJSON.encode(value)
            let reparsed = try JSONValue(parsing: canonical)
            #expect(CanonicalJSON.encode(reparsed) == canonical)
            #expect(try JSONValue(parsing: value.serialized()) == value)
            #expect(CanonicalJSON.digest(reparsed) == CanonicalJSON.digest(value))
        }
    }

    static func randomValue(depth: Int, using random: inout SplitMix64) -> JSONValue {
        switch Int.random(in: depth >= 5 ? 0...4 : 0...6, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            let double = Double(bitPattern: random.next())
            return double.isFinite ? .number(JSONValue.Number(double)!) : .number(JSONValue.Number(random.next()))
        case 3:
            return .number(JSONValue.Number(Int64(bitPattern: random.next()) >> Int.random(in: 0...63, using: &random)))
        case 4: return .string(randomString(using: &random))
        case 5:
            return .array(
                (0..<Int.random(in: 0...5, using: &random)).map { _ in randomValue(depth: depth + 1, using: &random) })
        default:
            var object = JSONValue.Object()
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                object[randomString(using: &random)] = randomValue(depth: depth + 1, using: &random)
            }
            return .object(object)
        }
    }

    /// ASCII, controls, escapes-worthy characters, and characters from every UTF-8 length and both sides of the
    /// UTF-16 surrogate range.
    static func randomString(using random: inout SplitMix64) -> String {
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{8}", "\u{1F}", "\u{7F}", "\u{80}", "é", "\u{2028}", "€",
            "\u{E000}", "ﬁ", "\u{FFFF}", "😀", "\u{10000}", "\u{10FFFF}",
        ]
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            text.append(alphabet.randomElement(using: &random)!)
        }
        return String(text)
    }
}
