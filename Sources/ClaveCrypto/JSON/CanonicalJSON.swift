public import Foundation

/// The JSON Canonicalization Scheme (RFC 8785, JCS): one byte sequence for each JSON value, so that a value can be
/// hashed and signed and anyone can check it with any JCS implementation.
///
/// - No whitespace.
/// - Object members sorted by the UTF-16 code units of their names.
/// - Strings in UTF-8, escaping only `"` and `\` (as `\"` and `\\`), `\b \f \n \r \t`, and the other characters below
///   U+0020 as `\u00xx` (lowercase hex). Everything else, `/`, U+007F, U+2028 and U+2029 included, is written raw.
/// - Numbers as ECMAScript's `Number.prototype.toString` prints their IEEE-754 double: `1e+21`, `1e-7`, `0.000001`,
///   `4.5`, `100`, `-0` as `0`.
/// - `true`, `false`, `null` as they are.
///
/// Clave signs a document as an EIP-191 personal message over the 32-byte keccak-256 of these bytes
/// (``digest(_:)``, ``ClaveCrypto/PrivateKey/signCanonical(_:)``, ``ClaveCrypto/Signature/recoverCanonicalSigner(_:)``).
public enum CanonicalJSON {
    /// The RFC 8785 bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter(numbers: .canonical)
        writer.write(value)
        return writer.bytes
    }

    /// Parses JSON text strictly (`JSONValue(parsing:limits:)`) and returns its RFC 8785 bytes.
    public static func canonicalize(
        _ bytes: some DataProtocol, limits: JSONValue.Limits = JSONValue.Limits()
    ) throws(CryptoError) -> [UInt8] {
        encode(try JSONValue(parsing: bytes, limits: limits))
    }

    /// keccak-256 of the canonical bytes of `value`: the 32-byte message that Clave signs with EIP-191.
    public static func digest(_ value: JSONValue) -> Bytes32 {
        Keccak256.hash(encode(value))
    }
}

/// Writes compact JSON with RFC 8785's string escaping and member order; numbers canonical or as written.
struct JSONWriter {
    enum Numbers {
        /// ECMAScript's form of the double (RFC 8785).
        case canonical
        /// The text the number was written with.
        case asWritten
    }

    let numbers: Numbers
    private(set) var bytes: [UInt8] = []

    init(numbers: Numbers) {
        self.numbers = numbers
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null:
            bytes += "null".utf8
        case .bool(let flag):
            bytes += (flag ? "true" : "false").utf8
        case .number(let number):
            switch numbers {
            case .canonical: JSONValue.Number.appendCanonical(number.double, to: &bytes)
            case .asWritten: bytes += number.text.utf8
            }
        case .string(let text):
            writeString(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            // Object keeps its members in RFC 8785 order already.
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                bytes += "\\u00".utf8
                bytes.append(JSONWriter.hexDigits[Int(byte >> 4)])
                bytes.append(JSONWriter.hexDigits[Int(byte & 0x0F)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text` as a JSON string, shortened for an error message.
    static func quoted(_ text: String) -> String {
        var writer = JSONWriter(numbers: .asWritten)
        writer.writeString(text.count > 60 ? String(text.prefix(60)) + "…" : text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
