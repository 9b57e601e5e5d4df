public import ClaveCrypto

/// What a protected data holds, without its values: iExec's `DataSchema`, the dataset's `schema` on the ledger.
///
/// Each key maps to a type — `bool`, `f64`, `i128`, `string`, or for binary data the MIME type sniffed from its first
/// bytes (``MIMESniffer``) — or to the schema of a nested object, exactly as iExec's `extractDataSchema` writes it:
///
/// ```json
/// {"email":"string","picture":"image/png","profile":{"age":"f64","balance":"i128"}}
/// ```
///
/// Its text on the ledger (``canonicalText``) is that JSON in RFC 8785 form: no whitespace, keys sorted. (iExec stores
/// `JSON.stringify(schema)`, in the data's key order; Clave sorts, so one schema has one text.) Apps and requesters
/// find data by schema with a ``ProtectedDataSchemaQuery``.
public struct ProtectedDataSchema: Sendable, Hashable, CustomStringConvertible {
    /// One key's type, or the schema of the object under it.
    public indirect enum Entry: Sendable, Hashable {
        case type(String)
        case object(ProtectedDataSchema)
    }

    /// The scalar types; any other type is a MIME type of binary data.
    public static let scalarTypes = ["bool", "f64", "i128", "string"]

    /// Every type a schema may give: the scalar types and iExec's supported MIME types.
    public static let supportedTypes = scalarTypes + MIMESniffer.supportedTypes

    /// The keys and their entries.
    public let fields: [String: Entry]

    /// A schema from its fields, checked as iExec's `ensureDataSchemaIsValid` checks one (keys, supported types),
    /// and not empty at any level.
    public init(fields: [String: Entry]) throws(ProtectedDataError) {
        try Self.check(fields, at: ProtectedValue.rootPath)
        self.fields = fields
    }

    private init(uncheckedFields fields: [String: Entry]) {
        self.fields = fields
    }

    /// The schema of `value`, as iExec's `extractDataSchema` gives it: `bool`, `f64`, `i128`, `string`, the sniffed
    /// MIME type of binary data, and nested schemas for nested objects. Validates `value` first.
    public init(of value: ProtectedValue) throws(ProtectedDataError) {
        try value.validate()
        self = Self.extract(value.members ?? [])
    }

    private static func extract(_ members: [(key: String, value: ProtectedValue)]) -> ProtectedDataSchema {
        var fields: [String: Entry] = [:]
        for (key, value) in members {
            fields[key] =
                switch value {
                case .bool: .type("bool")
                case .number: .type("f64")
                case .bigint: .type("i128")
                case .string: .type("string")
                case .binary(let bytes): .type(MIMESniffer.mimeType(of: bytes))
                case .object(let nested): .object(extract(nested))
                }
        }
        return ProtectedDataSchema(uncheckedFields: fields)
    }

    /// The entry at a key path, if there is one.
    public func entry<Path: Collection>(at path: Path) -> Entry? where Path.Element: StringProtocol {
        guard let first = path.first else { return .object(self) }
        guard let entry = fields[String(first)] else { return nil }
        if path.count == 1 { return entry }
        guard case .object(let nested) = entry else { return nil }
        return nested.entry(at: path.dropFirst())
    }

    /// Every leaf as `path:type`, with `.` between keys, sorted: how iExec's subgraph lists a schema, and what a
    /// ``ProtectedDataSchemaQuery`` asks for. `{"a":{"b":"string"},"c":"bool"}` gives `["a.b:string", "c:bool"]`.
    public var paths: [String] {
        var result: [String] = []
        func walk(_ schema: ProtectedDataSchema, _ prefix: String) {
            for (key, entry) in schema.fields {
                switch entry {
                case .type(let type): result.append("\(prefix)\(key):\(type)")
                case .object(let nested): walk(nested, "\(prefix)\(key).")
                }
            }
        }
        walk(self, "")
        return result.sorted()
    }

    // MARK: JSON

    /// The schema as a JSON object.
    public var json: JSONValue {
        .object(
            JSONValue.Object(
                fields.mapValues { entry in
                    switch entry {
                    case .type(let type): .string(type)
                    case .object(let nested): nested.json
                    }
                }))
    }

    /// The RFC 8785 bytes of ``json``: what the ledger stores as the dataset's schema.
    public var canonicalJSON: [UInt8] { CanonicalJSON.encode(json) }

    /// ``canonicalJSON`` as text.
    public var canonicalText: String { String(decoding: canonicalJSON, as: UTF8.self) }

    public var description: String { canonicalText }

    /// Reads a schema from JSON, checking it as ``init(fields:)`` does.
    public init(json: JSONValue) throws(ProtectedDataError) {
        self = try Self.read(json, at: ProtectedValue.rootPath)
    }

    /// Reads a schema from JSON text such as ``canonicalText``.
    public init(parsing text: some StringProtocol) throws(ProtectedDataError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw ProtectedDataError(
                .invalidSchema, at: ProtectedValue.rootPath, "the schema is not JSON: \(error.message)")
        }
        try self.init(json: value)
    }

    private static func read(_ json: JSONValue, at path: String) throws(ProtectedDataError) -> ProtectedDataSchema {
        guard case .object(let object) = json else {
            throw ProtectedDataError(.invalidSchema, at: path, "a schema is a JSON object, found \(json.kind).")
        }
        var fields: [String: Entry] = [:]
        for (key, value) in object {
            let memberPath = "\(path).\(key)"
            switch value {
            case .string(let type): fields[key] = .type(type)
            case .object: fields[key] = .object(try read(value, at: memberPath))
            default:
                throw ProtectedDataError(
                    .invalidSchema, at: memberPath, "expected a type name or a nested schema, found \(value.kind).")
            }
        }
        try check(fields, at: path)
        return ProtectedDataSchema(uncheckedFields: fields)
    }

    private static func check(_ fields: [String: Entry], at path: String) throws(ProtectedDataError) {
        guard !fields.isEmpty else {
            throw ProtectedDataError(.invalidSchema, at: path, "the schema has no keys; a schema describes some data.")
        }
        for (key, entry) in fields.sorted(by: { $0.key < $1.key }) {
            do {
                try ProtectedValue.checkKey(key, in: path)
            } catch {
                throw ProtectedDataError(.invalidSchema, at: error.path, error.message)
            }
            switch entry {
            case .type(let type):
                guard supportedTypes.contains(type) else {
                    throw ProtectedDataError(
                        .invalidSchema, at: "\(path).\(key)",
                        "the type \"\(type)\" is not one iExec's dataprotector writes; use one of "
                            + supportedTypes.joined(separator: ", ") + ".")
                }
            case .object(let nested):
                try check(nested.fields, at: "\(path).\(key)")
            }
        }
    }
}

extension ProtectedDataSchema.Entry {
    /// The type name when this entry is a leaf.
    public var type: String? {
        if case .type(let type) = self { return type }
        return nil
    }

    /// Whether the leaf holds raw bytes (a MIME type) rather than a Borsh scalar.
    public var isBinary: Bool {
        guard let type else { return false }
        return !ProtectedDataSchema.scalarTypes.contains(type)
    }
}
