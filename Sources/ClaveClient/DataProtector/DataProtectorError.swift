/// Why a DataProtector operation did not happen: what was wrong and what to do.
///
/// Refusals of the services it calls keep their own types (``ClaveCore/Rejection``, ``ClaveMarket/MarketError``, ...);
/// this error is for what the DataProtector itself checks before it asks them, and for ``DataProtector/protectData``'s
/// stages.
public struct DataProtectorError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// No dataset is registered at the address given.
        public static let unknownProtectedData = Code("unknownProtectedData")
        /// No app is registered at the address given.
        public static let unknownApp = Code("unknownApp")
        /// The signing account does not own the protected data.
        public static let notOwner = Code("notOwner")
        /// An argument is out of range or malformed.
        public static let invalidArgument = Code("invalidArgument")
        /// A local file could not be read or written.
        public static let io = Code("io")
        /// A stage of protecting data failed; ``DataProtectorError/stage`` says which.
        public static let stageFailed = Code("stageFailed")
    }

    public let code: Code
    public let message: String
    /// The stage of ``DataProtector/protectData`` that failed, for ``Code/stageFailed``.
    public let stage: ProtectStage?

    public init(_ code: Code, _ message: String, stage: ProtectStage? = nil) {
        self.code = code
        self.message = message
        self.stage = stage
    }

    public var description: String { message }
}
