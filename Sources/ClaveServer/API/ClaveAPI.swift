import ClaveCore
import ClaveCrypto
public import ClaveLedger
public import ClaveMarket
public import ClaveSMS
public import ClaveStorage
public import ClaveWorkerpool
public import Hummingbird
import NIOCore

/// Clave's HTTP API under `/v1`: the ledger, the market, the blob store and the SMS (docs/api.md, docs/openapi.yaml).
///
/// It serves whatever implements the services' protocols: the node's own ``ClaveLedger/Ledger``,
/// ``ClaveMarket/SQLiteOrderbook`` and ``ClaveStorage/LocalBlobStore`` in process, or anything else that speaks them.
public struct ClaveAPI: Sendable {
    public var ledger: any LedgerService
    public var orderbook: any Orderbook
    public var blobs: any BlobStore
    /// The largest blob `PUT /v1/blobs` accepts, in bytes (the store's own limit applies too).
    public var maximumBlobSize: Int
    public var sms: any SecretService
    /// The workerpool scheduler `/v1/pool` serves; nil when the node runs none (those routes then answer 503).
    public var scheduler: (any SchedulerService)?

    public init(
        ledger: any LedgerService, orderbook: any Orderbook, blobs: any BlobStore, sms: any SecretService,
        scheduler: (any SchedulerService)? = nil,
        maximumBlobSize: Int = LocalBlobStore.Configuration.defaultMaximumBlobSize
    ) {
        self.scheduler = scheduler
        self.ledger = ledger
        self.orderbook = orderbook
        self.blobs = blobs
        self.maximumBlobSize = maximumBlobSize
        self.sms = sms
    }

    /// The longest a long poll of `/v1/ledger/events` may wait.
    public static let maximumWait: UInt64 = 60
    /// The most tasks one answer of `/v1/ledger/deals/{dealId}/tasks` holds.
    public static let maximumDealTasks: UInt64 = 256
    /// The most events one page of `/v1/ledger/events` holds.
    public static let maximumEventPage: UInt64 = 1000

    /// Every route the API serves; `docs/openapi.yaml` lists exactly these (a test checks it).
    public static let routes: [Route] = [
        Route(.get, "/v1/health"),
        Route(.get, "/v1/ledger/chain"),
        Route(.post, "/v1/ledger/transactions"),
        Route(.post, "/v1/ledger/transactions/batch"),
        Route(.get, "/v1/ledger/transactions/{hash}"),
        Route(.get, "/v1/ledger/blocks/{height}"),
        Route(.get, "/v1/ledger/accounts/{address}"),
        Route(.get, "/v1/ledger/apps/{address}"),
        Route(.get, "/v1/ledger/datasets"),
        Route(.get, "/v1/ledger/datasets/{address}"),
        Route(.get, "/v1/ledger/workerpools/{address}"),
        Route(.get, "/v1/ledger/orders/{orderHash}/consumed"),
        Route(.get, "/v1/ledger/deals/{dealId}"),
        Route(.get, "/v1/ledger/deals/{dealId}/tasks"),
        Route(.get, "/v1/ledger/tasks/{taskId}"),
        Route(.get, "/v1/ledger/events"),
        Route(.post, "/v1/market/orders"),
        Route(.get, "/v1/market/orders"),
        Route(.get, "/v1/market/orders/{orderHash}"),
        Route(.post, "/v1/market/orders/{orderHash}/cancel"),
        Route(.put, "/v1/blobs"),
        Route(.get, "/v1/blobs"),
        Route(.get, "/v1/blobs/{cid}"),
        Route(.head, "/v1/blobs/{cid}"),
        // SMS (ClaveAPI+SMS.swift)
        Route(.post, "/v1/sms/secrets"),
        Route(.get, "/v1/sms/secrets/{kind}/{target}/{name}"),
        Route(.post, "/v1/sms/tasks/{taskId}/enclave-challenge"),
        Route(.post, "/v1/sms/sessions"),
        // Workerpool (ClaveAPI+Pool.swift)
        Route(.post, "/v1/pool/login-challenges"),
        Route(.post, "/v1/pool/sessions"),
        Route(.post, "/v1/pool/assignments"),
        Route(.post, "/v1/pool/heartbeats"),
        Route(.post, "/v1/pool/reports"),
        Route(.get, "/v1/pool/status"),
        Route(.get, "/v1/pool/tasks/{taskId}"),
    ]

    /// A router serving every route of ``routes``.
    public func router<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: ErrorMiddleware<Context>(routes: Self.routes))
        let ledger = ledger
        let orderbook = orderbook
        let blobs = BlobRoutes(store: blobs, maximumBlobSize: maximumBlobSize)

        func on(
            _ route: Route, _ handler: @escaping @Sendable (inout Request, Context) async throws -> Response
        ) {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                var request = request
                return try await handler(&request, context)
            }
        }
        @Sendable func json(_ value: JSONValue) -> Response { JSONResponse.make(value) }
        /// `value`, or a 404 saying what is missing.
        @Sendable func found<Value>(_ value: Value?, _ missing: @autoclosure () -> String) throws -> Value {
            guard let value else { throw APIError.notFound(missing()) }
            return value
        }

        on(Route(.get, "/v1/health")) { _, _ in json(["status": "ok"]) }

        // MARK: Ledger

        on(Route(.get, "/v1/ledger/chain")) { _, _ in json(try await ledger.chainInfo().json) }
        on(Route(.post, "/v1/ledger/transactions")) { request, _ in
            let body = try await JSONRequest.body(of: &request)
            let transaction = try SignedTransaction(json: body)
            return json(try await ledger.submit(transaction).json)
        }
        on(Route(.post, "/v1/ledger/transactions/batch")) { request, _ in
            let body = try await JSONRequest.body(of: &request)
            guard case .array(let items) = body else {
                throw APIError(
                    .badRequest, kind: "transaction", code: "invalidJSON",
                    "A batch is a JSON array of signed transactions, one sender's at consecutive nonces.", path: "$")
            }
            // Refused before its items are read and their signatures recovered.
            try Ledger.checkBatchSize(items.count)
            var transactions: [SignedTransaction] = []
            for (index, item) in items.enumerated() {
                do throws(TransactionFormatError) {
                    transactions.append(try SignedTransaction(json: item))
                } catch {
                    let path = error.path.hasPrefix("$") ? String(error.path.dropFirst()) : "." + error.path
                    throw TransactionFormatError(error.code, at: "$[\(index)]" + path, error.message)
                }
            }
            let results = try await ledger.submit(batch: transactions)
            return json(
                .array(
                    results.map { result in
                        switch result {
                        case .success(let receipt): .object(["receipt": receipt.json])
                        case .failure(let error): .object(["error": APIError(error).json])
                        }
                    }))
        }
        on(Route(.get, "/v1/ledger/transactions/{hash}")) { _, context in
            let hash = try Parameters.bytes32(context, "hash")
            return json(
                try found(await ledger.transaction(hash: hash), "No stored transaction has the hash \(hash).").json)
        }
        on(Route(.get, "/v1/ledger/blocks/{height}")) { _, context in
            let height = try Parameters.number(context, "height")
            guard let block = try await ledger.block(height: height) else {
                let head = try await ledger.chainInfo().head.height
                throw APIError.notFound("There is no block \(height) yet; the head is block \(head).")
            }
            return json(block.json)
        }
        on(Route(.get, "/v1/ledger/accounts/{address}")) { _, context in
            json(try await ledger.account(Parameters.address(context, "address")).json)
        }
        on(Route(.get, "/v1/ledger/apps/{address}")) { _, context in
            let address = try Parameters.address(context, "address")
            return json(try found(await ledger.app(address), "No app is registered at \(address).").json)
        }
        on(Route(.get, "/v1/ledger/datasets/{address}")) { _, context in
            let address = try Parameters.address(context, "address")
            return json(try found(await ledger.dataset(address), "No dataset is registered at \(address).").json)
        }
        on(Route(.get, "/v1/ledger/datasets")) { request, _ in
            let parameters = Parameters(request)
            _ = try parameters.all(allowed: ["owner", "schema", "after", "limit"])
            var query = DatasetQuery(
                owner: try parameters.address("owner"), after: try parameters.address("after"),
                limit: Int(try parameters.number("limit", range: 1...UInt64(DatasetQuery.maximumLimit)) ?? 20))
            if let text = try parameters.value("schema") {
                do {
                    query.schema = try ProtectedDataSchemaQuery(parsing: text)
                } catch {
                    throw APIError(
                        .badRequest, code: "invalidParameter",
                        "schema='\(text.prefix(100))' is not a schema query (\(error)); give fields such as email:string,age:f64."
                    )
                }
            }
            return json(try await ledger.datasets(query).json)
        }
        on(Route(.get, "/v1/ledger/workerpools/{address}")) { _, context in
            let address = try Parameters.address(context, "address")
            return json(try found(await ledger.workerpool(address), "No workerpool is registered at \(address).").json)
        }
        on(Route(.get, "/v1/ledger/orders/{orderHash}/consumed")) { _, context in
            let hash = try Parameters.bytes32(context, "orderHash")
            return json([
                "orderHash": .string(hash.description), "consumed": .string(String(try await ledger.consumed(hash))),
                "closed": .bool(try await ledger.isClosed(hash)),
            ])
        }
        on(Route(.get, "/v1/ledger/deals/{dealId}")) { _, context in
            let id = try Parameters.bytes32(context, "dealId")
            return json(try found(await ledger.deal(id), "No deal has the id \(id).").json)
        }
        on(Route(.get, "/v1/ledger/deals/{dealId}/tasks")) { request, context in
            let id = try Parameters.bytes32(context, "dealId")
            let parameters = Parameters(request)
            _ = try parameters.all(allowed: ["from", "count", "unlike", "wait"])
            let deal = try found(await ledger.deal(id), "No deal has the id \(id).")
            let end = deal.botFirst + deal.botSize
            let from = try parameters.number("from", range: deal.botFirst...(end - 1)) ?? deal.botFirst
            let count =
                try parameters.number("count", range: 1...min(Self.maximumDealTasks, end - from))
                ?? min(Self.maximumDealTasks, end - from)
            let wait = try parameters.number("wait", range: 0...Self.maximumWait)
            let statuses = try parameters.statuses("unlike") ?? []
            if let wait, statuses.isEmpty {
                throw APIError(
                    .badRequest, code: "invalidParameter",
                    "wait=\(wait) needs unlike=STATUS: the long poll waits until no task of the deal is in STATUS.")
            }
            let tasks = try await ledger.tasks(
                ofDeal: id, indices: from..<(from + count), unlike: statuses, timeout: .seconds(Int64(wait ?? 0)))
            return json([
                "dealId": .string(id.description), "from": .string(String(from)),
                "tasks": .array(tasks.map { $0?.json ?? .null }),
            ])
        }
        on(Route(.get, "/v1/ledger/tasks/{taskId}")) { request, context in
            let id = try Parameters.bytes32(context, "taskId")
            let parameters = Parameters(request)
            _ = try parameters.all(allowed: ["unlike", "wait"])
            let wait = try parameters.number("wait", range: 0...Self.maximumWait)
            let task: ComputeTask?
            if let statuses = try parameters.statuses("unlike") {
                task = try await ledger.task(id, unlike: statuses, timeout: .seconds(Int64(wait ?? 0)))
            } else if let wait {
                throw APIError(
                    .badRequest, code: "invalidParameter",
                    "wait=\(wait) needs unlike=STATUS: the long poll waits for the task's status to change from STATUS."
                )
            } else {
                task = try await ledger.task(id)
            }
            return json(try found(task, "No task has the id \(id); a task exists once it is initialized.").json)
        }
        on(Route(.get, "/v1/ledger/events")) { request, _ in
            let parameters = Parameters(request)
            _ = try parameters.all(allowed: EventFilter.parameterNames + ["after", "limit", "wait"])
            let filter = EventFilter(
                account: try parameters.address("account"), asset: try parameters.address("asset"),
                deal: try parameters.bytes32("deal"), task: try parameters.bytes32("task"),
                name: try parameters.value("name"), fromBlock: try parameters.number("fromBlock"),
                toBlock: try parameters.number("toBlock"))
            var cursor: EventCursor?
            if let text = try parameters.value("after") {
                guard let parsed = EventCursor(text) else {
                    throw APIError.invalidParameter("after", text, expected: "a cursor (height.transaction.event)")
                }
                cursor = parsed
            }
            let limit = try parameters.number("limit", range: 1...Self.maximumEventPage) ?? 100
            let wait = try parameters.number("wait", range: 0...Self.maximumWait) ?? 0
            let events = try await ledger.events(
                matching: filter, after: cursor, limit: Int(limit), timeout: .seconds(Int64(wait)))
            return json(EventPage(events: events).json)
        }

        // MARK: Market

        on(Route(.post, "/v1/market/orders")) { request, _ in
            let body = try await JSONRequest.body(of: &request)
            let publish = try PublishRequest(json: body)
            return json(try await orderbook.publish(publish.order, signature: publish.signature).json)
        }
        on(Route(.get, "/v1/market/orders")) { request, _ in
            let query = try OrderQuery(parameters: Parameters(request).all(allowed: OrderQuery.parameterNames))
            return json(try await orderbook.query(query).json)
        }
        on(Route(.get, "/v1/market/orders/{orderHash}")) { _, context in
            let hash = try Parameters.bytes32(context, "orderHash")
            return json(
                try found(await orderbook.order(hash), "The orderbook holds no order with the hash \(hash).").json)
        }
        on(Route(.post, "/v1/market/orders/{orderHash}/cancel")) { request, context in
            let hash = try Parameters.bytes32(context, "orderHash")
            let body = try await JSONRequest.body(of: &request)
            let cancel = try CancelBody(json: body)
            return json(try await orderbook.cancel(hash, signature: cancel.signature).json)
        }

        // MARK: Blobs

        on(Route(.put, "/v1/blobs")) { request, context in try await blobs.put(request, logger: context.logger) }
        on(Route(.get, "/v1/blobs")) { request, context in try await blobs.batch(request, logger: context.logger) }
        on(Route(.get, "/v1/blobs/{cid}")) { _, context in
            try await blobs.get(Parameters.cid(context, "cid"), logger: context.logger)
        }
        on(Route(.head, "/v1/blobs/{cid}")) { _, context in
            try await blobs.head(Parameters.cid(context, "cid"), logger: context.logger)
        }

        // MARK: SMS

        addSMSRoutes(on)

        // MARK: Workerpool

        addPoolRoutes(on)
        return router
    }
}
