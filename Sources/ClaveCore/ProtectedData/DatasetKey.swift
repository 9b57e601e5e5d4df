public import ClaveCrypto

/// How a protected data's payload is encrypted.
public enum PayloadFormat: String, Sendable, Hashable, CaseIterable {
    /// `clave-stream-v1` (docs/formats/clave-stream-v1.md): authenticated, segment by segment. The default.
    case clave
    /// iExec's layout (docs/formats/iexec-aes-cbc.md): IV || AES-256-CBC with PKCS#7, for iExec's tools.
    case iexec

    /// Whether the ciphertext authenticates itself under its key: then no other bytes decrypt under that key, and a
    /// store need not be trusted to name them (docs/storage.md, `AnswerCheck`).
    public var isAuthenticated: Bool { self == .clave }
}

/// What the SMS escrows for a dataset: the payload's format and its 32-byte key (docs/formats/dataset-key.md).
///
/// Its bytes are the canonical JSON `{"format":"clave","key":"0x…"}`, so whoever opens the payload (a worker's
/// pre-compute, the owner) is told how, instead of guessing from the ciphertext.
public struct DatasetKey: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32

    public let format: PayloadFormat
    public let key: [UInt8]

    public init(format: PayloadFormat, key: [UInt8]) throws(ProtectedDataError) {
        guard key.count == Self.byteCount else {
            throw ProtectedDataError(
                .invalidValue, at: "key", "a dataset key is \(Self.byteCount) bytes, not \(key.count).")
        }
        self.format = format
        self.key = key
    }

    /// A new random key for `format`.
    public static func generate(_ format: PayloadFormat) -> DatasetKey {
        try! DatasetKey(format: format, key: StreamKey.generate().rawRepresentation)
    }

    public var json: JSONValue {
        .object(["format": .string(format.rawValue), "key": .string(Hex.encode(key))])
    }

    /// The bytes pushed to the SMS.
    public var bytes: [UInt8] { CanonicalJSON.encode(json) }

    /// Reads the bytes the SMS released.
    public init(bytes: some Collection<UInt8>) throws(ProtectedDataError) {
        let invalid = ProtectedDataError(
            .invalidValue, at: "datasetKey",
            "the escrowed dataset key is not {\"format\": \"clave\" or \"iexec\", \"key\": 32 bytes in hex}.")
        guard let json = try? JSONValue(parsing: Array(bytes)), case .object(let members) = json, members.count == 2,
            let formatText = members["format"]?.stringValue, let format = PayloadFormat(rawValue: formatText),
            let keyText = members["key"]?.stringValue, let key = try? Hex.decode(keyText, what: "key")
        else {
            throw invalid
        }
        try self.init(format: format, key: key)
    }

    public var description: String { "DatasetKey(\(format.rawValue), redacted)" }

    /// An encryptor of a payload under this key.
    public func encryptor() throws -> PayloadEncryptor { try PayloadEncryptor(self) }
    /// A decryptor of a payload under this key.
    public func decryptor() throws -> PayloadDecryptor { try PayloadDecryptor(self) }
}

/// Encrypts a payload, chunk by chunk, in the format of its ``DatasetKey``.
public final class PayloadEncryptor {
    private enum Cipher {
        case stream(StreamSealer)
        case iexec(IexecAESCBCEncryptor)
    }
    private let cipher: Cipher

    init(_ key: DatasetKey) throws {
        switch key.format {
        case .clave: cipher = .stream(try StreamSealer(key: StreamKey(rawRepresentation: key.key)))
        case .iexec: cipher = .iexec(try IexecAESCBCEncryptor(key: IexecAESCBC.Key(rawRepresentation: key.key)))
        }
    }

    public func update(_ plaintext: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch cipher {
        case .stream(let sealer): try sealer.update(plaintext, to: sink)
        case .iexec(let encryptor): try encryptor.update(plaintext, to: sink)
        }
    }

    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch cipher {
        case .stream(let sealer): try sealer.finish(to: sink)
        case .iexec(let encryptor): try encryptor.finish(to: sink)
        }
    }
}

/// Decrypts a payload, chunk by chunk, in the format of its ``DatasetKey``. Plaintext handed to the sink before
/// ``finish(to:)`` returns is not yet known to be authentic (for iExec's layout it never is): keep it aside until
/// then.
public final class PayloadDecryptor {
    private enum Cipher {
        case stream(StreamOpener)
        case iexec(IexecAESCBCDecryptor)
    }
    private let cipher: Cipher

    init(_ key: DatasetKey) throws {
        switch key.format {
        case .clave: cipher = .stream(StreamOpener(key: try StreamKey(rawRepresentation: key.key)))
        case .iexec: cipher = .iexec(try IexecAESCBCDecryptor(key: IexecAESCBC.Key(rawRepresentation: key.key)))
        }
    }

    public func update(_ ciphertext: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch cipher {
        case .stream(let opener): try opener.update(ciphertext, to: sink)
        case .iexec(let decryptor): try decryptor.update(ciphertext, to: sink)
        }
    }

    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch cipher {
        case .stream(let opener): try opener.finish(to: sink)
        case .iexec(let decryptor): try decryptor.finish(to: sink)
        }
    }
}
