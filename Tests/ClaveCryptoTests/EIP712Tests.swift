import ClaveCrypto
import Foundation
import Testing

@Suite struct EIP712Tests {
    /// EIP-712's own example ("Ether Mail"), with the values its reference implementation prints.
    static let mail = """
        {
          "types": {
            "EIP712Domain": [
              {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
              {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
            ],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]
          },
          "primaryType": "Mail",
          "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
          "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!"
          }
        }
        """

    @Test func mailExample() throws {
        let typed = try TypedData(jsonData: Data(Self.mail.utf8))
        #expect(
            try typed.encodeType() == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(
            try typed.domainSeparator().description
                == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(
            try typed.structHash().description == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(try typed.digest().description == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        let cow = try PrivateKey(rawRepresentation: Keccak256.hash(utf8: "cow").bytes)
        #expect(cow.address.checksummed == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        let signature = try typed.sign(with: cow)
        #expect(signature.yParity == 1)
        #expect(signature.r.description == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(signature.s.description == "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
    }

    @Test func independentGeneralVectors() throws {
        let vectors = try Fixtures.load([GeneralVector].self, "eip712_general.json")
        #expect(vectors.count >= 10)
        for (index, vector) in vectors.enumerated() {
            let typed = vector.typedData
            #expect(try typed.domainSeparator().description == vector.domainSeparator, "case \(index)")
            #expect(try typed.structHash().description == vector.structHash, "case \(index)")
            #expect(try typed.digest().description == vector.digest, "case \(index)")
            let key = try PrivateKey(hex: vector.privateKey)
            #expect(try typed.sign(with: key).description == vector.signature, "case \(index)")
            // The same typed data survives a JSON round trip through Clave's encoder.
            let reencoded = try TypedData(jsonData: JSONEncoder().encode(typed))
            #expect(try reencoded.digest().description == vector.digest, "case \(index) after JSON round trip")
        }
    }

    @Test func independentOrderVectors() throws {
        let fixture = try Fixtures.load(OrderFixture.self, "eip712_orders.json")
        let domain = OrderDomain(
            chainId: try #require(UInt64(fixture.chainId)), verifyingContract: try Address(fixture.verifyingContract))
        #expect(fixture.orders.count >= 40)
        var seen = Set<String>()
        for vector in fixture.orders {
            seen.insert(vector.type)
            let order = try vector.order()
            #expect(domain.separator.description == vector.domainSeparator)
            #expect(order.structHash.description == vector.structHash, "\(vector.type)")
            #expect(order.hash(in: domain).description == vector.digest, "\(vector.type)")
            // The general encoder gives the same digest from the typed-data form.
            #expect(try order.typedData(in: domain).digest().description == vector.digest)
            let key = try PrivateKey(hex: vector.privateKey)
            let signature = order.sign(with: key, in: domain)
            #expect(signature.description == vector.signature)
            try order.verify(try Signature(hex: vector.signature), signer: try Address(vector.signer), in: domain)
        }
        #expect(seen == ["AppOrder", "DatasetOrder", "WorkerpoolOrder", "RequestOrder"])
    }

    @Test func orderSignedInAnotherDomainIsRefused() throws {
        let owner = PrivateKey.generate()
        let order = AppOrder(app: owner.address, appprice: 5, volume: 1, salt: Keccak256.hash(utf8: "salt"))
        let home = OrderDomain(
            chainId: 65535, verifyingContract: try Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"))
        let elsewhere = OrderDomain(chainId: 134, verifyingContract: home.verifyingContract)
        let signature = order.sign(with: owner, in: elsewhere)
        let error = #expect(throws: CryptoError.self) { try order.verify(signature, signer: owner.address, in: home) }
        #expect(error?.code == .signatureMismatch)
    }

    @Test func encodeTypeSortsReferencedTypes() throws {
        let typed = TypedData(
            types: [
                "Top": [.init(name: "z", type: "Zed[]"), .init(name: "a", type: "Alpha")],
                "Zed": [.init(name: "m", type: "Mid")],
                "Mid": [.init(name: "x", type: "uint8")],
                "Alpha": [.init(name: "y", type: "bool")],
            ],
            primaryType: "Top", domain: ["name": "t"], message: .null)
        #expect(try typed.encodeType() == "Top(Zed[] z,Alpha a)Alpha(bool y)Mid(uint8 x)Zed(Mid m)")
    }

    /// Each malformed message is refused with a message naming the member at fault.
    @Test(arguments: [
        (TypedValue.object(["v": "256"]), "uint8", "does not fit"),
        (.object(["v": "-1"]), "uint8", "negative"),
        (.object(["v": "-129"]), "int8", "does not fit"),
        (.object(["v": "12abc"]), "uint256", "not an integer"),
        (.object(["v": "0x1234"]), "bytes4", "exactly 4 bytes"),
        (.object(["v": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"]), "address", "checksum"),
        (.object(["v": .integer("1")]), "bool", "true or false"),
        (.object(["v": ["1", "2"]]), "uint8[3]", "exactly 3 items"),
        (.object(["v": "abcd"]), "bytes", "0x-prefixed"),
        (.object([:]), "uint8", "missing"),
        (.object(["v": "1", "w": "2"]), "uint8", "not a member"),
        (.object(["v": "1"]), "uint7", "neither an EIP-712 atomic type"),
        (.object(["v": "1"]), "Undefined", "neither an EIP-712 atomic type"),
    ])
    func refusesMalformedValues(message: TypedValue, type: String, reason: String) {
        let typed = TypedData(
            types: ["T": [.init(name: "v", type: type)]], primaryType: "T", domain: ["name": "d"], message: message)
        let error = #expect(throws: CryptoError.self) { try typed.digest() }
        #expect(error?.code == .invalidTypedData)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test func integerRanges() throws {
        func digest(_ type: String, _ value: String) throws -> Bytes32 {
            try TypedData(
                types: ["T": [.init(name: "v", type: type)]], primaryType: "T", domain: ["name": "d"],
                message: ["v": .string(value)]
            ).structHash()
        }
        // Boundaries that fit.
        _ = try digest("uint8", "255")
        _ = try digest("int8", "-128")
        _ = try digest("int8", "127")
        _ = try digest("uint256", "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        _ = try digest("int256", "-57896044618658097711785492504343953926634992332820282019728792003956564819968")
        // Hex and decimal spellings of one number hash alike.
        #expect(try digest("uint64", "0xff") == digest("uint64", "255"))
        #expect(throws: CryptoError.self) { try digest("int8", "128") }
        #expect(throws: CryptoError.self) {
            try digest("uint256", "115792089237316195423570985008687907853269984665640564039457584007913129639936")
        }
    }
}

struct GeneralVector: Decodable {
    let typedData: TypedData
    let domainSeparator: String
    let structHash: String
    let digest: String
    let privateKey: String
    let signature: String
}

struct OrderFixture: Decodable {
    let chainId: String
    let verifyingContract: String
    let orders: [OrderVector]
}

struct OrderVector: Decodable {
    let type: String
    let message: [String: String]
    let domainSeparator: String
    let structHash: String
    let digest: String
    let privateKey: String
    let signer: String
    let signature: String

    func order() throws -> any EIP712Order {
        func address(_ key: String) throws -> Address { try Address(message[key]!) }
        func uint(_ key: String) throws -> UInt64 { try #require(UInt64(message[key]!)) }
        func word(_ key: String) throws -> Bytes32 { try Bytes32(hex: message[key]!) }
        switch type {
        case "AppOrder":
            return AppOrder(
                app: try address("app"), appprice: try uint("appprice"), volume: try uint("volume"),
                tag: try word("tag"),
                datasetrestrict: try address("datasetrestrict"), workerpoolrestrict: try address("workerpoolrestrict"),
                requesterrestrict: try address("requesterrestrict"), salt: try word("salt"))
        case "DatasetOrder":
            return DatasetOrder(
                dataset: try address("dataset"), datasetprice: try uint("datasetprice"), volume: try uint("volume"),
                tag: try word("tag"), apprestrict: try address("apprestrict"),
                workerpoolrestrict: try address("workerpoolrestrict"),
                requesterrestrict: try address("requesterrestrict"),
                salt: try word("salt"))
        case "WorkerpoolOrder":
            return WorkerpoolOrder(
                workerpool: try address("workerpool"), workerpoolprice: try uint("workerpoolprice"),
                volume: try uint("volume"), tag: try word("tag"), category: try uint("category"),
                trust: try uint("trust"),
                apprestrict: try address("apprestrict"), datasetrestrict: try address("datasetrestrict"),
                requesterrestrict: try address("requesterrestrict"), salt: try word("salt"))
        default:
            return RequestOrder(
                app: try address("app"), appmaxprice: try uint("appmaxprice"), dataset: try address("dataset"),
                datasetmaxprice: try uint("datasetmaxprice"), workerpool: try address("workerpool"),
                workerpoolmaxprice: try uint("workerpoolmaxprice"), requester: try address("requester"),
                volume: try uint("volume"), tag: try word("tag"), category: try uint("category"),
                trust: try uint("trust"),
                beneficiary: try address("beneficiary"), callback: try address("callback"), params: message["params"]!,
                salt: try word("salt"))
        }
    }
}
