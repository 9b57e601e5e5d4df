public import ClaveCrypto

// The JSON form of deals, as the ledger's API serves them (docs/api.md).

extension Deal {
    /// The deal with its three resources as `{"address", "owner", "price"}` objects.
    public var json: JSONValue {
        [
            "id": .bytes32(id), "app": app.json, "dataset": dataset.json, "workerpool": workerpool.json,
            "trust": .decimal(trust), "category": .decimal(category), "tag": .bytes32(tag),
            "requester": .address(requester), "beneficiary": .address(beneficiary), "callback": .address(callback),
            "params": .string(params), "startTime": .decimal(startTime), "botFirst": .decimal(botFirst),
            "botSize": .decimal(botSize), "workerStake": .decimal(workerStake),
            "schedulerStake": .decimal(schedulerStake), "schedulerRewardRatio": .decimal(schedulerRewardRatio),
            "sponsor": .address(sponsor),
        ]
    }

    /// Reads a deal written by ``json``.
    public init(json: JSONValue, path: String = "deal") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            id: try fields.bytes32("id"), app: try Resource(json: fields.member("app"), path: "\(path).app"),
            dataset: try Resource(json: fields.member("dataset"), path: "\(path).dataset"),
            workerpool: try Resource(json: fields.member("workerpool"), path: "\(path).workerpool"),
            trust: try fields.decimal("trust"), category: try fields.decimal("category"),
            tag: try fields.bytes32("tag"),
            requester: try fields.address("requester"), beneficiary: try fields.address("beneficiary"),
            callback: try fields.address("callback"), params: try fields.string("params"),
            startTime: try fields.decimal("startTime"), botFirst: try fields.decimal("botFirst"),
            botSize: try fields.decimal("botSize"), workerStake: try fields.decimal("workerStake"),
            schedulerStake: try fields.decimal("schedulerStake"),
            schedulerRewardRatio: try fields.decimal("schedulerRewardRatio"), sponsor: try fields.address("sponsor"))
        try fields.finish()
    }
}

extension Deal.Resource {
    /// `{"address", "owner", "price"}`.
    public var json: JSONValue { ["address": .address(address), "owner": .address(owner), "price": .decimal(price)] }

    init(json: JSONValue, path: String) throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        self.init(
            address: try fields.address("address"), owner: try fields.address("owner"),
            price: try fields.decimal("price"))
        try fields.finish()
    }
}
