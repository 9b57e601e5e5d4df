/// What a protected data must hold to be found (iExec's `getProtectedData({requiredSchema})`), written as
/// `path:type` requirements that must all hold: `email:string`, `profile.age:f64`, `picture:image/png`.
///
/// A path is keys joined with `.` (each key `[a-zA-Z0-9_-]+`); a type is one of ``ProtectedDataSchema/supportedTypes``.
/// A schema matches when every path leads to a leaf of exactly that type; other keys in the schema do not matter.
///
/// ```swift
/// let query = try ProtectedDataSchemaQuery(parsing: ["email:string", "profile.age:f64"])
/// query.matches(schema)
/// ```
public struct ProtectedDataSchemaQuery: Sendable, Hashable, CustomStringConvertible {
    /// One requirement: the leaf at `path` has type `type`.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public let path: [String]
        public let type: String

        public var description: String { path.joined(separator: ".") + ":" + type }
    }

    /// The requirements, in the order given; none repeats a path.
    public let requirements: [Requirement]

    /// Parses `path:type` requirements; throws ``ProtectedDataError/Code/invalidQuery`` naming the offending one
    /// (`query[1]`) for a missing `:`, an empty or invalid key, an unsupported type, or a path given twice.
    public init(parsing texts: [String]) throws(ProtectedDataError) {
        var requirements: [Requirement] = []
        for (index, text) in texts.enumerated() {
            let requirement = try Self.parse(text, at: "query[\(index)]")
            if requirements.contains(where: { $0.path == requirement.path }) {
                throw ProtectedDataError(
                    .invalidQuery, at: "query[\(index)]",
                    "\"\(text)\" names the path \(requirement.path.joined(separator: ".")) a second time; "
                        + "a path has one type, so give it once.")
            }
            requirements.append(requirement)
        }
        self.requirements = requirements
    }

    /// Parses one or more requirements separated by commas: `email:string,profile.age:f64`.
    public init(parsing text: String) throws(ProtectedDataError) {
        try self.init(parsing: text.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    private static func parse(_ text: String, at location: String) throws(ProtectedDataError) -> Requirement {
        let shape = "write a requirement as path:type, e.g. email:string or profile.age:f64"
        guard let colon = text.firstIndex(of: ":") else {
            throw ProtectedDataError(.invalidQuery, at: location, "\"\(text)\" has no ':' before its type; \(shape).")
        }
        let pathText = text[..<colon]
        let type = String(text[text.index(after: colon)...])
        let path = pathText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !pathText.isEmpty, path.allSatisfy({ ProtectedValue.isValidKey($0) }) else {
            throw ProtectedDataError(
                .invalidQuery, at: location,
                "\"\(text)\" has an empty key or a key with a character outside a-z, A-Z, 0-9, '-' and '_' in its "
                    + "path; \(shape).")
        }
        guard ProtectedDataSchema.supportedTypes.contains(type) else {
            throw ProtectedDataError(
                .invalidQuery, at: location,
                "\"\(text)\" asks for the type \"\(type)\", which no protected data has; use one of "
                    + ProtectedDataSchema.supportedTypes.joined(separator: ", ") + ".")
        }
        return Requirement(path: path, type: type)
    }

    /// Whether `schema` meets every requirement.
    public func matches(_ schema: ProtectedDataSchema) -> Bool {
        requirements.allSatisfy { schema.entry(at: $0.path)?.type == $0.type }
    }

    public var description: String { requirements.map(\.description).joined(separator: ",") }
}
