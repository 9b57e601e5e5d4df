import ClaveCrypto

/// One transaction being checked: reads go to the changes collected so far, then to the state; writes go to the
/// changes only. ``State`` commits the changes once the whole transaction passed, and drops them otherwise.
///
/// The draft holds the state only for the time of one transaction, so that when ``State`` writes the changes back its
/// dictionaries are no longer shared and are updated in place instead of copied.
struct Draft {
    /// The entries one transaction changed.
    struct Changes {
        var accounts: [Address: Account] = [:]
        var apps: [Address: App] = [:]
        var datasets: [Address: Dataset] = [:]
        var workerpools: [Address: Workerpool] = [:]
        var presignatures: [Bytes32: Address] = [:]
        var consumedVolumes: [Bytes32: UInt64] = [:]
        var closedOrders: Set<Bytes32> = []
        var deals: [Bytes32: Deal] = [:]
        var tasks: [Bytes32: ComputeTask] = [:]
        var kitty: UInt64?
    }

    let state: State
    /// The transaction's time (Unix seconds).
    let time: UInt64
    /// The transaction's sender.
    let sender: Address
    /// The transaction's nonce.
    let nonce: UInt64
    private(set) var changes = Changes()
    private(set) var events: [Event] = []

    var configuration: ChainConfiguration { state.configuration }

    /// Checks `transaction` against `state` and returns what it changes and the events it emits.
    static func run(_ transaction: Transaction, at time: UInt64, on state: State) throws(Rejection) -> (
        changes: Changes, events: [Event]
    ) {
        guard transaction.chainId == state.configuration.chainId else {
            throw Rejection(
                .wrongChain,
                "The transaction is for chain \(transaction.chainId), but this ledger is chain \(state.configuration.chainId); sign it again with chain id \(state.configuration.chainId)."
            )
        }
        let expected = state.account(transaction.from).nonce
        guard transaction.nonce == expected else {
            throw Rejection(
                .wrongNonce,
                "The transaction from \(transaction.from) has nonce \(transaction.nonce), but the account's next nonce is \(expected); sign it again with nonce \(expected)."
            )
        }
        var draft = Draft(state: state, time: time, sender: transaction.from, nonce: transaction.nonce)
        try draft.perform(transaction.body)
        try draft.modifyAccount(transaction.from) { (account) throws(Rejection) in
            account.nonce = try Checked.add(account.nonce, 1, "the sender's nonce")
        }
        return (draft.changes, draft.events)
    }

    private mutating func perform(_ body: TransactionBody) throws(Rejection) {
        switch body {
        case .faucet(let amount): try faucet(amount)
        case .deposit(let amount): try deposit(amount)
        case .withdraw(let amount): try withdraw(amount)
        case .createApp(let name, let type, let multiaddr, let checksum, let mrenclave):
            try createApp(name: name, type: type, multiaddr: multiaddr, checksum: checksum, mrenclave: mrenclave)
        case .createDataset(let name, let multiaddr, let checksum, let schema):
            try createDataset(name: name, multiaddr: multiaddr, checksum: checksum, schema: schema)
        case .createWorkerpool(let description): try createWorkerpool(description: description)
        case .transferAppOwnership(let app, let newOwner): try transferOwnership(.app, app, to: newOwner)
        case .transferDatasetOwnership(let dataset, let newOwner):
            try transferOwnership(.dataset, dataset, to: newOwner)
        case .transferWorkerpoolOwnership(let workerpool, let newOwner):
            try transferOwnership(.workerpool, workerpool, to: newOwner)
        case .configureWorkerpool(let workerpool, let workerStakeRatio, let schedulerRewardRatio):
            try configureWorkerpool(
                workerpool, workerStakeRatio: workerStakeRatio, schedulerRewardRatio: schedulerRewardRatio)
        case .presign(let order): try presign(order)
        case .closeOrder(let order): try closeOrder(order)
        case .matchOrders(let app, let dataset, let workerpool, let request):
            try matchOrders(app: app, dataset: dataset, workerpool: workerpool, request: request, sponsor: nil)
        case .sponsorMatchOrders(let app, let dataset, let workerpool, let request):
            try matchOrders(app: app, dataset: dataset, workerpool: workerpool, request: request, sponsor: sender)
        case .initialize(let dealId, let index): _ = try initialize(dealId: dealId, index: index, claiming: false)
        case .initializeArray(let dealIds, let indices): try initializeArray(dealIds: dealIds, indices: indices)
        case .contribute(
            let taskId, let resultHash, let resultSeal, let enclaveChallenge, let enclaveSign, let authorization):
            try contribute(
                taskId: taskId, resultHash: resultHash, resultSeal: resultSeal, enclaveChallenge: enclaveChallenge,
                enclaveSign: enclaveSign, authorizationSign: authorization)
        case .reveal(let taskId, let resultDigest): try reveal(taskId: taskId, resultDigest: resultDigest)
        case .reopen(let taskId): try reopen(taskId: taskId)
        case .finalize(let taskId, let results, let resultsCallback):
            try finalize(taskId: taskId, results: results, resultsCallback: resultsCallback)
        case .contributeAndFinalize(
            let taskId, let resultDigest, let results, let resultsCallback, let enclaveChallenge, let enclaveSign,
            let authorization):
            try contributeAndFinalize(
                taskId: taskId, resultDigest: resultDigest, results: results, resultsCallback: resultsCallback,
                enclaveChallenge: enclaveChallenge, enclaveSign: enclaveSign, authorizationSign: authorization)
        case .claim(let taskId): try claim(taskId: taskId)
        case .initializeAndClaim(let dealId, let index):
            let taskId = try initialize(dealId: dealId, index: index, claiming: true)
            try claim(taskId: taskId)
        }
    }

    // MARK: Reading through the changes

    func account(_ address: Address) -> Account { changes.accounts[address] ?? state.account(address) }
    func app(_ address: Address) -> App? { changes.apps[address] ?? state.app(address) }
    func dataset(_ address: Address) -> Dataset? { changes.datasets[address] ?? state.dataset(address) }
    func workerpool(_ address: Address) -> Workerpool? { changes.workerpools[address] ?? state.workerpool(address) }
    func presigner(_ hash: Bytes32) -> Address? { changes.presignatures[hash] ?? state.presigner(hash) }
    func consumed(_ hash: Bytes32) -> UInt64 { changes.consumedVolumes[hash] ?? state.consumed(hash) }
    func isClosed(_ hash: Bytes32) -> Bool { changes.closedOrders.contains(hash) || state.isClosed(hash) }
    func deal(_ id: Bytes32) -> Deal? { changes.deals[id] ?? state.deal(id) }
    func task(_ id: Bytes32) -> ComputeTask? { changes.tasks[id] ?? state.task(id) }
    var kitty: UInt64 { changes.kitty ?? state.kitty }

    // MARK: Writing to the changes

    mutating func modifyAccount(_ address: Address, _ change: (inout Account) throws(Rejection) -> Void)
        throws(Rejection)
    {
        var account = account(address)
        try change(&account)
        changes.accounts[address] = account
    }

    mutating func set(app: App) { changes.apps[app.address] = app }
    mutating func set(dataset: Dataset) { changes.datasets[dataset.address] = dataset }
    mutating func set(workerpool: Workerpool) { changes.workerpools[workerpool.address] = workerpool }
    mutating func set(presigner: Address, of hash: Bytes32) { changes.presignatures[hash] = presigner }
    mutating func set(consumed: UInt64, of hash: Bytes32) { changes.consumedVolumes[hash] = consumed }
    mutating func close(_ hash: Bytes32) { changes.closedOrders.insert(hash) }
    mutating func set(deal: Deal) { changes.deals[deal.id] = deal }
    mutating func set(task: ComputeTask) { changes.tasks[task.id] = task }
    mutating func set(kitty: UInt64) { changes.kitty = kitty }

    mutating func emit(_ event: Event) { events.append(event) }
}
