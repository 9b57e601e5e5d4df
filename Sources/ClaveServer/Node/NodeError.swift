/// Why a node could not start or serve: an opaque, stable ``Code`` to match on and a message a person can act on.
public struct NodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Something is at the data directory's path, but it is not a node's data directory.
        public static let notANodeDirectory = Code("notANodeDirectory")
        /// The data directory is a node's, but a file in it is missing, unreadable or was edited.
        public static let corruptDirectory = Code("corruptDirectory")
        /// The data directory could not be created.
        public static let creationFailed = Code("creationFailed")
        /// Another node runs on the same data directory.
        public static let directoryInUse = Code("directoryInUse")
        /// The HTTP server could not listen on the host and port asked for.
        public static let listenFailed = Code("listenFailed")
        /// The configuration is not one a node can run with.
        public static let invalidConfiguration = Code("invalidConfiguration")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
