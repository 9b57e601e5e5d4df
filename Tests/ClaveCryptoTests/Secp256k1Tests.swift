import ClaveCrypto
import Foundation
import Testing

@Suite struct Secp256k1Tests {
    /// The account in web3.js's documentation of `accounts.sign`.
    static let web3Key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

    @Test func publishedAccount() throws {
        let key = try PrivateKey(hex: Self.web3Key)
        #expect(key.address.checksummed == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        let signature = key.signPersonalMessage(Array("Some data".utf8))
        #expect(
            EIP191.hash(personalMessage: Array("Some data".utf8)).description
                == "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655")
        #expect(
            signature.description
                == "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
        )
    }

    @Test func independentKeys() throws {
        let vectors = try Fixtures.load([KeyVector].self, "keys.json")
        #expect(vectors.count >= 30)
        for vector in vectors {
            let key = try PrivateKey(hex: vector.privateKey)
            #expect(Hex.encode(key.publicKey.rawRepresentation) == vector.publicKey)
            #expect(key.address.checksummed == vector.address)
            // Compressed encoding parses back to the same key.
            #expect(try PublicKey(bytes: key.publicKey.compressedRepresentation) == key.publicKey)
        }
    }

    @Test func independentPersonalSignatures() throws {
        let vectors = try Fixtures.load([PersonalSignVector].self, "personal_sign.json")
        #expect(vectors.count >= 30)
        for vector in vectors {
            let key = try PrivateKey(hex: vector.privateKey)
            let message = try Hex.decode(vector.message)
            #expect(EIP191.hash(personalMessage: message).description == vector.digest)
            let signature = key.signPersonalMessage(message)
            #expect(signature.description == vector.signature)
            #expect(
                try Signature(hex: vector.signature).recoverPersonalMessageSigner(message).checksummed == vector.address
            )
        }
    }

    @Test func independentDigestSignatures() throws {
        let vectors = try Fixtures.load([DigestVector].self, "digest_signatures.json")
        #expect(vectors.count >= 30)
        for vector in vectors {
            let key = try PrivateKey(hex: vector.privateKey)
            let digest = try Bytes32(hex: vector.digest)
            #expect(key.sign(digest: digest).description == vector.signature)
            let parsed = try Signature(hex: vector.signature)
            #expect(try parsed.recoverAddress(digest: digest) == key.address)
            #expect(key.publicKey.isValidSignature(parsed, for: digest))
        }
    }

    @Test func compactFormRoundTrips() throws {
        for _ in 0..<20 {
            let key = PrivateKey.generate()
            let digest = Keccak256.hash(utf8: UUID().uuidString)
            let signature = key.sign(digest: digest)
            let compact = try Signature(bytes: signature.compactRepresentation)
            #expect(compact == signature)
            #expect(try compact.recoverAddress(digest: digest) == key.address)
            // v written as 0/1 is accepted too.
            var zeroOne = signature.rawRepresentation
            zeroOne[64] -= 27
            #expect(try Signature(bytes: zeroOne) == signature)
        }
    }

    /// The two examples in EIP-2098: private key 0x1234…1234 signing "Hello World" (v = 27), and a v = 28 signature.
    @Test func eip2098Examples() throws {
        let key = try PrivateKey(hex: "0x1234567890123456789012345678901234567890123456789012345678901234")
        let full = key.signPersonalMessage(Array("Hello World".utf8))
        #expect(
            full.description
                == "0x68a020a209d3d56c46f38cc50a33f704f4a9a10a59377f8dd762ac66910e9b907e865ad05c4035ab5792787d4a0297a43617ae897930a6fe4d822b8faea520641b"
        )
        #expect(
            Hex.encode(full.compactRepresentation)
                == "0x68a020a209d3d56c46f38cc50a33f704f4a9a10a59377f8dd762ac66910e9b907e865ad05c4035ab5792787d4a0297a43617ae897930a6fe4d822b8faea52064"
        )
        let odd = try Signature(
            hex:
                "0x9328da16089fcba9bececa81663203989f2df5fe1faa6291a45381c81bd17f76139c6d6b623b42da56557e5e734a43dc83345ddfadec52cbe24d0cc64f5507931c"
        )
        #expect(
            Hex.encode(odd.compactRepresentation)
                == "0x9328da16089fcba9bececa81663203989f2df5fe1faa6291a45381c81bd17f76939c6d6b623b42da56557e5e734a43dc83345ddfadec52cbe24d0cc64f550793"
        )
        #expect(try Signature(bytes: odd.compactRepresentation) == odd)
    }

    @Test func signaturesAreLowSAndDeterministic() throws {
        let key = try PrivateKey(hex: Self.web3Key)
        let digest = Keccak256.hash(utf8: "deterministic")
        #expect(key.sign(digest: digest) == key.sign(digest: digest))
        for index in 0..<50 {
            let signature = key.sign(digest: Keccak256.hash(utf8: "message \(index)"))
            #expect(signature.s.bytes[0] < 0x80)
        }
    }

    @Test func refusesHighS() throws {
        let key = try PrivateKey(hex: Self.web3Key)
        let digest = Keccak256.hash(utf8: "malleable")
        let signature = key.sign(digest: digest)
        // s' = n - s, with the parity flipped: valid ECDSA, but malleable, so Ethereum refuses it.
        let order = try Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        var highS = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            let difference = Int(order[index]) - Int(signature.s.bytes[index]) - borrow
            highS[index] = UInt8((difference + 256) % 256)
            borrow = difference < 0 ? 1 : 0
        }
        let bytes = signature.r.bytes + highS + [27 + (1 - signature.yParity)]
        let error = #expect(throws: CryptoError.self) { try Signature(bytes: bytes) }
        #expect(error?.code == .highS)
        #expect(error?.message.contains("EIP-2") == true)
    }

    static let malformedSignatures: [([UInt8], CryptoError.Code)] = {
        let one = [UInt8](repeating: 1, count: 32)
        let zero = [UInt8](repeating: 0, count: 32)
        let max = [UInt8](repeating: 0xFF, count: 32)
        return [
            (Array(one + one).dropLast(), .invalidLength),
            (one + one + [27, 27], .invalidLength),
            (one + one + [29], .invalidSignature),
            (zero + one + [27], .invalidSignature),
            (one + zero + [27], .invalidSignature),
            (max + one + [27], .invalidSignature),
        ]
    }()

    @Test(arguments: malformedSignatures)
    func refusesMalformedSignatures(bytes: [UInt8], code: CryptoError.Code) {
        let error = #expect(throws: CryptoError.self) { try Signature(bytes: bytes) }
        #expect(error?.code == code)
    }

    @Test func refusesInvalidPrivateKeys() {
        let zero = #expect(throws: CryptoError.self) {
            try PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        }
        #expect(zero?.code == .invalidPrivateKey)
        let order = #expect(throws: CryptoError.self) {
            try PrivateKey(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        }
        #expect(order?.code == .invalidPrivateKey)
        let short = #expect(throws: CryptoError.self) { try PrivateKey(hex: "0x1234") }
        #expect(short?.code == .invalidLength)
    }

    @Test func refusesPointOffCurve() {
        let error = #expect(throws: CryptoError.self) {
            try PublicKey(bytes: [0x02] + [UInt8](repeating: 0xFF, count: 32))
        }
        #expect(error?.code == .invalidPublicKey)
    }

    @Test func verifyNamesTheRealSigner() throws {
        let alice = PrivateKey.generate()
        let bob = PrivateKey.generate()
        let digest = Keccak256.hash(utf8: "order")
        let signature = alice.sign(digest: digest)
        try signature.verify(signer: alice.address, digest: digest)
        let error = #expect(throws: CryptoError.self) { try signature.verify(signer: bob.address, digest: digest) }
        #expect(error?.code == .signatureMismatch)
        #expect(error?.message.contains(alice.address.checksummed) == true)
    }

    @Test func privateKeyDescriptionHidesTheSecret() throws {
        let key = try PrivateKey(hex: Self.web3Key)
        #expect(!key.description.contains("4c0883a6"))
    }
}

struct KeyVector: Decodable {
    let privateKey: String
    let publicKey: String
    let address: String
}

struct PersonalSignVector: Decodable {
    let privateKey: String
    let message: String
    let digest: String
    let signature: String
    let address: String
}

struct DigestVector: Decodable {
    let privateKey: String
    let digest: String
    let signature: String
}
