/// An error from ClaveCrypto: an opaque, stable ``Code`` to match on and a message a person can act on
/// (what failed, why, and what to do).
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Match on it; never parse ``message``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Text that should be hexadecimal is not.
        public static let invalidHex = Code("invalidHex")
        /// A value has the wrong number of bytes or characters.
        public static let invalidLength = Code("invalidLength")
        /// A private key is zero or not below the curve order.
        public static let invalidPrivateKey = Code("invalidPrivateKey")
        /// Bytes are not a point on secp256k1.
        public static let invalidPublicKey = Code("invalidPublicKey")
        /// A signature is malformed (r or s out of range, bad recovery id).
        public static let invalidSignature = Code("invalidSignature")
        /// A signature has a high s value, which Ethereum (EIP-2) refuses because it is malleable.
        public static let highS = Code("highS")
        /// A signature does not recover to the expected signer.
        public static let signatureMismatch = Code("signatureMismatch")
        /// A mixed-case address fails its EIP-55 checksum.
        public static let badChecksum = Code("badChecksum")
        /// EIP-712 typed data does not match its type definitions.
        public static let invalidTypedData = Code("invalidTypedData")
        /// Ciphertext failed authentication: tampered, truncated, reordered, spliced or the wrong key.
        public static let authenticationFailed = Code("authenticationFailed")
        /// An encrypted stream or envelope has a malformed header or an unknown version.
        public static let invalidFormat = Code("invalidFormat")
        /// A keystore file could not be opened with the password given.
        public static let wrongPassword = Code("wrongPassword")
        /// A keystore file uses a cipher, KDF or version this implementation does not read.
        public static let unsupportedKeystore = Code("unsupportedKeystore")
        /// A keystore opened, but its key belongs to another address than the one the file states.
        public static let addressMismatch = Code("addressMismatch")
        /// The underlying cryptographic library failed unexpectedly.
        public static let libraryFailure = Code("libraryFailure")
        /// Reading or writing a stream failed.
        public static let io = Code("io")
        /// Text is not JSON that Clave accepts (RFC 8259, no duplicate member names, within the size and depth
        /// limits), or a JSON value does not have the shape a Codable type expects.
        public static let invalidJSON = Code("invalidJSON")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
