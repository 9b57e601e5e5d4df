/// The data a data owner protects: iExec's dataprotector `DataObject`, as a Swift value.
///
/// A protected value is an ``object`` of keys to values; each value is a scalar (``bool``, ``number``, ``bigint``,
/// ``string``), raw bytes (``binary``) or a nested object. It becomes a zip with one entry per scalar and one folder
/// per nested object (``ProtectedValue/writeZip(to:)``), and has a schema (``ProtectedDataSchema``) that is registered
/// on the ledger.
///
/// ```swift
/// let data: ProtectedValue = .object([
///     ("email", .string("alice@example.com")),
///     ("profile", .object([("age", .number(42)), ("balance", .bigint(-12))])),
/// ])
/// try data.validate()
/// ```
///
/// Objects keep their members in the order given, as a JavaScript object keeps its insertion order; equality ignores
/// that order, as two JavaScript objects with the same members describe the same data.
public indirect enum ProtectedValue: Sendable, Equatable, CustomStringConvertible {
    /// A boolean; Borsh `bool`, schema type `bool`.
    case bool(Bool)
    /// A number, an IEEE-754 double as every JavaScript number is; Borsh `f64`, schema type `f64`. Must be finite.
    case number(Double)
    /// An integer, a JavaScript `bigint` in the i128 range; Borsh `i128`, schema type `i128`.
    case bigint(Int128)
    /// UTF-8 text; Borsh `string`, schema type `string`.
    case string(String)
    /// Raw bytes, written as they are; the schema type is the MIME type sniffed from their first bytes.
    case binary([UInt8])
    /// Named members, in order; keys match `^[a-zA-Z0-9\-_]+$`, each at most once, and an object is never empty.
    case object([(key: String, value: ProtectedValue)])

    /// The members when this is an object.
    public var members: [(key: String, value: ProtectedValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value at a key path (`["profile", "age"]`), if there is one.
    public subscript(path: [String]) -> ProtectedValue? {
        var value = self
        for key in path {
            guard let member = value.members?.first(where: { $0.key == key }) else { return nil }
            value = member.value
        }
        return value
    }

    public static func == (lhs: ProtectedValue, rhs: ProtectedValue) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): a == b
        // Bit for bit: 0 and -0 have different Borsh bytes.
        case (.number(let a), .number(let b)): a.bitPattern == b.bitPattern
        case (.bigint(let a), .bigint(let b)): a == b
        case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)
        case (.binary(let a), .binary(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count
                && a.allSatisfy { member in
                    b.first(where: { $0.key == member.key }).map { $0.value == member.value } ?? false
                }
        default: false
        }
    }

    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .number(let value): "\(value)"
        case .bigint(let value): "\(value)n"
        case .string(let value): "\"\(value)\""
        case .binary(let bytes): "<\(bytes.count) bytes>"
        case .object(let members):
            "{" + members.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

// MARK: - Validation

extension ProtectedValue {
    /// The name of the top-level object in error paths: `data.profile.age`.
    package static let rootPath = "data"

    /// Checks that this value can be protected, as iExec's `ensureDataObjectIsValid` and `createZipFromObject` check a
    /// data object, and throws ``ProtectedDataError`` naming the first offending key path.
    ///
    /// Refused, as iExec refuses them: a top level that is not an object; an empty key; a key with a character
    /// outside `[a-zA-Z0-9_-]`; a number that is not finite. Refused by Clave where iExec is silent: a key twice in
    /// one object (a JavaScript object cannot hold one, a Swift array can), and an empty object (iExec writes an empty
    /// folder and the schema `{}`, which protects nothing and no schema query can match).
    public func validate() throws(ProtectedDataError) {
        guard case .object = self else {
            throw ProtectedDataError(
                .invalidValue, at: Self.rootPath,
                "protected data must be an object of keys to values, found \(kind); wrap the value in an object, "
                    + "e.g. {\"value\": ...}.")
        }
        try validate(at: Self.rootPath)
    }

    private func validate(at path: String) throws(ProtectedDataError) {
        switch self {
        case .number(let value):
            guard value.isFinite else {
                throw ProtectedDataError(
                    .invalidValue, at: path, "the number \(value) is not finite; protect only finite numbers.")
            }
        case .bool, .bigint, .string, .binary:
            break
        case .object(let members):
            guard !members.isEmpty else {
                throw ProtectedDataError(
                    .invalidValue, at: path, "the object is empty; give it at least one member or remove it.")
            }
            var seen = Set<String>()
            for member in members {
                try Self.checkKey(member.key, in: path)
                guard seen.insert(member.key).inserted else {
                    throw ProtectedDataError(
                        .invalidKey, at: "\(path).\(member.key)", "the key appears twice in one object; keep one.")
                }
                try member.value.validate(at: "\(path).\(member.key)")
            }
        }
    }

    /// iExec's key rule: not empty, and only `a-z`, `A-Z`, `0-9`, `-` and `_` (`^[a-zA-Z0-9\-_]*$`).
    package static func checkKey(_ key: String, in path: String) throws(ProtectedDataError) {
        guard !key.isEmpty else {
            throw ProtectedDataError(.invalidKey, at: path, "a key is empty; name every member.")
        }
        guard isValidKey(key) else {
            throw ProtectedDataError(
                .invalidKey, at: "\(path).\(key)",
                "the key has a character outside a-z, A-Z, 0-9, '-' and '_', which iExec's dataprotector refuses; "
                    + "rename it (a '.' separates the keys of a path, a '/' the folders of the zip).")
        }
    }

    package static func isValidKey(_ key: some StringProtocol) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }

    /// What kind of value this is, for messages.
    package var kind: String {
        switch self {
        case .bool: "a boolean"
        case .number: "a number"
        case .bigint: "a bigint"
        case .string: "a string"
        case .binary: "binary data"
        case .object: "an object"
        }
    }
}

// MARK: - JavaScript property order

extension ProtectedValue {
    /// `members` in the order JavaScript enumerates an object's own properties (`Object.entries`, `for...in`): keys
    /// that are array indices (`0`, `1`, `42`: canonical decimal integers below 2^32 − 1) first, in increasing numeric
    /// order, then the other keys in insertion order.
    package static func javaScriptOrder(
        _ members: [(key: String, value: ProtectedValue)]
    ) -> [(key: String, value: ProtectedValue)] {
        let indices = members.compactMap { member in arrayIndex(member.key).map { (index: $0, member: member) } }
        guard !indices.isEmpty else { return members }
        return indices.sorted { $0.index < $1.index }.map { $0.member } + members.filter { arrayIndex($0.key) == nil }
    }

    /// The value of `key` when JavaScript treats it as an array index: `0`, or a digit 1-9 followed by digits, below
    /// 2^32 − 1.
    package static func arrayIndex(_ key: some StringProtocol) -> UInt32? {
        guard let first = key.utf8.first, first != UInt8(ascii: "0") || key.utf8.count == 1,
            key.utf8.count <= 10, key.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let value = UInt64(key), value < 0xFFFF_FFFF
        else { return nil }
        return UInt32(value)
    }
}
