public import ClaveCrypto

// The JSON form of events, with the conventions of transactions (docs/formats/transaction-signature.md):
// {"event": "Deposit", "account": "0x…", "amount": "1000"}. Integers are decimal strings, bytes32 and byte strings
// are 0x-hex, addresses are EIP-55 checksummed, kinds are their raw names ("app", "request", ...).

extension Event {
    /// The event as JSON: `{"event": name, ...fields}`.
    public var json: JSONValue {
        var object: JSONValue.Object = ["event": .string(name)]
        for (key, value) in fields { object[key] = value }
        return .object(object)
    }

    /// keccak256 of the RFC 8785 canonical JSON of ``json``: what a block's `eventsDigest` chains.
    public var digest: Bytes32 { CanonicalJSON.digest(json) }

    /// The event's fields, in declaration order, without its name.
    private var fields: [(String, JSONValue)] {
        switch self {
        case .faucet(let account, let amount), .deposit(let account, let amount), .withdraw(let account, let amount):
            return [("account", .address(account)), ("amount", .decimal(amount))]
        case .lock(let account, let amount, let reference), .unlock(let account, let amount, let reference),
            .seize(let account, let amount, let reference), .reward(let account, let amount, let reference):
            return [("account", .address(account)), ("amount", .decimal(amount)), ("reference", .bytes32(reference))]
        case .kittyFilled(let amount, let taskId), .kittyReleased(let amount, let taskId):
            return [("amount", .decimal(amount)), ("taskId", .bytes32(taskId))]
        case .appCreated(let app, let owner):
            return [("app", .address(app)), ("owner", .address(owner))]
        case .datasetCreated(let dataset, let owner):
            return [("dataset", .address(dataset)), ("owner", .address(owner))]
        case .workerpoolCreated(let workerpool, let owner):
            return [("workerpool", .address(workerpool)), ("owner", .address(owner))]
        case .ownershipTransferred(let kind, let asset, let from, let to):
            return [
                ("kind", .string(kind.rawValue)), ("asset", .address(asset)), ("from", .address(from)),
                ("to", .address(to)),
            ]
        case .workerpoolConfigured(let workerpool, let workerStakeRatio, let schedulerRewardRatio):
            return [
                ("workerpool", .address(workerpool)), ("workerStakeRatio", .decimal(workerStakeRatio)),
                ("schedulerRewardRatio", .decimal(schedulerRewardRatio)),
            ]
        case .orderPresigned(let kind, let orderHash, let signer):
            return [("kind", .string(kind.rawValue)), ("orderHash", .bytes32(orderHash)), ("signer", .address(signer))]
        case .orderClosed(let kind, let orderHash):
            return [("kind", .string(kind.rawValue)), ("orderHash", .bytes32(orderHash))]
        case .ordersMatched(
            let dealId, let appOrderHash, let datasetOrderHash, let workerpoolOrderHash, let requestOrderHash,
            let volume):
            return [
                ("dealId", .bytes32(dealId)), ("appOrderHash", .bytes32(appOrderHash)),
                ("datasetOrderHash", .bytes32(datasetOrderHash)),
                ("workerpoolOrderHash", .bytes32(workerpoolOrderHash)),
                ("requestOrderHash", .bytes32(requestOrderHash)), ("volume", .decimal(volume)),
            ]
        case .schedulerNotice(let workerpool, let dealId):
            return [("workerpool", .address(workerpool)), ("dealId", .bytes32(dealId))]
        case .taskInitialized(let taskId, let dealId, let index, let workerpool):
            return [
                ("taskId", .bytes32(taskId)), ("dealId", .bytes32(dealId)), ("index", .decimal(index)),
                ("workerpool", .address(workerpool)),
            ]
        case .taskContribute(let taskId, let worker, let resultHash):
            return [("taskId", .bytes32(taskId)), ("worker", .address(worker)), ("resultHash", .bytes32(resultHash))]
        case .taskConsensus(let taskId, let consensus):
            return [("taskId", .bytes32(taskId)), ("consensus", .bytes32(consensus))]
        case .taskReveal(let taskId, let worker, let resultDigest):
            return [
                ("taskId", .bytes32(taskId)), ("worker", .address(worker)), ("resultDigest", .bytes32(resultDigest)),
            ]
        case .taskReopen(let taskId), .taskClaimed(let taskId):
            return [("taskId", .bytes32(taskId))]
        case .taskFinalize(let taskId, let results):
            return [("taskId", .bytes32(taskId)), ("results", .string(Hex.encode(results)))]
        case .accurateContribution(let worker, let taskId), .faultyContribution(let worker, let taskId):
            return [("worker", .address(worker)), ("taskId", .bytes32(taskId))]
        }
    }

    /// The accounts, assets, deals and tasks this event is about, for indexes and filters.
    public var subjects: EventSubjects {
        var subjects = EventSubjects()
        switch self {
        case .faucet(let account, _), .deposit(let account, _), .withdraw(let account, _):
            subjects.accounts = [account]
        case .lock(let account, _, let reference), .unlock(let account, _, let reference),
            .seize(let account, _, let reference), .reward(let account, _, let reference):
            subjects.accounts = [account]
            subjects.references = [reference]
        case .kittyFilled(_, let taskId), .kittyReleased(_, let taskId), .taskReopen(let taskId),
            .taskClaimed(let taskId), .taskConsensus(let taskId, _), .taskFinalize(let taskId, _):
            subjects.tasks = [taskId]
        case .appCreated(let asset, let owner), .datasetCreated(let asset, let owner),
            .workerpoolCreated(let asset, let owner):
            subjects.assets = [asset]
            subjects.accounts = [owner]
        case .ownershipTransferred(_, let asset, let from, let to):
            subjects.assets = [asset]
            subjects.accounts = [from, to]
        case .workerpoolConfigured(let workerpool, _, _):
            subjects.assets = [workerpool]
        case .orderPresigned(_, _, let signer):
            subjects.accounts = [signer]
        case .orderClosed:
            break
        case .ordersMatched(let dealId, _, _, _, _, _):
            subjects.deals = [dealId]
        case .schedulerNotice(let workerpool, let dealId):
            subjects.assets = [workerpool]
            subjects.deals = [dealId]
        case .taskInitialized(let taskId, let dealId, _, let workerpool):
            subjects.tasks = [taskId]
            subjects.deals = [dealId]
            subjects.assets = [workerpool]
        case .taskContribute(let taskId, let worker, _), .taskReveal(let taskId, let worker, _),
            .accurateContribution(let worker, let taskId), .faultyContribution(let worker, let taskId):
            subjects.tasks = [taskId]
            subjects.accounts = [worker]
        }
        return subjects
    }
}

/// What an ``Event`` is about. A `reference` (of lock, unlock, seize, reward) is a deal id or a task id.
public struct EventSubjects: Sendable, Hashable {
    public var accounts: [Address] = []
    public var assets: [Address] = []
    public var deals: [Bytes32] = []
    public var tasks: [Bytes32] = []
    /// Deal or task ids named by escrow movements: match them against both deal and task filters.
    public var references: [Bytes32] = []

    public init() {}
}

extension JSONValue {
    /// A bytes32 as 0x-hex.
    package static func bytes32(_ value: Bytes32) -> JSONValue { .string(value.description) }
}
