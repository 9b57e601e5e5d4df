public import Foundation

/// A message sealed with ``HPKEBase`` to one X25519 key, framed so that it says what it is: Clave uses it to
/// hand a task result's content key to the beneficiary.
///
/// The same envelope has two encodings (docs/formats/hpke-envelope.md):
/// - binary (``serialized``): `"CLHP"`, version `0x01`, `kem_id`, `kdf_id`, `aead_id` (big-endian `UInt16`),
///   then `enc` (32 bytes) and the ciphertext (with its 16-byte tag) to the end;
/// - JSON (``jsonData()``): `{"version": 1, "kem": 32, "kdf": 1, "aead": 2, "enc": "0x…", "ciphertext": "0x…"}`.
///
/// The HPKE `info` is the ``Purpose`` label, a zero byte, then the caller's context (a task id, say), so an envelope
/// sealed for one purpose or task cannot be passed off as another's. The 11-byte header is the authenticated data.
///
/// ```swift
/// let envelope = try HPKEEnvelope.seal(contentKey, to: beneficiaryKey, purpose: .result, context: taskID.bytes)
/// let contentKey = try envelope.open(with: beneficiaryPrivateKey, purpose: .result, context: taskID.bytes)
/// ```
public struct HPKEEnvelope: Sendable, Hashable, Codable {
    /// The only version this build writes and reads.
    public static let version: UInt8 = 1
    /// The first four bytes of the binary encoding: ASCII `CLHP`.
    public static let magic: [UInt8] = Array("CLHP".utf8)
    /// Magic, version and the three suite ids.
    static let headerByteCount = 11
    /// The shortest binary envelope: header, `enc`, and a tag around an empty plaintext.
    public static let minimumSerializedByteCount =
        headerByteCount + HPKEBase.encapsulatedKeyByteCount + HPKEBase.tagByteCount

    /// The encapsulated key `enc`: the sender's ephemeral X25519 public key, 32 bytes.
    public let encapsulatedKey: [UInt8]
    /// The AES-256-GCM ciphertext followed by its 16-byte tag.
    public let ciphertext: [UInt8]

    /// What an envelope is for. Its label starts the HPKE `info`, so opening with another purpose fails.
    public struct Purpose: Sendable, Hashable, CustomStringConvertible {
        /// ASCII text, never containing a zero byte (which separates it from the context).
        public let label: String

        /// A purpose named `label`, which must be non-empty ASCII without a zero byte.
        public init(label: String) {
            precondition(
                !label.isEmpty && label.utf8.allSatisfy { $0 != 0 && $0 < 0x80 },
                "An HPKE envelope purpose label must be non-empty ASCII without NUL"
            )
            self.label = label
        }

        /// A task result's content key, sealed to the beneficiary: `clave-result-v1`.
        public static let result = Purpose(label: "clave-result-v1")

        public var description: String { label }
    }

    /// Wraps parts already split, checking their lengths.
    public init(encapsulatedKey: some DataProtocol, ciphertext: some DataProtocol) throws(CryptoError) {
        let encapsulatedKey = Array(encapsulatedKey)
        let ciphertext = Array(ciphertext)
        guard encapsulatedKey.count == HPKEBase.encapsulatedKeyByteCount else {
            throw CryptoError(
                .invalidFormat,
                "The HPKE envelope's enc must be 32 bytes (an X25519 public key), but it has \(encapsulatedKey.count); the envelope was truncated or altered."
            )
        }
        guard ciphertext.count >= HPKEBase.tagByteCount else {
            throw CryptoError(
                .invalidFormat,
                "The HPKE envelope's ciphertext must be at least 16 bytes (its AES-GCM tag), but it has \(ciphertext.count); the envelope was truncated."
            )
        }
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
    }

    /// Seals `plaintext` to `recipientKey` for `purpose`, bound to `context` (which the opener must give again).
    public static func seal(
        _ plaintext: some DataProtocol,
        to recipientKey: X25519PublicKey,
        purpose: Purpose,
        context: some DataProtocol = [UInt8]()
    ) throws(CryptoError) -> HPKEEnvelope {
        let sealed = try HPKEBase.seal(
            plaintext,
            to: recipientKey,
            info: info(purpose: purpose, context: context),
            authenticatedData: header
        )
        return try HPKEEnvelope(encapsulatedKey: sealed.encapsulatedKey, ciphertext: sealed.ciphertext)
    }

    /// Opens the envelope with the recipient's private key, for the same purpose and context it was sealed with.
    ///
    /// - Throws: `.authenticationFailed` when it was not sealed to this key, was altered, or the purpose or
    ///   context differ.
    public func open(
        with privateKey: X25519PrivateKey,
        purpose: Purpose,
        context: some DataProtocol = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        do {
            return try HPKEBase.open(
                ciphertext,
                encapsulatedKey: encapsulatedKey,
                with: privateKey,
                info: Self.info(purpose: purpose, context: context),
                authenticatedData: Self.header
            )
        } catch let error where error.code == .authenticationFailed {
            throw CryptoError(
                .authenticationFailed,
                "This envelope was not sealed to this key, or it was altered (or it was sealed for another purpose or context than '\(purpose)' with the context given). Check that you hold the recipient's key."
            )
        }
    }

    /// The HPKE `info` for `purpose` and `context`: the label's ASCII bytes, `0x00`, then the context.
    public static func info(purpose: Purpose, context: some DataProtocol) -> [UInt8] {
        Array(purpose.label.utf8) + [0x00] + Array(context)
    }

    /// `CLHP`, the version, and the suite ids: the envelope's authenticated data.
    static let header: [UInt8] = {
        var bytes = magic + [version]
        for id in [HPKEBase.kemID, HPKEBase.kdfID, HPKEBase.aeadID] {
            bytes += [UInt8(id >> 8), UInt8(id & 0xFF)]
        }
        return bytes
    }()

    // MARK: Binary

    /// Parses the binary encoding.
    ///
    /// - Throws: `.invalidFormat` naming what is wrong: not an envelope, another version or suite, truncated.
    public init(serialized bytes: some DataProtocol) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.starts(with: Self.magic) else {
            throw CryptoError(
                .invalidFormat,
                "This is not a Clave HPKE envelope: it does not start with 'CLHP'. Check that you passed the sealed result key, not the result itself."
            )
        }
        guard bytes.count >= Self.headerByteCount else {
            throw CryptoError(
                .invalidFormat,
                "The HPKE envelope is truncated: \(bytes.count) bytes, not even its 11-byte header. Fetch it again."
            )
        }
        func id(at offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
        try Self.checkHeader(version: Int(bytes[4]), kem: Int(id(at: 5)), kdf: Int(id(at: 7)), aead: Int(id(at: 9)))
        guard bytes.count >= Self.minimumSerializedByteCount else {
            throw CryptoError(
                .invalidFormat,
                "The HPKE envelope is truncated: \(bytes.count) bytes, but the shortest is \(Self.minimumSerializedByteCount) (header, 32-byte enc, 16-byte tag). Fetch it again."
            )
        }
        let encEnd = Self.headerByteCount + HPKEBase.encapsulatedKeyByteCount
        try self.init(encapsulatedKey: bytes[Self.headerByteCount..<encEnd], ciphertext: bytes[encEnd...])
    }

    /// The binary encoding: header, `enc`, ciphertext.
    public var serialized: [UInt8] { Self.header + encapsulatedKey + ciphertext }

    static func checkHeader(version: Int, kem: Int, kdf: Int, aead: Int) throws(CryptoError) {
        guard version == Int(Self.version) else {
            throw CryptoError(
                .invalidFormat,
                "This HPKE envelope has version \(version), but this build of Clave reads only version \(Self.version). Upgrade Clave, or ask the sender for a version-\(Self.version) envelope."
            )
        }
        guard kem == Int(HPKEBase.kemID), kdf == Int(HPKEBase.kdfID), aead == Int(HPKEBase.aeadID) else {
            throw CryptoError(
                .invalidFormat,
                "This HPKE envelope uses cipher suite kem=\(hex16(kem)) kdf=\(hex16(kdf)) aead=\(hex16(aead)), but Clave reads only kem=0x0020 (DHKEM X25519, HKDF-SHA256), kdf=0x0001 (HKDF-SHA256), aead=0x0002 (AES-256-GCM)."
            )
        }
    }

    private static func hex16(_ value: Int) -> String {
        guard (0...0xFFFF).contains(value) else { return String(value) }
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    // MARK: JSON

    private enum CodingKeys: String, CodingKey {
        case version, kem, kdf, aead
        case encapsulatedKey = "enc"
        case ciphertext
    }

    /// Parses the JSON encoding.
    ///
    /// - Throws: `.invalidFormat` naming the missing or malformed field, the unknown version or suite.
    public init(jsonData: Data) throws(CryptoError) {
        do {
            self = try JSONDecoder().decode(HPKEEnvelope.self, from: jsonData)
        } catch let error as DecodingError {
            throw CryptoError(.invalidFormat, Self.explain(error))
        } catch {
            throw CryptoError(.invalidFormat, "This is not a valid HPKE envelope in JSON: \(error).")
        }
    }

    /// The JSON encoding, keys sorted.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers into JSON cannot fail.
        return try! encoder.encode(self)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        let kem = try container.decode(Int.self, forKey: .kem)
        let kdf = try container.decode(Int.self, forKey: .kdf)
        let aead = try container.decode(Int.self, forKey: .aead)
        func bytes(_ key: CodingKeys, _ what: String) throws -> [UInt8] {
            let text = try container.decode(String.self, forKey: key)
            do {
                return try Hex.decode(text, what: what)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: error.message)
            }
        }
        let encapsulatedKey = try bytes(.encapsulatedKey, "envelope's enc")
        let ciphertext = try bytes(.ciphertext, "envelope's ciphertext")
        do {
            try Self.checkHeader(version: version, kem: kem, kdf: kdf, aead: aead)
            try self.init(encapsulatedKey: encapsulatedKey, ciphertext: ciphertext)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.message, underlyingError: error)
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Int(Self.version), forKey: .version)
        try container.encode(Int(HPKEBase.kemID), forKey: .kem)
        try container.encode(Int(HPKEBase.kdfID), forKey: .kdf)
        try container.encode(Int(HPKEBase.aeadID), forKey: .aead)
        try container.encode(Hex.encode(encapsulatedKey), forKey: .encapsulatedKey)
        try container.encode(Hex.encode(ciphertext), forKey: .ciphertext)
    }

    /// A message for a JSON envelope that did not decode, naming the field at fault.
    private static func explain(_ error: DecodingError) -> String {
        let prefix = "This is not a valid HPKE envelope in JSON"
        func field(_ path: [any CodingKey]) -> String {
            "field '\(path.map(\.stringValue).joined(separator: "."))'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(prefix): \(field(context.codingPath + [key])) is missing."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(prefix): \(field(context.codingPath)) has the wrong type (\(context.debugDescription))."
        case .dataCorrupted(let context) where context.underlyingError is CryptoError:
            return context.debugDescription
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "\(prefix): it is not JSON. Check that you gave the envelope itself, and that it was not cut short."
        case .dataCorrupted(let context):
            return "\(prefix): \(field(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(prefix): \(error)."
        }
    }
}
