/// The EIP-712 domain of iExec's orders: name `iExecODB`, version `5.0.0`, the chain id and the hub address.
public struct OrderDomain: Sendable, Hashable, Codable {
    public static let name = "iExecODB"
    public static let version = "5.0.0"

    public let chainId: UInt64
    /// The ledger's hub address (iExec's `verifyingContract`).
    public let verifyingContract: Address
    /// keccak256 of the encoded domain; the same for every order on one ledger, so it is computed once.
    public let separator: Bytes32

    public init(chainId: UInt64, verifyingContract: Address) {
        self.chainId = chainId
        self.verifyingContract = verifyingContract
        // The domain's members are fixed and valid, so encoding cannot fail.
        self.separator = try! TypedDataEncoder(types: ["EIP712Domain": OrderDomain.members])
            .hashStruct("EIP712Domain", OrderDomain.typedValue(chainId, verifyingContract), path: "domain")
    }

    static let members = TypedData.domainMembers.filter { $0.name != "salt" }

    static func typedValue(_ chainId: UInt64, _ verifyingContract: Address) -> TypedValue {
        [
            "name": .string(name), "version": .string(version),
            "chainId": .uint(chainId), "verifyingContract": .address(verifyingContract),
        ]
    }

    var typedValue: TypedValue { OrderDomain.typedValue(chainId, verifyingContract) }

    enum CodingKeys: String, CodingKey { case chainId, verifyingContract }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            chainId: try container.decode(UInt64.self, forKey: .chainId),
            verifyingContract: try container.decode(Address.self, forKey: .verifyingContract))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chainId, forKey: .chainId)
        try container.encode(verifyingContract, forKey: .verifyingContract)
    }
}

/// One of iExec's four order types, hashed and signed with EIP-712 exactly as PoCo v5's `IexecLibOrders_v5` does.
public protocol EIP712Order: Sendable, Hashable, Codable {
    /// The EIP-712 struct name, e.g. `AppOrder`.
    static var typeName: String { get }
    /// The members in iExec's order.
    static var fields: [TypedData.Field] { get }
    /// The order's members as typed-data values.
    var typedValue: TypedValue { get }
}

extension EIP712Order {
    /// The order as full EIP-712 typed data in the given domain.
    public func typedData(in domain: OrderDomain) -> TypedData {
        TypedData(
            types: [Self.typeName: Self.fields, "EIP712Domain": OrderDomain.members],
            primaryType: Self.typeName,
            domain: domain.typedValue,
            message: typedValue
        )
    }

    /// hashStruct of the order.
    public var structHash: Bytes32 {
        // Orders are built from typed Swift values, so their encoding cannot fail.
        try! TypedDataEncoder(types: [Self.typeName: Self.fields]).hashStruct(Self.typeName, typedValue, path: "order")
    }

    /// The order hash: the full EIP-712 digest, which PoCo uses as the order's id (for consumption and cancel).
    public func hash(in domain: OrderDomain) -> Bytes32 {
        EIP191.hash(domainSeparator: domain.separator, structHash: structHash)
    }

    /// Signs the order hash.
    public func sign(with key: PrivateKey, in domain: OrderDomain) -> Signature {
        key.sign(digest: hash(in: domain))
    }

    /// Checks that `signature` over this order was made by `signer`.
    public func verify(_ signature: Signature, signer: Address, in domain: OrderDomain) throws(CryptoError) {
        try signature.verify(signer: signer, digest: hash(in: domain), what: Self.typeName)
    }
}

/// An app developer's offer to run their app: `AppOrder`.
public struct AppOrder: EIP712Order {
    public static let typeName = "AppOrder"
    public static let fields: [TypedData.Field] = TypedData.fields(
        "address app,uint256 appprice,uint256 volume,bytes32 tag,address datasetrestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt"
    )

    public var app: Address
    public var appprice: UInt64
    public var volume: UInt64
    public var tag: Bytes32
    public var datasetrestrict: Address
    public var workerpoolrestrict: Address
    public var requesterrestrict: Address
    public var salt: Bytes32

    public init(
        app: Address, appprice: UInt64, volume: UInt64, tag: Bytes32 = .zero, datasetrestrict: Address = .zero,
        workerpoolrestrict: Address = .zero, requesterrestrict: Address = .zero, salt: Bytes32
    ) {
        self.app = app
        self.appprice = appprice
        self.volume = volume
        self.tag = tag
        self.datasetrestrict = datasetrestrict
        self.workerpoolrestrict = workerpoolrestrict
        self.requesterrestrict = requesterrestrict
        self.salt = salt
    }

    public var typedValue: TypedValue {
        [
            "app": .address(app), "appprice": .uint(appprice), "volume": .uint(volume), "tag": .bytes(tag.bytes),
            "datasetrestrict": .address(datasetrestrict), "workerpoolrestrict": .address(workerpoolrestrict),
            "requesterrestrict": .address(requesterrestrict), "salt": .bytes(salt.bytes),
        ]
    }
}

/// A data owner's grant of access to their dataset: `DatasetOrder`.
public struct DatasetOrder: EIP712Order {
    public static let typeName = "DatasetOrder"
    public static let fields: [TypedData.Field] = TypedData.fields(
        "address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address apprestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt"
    )

    public var dataset: Address
    public var datasetprice: UInt64
    public var volume: UInt64
    public var tag: Bytes32
    public var apprestrict: Address
    public var workerpoolrestrict: Address
    public var requesterrestrict: Address
    public var salt: Bytes32

    public init(
        dataset: Address, datasetprice: UInt64, volume: UInt64, tag: Bytes32 = .zero, apprestrict: Address = .zero,
        workerpoolrestrict: Address = .zero, requesterrestrict: Address = .zero, salt: Bytes32
    ) {
        self.dataset = dataset
        self.datasetprice = datasetprice
        self.volume = volume
        self.tag = tag
        self.apprestrict = apprestrict
        self.workerpoolrestrict = workerpoolrestrict
        self.requesterrestrict = requesterrestrict
        self.salt = salt
    }

    public var typedValue: TypedValue {
        [
            "dataset": .address(dataset), "datasetprice": .uint(datasetprice), "volume": .uint(volume),
            "tag": .bytes(tag.bytes), "apprestrict": .address(apprestrict),
            "workerpoolrestrict": .address(workerpoolrestrict), "requesterrestrict": .address(requesterrestrict),
            "salt": .bytes(salt.bytes),
        ]
    }
}

/// A workerpool's offer of computing capacity: `WorkerpoolOrder`.
public struct WorkerpoolOrder: EIP712Order {
    public static let typeName = "WorkerpoolOrder"
    public static let fields: [TypedData.Field] = TypedData.fields(
        "address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 tag,uint256 category,uint256 trust,address apprestrict,address datasetrestrict,address requesterrestrict,bytes32 salt"
    )

    public var workerpool: Address
    public var workerpoolprice: UInt64
    public var volume: UInt64
    public var tag: Bytes32
    public var category: UInt64
    public var trust: UInt64
    public var apprestrict: Address
    public var datasetrestrict: Address
    public var requesterrestrict: Address
    public var salt: Bytes32

    public init(
        workerpool: Address, workerpoolprice: UInt64, volume: UInt64, tag: Bytes32 = .zero, category: UInt64,
        trust: UInt64, apprestrict: Address = .zero, datasetrestrict: Address = .zero,
        requesterrestrict: Address = .zero, salt: Bytes32
    ) {
        self.workerpool = workerpool
        self.workerpoolprice = workerpoolprice
        self.volume = volume
        self.tag = tag
        self.category = category
        self.trust = trust
        self.apprestrict = apprestrict
        self.datasetrestrict = datasetrestrict
        self.requesterrestrict = requesterrestrict
        self.salt = salt
    }

    public var typedValue: TypedValue {
        [
            "workerpool": .address(workerpool), "workerpoolprice": .uint(workerpoolprice), "volume": .uint(volume),
            "tag": .bytes(tag.bytes), "category": .uint(category), "trust": .uint(trust),
            "apprestrict": .address(apprestrict), "datasetrestrict": .address(datasetrestrict),
            "requesterrestrict": .address(requesterrestrict), "salt": .bytes(salt.bytes),
        ]
    }
}

/// A requester's demand to run an app (on a dataset) in a workerpool: `RequestOrder`.
public struct RequestOrder: EIP712Order {
    public static let typeName = "RequestOrder"
    public static let fields: [TypedData.Field] = TypedData.fields(
        "address app,uint256 appmaxprice,address dataset,uint256 datasetmaxprice,address workerpool,uint256 workerpoolmaxprice,address requester,uint256 volume,bytes32 tag,uint256 category,uint256 trust,address beneficiary,address callback,string params,bytes32 salt"
    )

    public var app: Address
    public var appmaxprice: UInt64
    public var dataset: Address
    public var datasetmaxprice: UInt64
    public var workerpool: Address
    public var workerpoolmaxprice: UInt64
    public var requester: Address
    public var volume: UInt64
    public var tag: Bytes32
    public var category: UInt64
    public var trust: UInt64
    public var beneficiary: Address
    public var callback: Address
    /// The deal parameters as JSON text (`iexec_args`, `iexec_input_files`, ...), hashed as its UTF-8 bytes.
    public var params: String
    public var salt: Bytes32

    public init(
        app: Address, appmaxprice: UInt64, dataset: Address = .zero, datasetmaxprice: UInt64 = 0,
        workerpool: Address = .zero, workerpoolmaxprice: UInt64, requester: Address, volume: UInt64,
        tag: Bytes32 = .zero, category: UInt64, trust: UInt64, beneficiary: Address, callback: Address = .zero,
        params: String, salt: Bytes32
    ) {
        self.app = app
        self.appmaxprice = appmaxprice
        self.dataset = dataset
        self.datasetmaxprice = datasetmaxprice
        self.workerpool = workerpool
        self.workerpoolmaxprice = workerpoolmaxprice
        self.requester = requester
        self.volume = volume
        self.tag = tag
        self.category = category
        self.trust = trust
        self.beneficiary = beneficiary
        self.callback = callback
        self.params = params
        self.salt = salt
    }

    public var typedValue: TypedValue {
        [
            "app": .address(app), "appmaxprice": .uint(appmaxprice), "dataset": .address(dataset),
            "datasetmaxprice": .uint(datasetmaxprice), "workerpool": .address(workerpool),
            "workerpoolmaxprice": .uint(workerpoolmaxprice), "requester": .address(requester),
            "volume": .uint(volume), "tag": .bytes(tag.bytes), "category": .uint(category), "trust": .uint(trust),
            "beneficiary": .address(beneficiary), "callback": .address(callback), "params": .string(params),
            "salt": .bytes(salt.bytes),
        ]
    }
}

extension TypedData {
    /// Fields from a Solidity-style member list: `"address app,uint256 appprice"`.
    static func fields(_ members: String) -> [Field] {
        members.split(separator: ",").map { member in
            let parts = member.split(separator: " ")
            return Field(name: String(parts[1]), type: String(parts[0]))
        }
    }
}
