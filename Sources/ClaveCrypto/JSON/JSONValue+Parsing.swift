public import Foundation

extension JSONValue {
    /// Parses one JSON text strictly: RFC 8259 and nothing else, in UTF-8, within `limits`.
    ///
    /// Refused, with ``CryptoError/Code/invalidJSON`` and a message naming the byte offset (counted from 0) and what
    /// was expected there: comments, trailing commas, single quotes, `NaN` and `Infinity`, leading zeros, numbers
    /// beyond the range of a double, unescaped control characters in strings, invalid escapes, lone surrogates in
    /// `\u` escapes, invalid UTF-8, a byte order mark, a member name repeated in one object, anything after the value,
    /// and input over ``Limits/maxBytes`` bytes or nested deeper than ``Limits/maxDepth``.
    public init(parsing bytes: some DataProtocol, limits: Limits = Limits()) throws(CryptoError) {
        guard bytes.count <= limits.maxBytes else {
            throw CryptoError(
                .invalidJSON,
                "The JSON text is \(bytes.count) bytes, over the limit of \(limits.maxBytes); send a smaller document."
            )
        }
        var parser = JSONParser(bytes: Array(bytes), limits: limits)
        self = try parser.parseDocument()
    }

    /// Parses the UTF-8 bytes of `text`; see `init(parsing:limits:)`.
    public init(parsing text: some StringProtocol, limits: Limits = Limits()) throws(CryptoError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

/// A recursive-descent reader of RFC 8259 JSON over a byte array.
struct JSONParser {
    private let bytes: [UInt8]
    private let limits: JSONValue.Limits
    private var position = 0

    init(bytes: [UInt8], limits: JSONValue.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parseDocument() throws(CryptoError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw JSONParser.error(at: 0, "a byte order mark is not allowed; send UTF-8 without one")
        }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else {
            throw unexpected("the end of the text after the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(CryptoError) -> JSONValue {
        guard position < bytes.count else { throw unexpected("a JSON value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(String(decoding: try parseString(), as: UTF8.self))
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected("a JSON value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(CryptoError) -> JSONValue {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes[position...].starts(with: expected) else { throw unexpected("a JSON value") }
        position += expected.count
        return value
    }

    private mutating func parseObject(depth: Int) throws(CryptoError) -> JSONValue {
        try checkDepth(depth)
        position += 1  // {
        skipWhitespace()
        var members: [JSONValue.Object.Element] = []
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(JSONValue.Object())
        }
        var names = Set<[UInt8]>()
        while true {
            guard peek() == UInt8(ascii: "\"") else {
                throw unexpected(
                    members.isEmpty ? "a member name (a string) or '}'" : "a member name (a string) after ','"
                )
            }
            let nameOffset = position
            let name = try parseString()
            guard names.insert(name).inserted else {
                throw JSONParser.error(
                    at: nameOffset,
                    "the member name \(JSONWriter.quoted(String(decoding: name, as: UTF8.self))) appears twice in "
                        + "one object; a name may appear once"
                )
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw unexpected("':' after a member name") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key: String(decoding: name, as: UTF8.self), value: value))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return .object(JSONValue.Object(uniqueMembers: members))
            default:
                throw unexpected("',' or '}' after an object member")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(CryptoError) -> JSONValue {
        try checkDepth(depth)
        position += 1  // [
        skipWhitespace()
        var elements: [JSONValue] = []
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            if !elements.isEmpty, peek() == UInt8(ascii: "]") {
                throw unexpected("a value after ','")
            }
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw unexpected("',' or ']' after an array element")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(CryptoError) {
        guard depth <= limits.maxDepth else {
            throw JSONParser.error(
                at: position,
                "arrays and objects are nested more than \(limits.maxDepth) deep, which is refused"
            )
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(CryptoError) -> JSONValue.Number {
        let start = position
        position = try JSONParser.scanNumber(bytes, from: start)
        guard position - start <= limits.maxNumberLength else {
            throw JSONParser.error(
                at: start,
                "a number of \(position - start) characters is refused; the limit is \(limits.maxNumberLength)"
            )
        }
        return try JSONValue.Number(
            validatedText: String(decoding: bytes[start..<position], as: UTF8.self), at: start)
    }

    /// Checks RFC 8259's number grammar from `start`; returns where the number ends.
    static func scanNumber(_ bytes: [UInt8], from start: Int) throws(CryptoError) -> Int {
        var index = start
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else {
            let hint = bytes[index...].starts(with: Array("Infinity".utf8)) ? "; JSON has no NaN or Infinity" : ""
            throw error(at: index, "expected a digit, found \(describe(bytes, at: index))\(hint)")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) {
                throw error(at: start, "a number may not have a leading zero")
            }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else {
                throw error(at: index, "expected a digit after the decimal point, found \(describe(bytes, at: index))")
            }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(index) else {
                throw error(at: index, "expected a digit in the exponent, found \(describe(bytes, at: index))")
            }
            while isDigit(index) { index += 1 }
        }
        return index
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote; returns its contents as (valid) UTF-8.
    private mutating func parseString() throws(CryptoError) -> [UInt8] {
        let start = position
        position += 1  // "
        var out: [UInt8] = []
        while true {
            // Copy a run of plain ASCII at once.
            let runStart = position
            while position < bytes.count {
                let byte = bytes[position]
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
                position += 1
            }
            out += bytes[runStart..<position]
            guard position < bytes.count else {
                throw JSONParser.error(
                    at: position, "the string that starts at byte \(start) is not closed: expected '\"'")
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return out
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw JSONParser.error(
                    at: position,
                    "the control character U+\(JSONParser.hex(UInt32(byte), digits: 4)) must be escaped in a string "
                        + "(write \\u\(JSONParser.hex(UInt32(byte), digits: 4)))"
                )
            default:
                let length = try utf8SequenceLength(at: position)
                out += bytes[position..<(position + length)]
                position += length
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(CryptoError) {
        let start = position
        position += 1  // backslash
        guard position < bytes.count else {
            throw JSONParser.error(at: position, "expected an escape after '\\', found the end of the text")
        }
        let letter = bytes[position]
        position += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(letter)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4()
            var scalarValue = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                guard bytes[position...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                    throw JSONParser.error(
                        at: start,
                        "the escape \\u\(JSONParser.hex(UInt32(unit), digits: 4)) is a lone high surrogate; "
                            + "it must be followed by a low surrogate escape (\\uDC00 to \\uDFFF)"
                    )
                }
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParser.error(
                        at: start,
                        "the escape \\u\(JSONParser.hex(UInt32(unit), digits: 4)) is a lone high surrogate; "
                            + "it is followed by \\u\(JSONParser.hex(UInt32(low), digits: 4)), not by a low surrogate"
                    )
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONParser.error(
                    at: start,
                    "the escape \\u\(JSONParser.hex(UInt32(unit), digits: 4)) is a lone low surrogate, "
                        + "which is not a character"
                )
            default:
                break
            }
            out += String(Character(Unicode.Scalar(scalarValue)!)).utf8
        default:
            throw JSONParser.error(
                at: start,
                "\\\(JSONParser.describeCharacter(letter)) is not a JSON escape; "
                    + "the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"
            )
        }
    }

    private mutating func hex4() throws(CryptoError) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            guard position + offset < bytes.count, let nibble = Hex.nibble(bytes[position + offset]) else {
                throw JSONParser.error(
                    at: position + offset,
                    "expected 4 hex digits after \\u, found \(JSONParser.describe(bytes, at: position + offset))"
                )
            }
            value = value << 4 | UInt16(nibble)
        }
        position += 4
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `index` (Unicode table 3-7), or an error naming its bytes.
    private func utf8SequenceLength(at index: Int) throws(CryptoError) -> Int {
        let lead = bytes[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, second) = (3, 0x80...0x9F)  // not the UTF-16 surrogates
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, second) = (4, 0x80...0x8F)  // not above U+10FFFF
        default:
            throw JSONParser.error(
                at: index,
                "invalid UTF-8: the byte 0x\(JSONParser.hex(UInt32(lead), digits: 2)) cannot start a character")
        }
        for offset in 1..<length {
            let allowed = offset == 1 ? second : 0x80...0xBF
            guard index + offset < bytes.count, allowed.contains(bytes[index + offset]) else {
                let seen = bytes[index..<min(index + offset + 1, bytes.count)]
                    .map { "0x" + JSONParser.hex(UInt32($0), digits: 2) }.joined(separator: " ")
                throw JSONParser.error(
                    at: index,
                    "invalid UTF-8: \(seen) is not a well-formed sequence (truncated, overlong or a surrogate)"
                )
            }
        }
        return length
    }

    // MARK: Helpers

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    /// "expected X, found Y", with a hint for the usual mistakes.
    private func unexpected(_ expected: String) -> CryptoError {
        var message = "expected \(expected), found \(JSONParser.describe(bytes, at: position))"
        let rest = bytes[min(position, bytes.count)...]
        if rest.starts(with: Array("//".utf8)) || rest.starts(with: Array("/*".utf8)) {
            message += "; JSON has no comments"
        } else if rest.first == UInt8(ascii: "'") {
            message += "; JSON strings are written in double quotes"
        } else if rest.starts(with: Array("NaN".utf8)) || rest.starts(with: Array("Infinity".utf8)) {
            message += "; JSON has no NaN or Infinity"
        } else if expected.hasSuffix("after ','"), rest.first == UInt8(ascii: "]") || rest.first == UInt8(ascii: "}") {
            message += "; JSON does not allow a trailing comma"
        }
        return JSONParser.error(at: position, message)
    }

    static func error(at offset: Int, _ message: String) -> CryptoError {
        CryptoError(.invalidJSON, "Invalid JSON at byte \(offset): \(message).")
    }

    /// What is at `index`, for a message: `'x'`, `byte 0xC3` or `the end of the text`.
    static func describe(_ bytes: [UInt8], at index: Int) -> String {
        guard index < bytes.count else { return "the end of the text" }
        let byte = bytes[index]
        return (0x21..<0x7F).contains(byte) ? "'\(describeCharacter(byte))'" : "byte 0x\(hex(UInt32(byte), digits: 2))"
    }

    static func describeCharacter(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "x\(hex(UInt32(byte), digits: 2))"
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
