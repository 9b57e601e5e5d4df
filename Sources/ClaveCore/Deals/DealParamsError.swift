/// A deal's `params` that Clave cannot run a task with: not a JSON object, a known member of the wrong type, an input
/// file URL or secret that is not what iExec's app I/O contract allows, or result encryption without a key.
public struct DealParamsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The params are not JSON, or not a JSON object.
        public static let malformedParams = Code("malformedParams")
        /// A known member has the wrong JSON type (`iexec_args` a number, `iexec_input_files` an object, ...).
        public static let wrongType = Code("wrongType")
        /// `iexec_args` has a quote that is never closed, or ends with a lone backslash.
        public static let invalidArguments = Code("invalidArguments")
        /// An input file URL that is neither `clave://<CID>/<file name>` nor http(s), or whose file name the app
        /// could not be given; or two input files with the same name.
        public static let invalidInputFile = Code("invalidInputFile")
        /// An `iexec_secrets` key that is not a positive index, or a name that is not a non-empty string.
        public static let invalidSecret = Code("invalidSecret")
        /// `iexec_result_encryption` is true but `clave_result_public_key` is missing.
        public static let missingResultKey = Code("missingResultKey")
        /// `clave_result_public_key` is not the 0x-hex of a usable 32-byte X25519 public key.
        public static let invalidResultKey = Code("invalidResultKey")
    }

    public let code: Code
    /// The params member at fault, such as `iexec_input_files[1]`.
    public let path: String
    public let message: String

    public init(_ code: Code, at path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(code)]" }
}
