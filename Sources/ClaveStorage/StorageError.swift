/// Why a blob store refused or failed: an opaque, stable ``Code`` to match on and a message a person can act on (what
/// failed, with the values involved, and what to do).
///
/// Every operation of a ``BlobStore`` throws only this type, whatever the store: the local directory, or a node
/// reached over HTTP (which rethrows the node's code and message).
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The store holds no blob with this CID.
        public static let notFound = Code("notFound")
        /// Stored content does not hash to its CID, or ended before its size: the disk, an editor or the network
        /// changed it. Nothing of it should be used.
        public static let corrupted = Code("corrupted")
        /// The content is larger than the store, or the caller, accepts.
        public static let tooLarge = Code("tooLarge")
        /// Text or bytes are not a CID Clave reads (a CIDv1, raw codec, sha2-256, base32).
        public static let invalidCID = Code("invalidCID")
        /// The content hashes to another CID than the one the caller said to expect; it was not stored.
        public static let digestMismatch = Code("digestMismatch")
        /// The content holds another number of bytes than the caller declared; it was not stored.
        public static let sizeMismatch = Code("sizeMismatch")
        /// The content to store could not be read to its end (its source threw, or the upload broke off); nothing was
        /// stored.
        public static let sourceFailed = Code("sourceFailed")
        /// Reading or writing the store's files failed (permissions, free space, a missing folder).
        public static let io = Code("io")
        /// The store could not be reached (a node that is down or answers something else than Clave's API).
        public static let unavailable = Code("unavailable")
        /// The store does not do this (a node's API does not delete blobs).
        public static let unsupported = Code("unsupported")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
