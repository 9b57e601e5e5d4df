/// Why the SMS refused a request: an opaque, stable ``Code`` to match on and a message a person can act on (what was
/// wrong, with the values involved, and what to do).
///
/// A refused request changes nothing and releases nothing: no secret is stored or replaced, no nonce is spent, no
/// session is sealed.
public struct SMSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of refusal. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }

        // MARK: Requests

        /// A request document cannot be read: not an object, a member missing or unknown, a value of the wrong type
        /// or malformed (an address, a hash, base64, a key, evidence).
        public static let invalidRequest = Code("invalidRequest")

        // MARK: Pushes

        /// The push is well formed but inconsistent: a name its kind does not allow, or a value that does not hash
        /// to the challenge's `valueHash`.
        public static let invalidPush = Code("invalidPush")
        /// The challenge was made for another SMS (another chain id or hub).
        public static let wrongDomain = Code("wrongDomain")
        /// The push's signature is malformed, or recovers to someone else than the challenge's `signer`.
        public static let invalidSignature = Code("invalidSignature")
        /// The signer may not push this secret: not the dataset's or the app's current owner, or not the requester.
        public static let notOwner = Code("notOwner")
        /// The dataset or app the push targets is not registered on the ledger.
        public static let unknownAsset = Code("unknownAsset")
        /// The challenge's expiry has passed.
        public static let expired = Code("expired")
        /// The challenge's expiry is further in the future than the SMS accepts.
        public static let expiryTooFar = Code("expiryTooFar")
        /// This challenge (its nonce) was already used: a captured push cannot be sent again.
        public static let replayed = Code("replayed")
        /// The value is larger than the SMS keeps.
        public static let tooLarge = Code("tooLarge")
        /// A dataset key is stored already; it is written once.
        public static let alreadyExists = Code("alreadyExists")

        // MARK: Sessions

        /// The task is not ACTIVE on the ledger (unknown, not initialized, or past its contributions).
        public static let taskNotActive = Code("taskNotActive")
        /// The worker's authorization is not for this task or not for the task's enclave challenge.
        public static let invalidAuthorization = Code("invalidAuthorization")
        /// The authorization is not signed by the current owner of the deal's workerpool.
        public static let notPoolOwner = Code("notPoolOwner")
        /// The evidence's proof is invalid, or of a kind this SMS cannot check.
        public static let evidenceInvalid = Code("evidenceInvalid")
        /// The evidence's kind is not one the deal's tag accepts (simulated evidence for a TEE deal, ...).
        public static let evidenceKindRefused = Code("evidenceKindRefused")
        /// The app has no measurement registered on the ledger, so no evidence can match it.
        public static let noMeasurement = Code("noMeasurement")
        /// The evidence's measurement is not the app's registered fingerprint.
        public static let wrongMeasurement = Code("wrongMeasurement")
        /// The evidence's report data does not bind this session key and this task.
        public static let evidenceNotBound = Code("evidenceNotBound")
        /// The dataset's owner revoked the grant: the deal's dataset order was closed.
        public static let grantRevoked = Code("grantRevoked")
        /// A secret the task needs (its dataset key, a requester secret its deal names) was never pushed.
        public static let missingSecret = Code("missingSecret")
        /// The deal's params cannot be read as iExec's (`iexec_secrets` is not an object of index -> name).
        public static let invalidDealParams = Code("invalidDealParams")

        // MARK: Infrastructure

        /// The ledger could not be read.
        public static let ledgerUnavailable = Code("ledgerUnavailable")
        /// The SMS could not be reached (a client's connection failed, or the node answered something else).
        public static let unavailable = Code("unavailable")
        /// The SMS's database failed, or holds a row it cannot decrypt.
        public static let storage = Code("storage")
        /// The master key file is missing, unreadable, readable by others, or not the key of this database.
        public static let masterKey = Code("masterKey")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
