public import ClaveCrypto
import Crypto

/// A blob's name: a CIDv1 with the `raw` codec and a sha2-256 multihash, written in base32, as IPFS names a raw block
/// (docs/formats/cid.md).
///
/// The binary form is 36 bytes, `01 55 12 20` followed by the SHA-256 digest of the content: CID version 1, codec
/// `raw` (0x55), multihash function `sha2-256` (0x12), digest length 32 (0x20). The text form is multibase `base32`:
/// `b` followed by the binary form in lowercase RFC 4648 base32 without padding, 59 characters that always start
/// with `bafkrei`. The empty blob is `bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku`.
///
/// Only this one kind of CID is accepted, in this one spelling, so that a blob has exactly one name: parsing refuses
/// CIDv0 (`Qm…`), other multibases (`z…`, `f…`, uppercase `B…`), other codecs (`dag-pb`, `dag-cbor`, …) and other
/// hash functions, each with a message that says what the text is and what to give instead.
public struct CID: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The CID version: 1.
    public static let version: UInt8 = 0x01
    /// The multicodec of raw bytes (`raw`).
    public static let rawCodec: UInt8 = 0x55
    /// The multihash function code of SHA-256 (`sha2-256`).
    public static let sha256Code: UInt8 = 0x12
    /// The multihash digest length of SHA-256.
    public static let digestLength: UInt8 = 0x20
    /// The 4 bytes that start every binary CID this type reads: version, codec, hash function, digest length.
    public static let binaryPrefix: [UInt8] = [version, rawCodec, sha256Code, digestLength]
    /// The bytes of the binary form.
    public static let byteCount = 36
    /// The characters of the text form.
    public static let textCount = 59
    /// The multibase prefix of base32 (lowercase, no padding).
    public static let multibasePrefix: Character = "b"

    /// The SHA-256 digest of the content the CID names.
    public let sha256Digest: Bytes32

    /// The CID of the content whose SHA-256 digest is `sha256Digest`.
    public init(sha256Digest: Bytes32) {
        self.sha256Digest = sha256Digest
    }

    /// The CID of `content`, hashed at once. To name content while it streams, use ``Hasher``.
    public init(hashing content: some Collection<UInt8>) {
        var hasher = Hasher()
        hasher.update(content)
        self = hasher.finalize()
    }

    /// The binary form: `01 55 12 20` followed by the digest.
    public var bytes: [UInt8] { Self.binaryPrefix + sha256Digest.bytes }

    /// The text form: `bafkrei…`, 59 characters.
    public var description: String { "b" + Base32.encode(bytes) }

    /// Reads the binary form (36 bytes).
    public init(bytes: some Collection<UInt8>) throws(StorageError) {
        try self.init(binary: Array(bytes), text: nil)
    }

    /// Reads the text form: `b` followed by lowercase base32 of the binary form.
    ///
    /// - Throws: ``StorageError/Code/invalidCID``, with a message that names what is wrong (a CIDv0, another
    ///   multibase, another codec or hash function, a character outside base32, a wrong length) and what to give.
    public init(_ text: some StringProtocol) throws(StorageError) {
        let text = Substring(text)
        let shown = Self.shown(text)
        guard let first = text.first else {
            throw StorageError(.invalidCID, "The CID is empty; give a CIDv1 such as \(Self.example).")
        }
        if text.hasPrefix("Qm") && text.count == 46 {
            throw StorageError(
                .invalidCID,
                "'\(shown)' is a CIDv0 (base58btc, dag-pb): it names an IPFS file node, not raw bytes. Clave names a blob by the CIDv1 of its raw bytes (\(Self.example)); `ipfs add --cid-version 1 --raw-leaves` gives it for content up to one block."
            )
        }
        guard first == Self.multibasePrefix else {
            throw StorageError(
                .invalidCID,
                "'\(shown)' is not in base32: its multibase prefix '\(first)' is \(Self.multibaseName(first)). Clave writes CIDs in lowercase base32 with the prefix 'b' (\(Self.example)); convert it with `ipfs cid format -b base32`."
            )
        }
        let body = text.dropFirst()
        if let (offset, scalar) = body.unicodeScalars.enumerated().first(where: { !Self.isBase32($0.element) }) {
            let hint =
                scalar.properties.isUppercase
                ? "CIDs are written in lowercase" : "base32 uses only the letters a-z and the digits 2-7"
            throw StorageError(
                .invalidCID,
                "'\(shown)' is not base32: it has '\(scalar.escaped(asASCII: true))' at position \(offset + 1) after the prefix, and \(hint)."
            )
        }
        let binary: [UInt8]
        do {
            binary = try Base32.decode(body.utf8)
        } catch {
            throw StorageError(
                .invalidCID,
                "'\(shown)' is not canonical base32 (\(body.count) characters after the prefix cannot be whole bytes, or its last character carries bits past them); a CID of a blob has \(Self.textCount) characters in all."
            )
        }
        try self.init(binary: binary, text: shown)
    }

    private init(binary: [UInt8], text: String?) throws(StorageError) {
        let what = text.map { "'\($0)'" } ?? "The binary CID \(Hex.encode(binary.prefix(40)))"
        var reader = VarintReader(binary)
        guard let version = reader.next() else {
            throw StorageError(.invalidCID, "\(what) is empty; a CID has \(Self.byteCount) bytes.")
        }
        if version == UInt64(Self.sha256Code) && binary.count == 34 {
            throw StorageError(
                .invalidCID,
                "\(what) is a CIDv0 (a bare sha2-256 multihash naming an IPFS file node). Clave names a blob by the CIDv1 of its raw bytes (\(Self.example))."
            )
        }
        guard version == UInt64(Self.version) else {
            throw StorageError(.invalidCID, "\(what) has CID version \(version); Clave reads CIDv1 only.")
        }
        guard let codec = reader.next() else {
            throw StorageError(
                .invalidCID, "\(what) ends after its version; a CID of a blob has \(Self.byteCount) bytes.")
        }
        guard codec == UInt64(Self.rawCodec) else {
            throw StorageError(
                .invalidCID,
                "\(what) has the codec \(Self.codecName(codec)), not raw (0x55): it names IPLD data, not a blob's bytes. Clave names a blob by the CID of its raw bytes (`ipfs add --cid-version 1 --raw-leaves`)."
            )
        }
        guard let function = reader.next(), let length = reader.next() else {
            throw StorageError(
                .invalidCID, "\(what) ends inside its multihash; a CID of a blob has \(Self.byteCount) bytes.")
        }
        guard function == UInt64(Self.sha256Code) else {
            throw StorageError(
                .invalidCID,
                "\(what) uses the hash function \(Self.hashName(function)), not sha2-256 (0x12); Clave names blobs by their SHA-256 digest."
            )
        }
        guard length == UInt64(Self.digestLength), reader.remaining.count == Int(Self.digestLength) else {
            throw StorageError(
                .invalidCID,
                "\(what) has a sha2-256 digest of \(reader.remaining.count) bytes (declared \(length)); it must be 32: the CID is truncated or has extra bytes."
            )
        }
        sha256Digest = try! Bytes32(reader.remaining)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try CID(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: Messages

    /// An example of the accepted form (the empty blob).
    static let example = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"

    private static func isBase32(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("2"..."7").contains(scalar)
    }

    /// The text as a message shows it: at most 80 characters.
    private static func shown(_ text: Substring) -> String {
        text.count <= 80 ? String(text) : text.prefix(77) + "..."
    }

    private static func multibaseName(_ prefix: Character) -> String {
        switch prefix {
        case "B": "base32 in uppercase"
        case "z": "base58btc"
        case "f", "F": "base16 (hex)"
        case "m", "M": "base64"
        case "u", "U": "base64url"
        case "k", "K": "base36"
        case "c", "C", "t", "T", "v", "V", "h": "another base32 variant"
        default: "not a multibase prefix Clave reads"
        }
    }

    private static func codecName(_ codec: UInt64) -> String {
        let hex = "0x" + String(codec, radix: 16)
        let names: [UInt64: String] = [
            0x70: "dag-pb", 0x71: "dag-cbor", 0x0129: "dag-json", 0x0200: "json", 0x51: "cbor",
        ]
        return names[codec].map { "\($0) (\(hex))" } ?? hex
    }

    private static func hashName(_ function: UInt64) -> String {
        let hex = "0x" + String(function, radix: 16)
        let names: [UInt64: String] = [
            0x00: "identity", 0x11: "sha1", 0x13: "sha2-512", 0x14: "sha3-512", 0x16: "sha3-256", 0x1b: "keccak-256",
            0x1e: "blake3", 0xb220: "blake2b-256",
        ]
        return names[function].map { "\($0) (\(hex))" } ?? hex
    }
}

/// Reads unsigned LEB128 varints (multiformats' `unsigned-varint`, at most 9 bytes) from the front of bytes.
private struct VarintReader {
    private(set) var remaining: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { remaining = bytes[...] }

    /// The next varint, or nil when the bytes end first (or it is longer than 9 bytes).
    mutating func next() -> UInt64? {
        var value: UInt64 = 0
        for (index, byte) in remaining.prefix(9).enumerated() {
            value |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 {
                remaining = remaining.dropFirst(index + 1)
                return value
            }
        }
        return nil
    }
}
