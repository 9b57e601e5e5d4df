public import ClaveCore
public import ClaveCrypto
public import ClaveLedger

/// The ledger of a node, over HTTP: the same ``ClaveLedger/LedgerService`` as the node's own ``ClaveLedger/Ledger``.
///
/// Refusals come back as the errors the local ledger throws: a ``ClaveCore/Rejection``, a ``ClaveLedger/LedgerError``
/// or a ``ClaveCore/TransactionFormatError``, with the node's code and message; a failure to reach the node is a
/// ``ClientError``.
public struct LedgerClient: LedgerService {
    public let connection: NodeConnection

    public init(connection: NodeConnection) {
        self.connection = connection
    }

    public func submit(_ transaction: SignedTransaction) async throws -> Receipt {
        let json = try await call { try await connection.post("/v1/ledger/transactions", body: transaction.json) }
        return try decode(json, "receipt") { json throws(TransactionFormatError) in try Receipt(json: json) }
    }

    /// `POST /v1/ledger/transactions/batch`: the batch in one request and one block.
    public func submit(batch transactions: [SignedTransaction]) async throws -> [Result<Receipt, any Error>] {
        let json = try await call {
            try await connection.post("/v1/ledger/transactions/batch", body: .array(transactions.map(\.json)))
        }
        guard case .array(let items) = json, items.count == transactions.count else {
            throw ClientError(
                .invalidResponse,
                "The node answered a batch of \(transactions.count) transactions with something else than as many results. Is the node another version?"
            )
        }
        return try items.map { item throws -> Result<Receipt, any Error> in
            if let receipt = item["receipt"] {
                return .success(
                    try decode(receipt, "receipt") { json throws(TransactionFormatError) in try Receipt(json: json) })
            }
            guard let error = item["error"], let remote = RemoteError(json: error, status: 0) else {
                throw ClientError(
                    .invalidResponse,
                    "A result of the node's batch answer is neither a receipt nor an error. Is the node another version?"
                )
            }
            return .failure(Self.localError(remote))
        }
    }

    public func chainInfo() async throws -> ChainInfo {
        try await fetch("/v1/ledger/chain", "chain") { json throws(TransactionFormatError) in
            try ChainInfo(json: json)
        }
    }

    public func account(_ address: Address) async throws -> Account {
        try await fetch("/v1/ledger/accounts/\(address.checksummed)", "account") {
            json throws(TransactionFormatError) in
            try Account(json: json)
        }
    }

    public func app(_ address: Address) async throws -> App? {
        try await find("/v1/ledger/apps/\(address.checksummed)", "app") { json throws(TransactionFormatError) in
            try App(json: json)
        }
    }

    public func dataset(_ address: Address) async throws -> Dataset? {
        try await find("/v1/ledger/datasets/\(address.checksummed)", "dataset") { json throws(TransactionFormatError) in
            try Dataset(json: json)
        }
    }

    public func workerpool(_ address: Address) async throws -> Workerpool? {
        try await find("/v1/ledger/workerpools/\(address.checksummed)", "workerpool") {
            json throws(TransactionFormatError) in try Workerpool(json: json)
        }
    }

    public func consumed(_ orderHash: Bytes32) async throws -> UInt64 {
        try await orderStatus(orderHash).consumed
    }

    public func isClosed(_ orderHash: Bytes32) async throws -> Bool {
        try await orderStatus(orderHash).closed
    }

    /// `GET /v1/ledger/orders/{hash}/consumed`, which answers both.
    private func orderStatus(_ orderHash: Bytes32) async throws -> (consumed: UInt64, closed: Bool) {
        try await fetch("/v1/ledger/orders/\(orderHash)/consumed", "consumed") { json throws(TransactionFormatError) in
            var fields = try JSONFields(json, at: "consumed")
            _ = try fields.bytes32("orderHash")
            let consumed = try fields.decimal("consumed")
            let closed = try fields.bool("closed")
            try fields.finish()
            return (consumed, closed)
        }
    }

    public func deal(_ id: Bytes32) async throws -> Deal? {
        try await find("/v1/ledger/deals/\(id)", "deal") { json throws(TransactionFormatError) in try Deal(json: json) }
    }

    public func task(_ id: Bytes32) async throws -> ComputeTask? {
        try await find("/v1/ledger/tasks/\(id)", "task") { json throws(TransactionFormatError) in
            try ComputeTask(json: json)
        }
    }

    /// `GET /v1/ledger/tasks/{id}?unlike=STATUS,STATUS&wait=SECONDS` (see ``waitSeconds(_:)``).
    public func task(_ id: Bytes32, unlike statuses: Set<ComputeTask.Status>, timeout: Duration) async throws
        -> ComputeTask?
    {
        let wait = Self.waitSeconds(timeout)
        let unlike = Self.unlikeParameter(statuses)
        let json = try await call {
            try await connection.get(
                "/v1/ledger/tasks/\(id)", query: [("unlike", unlike), ("wait", String(wait))], timeout: .seconds(wait))
        }
        guard let json else { return nil }
        return try decode(json, "task") { json throws(TransactionFormatError) in try ComputeTask(json: json) }
    }

    /// `GET /v1/ledger/deals/{id}/tasks?from=&count=&unlike=&wait=`, a page of at most
    /// ``ClaveServer/ClaveAPI/maximumDealTasks`` tasks at a time. The node refuses indices outside the deal; a deal it
    /// does not hold has no tasks (all nil).
    public func tasks(
        ofDeal dealId: Bytes32, indices: Range<UInt64>, unlike statuses: Set<ComputeTask.Status>, timeout: Duration
    ) async throws -> [ComputeTask?] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let unlike = Self.unlikeParameter(statuses)
        var tasks: [ComputeTask?] = []
        tasks.reserveCapacity(indices.count)
        var from = indices.lowerBound
        while from < indices.upperBound {
            let count = min(Self.dealTasksPage, indices.upperBound - from)
            var query: [(name: String, value: String)] = [("from", String(from)), ("count", String(count))]
            let wait = statuses.isEmpty ? 0 : Self.waitSeconds(deadline - clock.now)
            if !statuses.isEmpty { query.append(("unlike", unlike)) }
            if wait > 0 { query.append(("wait", String(wait))) }
            let json = try await call {
                try await connection.get("/v1/ledger/deals/\(dealId)/tasks", query: query, timeout: .seconds(wait))
            }
            guard let json else { return [ComputeTask?](repeating: nil, count: indices.count) }
            let page = try decode(json, "tasks of deal \(dealId)") { json throws(TransactionFormatError) in
                var fields = try JSONFields(json, at: "tasks")
                _ = try fields.bytes32("dealId")
                guard try fields.decimal("from") == from else {
                    throw TransactionFormatError(.invalidValue, at: "$.from", "is not the index asked, \(from)")
                }
                let items = try fields.array("tasks") { item, _ throws(TransactionFormatError) in
                    item.isNull ? nil : try ComputeTask(json: item)
                }
                try fields.finish()
                guard items.count == count else {
                    throw TransactionFormatError(
                        .invalidValue, at: "$.tasks", "holds \(items.count) tasks where \(count) were asked")
                }
                return items
            }
            tasks += page
            from += count
        }
        return tasks
    }

    /// `unlike`'s value: the statuses, in the order of their life, separated by commas.
    static func unlikeParameter(_ statuses: Set<ComputeTask.Status>) -> String {
        ComputeTask.Status.allCases.filter(statuses.contains).map(\.rawValue).joined(separator: ",")
    }

    /// The most tasks one answer of `/v1/ledger/deals/{id}/tasks` holds (the node's `maximumDealTasks`).
    static let dealTasksPage: UInt64 = 256

    public func block(height: UInt64) async throws -> Block? {
        try await find("/v1/ledger/blocks/\(height)", "block") { json throws(TransactionFormatError) in
            try Block(json: json)
        }
    }

    public func transaction(hash: Bytes32) async throws -> TransactionRecord? {
        try await find("/v1/ledger/transactions/\(hash)", "transaction") { json throws(TransactionFormatError) in
            try TransactionRecord(json: json)
        }
    }

    public func datasets(_ query: DatasetQuery) async throws -> DatasetPage {
        var parameters: [(name: String, value: String)] = [("limit", String(query.limit))]
        if let owner = query.owner { parameters.append(("owner", owner.checksummed)) }
        if let schema = query.schema { parameters.append(("schema", schema.description)) }
        if let after = query.after { parameters.append(("after", after.checksummed)) }
        let json = try await call { try await connection.get("/v1/ledger/datasets", query: parameters) }
        guard let json else { throw ClientError(.invalidResponse, "The node has no /v1/ledger/datasets route.") }
        return try decode(json, "datasets") { json throws(TransactionFormatError) in try DatasetPage(json: json) }
    }

    public func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int, timeout: Duration)
        async throws -> [LedgerEvent]
    {
        var query = filter.parameters
        if let cursor { query.append(("after", cursor.description)) }
        query.append(("limit", String(limit)))
        let wait = Self.waitSeconds(timeout)
        if wait > 0 { query.append(("wait", String(wait))) }
        let json = try await call {
            try await connection.get("/v1/ledger/events", query: query, timeout: .seconds(wait))
        }
        guard let json else { throw ClientError(.invalidResponse, "The node has no /v1/ledger/events route.") }
        return try decode(json, "events") { json throws(TransactionFormatError) in try EventPage(json: json) }.events
    }

    // MARK: Plumbing

    /// A long poll's `wait` parameter: whole seconds, at most 60; a positive timeout under a second waits a second
    /// (rather than not at all, which would make a caller's loop ask again at once).
    static func waitSeconds(_ timeout: Duration) -> Int64 {
        timeout > .zero ? max(1, min(timeout.components.seconds, 60)) : 0
    }

    private func fetch<Value>(
        _ path: String, _ what: String, _ read: (JSONValue) throws(TransactionFormatError) -> Value
    ) async throws -> Value {
        guard let value = try await find(path, what, read) else {
            throw ClientError(.invalidResponse, "The node answered 404 for \(path), which always exists.", status: 404)
        }
        return value
    }

    private func find<Value>(
        _ path: String, _ what: String, _ read: (JSONValue) throws(TransactionFormatError) -> Value
    ) async throws -> Value? {
        guard let json = try await call({ try await connection.get(path) }) else { return nil }
        return try decode(json, what, read)
    }

    private func decode<Value>(
        _ json: JSONValue, _ what: String, _ read: (JSONValue) throws(TransactionFormatError) -> Value
    ) throws -> Value {
        do {
            return try read(json)
        } catch {
            throw ClientError(
                .invalidResponse,
                "The node's \(what) does not read as this client's API: \(error). Is the node another version?")
        }
    }

    /// Runs a request, rethrowing the node's error as the local ledger's error type.
    private func call<Value>(_ request: () async throws -> Value) async throws -> Value {
        do {
            return try await request()
        } catch let error as RemoteError {
            throw Self.localError(error)
        }
    }

    /// The node's error as the local ledger's error type.
    private static func localError(_ error: RemoteError) -> any Error {
        switch error.kind {
        case "rejection": Rejection(Rejection.Code(error.code), error.message)
        case "ledger": LedgerError(LedgerError.Code(error.code), error.message)
        case "transaction":
            TransactionFormatError(TransactionFormatError.Code(error.code), at: error.path ?? "$", error.message)
        default: ClientError(.refused, error.message, status: error.status, remoteCode: error.code)
        }
    }
}
