/// A JSON value (RFC 8259), held exactly enough to be canonicalized and signed.
///
/// - Numbers keep the text they were written with (``Number/text``) beside the IEEE-754 double it denotes; the
///   canonical form (``CanonicalJSON``) prints the double as ECMAScript does, so `1.0`, `1E0` and `1` sign the same.
/// - Objects hold each member name once (``Object``); a document that repeats a name is refused when parsed.
/// - Equality is exact: strings and member names compare by their Unicode scalars, not by Swift's canonical
///   equivalence, because `"é"` (U+00E9) and `"e\u{301}"` have different canonical bytes and so different
///   signatures. Numbers compare by their text: `1.0` and `1` are different values with the same canonical form.
///
/// Parse untrusted text with `init(parsing:limits:)`; build values in code with literals:
///
/// ```swift
/// let body: JSONValue = ["to": "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", "amount": "1000000000"]
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Number)
    case string(String)
    case array([JSONValue])
    case object(Object)

    /// Limits that keep hostile input from costing much time, memory or stack.
    public struct Limits: Sendable, Hashable {
        /// The most bytes a JSON text may have. Default 1 MiB.
        public var maxBytes: Int
        /// The most arrays and objects that may be nested inside each other. Default 64.
        public var maxDepth: Int
        /// The most characters one number may be written with. Default 1,000: no double needs more than 767
        /// significant digits to be written exactly.
        public var maxNumberLength: Int

        public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxNumberLength: Int = 1000) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxNumberLength = maxNumberLength
        }
    }
}

// MARK: - Reading values

extension JSONValue {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var numberValue: Number? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: Object? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member named `key` when this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The element at `index` when this is an array that long.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    // No ExpressibleByNilLiteral: `object["name"] = nil` removes a member, and must not be mistaken for `.null`.

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Number(value)) }

    /// A number from a floating-point literal, written as its canonical (ECMAScript) text.
    public init(floatLiteral value: Double) {
        guard let number = Number(value) else { preconditionFailure("JSON has no number \(value)") }
        self = .number(number)
    }

    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    /// An object from a dictionary literal; a name written twice is a programming error, as in `Dictionary`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        do {
            self = .object(try Object(elements))
        } catch {
            preconditionFailure(error.message)
        }
    }
}

// MARK: - Exact equality

extension JSONValue {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): exactlyEqual(a, b)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0)
        case .bool(let value):
            hasher.combine(1)
            hasher.combine(value)
        case .number(let value):
            hasher.combine(2)
            hasher.combine(value)
        case .string(let value):
            hasher.combine(3)
            JSONValue.hashExactly(value, into: &hasher)
        case .array(let value):
            hasher.combine(4)
            hasher.combine(value)
        case .object(let value):
            hasher.combine(5)
            hasher.combine(value)
        }
    }

    /// Whether two strings have the same Unicode scalars (Swift's `==` also equates canonically equivalent ones).
    static func exactlyEqual(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }

    static func hashExactly(_ text: String, into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(text.utf8.count)
    }
}

// MARK: - Text

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text: no whitespace, members in canonical order, numbers exactly as written (see ``serialized()``).
    public var description: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Compact JSON: no whitespace, members in canonical order, strings escaped as RFC 8785 escapes them, and numbers
    /// exactly as written, so that no digit is lost (a `UInt64` amount written as a number stays exact).
    ///
    /// This equals ``CanonicalJSON/encode(_:)`` when every number is already written in its canonical form; sign and
    /// hash the canonical bytes, never these.
    public func serialized() -> [UInt8] {
        var writer = JSONWriter(numbers: .asWritten)
        writer.write(self)
        return writer.bytes
    }
}

extension JSONValue {
    /// What kind of value this is, for error messages ("a string", "an object", ...).
    package var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
