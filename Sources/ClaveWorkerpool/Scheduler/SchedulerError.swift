/// Why the scheduler refused a worker's or a requester's request: an opaque, stable ``Code`` to match on and a
/// message a person can act on.
public struct SchedulerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of refusal. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A document cannot be read: not an object, a member missing, unknown or malformed.
        public static let invalidRequest = Code("invalidRequest")
        /// The login's signature is malformed or recovers to someone else than the worker it names.
        public static let invalidSignature = Code("invalidSignature")
        /// The login names a challenge this scheduler did not issue, already used, or that expired.
        public static let unknownChallenge = Code("unknownChallenge")
        /// The login was made for another workerpool.
        public static let wrongWorkerpool = Code("wrongWorkerpool")
        /// The session is unknown or expired (the worker stopped heartbeating): log in again.
        public static let unknownSession = Code("unknownSession")
        /// The worker reported on a task it was not assigned.
        public static let notAssigned = Code("notAssigned")
        /// The ledger or the SMS could not be reached or refused what the scheduler asked.
        public static let unavailable = Code("unavailable")
        /// The scheduler is shutting down.
        public static let shuttingDown = Code("shuttingDown")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
