/// A task's result that cannot be read, digested or vouched for: a `computed.json` the worker refuses, an output that
/// has nothing to digest, or an enclave signature by the wrong key.
public struct ResultError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// `computed.json` is not a JSON object, or a key is written in both spellings (kebab-case and camelCase).
        public static let malformedComputedFile = Code("malformedComputedFile")
        /// A `computed.json` field is a number, boolean, array or object where iExec expects a string.
        public static let notAString = Code("notAString")
        /// `computed.json` names neither a `deterministic-output-path` nor `callback-data`, or names an empty one.
        public static let missingOutput = Code("missingOutput")
        /// `deterministic-output-path` leaves `$IEXEC_OUT` (`/iexec_out`): another absolute directory or a `..`.
        public static let outputOutsideIexecOut = Code("outputOutsideIexecOut")
        /// `callback-data`, `task-id`, `result-digest` or `enclave-signature` is not the hex it must be: digits that do
        /// not decode, an odd count, the wrong length, or (for the signature) bytes that are not a valid signature.
        public static let invalidHex = Code("invalidHex")
        /// There is nothing to digest: the deterministic output is an empty file or a directory with no entries, or
        /// the callback data is empty.
        public static let emptyOutput = Code("emptyOutput")
        /// A directory entry's name is empty, `.`, `..`, or holds a `/`: it is not a direct entry of the directory.
        public static let invalidEntryName = Code("invalidEntryName")
        /// An enclave signature was not made by the expected enclave challenge key over this result.
        public static let enclaveSignatureMismatch = Code("enclaveSignatureMismatch")
    }

    public let code: Code
    /// Where: a `computed.json` key such as `deterministic-output-path`, a directory entry, or `enclave-signature`.
    public let path: String
    public let message: String

    public init(_ code: Code, at path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(code)]" }
}
