import ClaveCrypto
import Foundation
import ClaveTestSupport
import Testing

@Suite struct HPKETests {
    // MARK: Known answers and independent vectors

    /// The CFRG test vector for base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
    @Test func rfc9180KnownAnswer() throws {
        let vector = try Fixtures.load(RFC9180Vector.self, "hpke-rfc9180.json")
        #expect([vector.mode, vector.kemID, vector.kdfID, vector.aeadID] == [0, 32, 1, 2] as [Int])
        let privateKey = try X25519PrivateKey(hex: vector.skRm)
        #expect(privateKey.publicKey == (try X25519PublicKey(hex: vector.pkRm)))
        let enc = try Hex.decode(vector.enc)
        let info = try Hex.decode(vector.info)

        // Single-shot opens sequence number 0.
        let first = vector.encryptions[0]
        let opened = try HPKEBase.open(
            Hex.decode(first.ct),
            encapsulatedKey: enc,
            with: privateKey,
            info: info,
            authenticatedData: Hex.decode(first.aad)
        )
        #expect(opened == (try Hex.decode(first.pt)))

        // One context opens the following messages in order.
        #expect(vector.encryptions.count == 8)
        var recipient = try HPKEBase.Recipient(privateKey: privateKey, encapsulatedKey: enc, info: info)
        for (sequence, message) in vector.encryptions.enumerated() {
            #expect(message.sequence == sequence)
            let plaintext = try recipient.open(Hex.decode(message.ct), authenticatedData: Hex.decode(message.aad))
            #expect(plaintext == (try Hex.decode(message.pt)), "sequence \(sequence)")
        }

        // A later message is not sequence 0: single-shot open refuses it.
        let second = vector.encryptions[1]
        expectCryptoError(.authenticationFailed) {
            try HPKEBase.open(
                Hex.decode(second.ct),
                encapsulatedKey: enc,
                with: privateKey,
                info: info,
                authenticatedData: Hex.decode(second.aad)
            )
        }
    }

    /// Messages sealed by pyhpke (Scripts/vectors/generate.py) open to their plaintexts.
    @Test func opensPyHPKEVectors() throws {
        let file = try Fixtures.load(HPKEVectorFile.self, "hpke.json")
        #expect(file.suite == HPKEVectorFile.Suite(kem: 32, kdf: 1, aead: 2))
        #expect(!file.cases.isEmpty)
        for (index, vector) in file.cases.enumerated() {
            let privateKey = try X25519PrivateKey(hex: vector.skR)
            #expect(privateKey.publicKey == (try X25519PublicKey(hex: vector.pkR)), "case \(index)")
            let plaintext = try HPKEBase.open(
                Hex.decode(vector.ciphertext),
                encapsulatedKey: Hex.decode(vector.enc),
                with: privateKey,
                info: Hex.decode(vector.info),
                authenticatedData: Hex.decode(vector.aad)
            )
            #expect(plaintext == (try Hex.decode(vector.plaintext)), "case \(index)")
        }
    }

    /// pyhpke opens what Swift seals (Scripts/vectors/hpke_open.py).
    @Test func pyhpkeOpensSwiftSealedMessages() throws {
        let long = [UInt8](repeating: 0x99, count: 1000)
        let inputs: [(info: [UInt8], aad: [UInt8], plaintext: [UInt8])] = [
            ([], [], []),
            (HPKEEnvelope.info(purpose: .result, context: [0xAB, 0xCD]), [], Array(0..<32)),
            (Array("info".utf8), Array("aad".utf8), Array("hello, pyhpke".utf8)),
            (Array(repeating: 0x42, count: 100), Array(repeating: 0x17, count: 64), long),
            (Array("clave".utf8), [0x00], Array(repeating: 0, count: 16)),
        ]
        var cases: [HPKEVectorFile.Case] = []
        for input in inputs {
            let privateKey = X25519PrivateKey.generate()
            let sealed = try HPKEBase.seal(
                input.plaintext,
                to: privateKey.publicKey,
                info: input.info,
                authenticatedData: input.aad
            )
            cases.append(
                HPKEVectorFile.Case(
                    skR: Hex.encode(privateKey.rawRepresentation),
                    pkR: privateKey.publicKey.hex,
                    info: Hex.encode(input.info),
                    aad: Hex.encode(input.aad),
                    plaintext: Hex.encode(input.plaintext),
                    enc: Hex.encode(sealed.encapsulatedKey),
                    ciphertext: Hex.encode(sealed.ciphertext)
                )
            )
        }
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("hpke-swift.json")
        let file = HPKEVectorFile(suite: .init(kem: 32, kdf: 1, aead: 2), cases: cases)
        try JSONEncoder().encode(file).write(to: url)

        let result = try PythonCheck.run("hpke_open.py", [url.path])
        #expect(result.status == 0, "hpke_open.py: \(result.output)")
        #expect(result.output.contains("opened 5 of 5"), "hpke_open.py: \(result.output)")
    }

    // MARK: Round trips

    @Test(arguments: [0, 1, 32, 4096])
    func sealOpenRoundTrip(length: Int) throws {
        let privateKey = X25519PrivateKey.generate()
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let sealed = try HPKEBase.seal(plaintext, to: privateKey.publicKey, info: [1, 2, 3], authenticatedData: [4])
        #expect(sealed.encapsulatedKey.count == 32)
        #expect(sealed.ciphertext.count == length + 16)
        let opened = try HPKEBase.open(
            sealed.ciphertext,
            encapsulatedKey: sealed.encapsulatedKey,
            with: privateKey,
            info: [1, 2, 3],
            authenticatedData: [4]
        )
        #expect(opened == plaintext)
    }

    @Test func senderContextSealsSuccessiveMessages() throws {
        let privateKey = X25519PrivateKey.generate()
        var sender = try HPKEBase.Sender(recipientKey: privateKey.publicKey, info: Array("stream".utf8))
        let messages = (0..<5).map { Array("message \($0)".utf8) }
        let ciphertexts = try messages.map { message throws(CryptoError) in try sender.seal(message) }
        var recipient = try HPKEBase.Recipient(
            privateKey: privateKey,
            encapsulatedKey: sender.encapsulatedKey,
            info: Array("stream".utf8)
        )
        for (message, ciphertext) in zip(messages, ciphertexts) {
            #expect(try recipient.open(ciphertext) == message)
        }
    }

    @Test func envelopeRoundTripsInBothEncodings() throws {
        let privateKey = X25519PrivateKey.generate()
        let contentKey = (0..<32).map { UInt8($0) }
        let taskID = Keccak256.hash(utf8: "task")
        let envelope = try HPKEEnvelope.seal(
            contentKey,
            to: privateKey.publicKey,
            purpose: .result,
            context: taskID.bytes
        )

        let binary = envelope.serialized
        #expect(binary.count == HPKEEnvelope.minimumSerializedByteCount + 32)
        #expect(Array(binary.prefix(11)) == Array("CLHP".utf8) + [0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0x02])
        let fromBinary = try HPKEEnvelope(serialized: binary)
        #expect(fromBinary == envelope)
        #expect(try fromBinary.open(with: privateKey, purpose: .result, context: taskID.bytes) == contentKey)

        let json = envelope.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["kem"] as? Int == 32)
        #expect(object["kdf"] as? Int == 1)
        #expect(object["aead"] as? Int == 2)
        #expect(object["enc"] as? String == Hex.encode(envelope.encapsulatedKey))
        let fromJSON = try HPKEEnvelope(jsonData: json)
        #expect(fromJSON == envelope)
        #expect(try fromJSON.open(with: privateKey, purpose: .result, context: taskID.bytes) == contentKey)
    }

    /// The envelope is plain RFC 9180 underneath: its documented info and header open it with the raw API.
    @Test func envelopeIsDocumentedHPKE() throws {
        let privateKey = X25519PrivateKey.generate()
        let envelope = try HPKEEnvelope.seal([7, 7, 7], to: privateKey.publicKey, purpose: .result, context: [9])
        let opened = try HPKEBase.open(
            envelope.ciphertext,
            encapsulatedKey: envelope.encapsulatedKey,
            with: privateKey,
            info: Array("clave-result-v1".utf8) + [0x00, 9],
            authenticatedData: Array(envelope.serialized.prefix(11))
        )
        #expect(opened == [7, 7, 7])
    }

    /// The test vector of docs/formats/hpke-envelope.md, made with pyhpke (fixed recipient and ephemeral keys).
    @Test func documentedEnvelopeVector() throws {
        let privateKey = try X25519PrivateKey(hex: "7790330b18d76c45446b7d9d1b15e87d7da80ab3b6f8cdcc0871764f1d767c9c")
        #expect(privateKey.publicKey.hex == "0x41852320ff367495fa522c94cb83af391e4e89018392725bbf2098dd931bc424")
        let envelope = try HPKEEnvelope(
            serialized: Hex.decode(
                "434c4850010020000100026080bbe51005ea9acc863580ce57317d46bef6333558d5bfa97e461342985005"
                    + "2e03e7b5f6dfba841493438e53dbf2a21accd0a4d77a9da64915ac6089c77db54c2c3634a60bdee4fa10530a70ff83f7"
            )
        )
        let taskID = Keccak256.hash(utf8: "task")
        #expect(taskID.description == "0xaaff8db9d0075498f192ae0ec43d6fe21a69fd8e7b121b5ae8b9ec569c9fab8a")
        #expect(try envelope.open(with: privateKey, purpose: .result, context: taskID.bytes) == Array(0..<32))
    }

    // MARK: Refusals

    enum Tamper: String, CaseIterable, Sendable {
        case wrongPrivateKey, encBit, encIgnoredHighBit, lowOrderEnc, ciphertextBit, tagBit
        case wrongInfo, wrongAAD, droppedLastByte
    }

    @Test(arguments: Tamper.allCases)
    func rawOpenRefusesTampering(_ tamper: Tamper) throws {
        let privateKey = X25519PrivateKey.generate()
        let info = Array("info".utf8)
        let aad = Array("aad".utf8)
        let sealed = try HPKEBase.seal(
            Array("secret content key".utf8),
            to: privateKey.publicKey,
            info: info,
            authenticatedData: aad
        )
        var key = privateKey
        var enc = sealed.encapsulatedKey
        var ciphertext = sealed.ciphertext
        var openInfo = info
        var openAAD = aad
        switch tamper {
        case .wrongPrivateKey: key = X25519PrivateKey.generate()
        case .encBit: enc[3] ^= 0x10
        // X25519 ignores the top bit of a u-coordinate, but HPKE binds the exact enc bytes in its key schedule.
        case .encIgnoredHighBit: enc[31] ^= 0x80
        case .lowOrderEnc: enc = Array(repeating: 0, count: 32)
        case .ciphertextBit: ciphertext[0] ^= 0x01
        case .tagBit: ciphertext[ciphertext.count - 1] ^= 0x80
        case .wrongInfo: openInfo = Array("infO".utf8)
        case .wrongAAD: openAAD = []
        case .droppedLastByte: ciphertext.removeLast()
        }
        let error = expectCryptoError(.authenticationFailed) {
            try HPKEBase.open(ciphertext, encapsulatedKey: enc, with: key, info: openInfo, authenticatedData: openAAD)
        }
        #expect(error?.message.contains("altered") == true)
    }

    @Test func rawOpenRefusesWrongLengths() throws {
        let privateKey = X25519PrivateKey.generate()
        let sealed = try HPKEBase.seal([1], to: privateKey.publicKey, info: [])
        expectCryptoError(.invalidLength) {
            try HPKEBase.open(
                sealed.ciphertext,
                encapsulatedKey: sealed.encapsulatedKey.dropLast(),
                with: privateKey,
                info: []
            )
        }
        expectCryptoError(.invalidLength) {
            try HPKEBase.open(
                sealed.ciphertext.prefix(15),
                encapsulatedKey: sealed.encapsulatedKey,
                with: privateKey,
                info: []
            )
        }
    }

    @Test func envelopeRefusesWrongKeyPurposeOrContext() throws {
        let privateKey = X25519PrivateKey.generate()
        let envelope = try HPKEEnvelope.seal([1, 2, 3], to: privateKey.publicKey, purpose: .result, context: [1])
        let other = HPKEEnvelope.Purpose(label: "clave-secret-v1")
        let attempts: [CryptoError?] = [
            expectCryptoError(.authenticationFailed) {
                try envelope.open(with: X25519PrivateKey.generate(), purpose: .result, context: [1])
            },
            expectCryptoError(.authenticationFailed) {
                try envelope.open(with: privateKey, purpose: other, context: [1])
            },
            expectCryptoError(.authenticationFailed) {
                try envelope.open(with: privateKey, purpose: .result, context: [2])
            },
            expectCryptoError(.authenticationFailed) { try envelope.open(with: privateKey, purpose: .result) },
        ]
        for error in attempts {
            #expect(error?.message.contains("not sealed to this key, or it was altered") == true)
        }
    }

    enum EnvelopeDamage: String, CaseIterable, Sendable {
        case empty, magicOnly, headerOnly, truncatedEnc, noTag, badMagic, version0, version2
        case kemP256, kdfSHA384, aeadChaCha

        func apply(_ bytes: inout [UInt8]) {
            switch self {
            case .empty: bytes = []
            case .magicOnly: bytes = Array(bytes.prefix(4))
            case .headerOnly: bytes = Array(bytes.prefix(11))
            case .truncatedEnc: bytes = Array(bytes.prefix(30))
            case .noTag: bytes = Array(bytes.prefix(HPKEEnvelope.minimumSerializedByteCount - 1))
            case .badMagic: bytes[0] = UInt8(ascii: "X")
            case .version0: bytes[4] = 0
            case .version2: bytes[4] = 2
            case .kemP256: bytes[6] = 0x10
            case .kdfSHA384: bytes[8] = 0x02
            case .aeadChaCha: bytes[10] = 0x03
            }
        }

        var messageMentions: String {
            switch self {
            case .empty, .badMagic: "CLHP"
            case .magicOnly, .headerOnly, .truncatedEnc, .noTag: "truncated"
            case .version0, .version2: "version"
            case .kemP256, .kdfSHA384, .aeadChaCha: "cipher suite"
            }
        }
    }

    @Test(arguments: EnvelopeDamage.allCases)
    func envelopeParserRefusesDamage(_ damage: EnvelopeDamage) throws {
        let envelope = try HPKEEnvelope.seal([1, 2, 3], to: X25519PrivateKey.generate().publicKey, purpose: .result)
        var bytes = envelope.serialized
        damage.apply(&bytes)
        let error = expectCryptoError(.invalidFormat) { try HPKEEnvelope(serialized: bytes) }
        #expect(error?.message.contains(damage.messageMentions) == true, "\(error?.message ?? "")")
    }

    @Test func envelopeTruncatedInsideCiphertextFailsAuthentication() throws {
        let privateKey = X25519PrivateKey.generate()
        let envelope = try HPKEEnvelope.seal([1, 2, 3], to: privateKey.publicKey, purpose: .result)
        let truncated = try HPKEEnvelope(serialized: envelope.serialized.dropLast())
        expectCryptoError(.authenticationFailed) { try truncated.open(with: privateKey, purpose: .result) }
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"{"version":1,"kem":32,"kdf":1,"aead":2,"ciphertext":"0x00"}"#, "'enc' is missing"),
        (#"{"version":"1","kem":32,"kdf":1,"aead":2,"enc":"0x","ciphertext":"0x"}"#, "'version' has the wrong type"),
        (#"{"version":2,"kem":32,"kdf":1,"aead":2,"enc":"0x","ciphertext":"0x"}"#, "version 2"),
        (#"{"version":1,"kem":16,"kdf":1,"aead":2,"enc":"0x","ciphertext":"0x"}"#, "kem=0x0010"),
        (#"{"version":1,"kem":32,"kdf":1,"aead":2,"enc":"0xzz","ciphertext":"0x"}"#, "not hexadecimal"),
        (#"{"version":1,"kem":32,"kdf":1,"aead":2,"enc":"0x00","ciphertext":"0x"}"#, "enc must be 32 bytes"),
    ])
    func envelopeJSONRefusals(json: String, mentions: String) {
        let error = expectCryptoError(.invalidFormat) { try HPKEEnvelope(jsonData: Data(json.utf8)) }
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
    }

    // MARK: Keys

    @Test func keysRoundTripThroughHex() throws {
        let privateKey = X25519PrivateKey.generate()
        let again = try X25519PrivateKey(hex: Hex.encode(privateKey.rawRepresentation))
        #expect(again.publicKey == privateKey.publicKey)
        let publicKey = try X25519PublicKey(hex: privateKey.publicKey.hex)
        #expect(publicKey == privateKey.publicKey)
        #expect(publicKey.hex.count == 66 && publicKey.hex.hasPrefix("0x"))
        #expect(!privateKey.description.contains(Hex.encode(privateKey.rawRepresentation, prefix: false)))

        let json = try JSONEncoder().encode([publicKey])
        #expect(try JSONDecoder().decode([X25519PublicKey].self, from: json) == [publicKey])
    }

    @Test func keysRefuseWrongLengths() {
        expectCryptoError(.invalidLength) { try X25519PublicKey(hex: "0x" + String(repeating: "ab", count: 31)) }
        expectCryptoError(.invalidLength) { try X25519PublicKey(rawRepresentation: [UInt8](repeating: 9, count: 33)) }
        expectCryptoError(.invalidLength) { try X25519PrivateKey(hex: "0x1234") }
        expectCryptoError(.invalidHex) { try X25519PublicKey(hex: "0x" + String(repeating: "zz", count: 32)) }
    }

    /// Low-order points, whose X25519 output is all zeros for every private key: u = 0, u = 1, u = p - 1, and a
    /// point of order 8.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ])
    func publicKeyRefusesLowOrderPoints(hex: String) {
        expectCryptoError(.invalidPublicKey) { try X25519PublicKey(hex: hex) }
    }
}

struct RFC9180Vector: Decodable {
    struct Encryption: Decodable {
        let sequence: Int
        let aad: String
        let pt: String
        let ct: String
    }

    enum CodingKeys: String, CodingKey {
        case mode, info, skRm, pkRm, enc, encryptions
        case kemID = "kem_id"
        case kdfID = "kdf_id"
        case aeadID = "aead_id"
    }

    let mode: Int
    let kemID: Int
    let kdfID: Int
    let aeadID: Int
    let info: String
    let skRm: String
    let pkRm: String
    let enc: String
    let encryptions: [Encryption]
}

/// The shape of `hpke.json` (Scripts/vectors/generate.py) and of the files `hpke_open.py` reads.
struct HPKEVectorFile: Codable {
    struct Suite: Codable, Equatable {
        let kem: Int
        let kdf: Int
        let aead: Int
    }

    struct Case: Codable {
        let skR: String
        let pkR: String
        let info: String
        let aad: String
        let plaintext: String
        let enc: String
        let ciphertext: String
    }

    let suite: Suite
    let cases: [Case]
}
