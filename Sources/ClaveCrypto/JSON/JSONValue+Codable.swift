import Foundation

// MARK: - From and to Codable types

extension JSONValue {
    /// The JSON value of `value` as Foundation's `JSONEncoder` writes it, read back with the strict parser.
    ///
    /// Use it to sign a Codable type: `CanonicalJSON.encode(try JSONValue(encoding: transaction))`. The encoder's
    /// own output order and spacing do not matter: the canonical form sorts and compacts.
    public init(encoding value: some Encodable, limits: Limits = Limits()) throws(CryptoError) {
        let data: Data
        do {
            data = try JSONEncoder().encode(value)
        } catch {
            throw CryptoError(
                .invalidJSON,
                "A \(type(of: value)) could not be encoded as JSON: \(JSONValue.describe(error)); "
                    + "JSON has no NaN or infinite numbers, and only string keys."
            )
        }
        try self.init(parsing: data, limits: limits)
    }

    /// Decodes this value as a `T` with Foundation's `JSONDecoder`, numbers exactly as written.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws(CryptoError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(serialized()))
        } catch {
            throw CryptoError(
                .invalidJSON, "The JSON value does not decode as \(T.self): \(JSONValue.describe(error)).")
        }
    }

    /// A `DecodingError` or `EncodingError` as a sentence with the path of the offending value.
    static func describe(_ error: any Error) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            return "at \(path(context.codingPath)), expected \(type): \(context.debugDescription)"
        case DecodingError.valueNotFound(let type, let context):
            return "at \(path(context.codingPath)), expected a \(type) but found null or nothing"
        case DecodingError.keyNotFound(let key, let context):
            return "at \(path(context.codingPath)), the member \"\(key.stringValue)\" is missing"
        case DecodingError.dataCorrupted(let context):
            return "at \(path(context.codingPath)), \(context.debugDescription)"
        case EncodingError.invalidValue(_, let context):
            return "at \(path(context.codingPath)), \(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}

// MARK: - JSONValue is itself Codable

/// So a Codable type can hold free-form JSON (`body: JSONValue`).
///
/// Decoding goes through the decoder's own reader: with `JSONDecoder`, integers that fit `Int64` or `UInt64` keep their
/// digits and other numbers become their double (which is all their canonical form depends on), and the decoder,
/// not the strict parser, decides about repeated names. For text from outside, parse with
/// `JSONValue(parsing:limits:)` and convert with ``JSONValue/decode(_:)``.
extension JSONValue: Codable {
    private struct MemberName: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: MemberName.self) {
            var members: [(String, JSONValue)] = []
            for key in container.allKeys {
                members.append((key.stringValue, try container.decode(JSONValue.self, forKey: key)))
            }
            self = .object(try JSONValue.Object(members))
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !container.isAtEnd {
                elements.append(try container.decode(JSONValue.self))
            }
            self = .array(elements)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(Number(integer))
        } else if let integer = try? container.decode(UInt64.self) {
            self = .number(Number(integer))
        } else if let double = try? container.decode(Double.self) {
            guard let number = Number(double) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "JSON has no number \(double).")
            }
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .number(let number):
            var container = encoder.singleValueContainer()
            if let integer = Int64(number.text) {
                try container.encode(integer)
            } else if let integer = UInt64(number.text) {
                try container.encode(integer)
            } else {
                try container.encode(number.double)
            }
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let object):
            var container = encoder.container(keyedBy: MemberName.self)
            for (key, value) in object { try container.encode(value, forKey: MemberName(stringValue: key)) }
        }
    }
}
