public import Foundation

extension Keystore {
    /// Reads a version 3 keystore file, checking every field before any key derivation runs.
    ///
    /// Key names are matched without regard to case (older geth wrote `Crypto`; geth and eth-account accept any
    /// case). Unknown fields are ignored.
    ///
    /// - Throws: `.invalidFormat` naming the missing or malformed field; `.unsupportedKeystore` for another version,
    ///   cipher, KDF or PRF, or KDF costs above Clave's limits (``KDF``).
    public init(jsonData: Data) throws(CryptoError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: jsonData)
        } catch {
            throw CryptoError(
                .invalidFormat,
                "This keystore file is not valid JSON (\(error.message)). Check that you gave the keystore file itself, and that it was not cut short or edited."
            )
        }
        try self.init(json: value)
    }

    /// The file as geth writes it: pretty-printed with sorted keys, hex without `0x`, the address in lowercase.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings and integers always encode.
        return try! encoder.encode(self)
    }

    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        do {
            try self.init(json: value)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        let kdfParams: File.KDFParams
        let kdfName: String
        switch kdf.function {
        case .scrypt(let n, let r, let p):
            kdfName = "scrypt"
            kdfParams = File.KDFParams(
                dklen: Self.derivedKeyByteCount,
                salt: Hex.encode(salt, prefix: false),
                n: n,
                r: r,
                p: p
            )
        case .pbkdf2(let iterations):
            kdfName = "pbkdf2"
            kdfParams = File.KDFParams(
                dklen: Self.derivedKeyByteCount,
                salt: Hex.encode(salt, prefix: false),
                c: iterations,
                prf: "hmac-sha256"
            )
        }
        let file = File(
            address: address.map { Hex.encode($0.bytes, prefix: false) },
            crypto: File.Crypto(
                cipher: "aes-128-ctr",
                cipherparams: File.CipherParams(iv: Hex.encode(iv, prefix: false)),
                ciphertext: Hex.encode(ciphertext, prefix: false),
                kdf: kdfName,
                kdfparams: kdfParams,
                mac: Hex.encode(mac, prefix: false)
            ),
            id: id.uuidString.lowercased(),
            version: 3
        )
        try file.encode(to: encoder)
    }

    /// The written layout.
    private struct File: Encodable {
        struct CipherParams: Encodable {
            let iv: String
        }

        struct KDFParams: Encodable {
            let dklen: Int
            let salt: String
            var n: Int? = nil
            var r: Int? = nil
            var p: Int? = nil
            var c: Int? = nil
            var prf: String? = nil
        }

        struct Crypto: Encodable {
            let cipher: String
            let cipherparams: CipherParams
            let ciphertext: String
            let kdf: String
            let kdfparams: KDFParams
            let mac: String
        }

        let address: String?
        let crypto: Crypto
        let id: String
        let version: Int
    }

    /// Validates a parsed document field by field.
    init(json: JSONValue) throws(CryptoError) {
        let root = try KeystoreObject(json, path: "")
        let version = try root.value("version")
        guard case .number(let value) = version, let number = value.int64 else {
            throw CryptoError(
                .invalidFormat,
                "The keystore's 'version' must be the number 3, but it is \(version.keystoreDescription).")
        }
        guard number == 3 else {
            let hint = number == 4 ? " (version 4 is EIP-2335, for validator keys, not accounts)" : ""
            throw CryptoError(
                .unsupportedKeystore,
                "This keystore is version \(number)\(hint); Clave reads only version 3 (Web3 Secret Storage), the format geth and eth-account write for accounts."
            )
        }
        let crypto = try root.object("crypto")
        let cipher = try crypto.string("cipher")
        guard cipher == "aes-128-ctr" else {
            throw CryptoError(
                .unsupportedKeystore,
                "This keystore's cipher is '\(cipher)'; Clave reads only 'aes-128-ctr', the cipher of every version 3 keystore geth writes."
            )
        }
        let iv = try crypto.object("cipherparams").hex("iv", count: Self.ivByteCount)
        let ciphertext = try crypto.hex("ciphertext", count: 32)
        let mac = try crypto.hex("mac", count: 32)
        let params = try crypto.object("kdfparams")
        let kdf: KDF
        switch try crypto.string("kdf") {
        case "scrypt":
            kdf = .scrypt(n: try params.int("n"), r: try params.int("r"), p: try params.int("p"))
        case "pbkdf2":
            let prf = try params.string("prf")
            guard prf == "hmac-sha256" else {
                throw CryptoError(
                    .unsupportedKeystore,
                    "This keystore's PBKDF2 uses prf '\(prf)'; Clave reads only 'hmac-sha256', the one Web3 Secret Storage defines."
                )
            }
            kdf = .pbkdf2(iterations: try params.int("c"))
        case let other:
            throw CryptoError(
                .unsupportedKeystore,
                "This keystore's kdf is '\(other)'; Clave reads only 'scrypt' and 'pbkdf2'."
            )
        }
        let dklen = try params.int("dklen")
        guard dklen == Self.derivedKeyByteCount else {
            throw CryptoError(
                .unsupportedKeystore,
                "This keystore's 'crypto.kdfparams.dklen' is \(dklen); version 3 keystores derive 32 bytes (16 for AES-128, 16 for the MAC), and Clave reads only those."
            )
        }
        let salt = try params.hex("salt")
        guard (1...1024).contains(salt.count) else {
            throw CryptoError(
                .invalidFormat,
                "The keystore's 'crypto.kdfparams.salt' has \(salt.count) bytes; a salt must have 1 to 1024 (geth writes 32)."
            )
        }
        try kdf.validate()

        let idText = try root.string("id")
        guard let id = UUID(uuidString: idText) else {
            throw CryptoError(.invalidFormat, "The keystore's 'id' is '\(idText)', which is not a UUID.")
        }
        var address: Address? = nil
        if root.contains("address") {
            // geth writes lowercase, eth-account EIP-55 mixed case; the case is not checked, as neither checks it:
            // decrypt() compares the address with the key's own.
            address = try Address(bytes: root.hex("address", count: 20))
        }
        self.init(address: address, id: id, kdf: kdf, salt: salt, iv: iv, ciphertext: ciphertext, mac: mac)
    }
}

/// A JSON object of a keystore, its keys folded to lowercase, with the path used in messages.
struct KeystoreObject {
    let path: String
    private let fields: [String: JSONValue]

    init(_ value: JSONValue, path: String) throws(CryptoError) {
        guard case .object(let object) = value else {
            let what = path.isEmpty ? "A keystore file" : "The keystore's '\(path)'"
            throw CryptoError(.invalidFormat, "\(what) must be a JSON object, but it is \(value.keystoreDescription).")
        }
        var fields = [String: JSONValue]()
        for (key, field) in object {
            let folded = key.lowercased()
            guard fields.updateValue(field, forKey: folded) == nil else {
                throw CryptoError(
                    .invalidFormat,
                    "The keystore has '\(Self.join(path, folded))' twice, in different letter cases; keep one."
                )
            }
        }
        self.path = path
        self.fields = fields
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func contains(_ key: String) -> Bool { fields[key] != nil }

    func value(_ key: String) throws(CryptoError) -> JSONValue {
        guard let value = fields[key] else {
            throw CryptoError(
                .invalidFormat,
                "The keystore has no '\(Self.join(path, key))' field, which every version 3 keystore has; the file is incomplete."
            )
        }
        return value
    }

    func object(_ key: String) throws(CryptoError) -> KeystoreObject {
        try KeystoreObject(value(key), path: Self.join(path, key))
    }

    func string(_ key: String) throws(CryptoError) -> String {
        let value = try value(key)
        guard case .string(let text) = value else {
            throw CryptoError(
                .invalidFormat,
                "The keystore's '\(Self.join(path, key))' must be a string, but it is \(value.keystoreDescription)."
            )
        }
        return text
    }

    func int(_ key: String) throws(CryptoError) -> Int {
        let value = try value(key)
        guard case .number(let number) = value, let integer = number.int64.flatMap({ Int(exactly: $0) }) else {
            throw CryptoError(
                .invalidFormat,
                "The keystore's '\(Self.join(path, key))' must be an integer, but it is \(value.keystoreDescription)."
            )
        }
        return integer
    }

    /// Hex without or with `0x`; `count`, when given, is the number of bytes it must hold.
    func hex(_ key: String, count: Int? = nil) throws(CryptoError) -> [UInt8] {
        let text = try string(key)
        do {
            return try Hex.decode(text, expectedCount: count, what: "keystore field '\(Self.join(path, key))'")
        } catch {
            throw CryptoError(.invalidFormat, error.message)
        }
    }
}

extension JSONValue {
    /// A short account of the value for keystore messages: its kind, and the value itself when it is a scalar.
    var keystoreDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let text): "the string \"\(text.count > 80 ? text.prefix(80) + "…" : Substring(text))\""
        case .number(let number): "the number \(number)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }
}
