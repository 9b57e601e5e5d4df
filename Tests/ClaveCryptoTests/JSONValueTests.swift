import ClaveCrypto
import Foundation
import Testing
import ClaveTestSupport

@Suite struct JSONValueTests {
    // MARK: Parsing

    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(
            parsing: #" { "a" : [ 1 , -2.5e3 , true , false , null ] , "b" : { "c" : "d\n\u00e9" } , "" : "" } "#)
        #expect(value["a"]?[0]?.numberValue?.text == "1")
        #expect(value["a"]?[1]?.numberValue?.double == -2500)
        #expect(value["a"]?[2]?.boolValue == true)
        #expect(value["a"]?[3]?.boolValue == false)
        #expect(value["a"]?[4]?.isNull == true)
        #expect(value["a"]?[5] == nil)
        #expect(value["b"]?["c"]?.stringValue == "d\né")
        #expect(value[""]?.stringValue == "")
        #expect(value["missing"] == nil)
        #expect(value.objectValue?.keys == ["", "a", "b"])
        let number = try JSONValue.Number("-2.5e3")
        #expect(
            value
                == [
                    "a": [1, .number(number), true, false, .null],
                    "b": ["c": "d\né"], "": "",
                ])
    }

    @Test func parsesTopLevelScalars() throws {
        #expect(try JSONValue(parsing: "null") == .null)
        #expect(try JSONValue(parsing: " true ") == true)
        #expect(try JSONValue(parsing: "\"x\"") == "x")
        #expect(try JSONValue(parsing: "\t-0\r\n").numberValue?.text == "-0")
        #expect(try JSONValue(parsing: Data("[]".utf8)) == [])
        #expect(try JSONValue(parsing: "{}") == .object(JSONValue.Object()))
    }

    @Test func decodesEscapes() throws {
        let value = try JSONValue(parsing: #""\"\\\/\b\f\n\r\t\u0000\u001f\u00E9\u20ac\uD83D\uDE00\uDBFF\uDFFF""#)
        #expect(value.stringValue == "\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1F}é€😀\u{10FFFF}")
    }

    @Test func keepsRawUTF8Exactly() throws {
        // Precomposed and decomposed é are different names, as they are different bytes.
        let value = try JSONValue(parsing: "{\"\u{E9}\": 1, \"e\u{301}\": 2}")
        #expect(value.objectValue?.count == 2)
        #expect(value["\u{E9}"]?.numberValue?.text == "1")
        #expect(value["e\u{301}"]?.numberValue?.text == "2")
        // Swift's String == says they are equal; JSONValue does not.
        #expect(JSONValue.string("\u{E9}") != JSONValue.string("e\u{301}"))
        #expect(Set<JSONValue>(["\u{E9}", "e\u{301}"]).count == 2)
        #expect(CanonicalJSON.encode("\u{E9}") != CanonicalJSON.encode("e\u{301}"))
    }

    @Test func depthLimitIsExact() throws {
        let limit = JSONValue.Limits().maxDepth
        #expect(limit == 64)
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        _ = try JSONValue(parsing: deepest)
        let objects = String(repeating: "{\"a\":", count: limit) + "0" + String(repeating: "}", count: limit)
        _ = try JSONValue(parsing: objects)
        let shallow = JSONValue.Limits(maxDepth: 3)
        _ = try JSONValue(parsing: "[[[1]]]", limits: shallow)
        let error = expectCryptoError(.invalidJSON) { try JSONValue(parsing: "[[{\"a\":[1]}]]", limits: shallow) }
        #expect(error?.message.contains("at byte 7:") == true)
    }

    @Test func sizeLimit() throws {
        let limits = JSONValue.Limits(maxBytes: 10)
        _ = try JSONValue(parsing: "[1,2,3,4] ", limits: limits)
        let error = expectCryptoError(.invalidJSON) { try JSONValue(parsing: "[1,2,3,4,5]", limits: limits) }
        #expect(error?.message.contains("11 bytes, over the limit of 10") == true)
        #expect(JSONValue.Limits().maxBytes == 1 << 20)
    }

    @Test func numberLengthLimit() throws {
        let digits = "0." + String(repeating: "1", count: 998)
        #expect(try JSONValue(parsing: digits).numberValue?.double == 1 / 9)
        let error = expectCryptoError(.invalidJSON) { try JSONValue(parsing: "[" + digits + "1]") }
        #expect(error?.message.contains("at byte 1: a number of 1001 characters is refused") == true)
    }

    // MARK: Refusals

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        /// The whole "at byte N: ..." part the message must contain.
        let expected: String

        init(_ name: String, _ input: String, _ expected: String) {
            self.init(name, Array(input.utf8), expected)
        }

        init(_ name: String, _ input: [UInt8], _ expected: String) {
            self.name = name
            self.input = input
            self.expected = expected
        }

        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(
            "trailing comma in an array", "[1, 2,]",
            "at byte 6: expected a value after ',', found ']'; JSON does not allow a trailing comma"),
        Refusal(
            "trailing comma in an object", #"{"a": 1,}"#,
            "at byte 8: expected a member name (a string) after ',', found '}'; JSON does not allow a trailing comma"),
        Refusal(
            "line comment", "{\"a\": 1 // one\n}",
            "at byte 8: expected ',' or '}' after an object member, found '/'; JSON has no comments"),
        Refusal("block comment", "/* c */ 1", "at byte 0: expected a JSON value, found '/'; JSON has no comments"),
        Refusal("leading zero", "[01]", "at byte 1: a number may not have a leading zero"),
        Refusal("negative leading zero", "-012", "at byte 0: a number may not have a leading zero"),
        Refusal(
            "duplicate member name", #"{"a": 1, "b": 2, "a": 3}"#,
            #"at byte 17: the member name "a" appears twice in one object"#),
        Refusal(
            "duplicate member name written with an escape", #"{"é": 1, "\u00e9": 2}"#,
            #"at byte 10: the member name "é" appears twice in one object"#),
        Refusal(
            "lone high surrogate", #""\uD800""#,
            #"at byte 1: the escape \uD800 is a lone high surrogate; it must be followed by a low surrogate"#),
        Refusal(
            "high surrogate followed by a letter", #""\uD83D\u0041""#,
            #"at byte 1: the escape \uD83D is a lone high surrogate; it is followed by \u0041"#),
        Refusal("lone low surrogate", #"["\uDE00"]"#, #"at byte 2: the escape \uDE00 is a lone low surrogate"#),
        Refusal(
            "invalid UTF-8", [0x22, 0x61, 0xC3, 0x28, 0x22],
            "at byte 2: invalid UTF-8: 0xC3 0x28 is not a well-formed sequence"),
        Refusal(
            "overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22],
            "at byte 1: invalid UTF-8: the byte 0xC0 cannot start a character"),
        Refusal(
            "UTF-8 of a surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22],
            "at byte 1: invalid UTF-8: 0xED 0xA0 is not a well-formed sequence"),
        Refusal(
            "UTF-8 beyond U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            "at byte 1: invalid UTF-8: 0xF4 0x90 is not a well-formed sequence"),
        Refusal(
            "truncated UTF-8", [0x22, 0xE2, 0x82],
            "at byte 1: invalid UTF-8: 0xE2 0x82 is not a well-formed sequence"),
        Refusal(
            "a stray continuation byte", [0x22, 0x80, 0x22], "at byte 1: invalid UTF-8: the byte 0x80 cannot start"),
        Refusal("0xFF", [0x22, 0xFF, 0x22], "at byte 1: invalid UTF-8: the byte 0xFF cannot start a character"),
        Refusal("NaN", "NaN", "at byte 0: expected a JSON value, found 'N'; JSON has no NaN or Infinity"),
        Refusal("Infinity", "[Infinity]", "at byte 1: expected a JSON value, found 'I'; JSON has no NaN or Infinity"),
        Refusal("-Infinity", "-Infinity", "at byte 1: expected a digit, found 'I'; JSON has no NaN or Infinity"),
        Refusal(
            "depth bomb", String(repeating: "[", count: 100_000),
            "at byte 64: arrays and objects are nested more than 64 deep, which is refused"),
        Refusal(
            "unterminated string", #"{"a": "abc"#, #"at byte 10: the string that starts at byte 6 is not closed"#),
        Refusal(
            "unterminated escape", #""abc\"#, #"at byte 5: expected an escape after '\', found the end of the text"#),
        Refusal(
            "raw control character in a string", "\"a\tb\"",
            #"at byte 2: the control character U+0009 must be escaped in a string (write \u0009)"#),
        Refusal(
            "raw NUL in a string", [0x22, 0x00, 0x22], "at byte 1: the control character U+0000 must be escaped"),
        Refusal(
            "single quotes", "{'a': 1}",
            "at byte 1: expected a member name (a string) or '}', found '''; JSON strings are written in double quotes"
        ),
        Refusal("empty text", "", "at byte 0: expected a JSON value, found the end of the text"),
        Refusal("only whitespace", " \n ", "at byte 3: expected a JSON value, found the end of the text"),
        Refusal(
            "byte order mark", [0xEF, 0xBB, 0xBF, 0x31], "at byte 0: a byte order mark is not allowed"),
        Refusal("two values", "1 2", "at byte 2: expected the end of the text after the JSON value, found '2'"),
        Refusal("missing colon", #"{"a" 1}"#, "at byte 5: expected ':' after a member name, found '1'"),
        Refusal("missing comma", "[1 2]", "at byte 3: expected ',' or ']' after an array element, found '2'"),
        Refusal(
            "unclosed object", #"{"a": 1"#,
            "at byte 7: expected ',' or '}' after an object member, found the end of the text"),
        Refusal("non-string name", "{1: 2}", "at byte 1: expected a member name (a string) or '}', found '1'"),
        Refusal(
            "invalid escape", #""\x41""#,
            #"at byte 1: \x is not a JSON escape; the escapes are \" \\ \/ \b \f \n \r \t and \uXXXX"#),
        Refusal("short \\u escape", #""\u12G4""#, "at byte 5: expected 4 hex digits after \\u, found 'G'"),
        Refusal("number too large", "[1e400]", "at byte 1: the number 1e400 is too large for an IEEE-754 double"),
        Refusal("negative number too large", "-1.8e308", "at byte 0: the number -1.8e308 is too large"),
        Refusal("bare minus", "-", "at byte 1: expected a digit, found the end of the text"),
        Refusal("plus sign", "+1", "at byte 0: expected a JSON value, found '+'"),
        Refusal("leading point", ".5", "at byte 0: expected a JSON value, found '.'"),
        Refusal("trailing point", "1.", "at byte 2: expected a digit after the decimal point, found the end"),
        Refusal("empty exponent", "1e+", "at byte 3: expected a digit in the exponent, found the end of the text"),
        Refusal("hex number", "0x10", "at byte 1: expected the end of the text after the JSON value, found 'x'"),
        Refusal("misspelled literal", "[tru]", "at byte 1: expected a JSON value, found 't'"),
        Refusal("capitalised literal", "True", "at byte 0: expected a JSON value, found 'T'"),
        Refusal("vertical tab as whitespace", "\u{0B}1", "at byte 0: expected a JSON value, found byte 0x0B"),
        Refusal("no-break space as whitespace", "\u{A0}1", "at byte 0: expected a JSON value, found byte 0xC2"),
    ]

    @Test(arguments: refusals)
    func refuses(_ refusal: Refusal) {
        let error = expectCryptoError(.invalidJSON) { try JSONValue(parsing: refusal.input) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("Invalid JSON at byte "), "\(message)")
        #expect(message.contains(refusal.expected), "\(message)")
    }

    @Test func messageNamesOffsetAndExpectation() {
        let error = expectCryptoError(.invalidJSON) { try JSONValue(parsing: #"{"amount": "1" "to": "0x"}"#) }
        #expect(
            error?.message
                == "Invalid JSON at byte 15: expected ',' or '}' after an object member, found '\"'.")
    }

    // MARK: Numbers

    /// RFC 8785 appendix B: IEEE-754 bit patterns and the text ECMAScript (and so JCS) prints for them.
    static let appendixB: [(UInt64, String)] = [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
        (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
        (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
        (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
        (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"),
        (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"),
        (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
        (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ]

    @Test func rfc8785AppendixB() throws {
        for (bits, expected) in Self.appendixB {
            let value = Double(bitPattern: bits)
            #expect(JSONValue.Number(value)?.text == expected, "bits \(String(bits, radix: 16))")
            #expect(CanonicalJSON.encode(.number(try #require(JSONValue.Number(value)))) == Array(expected.utf8))
        }
    }

    @Test func ecmaScriptEdgeCases() throws {
        let cases: [(Double, String)] = [
            // Integers print without an exponent below 1e21, and with one from 1e21.
            (1, "1"), (100, "100"), (-100, "-100"), (1e20, "100000000000000000000"),
            (123e18, "123000000000000000000"), (1e21, "1e+21"), (1.5e21, "1.5e+21"), (-1e21, "-1e+21"),
            (1e300, "1e+300"), (2e22, "2e+22"),
            // The largest exact integers and UInt64.max, which rounds.
            (9_007_199_254_740_991, "9007199254740991"), (Double(UInt64.max), "18446744073709552000"),
            // Fractions print plainly down to 1e-6, and with an exponent below.
            (0.1, "0.1"), (0.5, "0.5"), (4.5, "4.5"), (-1.5, "-1.5"), (1e-6, "0.000001"), (1.5e-6, "0.0000015"),
            (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (-1.5e-10, "-1.5e-10"), (123.456, "123.456"),
            (0.000123, "0.000123"),
            // Shortest round-trip digits, not the exact binary value.
            (0.1 + 0.2, "0.30000000000000004"), (1 / 3, "0.3333333333333333"), (2.0 / 3, "0.6666666666666666"),
            // Both zeros, the extremes, and the smallest normal.
            (0, "0"), (-0.0, "0"), (Double.leastNonzeroMagnitude, "5e-324"),
            (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (-Double.greatestFiniteMagnitude, "-1.7976931348623157e+308"),
            (Double.leastNormalMagnitude, "2.2250738585072014e-308"),
        ]
        for (value, expected) in cases {
            #expect(JSONValue.Number(value)?.canonicalText == expected, "\(value)")
        }
        #expect(JSONValue.Number(Double.nan) == nil)
        #expect(JSONValue.Number(Double.infinity) == nil)
        #expect(JSONValue.Number(-Double.infinity) == nil)
    }

    @Test func canonicalTextRoundTripsRandomDoubles() throws {
        var random = SplitMix64(seed: 0x4A53_4F4E)
        var checked = 0
        while checked < 20_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            let text = try #require(JSONValue.Number(value)).text
            // Reads back as the same double, through Swift and through the parser.
            #expect(Double(text) == value || value == 0, "\(value) -> \(text)")
            #expect(try JSONValue(parsing: text).numberValue?.double == value || value == 0)
            // At most 17 significant digits; an exponent only outside [1e-6, 1e21).
            let digits = text.prefix(while: { $0 != "e" }).filter(\.isNumber)
            let significant = digits.drop(while: { $0 == "0" }).reversed().drop(while: { $0 == "0" })
            #expect(significant.count <= 17, "\(text)")
            let magnitude = value.magnitude
            #expect(text.contains("e") == (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)), "\(text)")
            checked += 1
        }
    }

    @Test func numberText() throws {
        let number = try JSONValue.Number("1.50E+2")
        #expect(number.text == "1.50E+2")
        #expect(number.double == 150)
        #expect(number.canonicalText == "150")
        #expect(number.int64 == 150)
        #expect(number.uint64 == 150)
        #expect(try JSONValue.Number("18446744073709551615").uint64 == UInt64.max)
        #expect(try JSONValue.Number("18446744073709551615").int64 == nil)
        #expect(try JSONValue.Number("-9223372036854775808").int64 == Int64.min)
        #expect(try JSONValue.Number("-1").uint64 == nil)
        #expect(try JSONValue.Number("1.5").int64 == nil)
        #expect(try JSONValue.Number("1e300").int64 == nil)
        #expect(try JSONValue.Number("1e-400").double == 0)
        #expect(JSONValue.Number(UInt64.max).text == "18446744073709551615")
        #expect(JSONValue.Number(UInt64.max).canonicalText == "18446744073709552000")
        #expect(JSONValue.Number(-42).text == "-42")
        // Equality is textual; the canonical form is what signs.
        #expect(try JSONValue.Number("1.0") != JSONValue.Number("1"))
        #expect(try JSONValue.Number("1.0").canonicalText == JSONValue.Number("1").canonicalText)
        for bad in ["", "-", "01", "1.", ".1", "1e", "+1", "1 ", " 1", "0x1", "NaN", "inf", "1e400", "1_000"] {
            expectCryptoError(.invalidJSON) { try JSONValue.Number(bad) }
        }
    }

    // MARK: Objects

    @Test func objectsKeepCanonicalOrder() throws {
        var object = try JSONValue.Object([("😀", 1), ("ﬁ", 2), ("€", 3), ("b", 4), ("a", 5), ("", 6)])
        #expect(object.keys == ["", "a", "b", "€", "😀", "ﬁ"])
        #expect(object["ﬁ"] == 2)
        object["c"] = "new"
        object["a"] = .null
        object["b"] = nil
        #expect(object.keys == ["", "a", "c", "€", "😀", "ﬁ"])
        #expect(object["a"] == .null)
        #expect(object.removeValue(forKey: "c") == "new")
        #expect(object.removeValue(forKey: "c") == nil)
        #expect(object.map(\.key) == ["", "a", "€", "😀", "ﬁ"])
        #expect(JSONValue.Object(["z": 1, "y": 2]).keys == ["y", "z"])
        #expect(JSONValue.Object.precedes("😀", "ﬁ"))
        #expect(!JSONValue.Object.precedes("ﬁ", "😀"))
    }

    @Test func objectsRefuseRepeatedNames() {
        let error = expectCryptoError(.invalidJSON) { try JSONValue.Object([("a", 1), ("b", 2), ("a", 3)]) }
        #expect(error?.message.contains(#"the member name "a" twice"#) == true)
        // Canonically equivalent names are different names.
        #expect(throws: Never.self) { try JSONValue.Object([("\u{E9}", 1), ("e\u{301}", 2)]) }
    }

    @Test func objectEqualityIgnoresInsertionOrder() throws {
        let one = try JSONValue(parsing: #"{"a": 1, "b": [true, null]}"#)
        let two = try JSONValue(parsing: #"{"b": [true, null], "a": 1}"#)
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
        #expect(one != (try JSONValue(parsing: #"{"a": 1, "b": [true]}"#)))
    }

    // MARK: Text and Codable

    @Test func serializedKeepsNumbersAsWritten() throws {
        let value = try JSONValue(parsing: #"{ "b": 1.50, "a": [18446744073709551615, 1E2, "\u0007/"] }"#)
        #expect(value.description == #"{"a":[18446744073709551615,1E2,"\u0007/"],"b":1.50}"#)
        #expect(
            String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
                == #"{"a":[18446744073709552000,100,"\u0007/"],"b":1.5}"#)
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }

    struct Transfer: Codable, Equatable {
        var to: Address
        var amount: UInt64
        var memo: String?
        var ratio: Double
        var tags: [String]
    }

    @Test func codableRoundTrip() throws {
        let transfer = Transfer(
            to: try Address("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"), amount: .max, memo: "héllo ✓",
            ratio: 0.1, tags: ["a", "b"])
        let value = try JSONValue(encoding: transfer)
        #expect(value["amount"]?.numberValue?.text == "18446744073709551615")
        #expect(value["to"] == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        #expect(value["memo"] == "héllo ✓")
        #expect(value["ratio"]?.numberValue?.double == 0.1)
        #expect(try value.decode(Transfer.self) == transfer)
        let decoded: Transfer = try value.decode()
        #expect(decoded == transfer)
    }

    @Test func decodeErrorsNameThePath() throws {
        let value: JSONValue = ["to": "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", "amount": "12", "ratio": 1]
        let error = expectCryptoError(.invalidJSON) { try value.decode(Transfer.self) }
        #expect(error?.message.contains("does not decode as Transfer: at amount") == true, "\(error?.message ?? "")")
        let missing = expectCryptoError(.invalidJSON) { try (["amount": 1] as JSONValue).decode(Transfer.self) }
        #expect(missing?.message.contains("the member \"to\" is missing") == true, "\(missing?.message ?? "")")
        let nan = expectCryptoError(.invalidJSON) { try JSONValue(encoding: [Double.nan]) }
        #expect(nan?.message.contains("could not be encoded as JSON") == true)
    }

    /// JSONValue inside a Codable type, through JSONEncoder and JSONDecoder, keeps its canonical form.
    @Test func jsonValueIsCodable() throws {
        struct Envelope: Codable, Equatable {
            var type: String
            var body: JSONValue
        }
        let body = try JSONValue(
            parsing:
                #"{"n": [0, -7, 18446744073709551615, 1.5, 1e21, 5e-324], "s": "é\u0000", "o": {}, "x": null, "t": true}"#
        )
        let envelope = Envelope(type: "t", body: body)
        let data = try JSONEncoder().encode(envelope)
        let back = try JSONDecoder().decode(Envelope.self, from: data)
        #expect(CanonicalJSON.encode(back.body) == CanonicalJSON.encode(body))
        #expect(back.body["n"]?[2]?.numberValue?.text == "18446744073709551615")
        #expect(try JSONValue(encoding: envelope)["body"].map(CanonicalJSON.encode) == CanonicalJSON.encode(body))
        #expect(try JSONValue(encoding: envelope).decode(Envelope.self).body["s"] == "é\u{0}")
    }

    @Test func literals() {
        let value: JSONValue = ["s": "x", "b": false, "i": 7, "d": 0.25, "a": [1, "two", [:]], "o": ["k": .null]]
        #expect(value.description == #"{"a":[1,"two",{}],"b":false,"d":0.25,"i":7,"o":{"k":null},"s":"x"}"#)
    }
}
