public import ClaveCrypto

extension Event {
    /// Reads an event from the JSON that ``json`` writes, strictly: the name must be known, every field present and
    /// none unknown.
    public init(json: JSONValue, path: String = "event") throws(TransactionFormatError) {
        var f = try JSONFields(json, at: path)
        let name = try f.string("event")
        switch name {
        case "Faucet": self = .faucet(account: try f.address("account"), amount: try f.decimal("amount"))
        case "Deposit": self = .deposit(account: try f.address("account"), amount: try f.decimal("amount"))
        case "Withdraw": self = .withdraw(account: try f.address("account"), amount: try f.decimal("amount"))
        case "Lock":
            self = .lock(
                account: try f.address("account"), amount: try f.decimal("amount"),
                reference: try f.bytes32("reference"))
        case "Unlock":
            self = .unlock(
                account: try f.address("account"), amount: try f.decimal("amount"),
                reference: try f.bytes32("reference"))
        case "Seize":
            self = .seize(
                account: try f.address("account"), amount: try f.decimal("amount"),
                reference: try f.bytes32("reference"))
        case "Reward":
            self = .reward(
                account: try f.address("account"), amount: try f.decimal("amount"),
                reference: try f.bytes32("reference"))
        case "KittyFilled": self = .kittyFilled(amount: try f.decimal("amount"), taskId: try f.bytes32("taskId"))
        case "KittyReleased": self = .kittyReleased(amount: try f.decimal("amount"), taskId: try f.bytes32("taskId"))
        case "AppCreated": self = .appCreated(app: try f.address("app"), owner: try f.address("owner"))
        case "DatasetCreated": self = .datasetCreated(dataset: try f.address("dataset"), owner: try f.address("owner"))
        case "WorkerpoolCreated":
            self = .workerpoolCreated(workerpool: try f.address("workerpool"), owner: try f.address("owner"))
        case "OwnershipTransferred":
            self = .ownershipTransferred(
                kind: try Self.assetKind(&f), asset: try f.address("asset"), from: try f.address("from"),
                to: try f.address("to"))
        case "WorkerpoolConfigured":
            self = .workerpoolConfigured(
                workerpool: try f.address("workerpool"), workerStakeRatio: try f.decimal("workerStakeRatio"),
                schedulerRewardRatio: try f.decimal("schedulerRewardRatio"))
        case "OrderPresigned":
            self = .orderPresigned(
                kind: try Self.orderKind(&f), orderHash: try f.bytes32("orderHash"), signer: try f.address("signer"))
        case "OrderClosed": self = .orderClosed(kind: try Self.orderKind(&f), orderHash: try f.bytes32("orderHash"))
        case "OrdersMatched":
            self = .ordersMatched(
                dealId: try f.bytes32("dealId"), appOrderHash: try f.bytes32("appOrderHash"),
                datasetOrderHash: try f.bytes32("datasetOrderHash"),
                workerpoolOrderHash: try f.bytes32("workerpoolOrderHash"),
                requestOrderHash: try f.bytes32("requestOrderHash"), volume: try f.decimal("volume"))
        case "SchedulerNotice":
            self = .schedulerNotice(workerpool: try f.address("workerpool"), dealId: try f.bytes32("dealId"))
        case "TaskInitialized":
            self = .taskInitialized(
                taskId: try f.bytes32("taskId"), dealId: try f.bytes32("dealId"), index: try f.decimal("index"),
                workerpool: try f.address("workerpool"))
        case "TaskContribute":
            self = .taskContribute(
                taskId: try f.bytes32("taskId"), worker: try f.address("worker"),
                resultHash: try f.bytes32("resultHash"))
        case "TaskConsensus":
            self = .taskConsensus(taskId: try f.bytes32("taskId"), consensus: try f.bytes32("consensus"))
        case "TaskReveal":
            self = .taskReveal(
                taskId: try f.bytes32("taskId"), worker: try f.address("worker"),
                resultDigest: try f.bytes32("resultDigest"))
        case "TaskReopen": self = .taskReopen(taskId: try f.bytes32("taskId"))
        case "TaskFinalize": self = .taskFinalize(taskId: try f.bytes32("taskId"), results: try f.bytes("results"))
        case "TaskClaimed": self = .taskClaimed(taskId: try f.bytes32("taskId"))
        case "AccurateContribution":
            self = .accurateContribution(worker: try f.address("worker"), taskId: try f.bytes32("taskId"))
        case "FaultyContribution":
            self = .faultyContribution(worker: try f.address("worker"), taskId: try f.bytes32("taskId"))
        default:
            throw TransactionFormatError(.unknownType, at: "\(path).event", "'\(name)' names no event.")
        }
        try f.finish()
    }

    private static func assetKind(_ f: inout JSONFields) throws(TransactionFormatError) -> AssetKind {
        let text = try f.string("kind")
        guard let kind = AssetKind(rawValue: text) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(f.path).kind", "'\(text)' is not app, dataset or workerpool.")
        }
        return kind
    }

    private static func orderKind(_ f: inout JSONFields) throws(TransactionFormatError) -> OrderKind {
        let text = try f.string("kind")
        guard let kind = OrderKind(rawValue: text) else {
            throw TransactionFormatError(
                .invalidValue, at: "\(f.path).kind", "'\(text)' is not app, dataset, workerpool or request.")
        }
        return kind
    }
}
