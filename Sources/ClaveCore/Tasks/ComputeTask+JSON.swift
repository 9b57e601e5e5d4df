public import ClaveCrypto

// The JSON form of tasks, as the ledger's API serves them (docs/api.md). Contributions and group weights are objects
// keyed by worker address and result hash.

extension ComputeTask {
    public var json: JSONValue {
        var contributions = JSONValue.Object()
        for (worker, contribution) in self.contributions { contributions[worker.checksummed] = contribution.json }
        var groupWeights = JSONValue.Object()
        for (resultHash, weight) in self.groupWeights { groupWeights[resultHash.description] = .decimal(weight) }
        return [
            "id": .bytes32(id), "dealId": .bytes32(dealId), "index": .decimal(index),
            "status": .string(status.rawValue),
            "timeref": .decimal(timeref), "contributionDeadline": .decimal(contributionDeadline),
            "revealDeadline": .decimal(revealDeadline), "finalDeadline": .decimal(finalDeadline),
            "consensusValue": .bytes32(consensusValue), "revealCounter": .decimal(revealCounter),
            "winnerCounter": .decimal(winnerCounter), "contributors": .array(contributors.map { .address($0) }),
            "contributions": .object(contributions), "groupWeights": .object(groupWeights),
            "totalWeight": .decimal(totalWeight), "resultDigest": .bytes32(resultDigest),
            "results": .string(Hex.encode(results)), "resultsCallback": .string(Hex.encode(resultsCallback)),
        ]
    }

    /// Reads a task written by ``json``.
    public init(json: JSONValue, path: String = "task") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let id = try fields.bytes32("id")
        let dealId = try fields.bytes32("dealId")
        let index = try fields.decimal("index")
        let statusText = try fields.string("status")
        guard let status = Status(rawValue: statusText) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).status",
                "'\(statusText)' is not a task status (\(Status.allCases.map(\.rawValue).joined(separator: ", "))).")
        }
        self.init(
            id: id, dealId: dealId, index: index, status: status, timeref: try fields.decimal("timeref"),
            contributionDeadline: try fields.decimal("contributionDeadline"),
            finalDeadline: try fields.decimal("finalDeadline"))
        revealDeadline = try fields.decimal("revealDeadline")
        consensusValue = try fields.bytes32("consensusValue")
        revealCounter = try fields.decimal("revealCounter")
        winnerCounter = try fields.decimal("winnerCounter")
        contributors = try fields.array("contributors") { (value, path) throws(TransactionFormatError) in
            try Self.address(value, path)
        }
        let contributions = try fields.members("contributions") {
            (key, value, path) throws(TransactionFormatError) in
            (try Self.address(.string(key), path), try Contribution(json: value, path: path))
        }
        self.contributions = Dictionary(contributions, uniquingKeysWith: { first, _ in first })
        let weights = try fields.members("groupWeights") { (key, value, path) throws(TransactionFormatError) in
            var weight = try JSONFields(["hash": .string(key), "weight": value], at: path)
            return (try weight.bytes32("hash"), try weight.decimal("weight"))
        }
        groupWeights = Dictionary(weights, uniquingKeysWith: { first, _ in first })
        totalWeight = try fields.decimal("totalWeight")
        resultDigest = try fields.bytes32("resultDigest")
        results = try fields.bytes("results")
        resultsCallback = try fields.bytes("resultsCallback")
        try fields.finish()
    }

    private static func address(_ value: JSONValue, _ path: String) throws(TransactionFormatError) -> Address {
        guard case .string(let text) = value else {
            throw TransactionFormatError(.invalidValue, at: path, "expected an address string, found \(value.kind).")
        }
        do { return try Address(text) } catch { throw TransactionFormatError(.invalidValue, at: path, error.message) }
    }
}

extension Contribution {
    public var json: JSONValue {
        [
            "status": .string(status.rawValue), "resultHash": .bytes32(resultHash), "resultSeal": .bytes32(resultSeal),
            "enclaveChallenge": .address(enclaveChallenge), "weight": .decimal(weight), "stake": .decimal(stake),
        ]
    }

    /// Reads a contribution written by ``json``.
    public init(json: JSONValue, path: String = "contribution") throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: path)
        let statusText = try fields.string("status")
        guard let status = Status(rawValue: statusText) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(path).status",
                "'\(statusText)' is not a contribution status (\(Status.allCases.map(\.rawValue).joined(separator: ", ")))."
            )
        }
        self.init(
            status: status, resultHash: try fields.bytes32("resultHash"), resultSeal: try fields.bytes32("resultSeal"),
            enclaveChallenge: try fields.address("enclaveChallenge"), weight: try fields.decimal("weight"),
            stake: try fields.decimal("stake"))
        try fields.finish()
    }
}
