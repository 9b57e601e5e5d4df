/// Why evidence was refused or could not be made: an opaque, stable ``Code`` to match on and a message a person can
/// act on (what was wrong, with the values involved, and what to do).
public struct AttestationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The evidence document cannot be read: not JSON, a member missing, unknown or of the wrong type.
        public static let invalidFormat = Code("invalidFormat")
        /// The evidence is of a kind this verifier does not check.
        public static let unsupportedKind = Code("unsupportedKind")
        /// The evidence's signature (or quote) is malformed, or does not cover its measurement and report data.
        public static let invalidSignature = Code("invalidSignature")
        /// The evidence is well signed, but by an attester this verifier does not trust.
        public static let untrustedAttester = Code("untrustedAttester")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
