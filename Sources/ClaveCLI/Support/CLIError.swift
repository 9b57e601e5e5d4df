import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command's failure, told to the user as one message that says what went wrong and what to do, with an opaque
/// code to match on.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A command failed in a way no other code names.
        public static let failed = Code("failed")
        /// What the user gave (an argument, a file) cannot be used.
        public static let invalidInput = Code("invalidInput")
        /// No Clave node answers at the URL given.
        public static let nodeUnreachable = Code("nodeUnreachable")
        /// The node refused what was asked (a transaction, an order, a cancel request).
        public static let refused = Code("refused")
        /// What was asked for does not exist on the node.
        public static let notFound = Code("notFound")
        /// A ledger's log does not replay.
        public static let verificationFailed = Code("verificationFailed")
        /// A system call failed.
        public static let systemFailure = Code("systemFailure")
    }

    public let code: Code
    public let message: String

    public init(_ message: String) {
        self.init(.failed, message)
    }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
