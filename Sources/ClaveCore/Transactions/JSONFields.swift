package import ClaveCrypto

/// Reads the members of one JSON object for a transaction: each typed getter consumes a member, and
/// ``finish()`` refuses any member left over, so a misspelt field is an error instead of being ignored.
package struct JSONFields {
    package let path: String
    private let object: JSONValue.Object
    private var consumed: Set<String> = []

    package init(_ value: JSONValue, at path: String) throws(TransactionFormatError) {
        guard case .object(let object) = value else {
            throw TransactionFormatError(.invalidJSON, at: path, "expected a JSON object, found \(value.kind).")
        }
        self.object = object
        self.path = path
    }

    /// Reads the object `json` at `path` with `body`, then refuses any member `body` did not read.
    package static func read<T>(
        _ json: JSONValue, at path: String, _ body: (inout JSONFields) throws(TransactionFormatError) -> T
    ) throws(TransactionFormatError) -> T {
        var fields = try JSONFields(json, at: path)
        let value = try body(&fields)
        try fields.finish()
        return value
    }

    private mutating func take(_ name: String) throws(TransactionFormatError) -> JSONValue {
        consumed.insert(name)
        guard let value = object[name] else {
            throw TransactionFormatError(.missingField, at: "\(path).\(name)", "is required but missing.")
        }
        return value
    }

    private func invalid(_ name: String, _ message: String) -> TransactionFormatError {
        TransactionFormatError(.invalidValue, at: "\(path).\(name)", message)
    }

    /// A member that may be absent or null.
    package mutating func optional(_ name: String) -> JSONValue? {
        consumed.insert(name)
        guard let value = object[name], !value.isNull else { return nil }
        return value
    }

    package mutating func string(_ name: String) throws(TransactionFormatError) -> String {
        let value = try take(name)
        guard case .string(let text) = value else { throw invalid(name, "expected a string, found \(value.kind).") }
        return text
    }

    /// A JSON number holding a whole number that fits in UInt64 (used for `chainId` and `nonce`).
    package mutating func number(_ name: String) throws(TransactionFormatError) -> UInt64 {
        let value = try take(name)
        guard case .number(let number) = value, let integer = number.uint64 else {
            throw invalid(
                name, "expected a whole number from 0 to 2^64-1 written as a JSON number, found \(value.kind).")
        }
        return integer
    }

    /// An amount or count written as a decimal string, as transaction bodies write integers.
    package mutating func decimal(_ name: String) throws(TransactionFormatError) -> UInt64 {
        try Self.decimal(try take(name), at: "\(path).\(name)")
    }

    /// ``decimal(_:)`` of a value at `path`, such as an array's element.
    package static func decimal(_ value: JSONValue, at path: String) throws(TransactionFormatError) -> UInt64 {
        guard case .string(let text) = value else {
            throw TransactionFormatError(
                .invalidValue, at: path,
                "expected a decimal string such as \"1000\" (bodies write integers as strings), found \(value.kind).")
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text == "0" || !text.hasPrefix("0"),
            let integer = UInt64(text)
        else {
            throw TransactionFormatError(
                .invalidValue, at: path,
                "'\(text)' is not a decimal whole number from 0 to 18446744073709551615 without leading zeros.")
        }
        return integer
    }

    package mutating func address(_ name: String) throws(TransactionFormatError) -> Address {
        let text = try string(name)
        do { return try Address(text) } catch { throw invalid(name, error.message) }
    }

    package mutating func bytes32(_ name: String) throws(TransactionFormatError) -> Bytes32 {
        try Self.bytes32(try take(name), at: "\(path).\(name)")
    }

    /// ``bytes32(_:)`` of a value at `path`, such as an array's element.
    package static func bytes32(_ value: JSONValue, at path: String) throws(TransactionFormatError) -> Bytes32 {
        guard case .string(let text) = value else {
            throw TransactionFormatError(.invalidValue, at: path, "expected a string, found \(value.kind).")
        }
        do { return try Bytes32(hex: text) } catch {
            throw TransactionFormatError(.invalidValue, at: path, error.message)
        }
    }

    package mutating func bytes(_ name: String) throws(TransactionFormatError) -> [UInt8] {
        let text = try string(name)
        guard text.hasPrefix("0x") else { throw invalid(name, "expected 0x-prefixed hex bytes (\"0x\" for none).") }
        do { return try Hex.decode(text, what: name) } catch { throw invalid(name, error.message) }
    }

    package mutating func signature(_ name: String) throws(TransactionFormatError) -> Signature {
        let text = try string(name)
        do { return try Signature(hex: text) } catch { throw invalid(name, error.message) }
    }

    package mutating func optionalSignature(_ name: String) throws(TransactionFormatError) -> Signature? {
        guard let value = optional(name) else { return nil }
        guard case .string(let text) = value else {
            throw invalid(name, "expected a signature string or null, found \(value.kind).")
        }
        do { return try Signature(hex: text) } catch { throw invalid(name, error.message) }
    }

    package mutating func member(_ name: String) throws(TransactionFormatError) -> JSONValue { try take(name) }

    package mutating func bool(_ name: String) throws(TransactionFormatError) -> Bool {
        let value = try take(name)
        guard case .bool(let flag) = value else { throw invalid(name, "expected true or false, found \(value.kind).") }
        return flag
    }

    /// A member holding an array; each element is read by `element` with its path (`name[i]`).
    package mutating func array<Element>(
        _ name: String, _ element: (JSONValue, String) throws(TransactionFormatError) -> Element
    ) throws(TransactionFormatError) -> [Element] {
        let value = try take(name)
        guard case .array(let items) = value else { throw invalid(name, "expected an array, found \(value.kind).") }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            result.append(try element(item, "\(path).\(name)[\(index)]"))
        }
        return result
    }

    /// A member holding an object whose members are read by `member` with their path (`name.key`).
    package mutating func members<Value>(
        _ name: String, _ member: (String, JSONValue, String) throws(TransactionFormatError) -> Value
    ) throws(TransactionFormatError) -> [Value] {
        let value = try take(name)
        guard case .object(let object) = value else { throw invalid(name, "expected an object, found \(value.kind).") }
        var result: [Value] = []
        for (key, item) in object {
            result.append(try member(key, item, "\(path).\(name).\(key)"))
        }
        return result
    }

    /// Refuses members that were never read.
    package func finish() throws(TransactionFormatError) {
        if let unknown = object.keys.first(where: { !consumed.contains($0) }) {
            throw TransactionFormatError(
                .unknownField, at: "\(path).\(unknown)",
                "is not a field here (expected: \(consumed.sorted().joined(separator: ", "))); check its spelling.")
        }
    }
}
