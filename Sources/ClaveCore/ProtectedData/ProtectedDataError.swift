/// Protected data that cannot be built, encoded or read back: a key or value iExec's dataprotector refuses, a schema or
/// schema query that is malformed, or a zip that is not the layout Clave writes.
public struct ProtectedDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A key is empty or has a character outside `[a-zA-Z0-9_-]`.
        public static let invalidKey = Code("invalidKey")
        /// A value cannot be protected: an empty object, a number that is not finite, an integer outside i128, or a
        /// JSON value with no protected-data form (null, an array, an unknown `$` object).
        public static let invalidValue = Code("invalidValue")
        /// A `$file` could not be read.
        public static let unreadableFile = Code("unreadableFile")
        /// A schema is not an object of keys to `bool`, `f64`, `i128`, `string`, a supported MIME type or a schema.
        public static let invalidSchema = Code("invalidSchema")
        /// A schema query is not `path:type` with a valid path and type.
        public static let invalidQuery = Code("invalidQuery")
        /// Borsh bytes do not decode as the type the schema gives.
        public static let invalidBorsh = Code("invalidBorsh")
        /// Bytes are not a zip archive this reader accepts (structure, sizes, compression method).
        public static let invalidZip = Code("invalidZip")
        /// A zip entry's data does not match its CRC-32.
        public static let checksumMismatch = Code("checksumMismatch")
        /// A zip does not hold the entries its schema names, or holds others.
        public static let schemaMismatch = Code("schemaMismatch")
    }

    public let code: Code
    /// Where: a key path such as `record.contact.email` (`record` is the top-level object), a zip entry name, or
    /// `query[1]`.
    public let path: String
    public let message: String

    public init(_ code: Code, at path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(code)]" }
}
