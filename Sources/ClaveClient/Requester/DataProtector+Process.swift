public import ClaveCore
public import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveSMS
import ClaveStorage
public import Foundation

/// What a requester asks to run: iExec's `processProtectedData` (and `iexec app run`).
public struct ProcessRequest: Sendable, Hashable {
    /// The app to run.
    public var app: Address
    /// The protected data it reads; nil for an app that takes none.
    public var protectedData: Address?
    /// iExec's `iexec_args`: the app's arguments, split as a shell splits plain words and quotes.
    public var arguments: String?
    /// Local files handed to the app in `$IEXEC_IN` (uploaded to the blob store first).
    public var inputFiles: [URL]
    /// Requester secrets for the app: `IEXEC_REQUESTER_SECRET_<index>` = value. Pushed to the SMS first.
    public var secrets: [UInt64: String]
    /// How many agreeing workers the result needs (PoCo's trust); 1 for one worker.
    public var trust: UInt64
    /// The category (how long the task may take); nil for the chain's shortest.
    public var category: UInt64?
    /// A workerpool to use; nil for the cheapest that takes the task.
    public var workerpool: Address?
    /// The most the requester pays per task, in nano-units, for each of app, dataset and workerpool.
    public var maxPrice: UInt64
    /// How many tasks the deal runs (PoCo's volume, a bag of tasks): the same app, data, arguments, inputs and
    /// secrets, each task told its index by `IEXEC_BOT_TASK_INDEX`. The deal gets fewer when one of the orders has
    /// less volume left (``SubmittedDeal/tasks`` says how many).
    public var volume: UInt64

    public init(
        app: Address, protectedData: Address? = nil, arguments: String? = nil, inputFiles: [URL] = [],
        secrets: [UInt64: String] = [:], trust: UInt64 = 1, category: UInt64? = nil, workerpool: Address? = nil,
        maxPrice: UInt64 = 0, volume: UInt64 = 1
    ) {
        self.app = app
        self.protectedData = protectedData
        self.arguments = arguments
        self.inputFiles = inputFiles
        self.secrets = secrets
        self.trust = trust
        self.category = category
        self.workerpool = workerpool
        self.maxPrice = maxPrice
        self.volume = volume
    }
}

/// Where a submitted request is.
public struct ProcessProgress: Sendable, Hashable {
    public var dealId: Bytes32
    public var taskId: Bytes32
    /// The task's status on the ledger.
    public var status: ComputeTask.Status
}

/// A task the requester started: its deal and task.
public struct SubmittedTask: Sendable, Hashable {
    public var dealId: Bytes32
    public var taskId: Bytes32
}

/// A deal the requester started and its tasks, by index.
public struct SubmittedDeal: Sendable, Hashable {
    public var dealId: Bytes32
    /// The first task's index in the deal (PoCo's botFirst).
    public var firstIndex: UInt64
    /// The deal's tasks, the one of index `firstIndex + n` at position n.
    public var tasks: [SubmittedTask]
}

extension DataProtector {
    /// Runs `request` to its end: matches orders into a deal, waits for its task, then fetches, verifies and decrypts
    /// the result into `destination` (a folder: the app's `$IEXEC_OUT`).
    ///
    /// - Parameters:
    ///   - timeout: how long to wait for the task before giving up with ``RequesterError/Code/timedOut`` (the task
    ///     goes on; ``waitForResult(of:into:timeout:onProgress:failureReason:)`` takes it up again).
    ///   - failureReason: the reason the task failed for good, when its scheduler knows one (a failure that running it
    ///     again cannot change); asked while waiting.
    public func processProtectedData(
        _ request: ProcessRequest, into destination: URL, timeout: Duration = .seconds(300),
        onProgress: @escaping @Sendable (ProcessProgress) async -> Void = { _ in },
        failureReason: @escaping @Sendable (Bytes32) async -> String? = { _ in nil }
    ) async throws -> FetchedResult {
        let task = try await submit(request)
        return try await waitForResult(
            of: task, into: destination, timeout: timeout, onProgress: onProgress, failureReason: failureReason)
    }

    /// Runs the deal of `request` (its ``ProcessRequest/volume`` tasks) to its end: matches orders into a deal, then
    /// waits for every task as ``waitForResults(of:into:timeout:onProgress:failureReason:)`` does. Returns the results
    /// in the order of the tasks.
    public func processDeal(
        _ request: ProcessRequest, into folder: URL, timeout: Duration = .seconds(300),
        onProgress: @escaping @Sendable (ProcessProgress) async -> Void = { _ in },
        failureReason: @escaping @Sendable (Bytes32) async -> String? = { _ in nil }
    ) async throws -> [FetchedResult] {
        let deal = try await submitDeal(request)
        return try await waitForResults(
            of: deal, into: folder, timeout: timeout, onProgress: onProgress, failureReason: failureReason)
    }

    /// Waits for every task of `deal`, followed together (one long poll for all of them), and fetches, verifies and
    /// decrypts each result into `folder/task-<index>`; returns them in the order of the tasks. The results are
    /// fetched together, a request for those that ended together. The first task that fails (or times out) ends the
    /// wait with its error; the results fetched before it stay in their folders.
    public func waitForResults(
        of deal: SubmittedDeal, into folder: URL, timeout: Duration = .seconds(300),
        onProgress: @escaping @Sendable (ProcessProgress) async -> Void = { _ in },
        failureReason: @escaping @Sendable (Bytes32) async -> String? = { _ in nil }
    ) async throws -> [FetchedResult] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let count = deal.tasks.count
        let indices = deal.firstIndex..<(deal.firstIndex + UInt64(count))
        var last = [ComputeTask.Status?](repeating: nil, count: count)
        var results = [FetchedResult?](repeating: nil, count: count)
        // As waitForResult's, each wait is for the end of every task, a second at most.
        var states = try await ledger.tasks(
            ofDeal: deal.dealId, indices: indices, unlike: Self.unfinished, timeout: min(timeout, .seconds(1)))
        while true {
            for (position, task) in deal.tasks.enumerated() {
                let status = states[position]?.status ?? .unset
                guard status != last[position] else { continue }
                last[position] = status
                await onProgress(ProcessProgress(dealId: task.dealId, taskId: task.taskId, status: status))
            }
            let completed = (0..<count).filter { results[$0] == nil && states[$0]?.status == .completed }
            if !completed.isEmpty {
                let fetched = try await fetchResults(
                    of: completed.compactMap { states[$0] },
                    into: completed.map {
                        folder.appendingPathComponent("task-\(deal.firstIndex + UInt64($0))", isDirectory: true)
                    })
                for (position, result) in zip(completed, fetched) { results[position] = result }
            }
            if results.allSatisfy({ $0 != nil }) { return results.compactMap { $0 } }
            let left = deadline - clock.now
            for position in 0..<count where results[position] == nil {
                try await refuseUnfinished(
                    deal.tasks[position], states[position], timeout: timeout, timedOut: left <= .zero,
                    failureReason: failureReason)
            }
            states = try await ledger.tasks(
                ofDeal: deal.dealId, indices: indices, unlike: Self.unfinished, timeout: min(left, .seconds(1)))
        }
    }

    /// Matches orders into a deal for `request` and returns its first task, without waiting for it (the other tasks
    /// of a deal of ``ProcessRequest/volume`` above 1 are in ``submitDeal(_:)``'s answer).
    public func submit(_ request: ProcessRequest) async throws -> SubmittedTask {
        let deal = try await submitDeal(request)
        guard let first = deal.tasks.first else {
            throw RequesterError(.ledger, "The ledger made deal \(deal.dealId) with no task.")
        }
        return first
    }

    /// Matches orders into a deal of ``ProcessRequest/volume`` tasks for `request` and returns it, without waiting.
    public func submitDeal(_ request: ProcessRequest) async throws -> SubmittedDeal {
        guard let blobs else {
            throw RequesterError(
                .invalidArgument, "Running a task needs the node's blob store; give this DataProtector one.")
        }
        guard request.trust >= 1 else {
            throw RequesterError(.invalidArgument, "Trust must be 1 or more (1: one worker suffices).")
        }
        guard request.volume >= 1 else {
            throw RequesterError(.invalidArgument, "The volume is the number of tasks to run: 1 or more.")
        }
        // The ledger's answers are asked for together: each is a round trip to the node.
        async let configuration = facts.configuration(ledger)
        async let appRegistered = facts.isRegisteredApp(request.app, ledger)
        async let dataRegistered = isRegisteredDataset(request.protectedData)
        let chain = try await configuration
        let domain = chain.orderDomain
        guard try await appRegistered else {
            throw RequesterError(
                .noMatchingOrder, "No app is registered at \(request.app); check the address (`clave app show`).")
        }
        if let data = request.protectedData, try await !dataRegistered {
            throw RequesterError(
                .noMatchingOrder, "No protected data is registered at \(data); check the address (`clave data list`).")
        }
        let category =
            request.category
            ?? UInt64(
                chain.categories.indices.min(by: {
                    chain.categories[$0].timeref < chain.categories[$1].timeref
                }) ?? 0)
        // Everything the requester gave is checked before anything is stored, pushed or signed.
        guard category < UInt64(chain.categories.count) else {
            let names = chain.categories.enumerated().map { "\($0.offset) (\($0.element.name))" }
            throw RequesterError(
                .invalidArgument,
                "Category \(category) does not exist on this chain; give one of \(names.joined(separator: ", ")).")
        }
        do {
            _ = try DealParams.split(arguments: request.arguments ?? "")
        } catch {
            throw RequesterError(.invalidArgument, "The arguments cannot be read: \(error.message)")
        }
        for file in request.inputFiles where !FileManager.default.isReadableFile(atPath: file.path) {
            throw RequesterError(.invalidArgument, "There is no readable file at \(file.path); check the path.")
        }
        if !request.secrets.isEmpty, sms == nil {
            throw RequesterError(.invalidArgument, "Requester secrets go to the SMS; give this DataProtector one.")
        }
        // Then the inputs: files to the blob store, secrets to the SMS.
        var inputURLs: [DealParams.InputFile] = []
        for file in request.inputFiles {
            let stored = try await blobs.put(fileAt: file)
            inputURLs.append(try DealParams.InputFile(url: "\(stored.cid.locator)/\(file.lastPathComponent)"))
        }
        var secretNames: [Int: String] = [:]
        if let sms, !request.secrets.isEmpty {
            for (index, value) in request.secrets.sorted(by: { $0.key < $1.key }) {
                let name = "task-secret-\(index)-\(Hex.encode(Bytes32.random().bytes.prefix(6)).dropFirst(2))"
                let secret = try SecretIdentifier(kind: .requester, target: owner.address, name: name)
                _ = try await sms.push(
                    SecretPush(
                        Array(value.utf8), into: secret, domain: PushDomain(chain), expiry: now() + 300,
                        signedWith: owner))
                secretNames[Int(index)] = name
            }
        }
        let params = try DealParams(
            args: request.arguments ?? "", inputFiles: inputURLs, secrets: secretNames, resultEncryption: true,
            resultPublicKey: resultKey.publicKey)
        // The orders: the app's, the dataset's grant to this requester, a workerpool's, asked for together.
        async let appOrder = cheapest(
            OrderQuery(
                kind: .app, app: request.app, usableWithDataset: request.protectedData ?? .zero,
                usableWithWorkerpool: request.workerpool, usableByRequester: owner.address, maxPrice: request.maxPrice),
            "No AppOrder lets \(owner.address) run app \(request.app) at a price of at most \(request.maxPrice); raise it with --max-price, or have its developer publish one (`clave app deploy`)."
        )
        async let datasetOrder = cheapestGrant(of: request)
        async let poolOrder = cheapest(
            OrderQuery(
                kind: .workerpool, workerpool: request.workerpool, category: category, usableWithApp: request.app,
                usableWithDataset: request.protectedData ?? .zero, usableByRequester: owner.address,
                maxPrice: request.maxPrice),
            "No workerpool takes tasks of category \(category) for this app at a price of at most \(request.maxPrice); start a node with workers (`clave node --workers 2`) or choose another category."
        )
        let (appEntry, datasetEntry, poolEntry) = try await (appOrder, datasetOrder, poolOrder)
        guard case .app(let app) = appEntry.order, case .workerpool(let pool) = poolEntry.order else {
            throw RequesterError(.ledger, "The orderbook answered an order of another kind than asked.")
        }
        guard pool.trust >= request.trust else {
            throw RequesterError(
                .noMatchingOrder,
                "Workerpool \(pool.workerpool) accepts trust up to \(pool.trust), and \(request.trust) was asked; ask for less trust or use another pool."
            )
        }
        var dataset: SignedOrder<DatasetOrder>?
        if let datasetEntry, case .dataset(let order) = datasetEntry.order {
            dataset = SignedOrder(order: order, signature: datasetEntry.signature)
        }
        let requestOrder = RequestOrder(
            app: app.app, appmaxprice: app.appprice, dataset: dataset?.order.dataset ?? .zero,
            datasetmaxprice: dataset?.order.datasetprice ?? 0, workerpool: pool.workerpool,
            workerpoolmaxprice: pool.workerpoolprice, requester: owner.address, volume: request.volume,
            tag: .zero, category: category, trust: request.trust,
            beneficiary: owner.address, callback: .zero, params: params.canonicalText, salt: .random())
        let receipt = try await submit(
            .matchOrders(
                app: SignedOrder(order: app, signature: appEntry.signature), dataset: dataset,
                workerpool: SignedOrder(order: pool, signature: poolEntry.signature),
                request: .signed(requestOrder, with: owner, in: domain)))
        for case .ordersMatched(let dealId, _, _, _, let requestHash, let volume) in receipt.events {
            // The deal's first index is what its request order had consumed before: nothing, for the fresh order
            // signed here, which the deal id shows (PoCo's is keccak256(request hash ‖ consumed before)); should it
            // not, the ledger's deal says.
            var first: UInt64 = 0
            if Deal.id(requestOrderHash: requestHash, consumedBefore: 0) != dealId {
                guard let deal = try await ledger.deal(dealId) else {
                    throw RequesterError(.ledger, "The ledger matched deal \(dealId) but does not have it.")
                }
                first = deal.botFirst
            }
            return SubmittedDeal(
                dealId: dealId, firstIndex: first,
                tasks: (first..<(first + volume)).map {
                    SubmittedTask(dealId: dealId, taskId: ComputeTask.id(dealId: dealId, index: $0))
                })
        }
        throw RequesterError(.ledger, "The ledger matched the orders but reported no OrdersMatched event.")
    }

    /// Whether `address` is a registered dataset; true when there is none to look up.
    private func isRegisteredDataset(_ address: Address?) async throws -> Bool {
        guard let address else { return true }
        return try await facts.isRegisteredDataset(address, ledger)
    }

    /// The cheapest DatasetOrder by which the request's protected data may be used; nil when the request names none.
    private func cheapestGrant(of request: ProcessRequest) async throws -> OrderbookEntry? {
        guard let data = request.protectedData else { return nil }
        return try await cheapest(
            OrderQuery(
                kind: .dataset, dataset: data, usableWithApp: request.app,
                usableWithWorkerpool: request.workerpool, usableByRequester: owner.address,
                maxPrice: request.maxPrice),
            "The owner of protected data \(data) has granted no access to app \(request.app) for \(owner.address) (or none is left at a price of at most \(request.maxPrice)); ask them to grant it (`clave data grant`), or raise --max-price."
        )
    }

    private func cheapest(_ query: OrderQuery, _ refusal: String) async throws -> OrderbookEntry {
        var query = query
        query.limit = 1
        guard let entry = try await orderbook.query(query).entries.first else {
            throw RequesterError(.noMatchingOrder, refusal)
        }
        return entry
    }

    /// Waits for `task` to end, then fetches, verifies and decrypts its result into `destination`.
    public func waitForResult(
        of task: SubmittedTask, into destination: URL, timeout: Duration = .seconds(300),
        onProgress: @escaping @Sendable (ProcessProgress) async -> Void = { _ in },
        failureReason: @escaping @Sendable (Bytes32) async -> String? = { _ in nil }
    ) async throws -> FetchedResult {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var last: ComputeTask.Status?
        var state = try await ledger.task(task.taskId, unlike: Self.unfinished, timeout: min(timeout, .seconds(1)))
        while true {
            let status = state?.status ?? .unset
            if status != last {
                last = status
                await onProgress(ProcessProgress(dealId: task.dealId, taskId: task.taskId, status: status))
            }
            if let state, status == .completed { return try await fetchResult(of: state, into: destination) }
            let left = deadline - clock.now
            try await refuseUnfinished(
                task, state, timeout: timeout, timedOut: left <= .zero, failureReason: failureReason)
            // Wake when the task ends, or after a second at most: to report its status, and a failure reason may come
            // from the scheduler.
            state = try await ledger.task(task.taskId, unlike: Self.unfinished, timeout: min(left, .seconds(1)))
        }
    }

    /// The statuses before a task's end. Each wait is for the end (COMPLETED or FAILED), so that a task that ends
    /// within milliseconds of its initialize costs one round trip, not one per status.
    private static var unfinished: Set<ComputeTask.Status> { [.unset, .active, .revealing] }

    /// Throws when `task`, in `state` and not COMPLETED, will give no result the requester can wait for: FAILED on
    /// the ledger, a failure its scheduler reports that running it again cannot change, or `timedOut` after `timeout`.
    private func refuseUnfinished(
        _ task: SubmittedTask, _ state: ComputeTask?, timeout: Duration, timedOut: Bool,
        failureReason: @Sendable (Bytes32) async -> String?
    ) async throws {
        let status = state?.status ?? .unset
        if status == .failed {
            let reason = await failureReason(task.taskId) ?? "no worker produced a result before the final deadline"
            throw RequesterError(.taskFailed, "Task \(task.taskId) FAILED: \(reason). The payment was refunded.")
        }
        // A failure that running the task again cannot change (the app's own error, a refused key release): the
        // ledger only records it at the final deadline, but the requester learns it now.
        if var reason = await failureReason(task.taskId) {
            while reason.hasSuffix(".") { reason.removeLast() }
            throw RequesterError(
                .taskFailed,
                "Task \(task.taskId) failed: \(reason). It ends FAILED on the ledger at its final deadline (\(state?.finalDeadline ?? 0)), and the payment is then refunded."
            )
        }
        guard !timedOut else {
            throw RequesterError(
                .timedOut,
                "Task \(task.taskId) is still \(status.rawValue) after \(timeout). It goes on; follow it with `clave task watch \(task.taskId)`."
            )
        }
    }
}
