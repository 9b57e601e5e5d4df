/// A task's result that cannot be read, digested or vouched for: a `computed.json` the worker refuses, an output that
/// has nothing to digest, an enclave signature by the wrong key, a sealed result that does not open, or a result
/// receipt that does not check.
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
        /// `deterministic-output-path` names a file or folder the app did not write.
        public static let outputNotFound = Code("outputNotFound")
        /// The output (or an entry of an output directory) is a symbolic link, device, socket or pipe: only regular
        /// files and directories are digested.
        public static let unsupportedOutputEntry = Code("unsupportedOutputEntry")

        // MARK: Sealed results (docs/formats/result-encryption.md)

        /// The bytes do not start with `clave-result-v1`: this is not a sealed result (perhaps a plain result, or
        /// another format).
        public static let notASealedResult = Code("notASealedResult")
        /// The sealed result's prefix is cut short or malformed: its envelope length or envelope is not what the
        /// format allows.
        public static let malformedSealedResult = Code("malformedSealedResult")
        /// The sealed result names another task than the one it is opened for.
        public static let sealedForAnotherTask = Code("sealedForAnotherTask")
        /// The sealed result does not authenticate: it was not sealed to this key, or a byte of it was altered, or it
        /// was truncated or extended.
        public static let sealedResultRefused = Code("sealedResultRefused")
        /// A file could not be read or written.
        public static let io = Code("io")

        // MARK: Receipts (docs/formats/result-receipt.md)

        /// A receipt (or a result location) that is not the JSON its format describes: a member missing, of the
        /// wrong type, not in its canonical spelling, or unknown.
        public static let malformedReceipt = Code("malformedReceipt")
        /// A value in the receipt disagrees with what it is computed from: resultHash or resultSeal with the task,
        /// worker and digest, or the callback data with the digest.
        public static let receiptMismatch = Code("receiptMismatch")
        /// The receipt signature was not made by the receipt's enclave challenge key over this receipt.
        public static let receiptSignatureMismatch = Code("receiptSignatureMismatch")
        /// The stored result (or the decrypted archive) is not the one the receipt describes: another sha256, size
        /// or digest.
        public static let storedResultMismatch = Code("storedResultMismatch")
    }

    public let code: Code
    /// Where: a `computed.json` key such as `deterministic-output-path`, a directory entry, `enclave-signature`, a
    /// receipt member, or a file.
    public let path: String
    public let message: String

    public init(_ code: Code, at path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(code)]" }
}
