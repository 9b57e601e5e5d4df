import ClaveCrypto
import Foundation
import Testing

@Suite struct AddressTests {
    /// The examples listed in EIP-55 itself.
    @Test(arguments: [
        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ])
    func eip55Examples(text: String) throws {
        let address = try Address(text)
        // The all-caps and all-lowercase examples parse; the mixed-case ones are their own checksummed form.
        #expect(try Address(address.checksummed) == address)
        if text.dropFirst(2).contains(where: \.isLowercase) && text.dropFirst(2).contains(where: \.isUppercase) {
            #expect(address.checksummed == text)
        }
    }

    @Test func independentChecksums() throws {
        let vectors = try Fixtures.load([EIP55Vector].self, "eip55.json")
        #expect(vectors.count >= 50)
        for vector in vectors {
            let address = try Address(vector.lower)
            #expect(address.checksummed == vector.checksummed)
            #expect(try Address(vector.checksummed) == address)
        }
    }

    @Test func refusesBadChecksum() {
        // One letter's case flipped in an EIP-55 example.
        let error = #expect(throws: CryptoError.self) { try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") }
        #expect(error?.code == .badChecksum)
        #expect(error?.message.contains("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == true)
    }

    @Test(arguments: [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", CryptoError.Code.invalidLength),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedaa", .invalidLength),
        ("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", .invalidHex),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeZ", .invalidHex),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", .invalidHex),
        ("", .invalidHex),
    ])
    func refusesMalformed(text: String, code: CryptoError.Code) {
        let error = #expect(throws: CryptoError.self) { try Address(text) }
        #expect(error?.code == code)
    }
}

struct EIP55Vector: Decodable {
    let lower: String
    let checksummed: String
}

/// Addresses, bytes32 values and signatures are JSON strings; a bad one fails decoding with the parser's message.
@Suite struct TextCodingTests {
    struct Record: Codable, Equatable {
        let address: Address
        let hash: Bytes32
        let signature: Signature
    }

    @Test func roundTripsAsStrings() throws {
        let key = PrivateKey.generate()
        let hash = Keccak256.hash(utf8: "record")
        let record = Record(address: key.address, hash: hash, signature: key.sign(digest: hash))
        let json = try JSONEncoder().encode(record)
        let object = try JSONSerialization.jsonObject(with: json) as! [String: String]
        #expect(object["address"] == key.address.checksummed)
        #expect(object["hash"] == hash.description)
        #expect(try JSONDecoder().decode(Record.self, from: json) == record)
    }

    @Test func badValuesSayWhatIsWrong() throws {
        let json = Data(#"["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"]"#.utf8)
        #expect {
            try JSONDecoder().decode([Address].self, from: json)
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains("EIP-55 checksum")
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Bytes32].self, from: Data(#"["0x12"]"#.utf8)) }
    }
}
