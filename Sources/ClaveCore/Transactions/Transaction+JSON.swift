public import ClaveCrypto

// The JSON form of transactions (docs/formats/transaction-signature.md):
// {"chainId": 65535, "from": "0x…", "nonce": 0, "type": "deposit", "body": {"amount": "1000"}}.
// chainId and nonce are JSON numbers; every integer inside a body is a decimal string; bytes are 0x-hex;
// addresses are EIP-55 checksummed (lowercase is accepted). Reading is strict: unknown fields are refused.

extension Transaction {
    /// The transaction as JSON, the document that is canonicalized (RFC 8785) and signed.
    public var json: JSONValue {
        [
            "chainId": .number(.init(chainId)), "from": .string(from.checksummed), "nonce": .number(.init(nonce)),
            "type": .string(body.type), "body": body.json,
        ]
    }

    /// Reads a transaction from its JSON form.
    public init(json: JSONValue, path: String = "transaction") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let chainId = try fields.number("chainId")
        let from = try fields.address("from")
        let nonce = try fields.number("nonce")
        let type = try fields.string("type")
        let body = try TransactionBody(type: type, json: fields.member("body"), path: "\(path).body")
        try fields.finish()
        self.init(chainId: chainId, from: from, nonce: nonce, body: body)
    }
}

extension TransactionBody {
    /// The body's JSON object (without `type`, which the transaction carries).
    public var json: JSONValue {
        switch self {
        case .faucet(let amount), .deposit(let amount), .withdraw(let amount):
            return ["amount": .decimal(amount)]
        case .createApp(let name, let type, let multiaddr, let checksum, let mrenclave):
            return [
                "name": .string(name), "type": .string(type), "multiaddr": .string(multiaddr),
                "checksum": .string(checksum.description), "mrenclave": .string(mrenclave),
            ]
        case .createDataset(let name, let multiaddr, let checksum, let schema):
            return [
                "name": .string(name), "multiaddr": .string(multiaddr), "checksum": .string(checksum.description),
                "schema": .string(schema),
            ]
        case .createWorkerpool(let description):
            return ["description": .string(description)]
        case .transferAppOwnership(let app, let newOwner):
            return ["app": .address(app), "newOwner": .address(newOwner)]
        case .transferDatasetOwnership(let dataset, let newOwner):
            return ["dataset": .address(dataset), "newOwner": .address(newOwner)]
        case .transferWorkerpoolOwnership(let workerpool, let newOwner):
            return ["workerpool": .address(workerpool), "newOwner": .address(newOwner)]
        case .configureWorkerpool(let workerpool, let workerStakeRatio, let schedulerRewardRatio):
            return [
                "workerpool": .address(workerpool), "workerStakeRatio": .decimal(workerStakeRatio),
                "schedulerRewardRatio": .decimal(schedulerRewardRatio),
            ]
        case .presign(let order), .closeOrder(let order):
            return ["kind": .string(order.kind.rawValue), "order": order.json]
        case .matchOrders(let app, let dataset, let workerpool, let request),
            .sponsorMatchOrders(let app, let dataset, let workerpool, let request):
            return [
                "app": app.json, "dataset": dataset?.json ?? .null, "workerpool": workerpool.json,
                "request": request.json,
            ]
        case .initialize(let dealId, let index), .initializeAndClaim(let dealId, let index):
            return ["dealId": .string(dealId.description), "index": .decimal(index)]
        case .initializeArray(let dealIds, let indices):
            return [
                "dealIds": .array(dealIds.map { .string($0.description) }),
                "indices": .array(indices.map { .decimal($0) }),
            ]
        case .contribute(
            let taskId, let resultHash, let resultSeal, let enclaveChallenge, let enclaveSign, let authorization):
            return [
                "taskId": .string(taskId.description), "resultHash": .string(resultHash.description),
                "resultSeal": .string(resultSeal.description), "enclaveChallenge": .address(enclaveChallenge),
                "enclaveSign": enclaveSign.map { .string($0.description) } ?? .null,
                "authorizationSign": .string(authorization.description),
            ]
        case .reveal(let taskId, let resultDigest):
            return ["taskId": .string(taskId.description), "resultDigest": .string(resultDigest.description)]
        case .reopen(let taskId), .claim(let taskId):
            return ["taskId": .string(taskId.description)]
        case .finalize(let taskId, let results, let resultsCallback):
            return [
                "taskId": .string(taskId.description), "results": .string(Hex.encode(results)),
                "resultsCallback": .string(Hex.encode(resultsCallback)),
            ]
        case .contributeAndFinalize(
            let taskId, let resultDigest, let results, let resultsCallback, let enclaveChallenge, let enclaveSign,
            let authorization):
            return [
                "taskId": .string(taskId.description), "resultDigest": .string(resultDigest.description),
                "results": .string(Hex.encode(results)), "resultsCallback": .string(Hex.encode(resultsCallback)),
                "enclaveChallenge": .address(enclaveChallenge),
                "enclaveSign": enclaveSign.map { .string($0.description) } ?? .null,
                "authorizationSign": .string(authorization.description),
            ]
        }
    }

    /// Reads the body of an operation of the given `type`.
    public init(type: String, json: JSONValue, path: String = "body") throws(TransactionFormatError) {
        var f = try JSONFields(json, at: path)
        switch type {
        case "faucet": self = .faucet(amount: try f.decimal("amount"))
        case "deposit": self = .deposit(amount: try f.decimal("amount"))
        case "withdraw": self = .withdraw(amount: try f.decimal("amount"))
        case "createApp":
            self = .createApp(
                name: try f.string("name"), type: try f.string("type"), multiaddr: try f.string("multiaddr"),
                checksum: try f.bytes32("checksum"), mrenclave: try f.string("mrenclave"))
        case "createDataset":
            self = .createDataset(
                name: try f.string("name"), multiaddr: try f.string("multiaddr"), checksum: try f.bytes32("checksum"),
                schema: try f.string("schema"))
        case "createWorkerpool": self = .createWorkerpool(description: try f.string("description"))
        case "transferAppOwnership":
            self = .transferAppOwnership(app: try f.address("app"), newOwner: try f.address("newOwner"))
        case "transferDatasetOwnership":
            self = .transferDatasetOwnership(dataset: try f.address("dataset"), newOwner: try f.address("newOwner"))
        case "transferWorkerpoolOwnership":
            self = .transferWorkerpoolOwnership(
                workerpool: try f.address("workerpool"), newOwner: try f.address("newOwner"))
        case "configureWorkerpool":
            self = .configureWorkerpool(
                workerpool: try f.address("workerpool"), workerStakeRatio: try f.decimal("workerStakeRatio"),
                schedulerRewardRatio: try f.decimal("schedulerRewardRatio"))
        case "presign", "closeOrder":
            let kindText = try f.string("kind")
            guard let kind = OrderKind(rawValue: kindText) else {
                throw TransactionFormatError(
                    .invalidValue, at: "\(path).kind",
                    "'\(kindText)' is not an order kind (app, dataset, workerpool, request).")
            }
            let order = try AnyOrder(kind: kind, json: f.member("order"), path: "\(path).order")
            self = type == "presign" ? .presign(order) : .closeOrder(order)
        case "matchOrders", "sponsorMatchOrders":
            let app = try SignedOrder<AppOrder>(json: f.member("app"), path: "\(path).app")
            let dataset = try f.optional("dataset").map { (value) throws(TransactionFormatError) in
                try SignedOrder<DatasetOrder>(json: value, path: "\(path).dataset")
            }
            let workerpool = try SignedOrder<WorkerpoolOrder>(json: f.member("workerpool"), path: "\(path).workerpool")
            let request = try SignedOrder<RequestOrder>(json: f.member("request"), path: "\(path).request")
            self =
                type == "matchOrders"
                ? .matchOrders(app: app, dataset: dataset, workerpool: workerpool, request: request)
                : .sponsorMatchOrders(app: app, dataset: dataset, workerpool: workerpool, request: request)
        case "initialize", "initializeAndClaim":
            let dealId = try f.bytes32("dealId")
            let index = try f.decimal("index")
            self =
                type == "initialize"
                ? .initialize(dealId: dealId, index: index) : .initializeAndClaim(dealId: dealId, index: index)
        case "initializeArray":
            self = .initializeArray(
                dealIds: try f.array("dealIds") { (value, path) throws(TransactionFormatError) in
                    try JSONFields.bytes32(value, at: path)
                },
                indices: try f.array("indices") { (value, path) throws(TransactionFormatError) in
                    try JSONFields.decimal(value, at: path)
                })
        case "contribute":
            self = .contribute(
                taskId: try f.bytes32("taskId"), resultHash: try f.bytes32("resultHash"),
                resultSeal: try f.bytes32("resultSeal"), enclaveChallenge: try f.address("enclaveChallenge"),
                enclaveSign: try f.optionalSignature("enclaveSign"),
                authorizationSign: try f.signature("authorizationSign"))
        case "reveal":
            self = .reveal(taskId: try f.bytes32("taskId"), resultDigest: try f.bytes32("resultDigest"))
        case "reopen": self = .reopen(taskId: try f.bytes32("taskId"))
        case "claim": self = .claim(taskId: try f.bytes32("taskId"))
        case "finalize":
            self = .finalize(
                taskId: try f.bytes32("taskId"), results: try f.bytes("results"),
                resultsCallback: try f.bytes("resultsCallback"))
        case "contributeAndFinalize":
            self = .contributeAndFinalize(
                taskId: try f.bytes32("taskId"), resultDigest: try f.bytes32("resultDigest"),
                results: try f.bytes("results"), resultsCallback: try f.bytes("resultsCallback"),
                enclaveChallenge: try f.address("enclaveChallenge"),
                enclaveSign: try f.optionalSignature("enclaveSign"),
                authorizationSign: try f.signature("authorizationSign"))
        default:
            throw TransactionFormatError(
                .unknownType, at: path.replacingOccurrences(of: ".body", with: ".type"),
                "'\(type)' is not an operation; use one of: \(TransactionBody.types.joined(separator: ", ")).")
        }
        try f.finish()
    }
}

/// An order type that transactions carry as JSON, with iExec's field names.
protocol TransactionOrder: EIP712Order {
    static func read(_ fields: inout JSONFields) throws(TransactionFormatError) -> Self
}

extension TransactionOrder {
    /// The order's fields from its EIP-712 members: addresses checksummed, `uint256` as decimal strings, `bytes32`
    /// as hex, `params` as a string.
    var json: JSONValue {
        guard case .object(let members) = typedValue else { return .null }
        var object = JSONValue.Object()
        for field in Self.fields {
            switch members[field.name] {
            case .string(let text)?, .integer(let text)?: object[field.name] = .string(text)
            default: break
            }
        }
        return .object(object)
    }

    init(json: JSONValue, path: String) throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self = try Self.read(&fields)
        try fields.finish()
    }
}

extension SignedOrder where Order: TransactionOrder {
    /// `{"order": {…}, "signature": "0x…" | null}`; null when the order is presigned.
    var json: JSONValue {
        ["order": order.json, "signature": signature.map { .string($0.description) } ?? .null]
    }

    init(json: JSONValue, path: String) throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let order = try Order(json: fields.member("order"), path: "\(path).order")
        let signature = try fields.optionalSignature("signature")
        try fields.finish()
        self.init(order: order, signature: signature)
    }
}

extension AnyOrder {
    /// The order's JSON object, with iExec's field names: addresses checksummed, `uint256` as decimal strings,
    /// `bytes32` as hex, `params` as a string (the `order` member of a presign or closeOrder body).
    public var json: JSONValue {
        switch self {
        case .app(let order): order.json
        case .dataset(let order): order.json
        case .workerpool(let order): order.json
        case .request(let order): order.json
        }
    }

    /// Reads an order of `kind` from its JSON object, strictly: every field present, none unknown; `path` names
    /// the object in errors.
    public init(kind: OrderKind, json: JSONValue, path: String = "order") throws(TransactionFormatError) {
        switch kind {
        case .app: self = .app(try AppOrder(json: json, path: path))
        case .dataset: self = .dataset(try DatasetOrder(json: json, path: path))
        case .workerpool: self = .workerpool(try WorkerpoolOrder(json: json, path: path))
        case .request: self = .request(try RequestOrder(json: json, path: path))
        }
    }
}

extension AppOrder: TransactionOrder {
    static func read(_ f: inout JSONFields) throws(TransactionFormatError) -> AppOrder {
        AppOrder(
            app: try f.address("app"), appprice: try f.decimal("appprice"), volume: try f.decimal("volume"),
            tag: try f.bytes32("tag"), datasetrestrict: try f.address("datasetrestrict"),
            workerpoolrestrict: try f.address("workerpoolrestrict"),
            requesterrestrict: try f.address("requesterrestrict"),
            salt: try f.bytes32("salt"))
    }
}

extension DatasetOrder: TransactionOrder {
    static func read(_ f: inout JSONFields) throws(TransactionFormatError) -> DatasetOrder {
        DatasetOrder(
            dataset: try f.address("dataset"), datasetprice: try f.decimal("datasetprice"),
            volume: try f.decimal("volume"), tag: try f.bytes32("tag"), apprestrict: try f.address("apprestrict"),
            workerpoolrestrict: try f.address("workerpoolrestrict"),
            requesterrestrict: try f.address("requesterrestrict"),
            salt: try f.bytes32("salt"))
    }
}

extension WorkerpoolOrder: TransactionOrder {
    static func read(_ f: inout JSONFields) throws(TransactionFormatError) -> WorkerpoolOrder {
        WorkerpoolOrder(
            workerpool: try f.address("workerpool"), workerpoolprice: try f.decimal("workerpoolprice"),
            volume: try f.decimal("volume"), tag: try f.bytes32("tag"), category: try f.decimal("category"),
            trust: try f.decimal("trust"), apprestrict: try f.address("apprestrict"),
            datasetrestrict: try f.address("datasetrestrict"), requesterrestrict: try f.address("requesterrestrict"),
            salt: try f.bytes32("salt"))
    }
}

extension RequestOrder: TransactionOrder {
    static func read(_ f: inout JSONFields) throws(TransactionFormatError) -> RequestOrder {
        RequestOrder(
            app: try f.address("app"), appmaxprice: try f.decimal("appmaxprice"), dataset: try f.address("dataset"),
            datasetmaxprice: try f.decimal("datasetmaxprice"), workerpool: try f.address("workerpool"),
            workerpoolmaxprice: try f.decimal("workerpoolmaxprice"), requester: try f.address("requester"),
            volume: try f.decimal("volume"), tag: try f.bytes32("tag"), category: try f.decimal("category"),
            trust: try f.decimal("trust"), beneficiary: try f.address("beneficiary"),
            callback: try f.address("callback"),
            params: try f.string("params"), salt: try f.bytes32("salt"))
    }
}

extension JSONValue {
    /// A decimal-string integer, as bodies write them.
    package static func decimal(_ value: UInt64) -> JSONValue { .string(String(value)) }
    /// A checksummed address.
    package static func address(_ value: Address) -> JSONValue { .string(value.checksummed) }
}
