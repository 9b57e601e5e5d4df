import ClaveCore
import ClaveCrypto
import Foundation
import Testing

/// What iExec's dataprotector refuses (and what Clave adds), each with its key path and message.
@Suite struct ProtectedValueTests {
    private static func refusal(_ value: ProtectedValue) -> ProtectedDataError? {
        do {
            try value.validate()
            return nil
        } catch {
            return error
        }
    }

    @Test func validDataPasses() throws {
        let allCharacters = "azertyuiopqsdfghjklmwxcvbnAZERTYUIOPQSDFGHJKLMWXCVBN0123456789-_"
        try ProtectedValue.object([
            (allCharacters, .string("value")), ("n", .object([("x", .number(-0.0)), ("y", .bigint(.min))])),
            ("b", .binary([])), ("t", .bool(true)), ("s", .string("")),
        ]).validate()
    }

    @Test func topLevelMustBeAnObject() {
        for value: ProtectedValue in [.string("x"), .bool(true), .number(1), .bigint(1), .binary([1])] {
            let error = Self.refusal(value)
            #expect(error?.code == .invalidValue)
            #expect(error?.path == "data")
            #expect(error?.message.hasPrefix("protected data must be an object") == true)
        }
    }

    @Test(arguments: ["money$", ".", "foo bar", "foo\\bar", "\n", "é", "a.b", "a/b", "$bigint"])
    func keysWithOtherCharactersAreRefused(key: String) {
        let error = Self.refusal(.object([("ok", .object([(key, .bool(true))]))]))
        #expect(error?.code == .invalidKey)
        #expect(error?.path == "data.ok.\(key)")
        #expect(error?.message.contains("outside a-z, A-Z, 0-9, '-' and '_'") == true)
    }

    @Test func emptyKeysAreRefused() {
        let error = Self.refusal(.object([("a", .object([("", .bool(true))]))]))
        #expect(error?.code == .invalidKey)
        #expect(error?.path == "data.a")
        #expect(error?.message == "a key is empty; name every member.")
    }

    @Test func repeatedKeysAreRefused() {
        let error = Self.refusal(.object([("a", .bool(true)), ("a", .bool(false))]))
        #expect(error?.code == .invalidKey)
        #expect(error?.path == "data.a")
        #expect(error?.message.contains("twice") == true)
    }

    @Test func emptyObjectsAreRefused() {
        for (value, path) in [
            (ProtectedValue.object([]), "data"), (.object([("a", .object([("b", .object([]))]))]), "data.a.b"),
        ] {
            let error = Self.refusal(value)
            #expect(error?.code == .invalidValue)
            #expect(error?.path == path)
            #expect(error?.message == "the object is empty; give it at least one member or remove it.")
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersAreRefused(number: Double) {
        let error = Self.refusal(.object([("x", .number(number))]))
        #expect(error?.code == .invalidValue)
        #expect(error?.path == "data.x")
        #expect(error?.message.contains("is not finite") == true)
        #expect(throws: ProtectedDataError.self) { try ProtectedDataZip.bytes(of: .object([("x", .number(number))])) }
        #expect(throws: ProtectedDataError.self) { try ProtectedDataSchema(of: .object([("x", .number(number))])) }
    }

    @Test func equalityIgnoresMemberOrderButNotBits() {
        let a: ProtectedValue = .object([("x", .bool(true)), ("y", .number(1))])
        #expect(a == .object([("y", .number(1)), ("x", .bool(true))]))
        #expect(ProtectedValue.number(0) != .number(-0.0))
        #expect(a != .object([("x", .bool(true))]))
        #expect(a[["y"]] == .number(1))
    }

    // MARK: JSON records

    private static func record(_ text: String, files: [String: [UInt8]] = [:]) throws(ProtectedDataError)
        -> ProtectedValue
    {
        try ProtectedValue(parsingRecord: Array(text.utf8)) { path in
            guard let bytes = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return bytes
        }
    }

    private static func recordRefusal(_ text: String) -> ProtectedDataError? {
        do {
            _ = try record(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func recordsMapEveryForm() throws {
        let value = try Self.record(
            #"""
            {"flag": true, "n": 1.5e3, "int": 7, "text": "héllo",
             "big": {"$bigint": "-170141183460469231731687303715884105728"},
             "blob": {"$base64": "iVBORw0KGgo="}, "photo": {"$file": "img/photo.png"},
             "nested": {"deeper": {"x": false}}}
            """#, files: ["img/photo.png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]])
        #expect(
            value
                == .object([
                    ("flag", .bool(true)), ("n", .number(1500)), ("int", .number(7)), ("text", .string("héllo")),
                    ("big", .bigint(.min)), ("blob", .binary([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])),
                    ("photo", .binary([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0])),
                    ("nested", .object([("deeper", .object([("x", .bool(false))]))])),
                ]))
        // Members come in RFC 8785 order, whatever order the text has.
        #expect(value.members?.map(\.key) == ["big", "blob", "flag", "int", "n", "nested", "photo", "text"])
        #expect(
            try ProtectedDataSchema(of: value).canonicalText
                == #"{"big":"i128","blob":"image/png","flag":"bool","int":"f64","n":"f64","#
                + #""nested":{"deeper":{"x":"bool"}},"photo":"image/png","text":"string"}"#)
    }

    @Test func fileReaderResolvesPathsBesideTheRecord() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clave-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("%PDF-1.7".utf8).write(to: folder.appendingPathComponent("doc.pdf"))
        let value = try ProtectedValue(
            parsingRecord: Array(#"{"doc": {"$file": "doc.pdf"}}"#.utf8),
            readFile: ProtectedValue.fileReader(relativeTo: folder))
        #expect(value == .object([("doc", .binary(Array("%PDF-1.7".utf8)))]))
    }

    @Test func recordRefusals() {
        let cases: [(text: String, code: ProtectedDataError.Code, path: String, message: String)] = [
            ("[1]", .invalidValue, "data", "a record is a JSON object"),
            ("{\"a\": ", .invalidValue, "data", "the record is not JSON"),
            (#"{"a": null}"#, .invalidValue, "data.a", "null has no protected-data form"),
            (#"{"a": [1, 2]}"#, .invalidValue, "data.a", "arrays are not protected data"),
            (#"{"a": {}}"#, .invalidValue, "data.a", "the object is empty"),
            ("{}", .invalidValue, "data", "the object is empty"),
            (#"{"a b": 1}"#, .invalidKey, "data.a b", "outside a-z"),
            (#"{"": 1}"#, .invalidKey, "data", "a key is empty"),
            (
                #"{"a": {"$bigint": "170141183460469231731687303715884105728"}}"#, .invalidValue, "data.a",
                "out of the i128 range"
            ),
            (
                #"{"a": {"$bigint": "-170141183460469231731687303715884105729"}}"#, .invalidValue, "data.a",
                "out of the i128 range"
            ),
            (#"{"a": {"$bigint": "01"}}"#, .invalidValue, "data.a", "not a decimal integer"),
            (#"{"a": {"$bigint": "1.5"}}"#, .invalidValue, "data.a", "not a decimal integer"),
            (#"{"a": {"$bigint": "+1"}}"#, .invalidValue, "data.a", "not a decimal integer"),
            (#"{"a": {"$bigint": ""}}"#, .invalidValue, "data.a", "not a decimal integer"),
            (#"{"a": {"$bigint": 12}}"#, .invalidValue, "data.a", "$bigint takes a string, found a number"),
            (#"{"a": {"$base64": "not base64!"}}"#, .invalidValue, "data.a", "not standard base64"),
            (#"{"a": {"$file": "missing.png"}}"#, .unreadableFile, "data.a", "cannot read the $file missing.png"),
            (#"{"a": {"$hex": "00"}}"#, .invalidValue, "data.a", "special forms"),
            (#"{"a": {"$bigint": "1", "b": 2}}"#, .invalidValue, "data.a", "among 2 members"),
        ]
        for item in cases {
            let error = Self.recordRefusal(item.text)
            #expect(error?.code == item.code, "\(item.text)")
            #expect(error?.path == item.path, "\(item.text)")
            #expect(error?.message.contains(item.message) == true, "\(item.text): \(String(describing: error))")
        }
    }

    @Test func bigintRangeIsI128() throws {
        #expect(
            try Self.record(#"{"a": {"$bigint": "170141183460469231731687303715884105727"}}"#)
                == .object([("a", .bigint(.max))]))
        #expect(try Self.record(#"{"a": {"$bigint": "-0"}}"#) == .object([("a", .bigint(0))]))
    }
}
