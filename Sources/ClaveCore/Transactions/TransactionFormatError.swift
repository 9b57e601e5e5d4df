/// A transaction that cannot be read: malformed JSON, a missing or unknown field, a value of the wrong type, or a
/// signature that is not the sender's. Nothing about it reaches the state.
public struct TransactionFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The bytes are not JSON, or not an object where one is needed.
        public static let invalidJSON = Code("invalidJSON")
        /// A required field is absent.
        public static let missingField = Code("missingField")
        /// A field the format does not define is present (a misspelling, or a field of another type).
        public static let unknownField = Code("unknownField")
        /// A field holds a value of the wrong kind or out of range.
        public static let invalidValue = Code("invalidValue")
        /// `type` names no operation.
        public static let unknownType = Code("unknownType")
        /// The signature is malformed, or was not made by `from` over this transaction.
        public static let badSignature = Code("badSignature")
    }

    public let code: Code
    /// Where in the document, e.g. `transaction.body.app.order.appprice`.
    public let path: String
    public let message: String

    public init(_ code: Code, at path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(code)]" }
}
