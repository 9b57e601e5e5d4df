import Crypto
public import Foundation

/// RFC 9180 HPKE in base mode with Clave's one cipher suite: DHKEM(X25519, HKDF-SHA256) (`kem_id` 0x0020),
/// HKDF-SHA256 (`kdf_id` 0x0001) and AES-256-GCM (`aead_id` 0x0002).
///
/// This is the raw primitive, interoperable with any RFC 9180 implementation given the same `info` and
/// authenticated data. Clave's own messages use ``HPKEEnvelope``, which frames the output and binds a purpose.
///
/// ```swift
/// let sealed = try HPKEBase.seal(contentKey, to: beneficiaryKey, info: info)
/// let opened = try HPKEBase.open(sealed.ciphertext, encapsulatedKey: sealed.encapsulatedKey, with: privateKey, info: info)
/// ```
public enum HPKEBase {
    /// `kem_id` of DHKEM(X25519, HKDF-SHA256).
    public static let kemID: UInt16 = 0x0020
    /// `kdf_id` of HKDF-SHA256.
    public static let kdfID: UInt16 = 0x0001
    /// `aead_id` of AES-256-GCM.
    public static let aeadID: UInt16 = 0x0002
    /// Length of the encapsulated key `enc`: an X25519 public key.
    public static let encapsulatedKeyByteCount = 32
    /// Length of the AES-GCM tag that ends every ciphertext.
    public static let tagByteCount = 16

    static let ciphersuite = HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_256)

    /// Seals one message to `recipientKey`: a fresh ephemeral key, then the first message of its context.
    ///
    /// - Returns: the encapsulated key `enc` (32 bytes) and the ciphertext (plaintext length + 16-byte tag).
    ///   The recipient needs both, with the same `info` and `authenticatedData`.
    public static func seal(
        _ plaintext: some DataProtocol,
        to recipientKey: X25519PublicKey,
        info: some DataProtocol,
        authenticatedData: some DataProtocol = [UInt8]()
    ) throws(CryptoError) -> (encapsulatedKey: [UInt8], ciphertext: [UInt8]) {
        var sender = try Sender(recipientKey: recipientKey, info: info)
        let ciphertext = try sender.seal(plaintext, authenticatedData: authenticatedData)
        return (sender.encapsulatedKey, ciphertext)
    }

    /// Opens one message sealed by ``seal(_:to:info:authenticatedData:)`` (sequence number 0 of its context).
    ///
    /// - Throws: `.authenticationFailed` when the message was not sealed to this key, was altered, or `info` or
    ///   `authenticatedData` differ from the sender's; `.invalidLength` when `enc` is not 32 bytes or the
    ///   ciphertext is shorter than its tag.
    public static func open(
        _ ciphertext: some DataProtocol,
        encapsulatedKey: some DataProtocol,
        with privateKey: X25519PrivateKey,
        info: some DataProtocol,
        authenticatedData: some DataProtocol = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        var recipient = try Recipient(privateKey: privateKey, encapsulatedKey: encapsulatedKey, info: info)
        return try recipient.open(ciphertext, authenticatedData: authenticatedData)
    }

    /// The sending side of one HPKE context: each ``seal(_:authenticatedData:)`` uses the next sequence number.
    public struct Sender: Sendable {
        private var context: HPKE.Sender

        /// The encapsulated key `enc` to send with the ciphertexts.
        public let encapsulatedKey: [UInt8]

        /// Starts a context to `recipientKey` with a fresh ephemeral key.
        public init(recipientKey: X25519PublicKey, info: some DataProtocol) throws(CryptoError) {
            do {
                context = try HPKE.Sender(
                    recipientKey: recipientKey.cryptoKey,
                    ciphersuite: HPKEBase.ciphersuite,
                    info: Data(info)
                )
            } catch {
                throw CryptoError(.libraryFailure, "swift-crypto could not set up an HPKE sender: \(error).")
            }
            encapsulatedKey = Array(context.encapsulatedKey)
        }

        /// Seals the next message of this context.
        public mutating func seal(
            _ plaintext: some DataProtocol,
            authenticatedData: some DataProtocol = [UInt8]()
        ) throws(CryptoError) -> [UInt8] {
            do {
                return Array(try context.seal(plaintext, authenticating: authenticatedData))
            } catch {
                throw CryptoError(.libraryFailure, "swift-crypto could not seal an HPKE message: \(error).")
            }
        }
    }

    /// The receiving side of one HPKE context: each ``open(_:authenticatedData:)`` expects the next sequence
    /// number, so messages must be opened in the order they were sealed.
    public struct Recipient: Sendable {
        private var context: HPKE.Recipient

        /// Recovers the context from the sender's encapsulated key `enc`.
        ///
        /// - Throws: `.invalidLength` when `enc` is not 32 bytes; `.authenticationFailed` when it is a low-order
        ///   point (RFC 9180 section 7.1.4), which an honest sender never produces.
        public init(
            privateKey: X25519PrivateKey,
            encapsulatedKey: some DataProtocol,
            info: some DataProtocol
        ) throws(CryptoError) {
            let enc = Array(encapsulatedKey)
            guard enc.count == HPKEBase.encapsulatedKeyByteCount else {
                throw CryptoError(
                    .invalidLength,
                    "An HPKE encapsulated key (enc) for X25519 is 32 bytes, but \(enc.count) were given."
                )
            }
            guard (try? X25519PublicKey(rawRepresentation: enc)) != nil else {
                throw CryptoError(
                    .authenticationFailed,
                    "The encapsulated key is a low-order X25519 point, which no honest sender produces: this message was altered or forged."
                )
            }
            do {
                context = try HPKE.Recipient(
                    privateKey: privateKey.key,
                    ciphersuite: HPKEBase.ciphersuite,
                    info: Data(info),
                    encapsulatedKey: Data(enc)
                )
            } catch {
                throw CryptoError(
                    .authenticationFailed,
                    "The HPKE encapsulated key could not be decapsulated: \(error)."
                )
            }
        }

        /// Opens the next message of this context.
        public mutating func open(
            _ ciphertext: some DataProtocol,
            authenticatedData: some DataProtocol = [UInt8]()
        ) throws(CryptoError) -> [UInt8] {
            guard ciphertext.count >= HPKEBase.tagByteCount else {
                throw CryptoError(
                    .invalidLength,
                    "An HPKE ciphertext ends with a 16-byte AES-GCM tag, but only \(ciphertext.count) bytes were given: it was truncated."
                )
            }
            do {
                return Array(try context.open(ciphertext, authenticating: authenticatedData))
            } catch HPKE.Errors.outOfRangeSequenceNumber {
                throw CryptoError(.libraryFailure, "This HPKE context has opened all the messages it can (2^96 - 1).")
            } catch {
                // AES-GCM reports a bad tag as `authenticationFailure` with CryptoKit and as an underlying BoringSSL
                // error with swift-crypto on Linux; either way the ciphertext does not authenticate.
                throw CryptoError(
                    .authenticationFailed,
                    "This HPKE message was not sealed to this key, or it was altered (or its info or authenticated data differ from the sender's)."
                )
            }
        }
    }
}
