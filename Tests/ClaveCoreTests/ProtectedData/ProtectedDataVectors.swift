import ClaveCore
import ClaveCrypto
import Foundation

/// `Tests/ClaveCoreTests/Fixtures/protected_data.json`, written by `Scripts/vectors/protected_data.py` with
/// borsh-construct, Python's zipfile and a Python schema extraction from iExec's rules.
struct ProtectedDataVectors: Decodable {
    struct BorshCase: Decodable {
        let type: String
        let value: JSONValue
        let borsh: String
    }

    struct Entry: Decodable {
        let name: String
        let contents: String?
    }

    struct ObjectCase: Decodable {
        let name: String
        let value: JSONValue
        let record: String
        let schema: String
        let paths: [String]
        let entries: [Entry]
        let zip: String
    }

    struct StreamedCase: Decodable {
        let key: String
        let contents: String
        let schema: String
        let zip: String
    }

    let borsh: [BorshCase]
    let objects: [ObjectCase]
    let streamed: [StreamedCase]

    static func load() throws -> ProtectedDataVectors {
        guard let url = Bundle.module.url(forResource: "Fixtures/protected_data.json", withExtension: nil) else {
            throw VectorError("Fixtures/protected_data.json is missing; run python3 Scripts/vectors/generate.py.")
        }
        return try JSONDecoder().decode(ProtectedDataVectors.self, from: Data(contentsOf: url))
    }

    /// The fixture's exact form of a value: `{"object": [[key, value], ...]}`, `{"f64": "repr"}`, `{"i128": "…"}`,
    /// `{"binary": "0x…"}`, `{"bool": …}`, `{"string": …}`.
    static func value(_ tagged: JSONValue) throws -> ProtectedValue {
        guard case .object(let object) = tagged, object.count == 1, let first = object.first else {
            throw VectorError("bad tagged value \(tagged)")
        }
        switch (first.key, first.value) {
        case ("bool", .bool(let flag)): return .bool(flag)
        case ("string", .string(let text)): return .string(text)
        case ("f64", .string(let text)):
            guard let double = Double(text) else { throw VectorError("bad f64 \(text)") }
            return .number(double)
        case ("i128", .string(let text)):
            guard let integer = Int128(text) else { throw VectorError("bad i128 \(text)") }
            return .bigint(integer)
        case ("binary", .string(let text)): return .binary(try Hex.decode(text))
        case ("object", .array(let pairs)):
            return .object(
                try pairs.map { pair in
                    guard case .array(let items) = pair, items.count == 2, case .string(let key) = items[0] else {
                        throw VectorError("bad pair \(pair)")
                    }
                    return (key, try value(items[1]))
                })
        default: throw VectorError("bad tagged value \(tagged)")
        }
    }
}

struct VectorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
