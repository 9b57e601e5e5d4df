import ClaveCrypto
import Foundation
import ClaveTestSupport
import Testing

@Suite struct KeystoreTests {
    /// The key of the Web3 Secret Storage Definition's test vectors (password "testpassword").
    static let wikiKey = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"

    /// Web3 Secret Storage Definition, "Test Vectors": PBKDF2-SHA-256.
    static let wikiPBKDF2 = #"""
        {
            "crypto" : {
                "cipher" : "aes-128-ctr",
                "cipherparams" : { "iv" : "6087dab2f9fdbbfaddc31a909735c1e6" },
                "ciphertext" : "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
                "kdf" : "pbkdf2",
                "kdfparams" : {
                    "c" : 262144,
                    "dklen" : 32,
                    "prf" : "hmac-sha256",
                    "salt" : "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
                },
                "mac" : "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
            },
            "id" : "3198bc9c-6672-5ab3-d995-4942343ae5b6",
            "version" : 3
        }
        """#

    /// Web3 Secret Storage Definition, "Test Vectors": Scrypt (n = 262144, r = 1, p = 8).
    static let wikiScrypt = #"""
        {
            "crypto" : {
                "cipher" : "aes-128-ctr",
                "cipherparams" : { "iv" : "83dbcc02d8ccb40e466191a123791e0e" },
                "ciphertext" : "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
                "kdf" : "scrypt",
                "kdfparams" : {
                    "dklen" : 32,
                    "n" : 262144,
                    "r" : 1,
                    "p" : 8,
                    "salt" : "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
                },
                "mac" : "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
            },
            "id" : "3198bc9c-6672-5ab3-d995-4942343ae5b6",
            "version" : 3
        }
        """#

    /// A MyEtherWallet keystore with older geth's capitalised `Crypto`, from eth-keyfile's test suite
    /// (tests/core/conftest.py, MEW_KEYFILE): password "moomoocow".
    static let mewCapitalised = #"""
        {
            "Crypto": {
                "cipher": "aes-128-ctr",
                "cipherparams": { "iv": "7e7b02d2b4ef45d6c98cb885e75f48d5" },
                "ciphertext": "a7a5743a6c7eb3fa52396bd3fd94043b79075aac3ccbae8e62d3af94db00397c",
                "kdf": "scrypt",
                "kdfparams": {
                    "dklen": 32,
                    "n": 8192,
                    "p": 1,
                    "r": 8,
                    "salt": "247797c7a357b707a3bdbfaa55f4c553756bca09fec20ddc938e7636d21e4a20"
                },
                "mac": "5a3ba5bebfda2c384586eda5fcda9c8397d37c9b0cc347fea86525cf2ea3a468"
            },
            "address": "0b6f2de3dee015a95d3330dcb7baf8e08aa0112d",
            "id": "3c8efdd6-d538-47ec-b241-36783d3418b9",
            "version": 3
        }
        """#

    /// A fast KDF for tests that do not measure the KDF itself.
    static let fast = Keystore.KDF.scrypt(n: 1024, r: 8, p: 1)

    // MARK: Published vectors

    @Test func wikiPBKDF2Vector() throws {
        let keystore = try Keystore(jsonData: Data(Self.wikiPBKDF2.utf8))
        #expect(keystore.address == nil)
        #expect(keystore.id == UUID(uuidString: "3198bc9c-6672-5ab3-d995-4942343ae5b6"))
        #expect(keystore.kdf == .pbkdf2(iterations: 262_144))
        #expect(try keystore.decrypt(password: "testpassword") == PrivateKey(hex: Self.wikiKey))
        // The definition's intermediate value: derived key f06d69cd…
        let derivedKey = try Hex.decode("f06d69cdc7da0faffb1008270bca38f5e31891a3a773950e6d0fea48a7188551")
        #expect(try keystore.decrypt(derivedKey: derivedKey) == PrivateKey(hex: Self.wikiKey))
    }

    /// The scrypt vector has r = 1 with n = 2^18, which breaks RFC 7914's n < 2^(16·r): swift-crypto (BoringSSL, like
    /// OpenSSL) refuses to run scrypt so, geth and eth-account run it, and so does Clave's own scrypt. The derived key
    /// the definition publishes checks every step after the KDF on its own.
    @Test func wikiScryptVector() throws {
        let keystore = try Keystore(jsonData: Data(Self.wikiScrypt.utf8))
        #expect(keystore.kdf == .scrypt(n: 262_144, r: 1, p: 8))
        #expect(!Scrypt.swiftCryptoAccepts(n: 262_144, r: 1, p: 8))
        #expect(try keystore.decrypt(password: "testpassword") == PrivateKey(hex: Self.wikiKey))
        let derivedKey = try Hex.decode("fac192ceb5fd772906bea3e118a69e8bbb5cc24229e20d8766fd298291bba6bd")
        #expect(try keystore.decrypt(derivedKey: derivedKey) == PrivateKey(hex: Self.wikiKey))
    }

    /// Parameters that break RFC 7914's rule are still held to the memory and work limits, before any derivation.
    @Test(arguments: [(1 << 30, 1, 8, "2 GiB"), (1 << 23, 1, 16, "2^26"), (1 << 22, 1, 64, "2^26")])
    func absurdScryptParametersAreStillRefused(n: Int, r: Int, p: Int, mentions: String) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Self.wikiScrypt.utf8)) as? [String: Any])
        set(&object, ["crypto", "kdfparams", "n"], n)
        set(&object, ["crypto", "kdfparams", "r"], r)
        set(&object, ["crypto", "kdfparams", "p"], p)
        let error = expectCryptoError(.unsupportedKeystore) {
            try Keystore(jsonData: JSONSerialization.data(withJSONObject: object))
        }
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
        expectCryptoError(.unsupportedKeystore) {
            try Keystore.encrypt(PrivateKey.generate(), password: "", kdf: .scrypt(n: n, r: r, p: p))
        }
    }

    /// A member given twice (with the same spelling) is refused, not resolved by whichever comes last.
    @Test func refusesARepeatedMember() {
        let repeated = Self.wikiPBKDF2.replacingOccurrences(
            of: #""version" : 3"#, with: #""version" : 3, "version" : 4"#)
        #expect(repeated != Self.wikiPBKDF2)
        let error = expectCryptoError(.invalidFormat) { try Keystore(jsonData: Data(repeated.utf8)) }
        #expect(error?.message.contains("not valid JSON") == true)
        #expect(error?.message.contains("version") == true, "the message names the repeated member")
    }

    @Test func readsCapitalisedCrypto() throws {
        let keystore = try Keystore(jsonData: Data(Self.mewCapitalised.utf8))
        #expect(keystore.address == (try Address("0x0b6f2de3dee015a95d3330dcb7baf8e08aa0112d")))
        let key = try keystore.decrypt(password: "moomoocow")
        #expect(key == (try PrivateKey(hex: "21eac69b9a52f466bfe9047f0f21c9caf3a5cdaadf84e2750a9b3265d450d481")))
    }

    // MARK: Independent implementation

    /// Keystores eth-account wrote (Scripts/vectors/generate.py) decrypt to their keys.
    @Test func decryptsEthAccountVectors() throws {
        let vectors = try Fixtures.load([KeystoreVector].self, "keystore.json")
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let key = try vector.keystore.decrypt(password: vector.password)
            #expect(key.rawRepresentation == (try Hex.decode(vector.privateKey)), "\(vector.address)")
            #expect(key.address == (try Address(vector.address)))
            #expect(vector.keystore.address == key.address)
        }
    }

    /// eth-account opens keystores Clave wrote (Scripts/vectors/keystore_open.py), and refuses a wrong password.
    /// n = 2^17 with r = 1 breaks RFC 7914's n < 2^(16·r), and r = 32 with p = 1 is above swift-crypto's memory limit:
    /// Clave derives those keys with its own scrypt, and eth-account (pycryptodome) confirms them.
    @Test(arguments: [
        KeystoreTests.fast, .pbkdf2(iterations: 1000), .scrypt(n: 1 << 17, r: 1, p: 1), .scrypt(n: 1024, r: 32, p: 1),
    ])
    func ethAccountOpensSwiftKeystores(kdf: Keystore.KDF) throws {
        let key = PrivateKey.generate()
        let password = "pässwörd 🔑"
        let keystore = try Keystore.encrypt(key, password: password, kdf: kdf)
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("keystore.json")
        try keystore.jsonData().write(to: url)

        let opened = try PythonCheck.run("keystore_open.py", [url.path, password, key.address.checksummed])
        #expect(opened.status == 0, "keystore_open.py: \(opened.output)")
        let refused = try PythonCheck.run("keystore_open.py", [url.path, "password", key.address.checksummed])
        #expect(refused.status == 1, "keystore_open.py: \(refused.output)")
    }

    // MARK: Writing

    @Test func writesWhatGethWrites() throws {
        let key = try PrivateKey(hex: Self.wikiKey)
        let keystore = try Keystore.encrypt(key, password: "testpassword", kdf: Self.fast)
        let json = keystore.jsonData()
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\n"))
        let order = ["\"address\"", "\"crypto\"", "\"id\"", "\"version\""].compactMap { text.range(of: $0)?.lowerBound }
        #expect(order.count == 4 && order == order.sorted())

        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["version"] as? Int == 3)
        #expect(object["address"] as? String == Hex.encode(key.address.bytes, prefix: false))
        let id = try #require(object["id"] as? String)
        #expect(id == id.lowercased() && UUID(uuidString: id) == keystore.id)
        #expect(Array(id)[14] == "4", "a version 4 (random) UUID")
        let crypto = try #require(object["crypto"] as? [String: Any])
        #expect(crypto["cipher"] as? String == "aes-128-ctr")
        #expect(crypto["kdf"] as? String == "scrypt")
        #expect((crypto["cipherparams"] as? [String: Any])?["iv"] as? String != nil)
        let params = try #require(crypto["kdfparams"] as? [String: Any])
        #expect(params["n"] as? Int == 1024 && params["r"] as? Int == 8 && params["p"] as? Int == 1)
        #expect(params["dklen"] as? Int == 32)
        #expect((params["salt"] as? String)?.count == 64)
        for field in ["ciphertext", "mac"] {
            let hex = try #require(crypto[field] as? String)
            #expect(hex.count == 64 && !hex.hasPrefix("0x") && hex == hex.lowercased())
        }

        let read = try Keystore(jsonData: json)
        #expect(read == keystore)
        #expect(try read.decrypt(password: "testpassword") == key)
        let decoded = try JSONDecoder().decode(Keystore.self, from: json)
        #expect(decoded == keystore)
    }

    @Test func defaultIsGethStandard() throws {
        let key = PrivateKey.generate()
        let keystore = try Keystore.encrypt(key, password: "standard")
        #expect(keystore.kdf == .standard)
        #expect(keystore.kdf == .scrypt(n: 262_144, r: 8, p: 1))
        #expect(try keystore.decrypt(password: "standard") == key)
    }

    @Test(arguments: [Keystore.KDF.light, .pbkdf2(iterations: 2)])
    func roundTrips(kdf: Keystore.KDF) throws {
        let key = PrivateKey.generate()
        let keystore = try Keystore.encrypt(key, password: "pw", kdf: kdf)
        #expect(try Keystore(jsonData: keystore.jsonData()).decrypt(password: "pw") == key)
    }

    @Test(arguments: [KeystoreTests.fast, .pbkdf2(iterations: 1)])
    func emptyPasswordWorks(kdf: Keystore.KDF) throws {
        let key = PrivateKey.generate()
        let keystore = try Keystore.encrypt(key, password: "", kdf: kdf)
        #expect(try keystore.decrypt(password: "") == key)
        expectCryptoError(.wrongPassword) { try keystore.decrypt(password: " ") }
    }

    /// Passwords are UTF-8 as given, never normalized: "é" precomposed and decomposed are different passwords,
    /// as with geth and eth-account.
    @Test func passwordIsNotNormalized() throws {
        let key = PrivateKey.generate()
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // equal as Swift strings
        let keystore = try Keystore.encrypt(key, password: composed, kdf: Self.fast)
        #expect(try keystore.decrypt(password: composed) == key)
        expectCryptoError(.wrongPassword) { try keystore.decrypt(password: decomposed) }
    }

    @Test func encryptRefusesBadParameters() {
        let key = PrivateKey.generate()
        expectCryptoError(.invalidFormat) { try Keystore.encrypt(key, password: "", kdf: .scrypt(n: 1000, r: 8, p: 1)) }
        expectCryptoError(.invalidFormat) { try Keystore.encrypt(key, password: "", kdf: .scrypt(n: 1024, r: 0, p: 1)) }
        expectCryptoError(.invalidFormat) { try Keystore.encrypt(key, password: "", kdf: .pbkdf2(iterations: 0)) }
        expectCryptoError(.unsupportedKeystore) {
            try Keystore.encrypt(key, password: "", kdf: .scrypt(n: 1 << 25, r: 8, p: 1))
        }
    }

    // MARK: Refusals when decrypting

    @Test func wrongPassword() throws {
        let keystore = try Keystore.encrypt(PrivateKey.generate(), password: "right", kdf: Self.fast)
        let error = expectCryptoError(.wrongPassword) { try keystore.decrypt(password: "wrong") }
        #expect(error?.message.contains("password") == true)
    }

    @Test(arguments: ["ciphertext", "mac"])
    func tamperedFileFailsItsMAC(field: String) throws {
        let keystore = try Keystore.encrypt(PrivateKey.generate(), password: "right", kdf: Self.fast)
        var object = try #require(try JSONSerialization.jsonObject(with: keystore.jsonData()) as? [String: Any])
        let hex = try #require((object["crypto"] as? [String: Any])?[field] as? String)
        let flipped = (hex.first == "0" ? "1" : "0") + hex.dropFirst()
        set(&object, ["crypto", field], flipped)
        let tampered = try Keystore(jsonData: JSONSerialization.data(withJSONObject: object))
        let error = expectCryptoError(.wrongPassword) { try tampered.decrypt(password: "right") }
        #expect(error?.message.contains("corrupt") == true)
    }

    @Test func editedAddressIsCaught() throws {
        let keystore = try Keystore.encrypt(PrivateKey.generate(), password: "right", kdf: Self.fast)
        var object = try #require(try JSONSerialization.jsonObject(with: keystore.jsonData()) as? [String: Any])
        set(&object, ["address"], Hex.encode(PrivateKey.generate().address.bytes, prefix: false))
        let edited = try Keystore(jsonData: JSONSerialization.data(withJSONObject: object))
        expectCryptoError(.addressMismatch) { try edited.decrypt(password: "right") }
    }

    // MARK: Refusals when reading

    enum Damage: String, CaseIterable, Sendable {
        case notJSON, topLevelArray, cryptoNotObject, missingCrypto, duplicateCrypto, missingVersion, versionString
        case version4, unknownCipher, unknownKDF, unknownPRF, missingSalt, emptySalt, missingIV, shortIV
        case oddHexMAC, nonHexCiphertext, shortCiphertext, dklen16, nAsString, scryptNNotPowerOfTwo, scryptRZero
        case scryptHugeN, scryptHugeP, scryptTooMuchWork, pbkdf2TooManyIterations, pbkdf2ZeroIterations
        case badID, missingID, badAddress

        var code: CryptoError.Code {
            switch self {
            case .version4, .unknownCipher, .unknownKDF, .unknownPRF, .dklen16, .scryptHugeN, .scryptHugeP,
                .scryptTooMuchWork, .pbkdf2TooManyIterations:
                .unsupportedKeystore
            default: .invalidFormat
            }
        }

        /// A word the message must contain: the field at fault, or the reason.
        var mentions: String {
            switch self {
            case .notJSON: "not valid JSON"
            case .topLevelArray: "JSON object"
            case .cryptoNotObject: "'crypto'"
            case .missingCrypto: "'crypto'"
            case .duplicateCrypto: "twice"
            case .missingVersion, .versionString: "'version'"
            case .version4: "version 4"
            case .unknownCipher: "aes-128-cbc"
            case .unknownKDF: "argon2id"
            case .unknownPRF: "hmac-sha512"
            case .missingSalt, .emptySalt: "salt"
            case .missingIV, .shortIV: "'crypto.cipherparams.iv'"
            case .oddHexMAC: "'crypto.mac'"
            case .nonHexCiphertext, .shortCiphertext: "'crypto.ciphertext'"
            case .dklen16: "dklen"
            case .nAsString: "'crypto.kdfparams.n'"
            case .scryptNNotPowerOfTwo: "power of two"
            case .scryptRZero: "at least 1"
            case .scryptHugeN, .scryptHugeP: "2 GiB"
            case .scryptTooMuchWork: "2^26"
            case .pbkdf2TooManyIterations: "10000000"
            case .pbkdf2ZeroIterations: "at least 1"
            case .badID, .missingID: "'id'"
            case .badAddress: "'address'"
            }
        }

        var usesPBKDF2: Bool {
            switch self {
            case .unknownPRF, .pbkdf2TooManyIterations, .pbkdf2ZeroIterations: true
            default: false
            }
        }

        func apply(_ object: inout [String: Any]) {
            switch self {
            case .notJSON, .topLevelArray: break
            case .cryptoNotObject: set(&object, ["crypto"], "aes")
            case .missingCrypto: set(&object, ["crypto"], nil)
            case .duplicateCrypto: object["Crypto"] = object["crypto"]
            case .missingVersion: set(&object, ["version"], nil)
            case .versionString: set(&object, ["version"], "3")
            case .version4: set(&object, ["version"], 4)
            case .unknownCipher: set(&object, ["crypto", "cipher"], "aes-128-cbc")
            case .unknownKDF: set(&object, ["crypto", "kdf"], "argon2id")
            case .unknownPRF: set(&object, ["crypto", "kdfparams", "prf"], "hmac-sha512")
            case .missingSalt: set(&object, ["crypto", "kdfparams", "salt"], nil)
            case .emptySalt: set(&object, ["crypto", "kdfparams", "salt"], "")
            case .missingIV: set(&object, ["crypto", "cipherparams", "iv"], nil)
            case .shortIV: set(&object, ["crypto", "cipherparams", "iv"], "6087dab2f9fdbbfaddc31a909735c1")
            case .oddHexMAC: set(&object, ["crypto", "mac"], "517")
            case .nonHexCiphertext: set(&object, ["crypto", "ciphertext"], String(repeating: "zz", count: 32))
            case .shortCiphertext: set(&object, ["crypto", "ciphertext"], String(repeating: "ab", count: 31))
            case .dklen16: set(&object, ["crypto", "kdfparams", "dklen"], 16)
            case .nAsString: set(&object, ["crypto", "kdfparams", "n"], "262144")
            case .scryptNNotPowerOfTwo: set(&object, ["crypto", "kdfparams", "n"], 1000)
            case .scryptRZero: set(&object, ["crypto", "kdfparams", "r"], 0)
            case .scryptHugeN: set(&object, ["crypto", "kdfparams", "n"], 1 << 40)
            case .scryptHugeP: set(&object, ["crypto", "kdfparams", "p"], 1 << 30)
            case .scryptTooMuchWork:
                set(&object, ["crypto", "kdfparams", "n"], 1 << 20)
                set(&object, ["crypto", "kdfparams", "r"], 8)
                set(&object, ["crypto", "kdfparams", "p"], 16)
            case .pbkdf2TooManyIterations: set(&object, ["crypto", "kdfparams", "c"], 1_000_000_000)
            case .pbkdf2ZeroIterations: set(&object, ["crypto", "kdfparams", "c"], 0)
            case .badID: set(&object, ["id"], "not-a-uuid")
            case .missingID: set(&object, ["id"], nil)
            case .badAddress: set(&object, ["address"], "0x1234")
            }
        }

        func data() throws -> Data {
            switch self {
            case .notJSON: return Data("{\"version\": 3,".utf8)
            case .topLevelArray: return Data("[]".utf8)
            default:
                let base = usesPBKDF2 ? KeystoreTests.wikiPBKDF2 : KeystoreTests.wikiScrypt
                var object = try #require(try JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any])
                apply(&object)
                return try JSONSerialization.data(withJSONObject: object)
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func refusesDamagedFiles(_ damage: Damage) throws {
        let data = try damage.data()
        let error = expectCryptoError(damage.code) { try Keystore(jsonData: data) }
        #expect(error?.message.contains(damage.mentions) == true, "\(error?.message ?? "")")
        // Through Codable, the same refusal arrives as a DecodingError carrying the message.
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Keystore.self, from: data) }
    }
}

/// Sets (or, with nil, removes) the value at `path` in nested JSON objects.
private func set(_ object: inout [String: Any], _ path: [String], _ value: Any?) {
    guard let key = path.first else { return }
    if path.count == 1 {
        object[key] = value
    } else {
        var child = object[key] as? [String: Any] ?? [:]
        set(&child, Array(path.dropFirst()), value)
        object[key] = child
    }
}

/// An entry of `keystore.json` (Scripts/vectors/generate.py): a keystore eth-account wrote, with what it holds.
struct KeystoreVector: Decodable {
    let password: String
    let privateKey: String
    let address: String
    let keystore: Keystore
}
