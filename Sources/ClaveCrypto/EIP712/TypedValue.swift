import Foundation

/// A JSON-like value inside EIP-712 typed data (`eth_signTypedData_v4`'s `domain` and `message`).
///
/// Integers keep their exact text, so `uint256` values above 2^53 survive a JSON round trip: they may be written as
/// JSON numbers, decimal strings or `0x` hex strings.
public indirect enum TypedValue: Sendable, Hashable, Codable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByIntegerLiteral
{
    case string(String)
    /// An integer as decimal text (optionally with a leading `-`).
    case integer(String)
    case bool(Bool)
    case array([TypedValue])
    case object([String: TypedValue])
    case null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TypedValue...) { self = .array(elements) }
    public init(integerLiteral value: Int) { self = .integer(String(value)) }
    public init(dictionaryLiteral elements: (String, TypedValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// A `uint` value.
    public static func uint(_ value: UInt64) -> TypedValue { .integer(String(value)) }
    /// An `address` value.
    public static func address(_ value: Address) -> TypedValue { .string(value.checksummed) }
    /// A `bytes` or `bytesN` value.
    public static func bytes(_ value: some Sequence<UInt8>) -> TypedValue { .string(Hex.encode(value)) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(String(value))
        } else if let value = try? container.decode(UInt64.self) {
            self = .integer(String(value))
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([TypedValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: TypedValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Double.self) {
            guard value.rounded() == value, abs(value) < 9_007_199_254_740_992 else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription:
                        "The number \(value) is not an exact integer; write large integers as decimal strings."
                )
            }
            self = .integer(String(Int64(value)))
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Unsupported JSON value in typed data.")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value):
            // Exact integers up to 2^53 as JSON numbers; larger ones as strings, which every EIP-712 library reads.
            if let small = Int64(value), abs(small) < 9_007_199_254_740_992 {
                try container.encode(small)
            } else {
                try container.encode(value)
            }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    var kindName: String {
        switch self {
        case .string: "a string"
        case .integer: "a number"
        case .bool: "a boolean"
        case .array: "an array"
        case .object: "an object"
        case .null: "null"
        }
    }
}
