/// Why a requester's or developer's operation failed, and what to do.
public struct RequesterError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The ledger answered something it should not have.
        public static let ledger = Code(rawValue: "ledger")
        /// No order lets the requester run this app (on this dataset).
        public static let noMatchingOrder = Code(rawValue: "noMatchingOrder")
        /// The task failed; the message says why.
        public static let taskFailed = Code(rawValue: "taskFailed")
        /// The task did not end before the requester stopped waiting.
        public static let timedOut = Code(rawValue: "timedOut")
        /// The result's receipt or content does not verify.
        public static let resultInvalid = Code(rawValue: "resultInvalid")
        /// What the requester gave is not usable (a missing file, a bad secret name, …).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
