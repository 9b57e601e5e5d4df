public import ClaveCrypto

// The JSON form of registered assets, as the ledger's API serves them (docs/api.md): addresses checksummed,
// bytes32 as 0x-hex, integers as decimal strings. Reading is strict: every field present, none unknown.

extension App {
    /// `{"address", "owner", "name", "type", "multiaddr", "checksum", "mrenclave"}`.
    public var json: JSONValue {
        [
            "address": .address(address), "owner": .address(owner), "name": .string(name), "type": .string(type),
            "multiaddr": .string(multiaddr), "checksum": .bytes32(checksum), "mrenclave": .string(mrenclave),
        ]
    }

    /// Reads an app written by ``json``.
    public init(json: JSONValue, path: String = "app") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            address: try fields.address("address"), owner: try fields.address("owner"), name: try fields.string("name"),
            type: try fields.string("type"), multiaddr: try fields.string("multiaddr"),
            checksum: try fields.bytes32("checksum"), mrenclave: try fields.string("mrenclave"))
        try fields.finish()
    }
}

extension Dataset {
    /// `{"address", "owner", "name", "multiaddr", "checksum", "schema"}`.
    public var json: JSONValue {
        [
            "address": .address(address), "owner": .address(owner), "name": .string(name),
            "multiaddr": .string(multiaddr), "checksum": .bytes32(checksum), "schema": .string(schema),
        ]
    }

    /// Reads a dataset written by ``json``.
    public init(json: JSONValue, path: String = "dataset") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            address: try fields.address("address"), owner: try fields.address("owner"), name: try fields.string("name"),
            multiaddr: try fields.string("multiaddr"), checksum: try fields.bytes32("checksum"),
            schema: try fields.string("schema"))
        try fields.finish()
    }
}

extension Workerpool {
    /// `{"address", "owner", "description", "workerStakeRatio", "schedulerRewardRatio"}`.
    public var json: JSONValue {
        [
            "address": .address(address), "owner": .address(owner), "description": .string(description),
            "workerStakeRatio": .decimal(workerStakeRatio), "schedulerRewardRatio": .decimal(schedulerRewardRatio),
        ]
    }

    /// Reads a workerpool written by ``json``.
    public init(json: JSONValue, path: String = "workerpool") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            address: try fields.address("address"), owner: try fields.address("owner"),
            description: try fields.string("description"), workerStakeRatio: try fields.decimal("workerStakeRatio"),
            schedulerRewardRatio: try fields.decimal("schedulerRewardRatio"))
        try fields.finish()
    }
}

extension Account {
    /// `{"wallet", "balance", "frozen", "score", "nonce"}`; `nonce` is a JSON number, as in transactions.
    public var json: JSONValue {
        [
            "wallet": .decimal(wallet), "balance": .decimal(balance), "frozen": .decimal(frozen),
            "score": .decimal(score), "nonce": .number(.init(nonce)),
        ]
    }

    /// Reads an account written by ``json``.
    public init(json: JSONValue, path: String = "account") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            wallet: try fields.decimal("wallet"), balance: try fields.decimal("balance"),
            frozen: try fields.decimal("frozen"), score: try fields.decimal("score"), nonce: try fields.number("nonce"))
        try fields.finish()
    }
}
