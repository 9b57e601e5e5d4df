public import ClaveCore
public import ClaveCrypto
import Foundation
public import GRDB
public import Logging

/// The orderbook in SQLite, through GRDB: a file in WAL mode (``init(path:ledger:configuration:logger:currentTime:)``)
/// or any GRDB database writer, an in-memory `DatabaseQueue` for tests. The schema is migrated when it opens.
///
/// The book is an index of signed orders; the ledger, read through `ledger` once per request, is the authority on who
/// owns what and how much of each order is left.
public final class SQLiteOrderbook: Orderbook {
    /// How the orderbook pages.
    public struct Configuration: Sendable {
        /// The most entries one page may hold; a query asking for more is refused.
        public var maximumPageSize: Int
        /// How many rows one read takes while skipping orders the ledger says are done.
        public var scanBatchSize: Int

        public init(maximumPageSize: Int = 100, scanBatchSize: Int = 128) {
            self.maximumPageSize = maximumPageSize
            self.scanBatchSize = scanBatchSize
        }
    }

    private let database: any DatabaseWriter
    private let ledger: any LedgerViewSource
    private let configuration: Configuration
    private let logger: Logger
    private let currentTime: @Sendable () -> UInt64

    /// An orderbook over `database`, whose schema it migrates.
    ///
    /// - Parameter currentTime: the time of publications and cancellations, Unix seconds; `nil` for the system clock.
    public init(
        database: any DatabaseWriter, ledger: any LedgerViewSource, configuration: Configuration = Configuration(),
        logger: Logger, currentTime: (@Sendable () -> UInt64)? = nil
    ) throws(MarketError) {
        self.database = database
        self.ledger = ledger
        self.configuration = configuration
        self.logger = logger
        self.currentTime = currentTime ?? { UInt64(Date().timeIntervalSince1970) }
        do {
            try SQLiteOrderbook.migrator.migrate(database)
        } catch {
            throw MarketError(
                .storage,
                "The orderbook's database could not be migrated (\(error)); check that the file is an orderbook's and writable."
            )
        }
    }

    /// An orderbook in the SQLite file at `path` (created if missing), in WAL mode.
    public convenience init(
        path: String, ledger: any LedgerViewSource, configuration: Configuration = Configuration(), logger: Logger,
        currentTime: (@Sendable () -> UInt64)? = nil
    ) throws(MarketError) {
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path)
        } catch {
            throw MarketError(
                .storage,
                "The orderbook's database at \(path) could not be opened (\(error)); check the path and its permissions."
            )
        }
        try self.init(
            database: pool, ledger: ledger, configuration: configuration, logger: logger, currentTime: currentTime)
    }

    // MARK: Publishing

    public func publish(_ order: AnyOrder, signature: Signature?) async throws(MarketError) -> OrderbookEntry {
        let view = try await currentView()
        let (hash, signer) = try PublishChecks.check(order, signature: signature, on: view)
        let columns = OrderColumns(order)
        let words = OrderColumns.words(columns.tag)
        let arguments: StatementArguments = [
            hash.blob, order.kind.rawValue, String(decoding: order.json.serialized(), as: UTF8.self),
            signature.map { Data($0.rawRepresentation) }, signer.blob, Int64(clamping: currentTime()),
            OrderPrice.key(OrderPrice.of(order)), columns.app.blob, columns.dataset.blob, columns.workerpool.blob,
            columns.requester.blob, columns.apprestrict.blob, columns.datasetrestrict.blob,
            columns.workerpoolrestrict.blob, columns.requesterrestrict.blob,
            columns.category.map { Int64(bitPattern: $0) }, words[0], words[1], words[2], words[3],
        ]
        let (stored, inserted) = try await access("publishing order \(hash)") { db in
            if let existing = try StoredOrder.fetch(db, hash: hash) {
                guard existing.signer != signer, !existing.isCancelled else { return (existing, false) }
                // The asset changed owners and its new owner signs the same order: the new signature replaces the
                // one the ledger would now refuse, and the order is open again, in its place.
                try db.execute(
                    sql: "UPDATE orders SET signature = ?, signer = ? WHERE hash = ?",
                    arguments: [signature.map { Data($0.rawRepresentation) }, signer.blob, hash.blob])
                return (try StoredOrder.fetch(db, hash: hash) ?? existing, true)
            }
            try db.execute(
                sql: """
                    INSERT INTO orders (
                        hash, kind, body, signature, signer, publishedAt, price, app, dataset, workerpool, requester,
                        apprestrict, datasetrestrict, workerpoolrestrict, requesterrestrict, category,
                        tag0, tag1, tag2, tag3)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
            guard let row = try StoredOrder.fetch(db, hash: hash) else {
                throw MarketError(.storage, "Order \(hash) was not found right after it was stored.")
            }
            return (row, true)
        }
        guard !stored.isCancelled else {
            throw MarketError(
                .orderCancelled,
                "Order \(hash) was cancelled in this orderbook and cannot be published again; sign a new order with another salt."
            )
        }
        if inserted {
            logger.info(
                "Order published",
                metadata: ["orderHash": "\(hash)", "kind": "\(order.kind.rawValue)", "signer": "\(signer)"])
        }
        return stored.entry(on: view)
    }

    // MARK: Cancelling

    public func cancel(_ orderHash: Bytes32, signature: Signature) async throws(MarketError) -> OrderbookEntry {
        guard let stored = try await fetch(orderHash) else {
            throw MarketError(
                .unknownOrder,
                "This orderbook holds no order \(orderHash); check the hash (the order's EIP-712 digest).")
        }
        let view = try await currentView()
        if stored.isCancelled { return stored.entry(on: view) }
        let request = CancelRequest(orderHash: orderHash, chainId: view.orderDomain.chainId)
        let recovered: Address
        do {
            recovered = try request.signer(of: signature)
        } catch {
            throw MarketError(
                .invalidSignature,
                "The cancel signature is malformed (\(error.message)); sign the cancel request again.")
        }
        let expected = view.signer(of: stored.order) ?? stored.signer
        guard recovered == expected else {
            throw MarketError(
                .wrongSigner,
                "The cancel request for order \(orderHash) is signed by \(recovered), but only \(expected), who signs the order now, may cancel it; sign {\"cancel\": \"\(orderHash)\", \"chainId\": \(view.orderDomain.chainId)} with that key."
            )
        }
        let now = Int64(clamping: currentTime())
        let cancelled = try await access("cancelling order \(orderHash)") { db in
            try db.execute(
                sql: "UPDATE orders SET cancelledAt = ? WHERE hash = ? AND cancelledAt IS NULL",
                arguments: [now, orderHash.blob])
            return try StoredOrder.fetch(db, hash: orderHash)
        }
        logger.info("Order cancelled", metadata: ["orderHash": "\(orderHash)", "by": "\(recovered)"])
        return (cancelled ?? stored).entry(on: view)
    }

    // MARK: Reading

    public func order(_ orderHash: Bytes32) async throws(MarketError) -> OrderbookEntry? {
        guard let stored = try await fetch(orderHash) else { return nil }
        return stored.entry(on: try await currentView())
    }

    public func query(_ query: OrderQuery) async throws(MarketError) -> OrderPage {
        guard (1...configuration.maximumPageSize).contains(query.limit) else {
            throw MarketError(
                .invalidQuery,
                "A page holds 1 to \(configuration.maximumPageSize) orders, not \(query.limit); ask for fewer and follow nextCursor."
            )
        }
        let view = try await currentView()
        let filter = OrderFilter(query)
        let batchSize = max(configuration.scanBatchSize, query.limit + 1)
        var position = query.cursor
        var found: [(entry: OrderbookEntry, cursor: OrderCursor)] = []
        scanning: while true {
            let after = position
            let rows = try await access("listing orders", readOnly: true) { db in
                try filter.fetch(db, after: after, limit: batchSize)
            }
            for stored in rows {
                position = stored.cursor
                let entry = stored.entry(on: view)
                guard entry.status == .open else { continue }
                found.append((entry, stored.cursor))
                // One more than a page tells whether another page follows.
                if found.count > query.limit { break scanning }
            }
            if rows.count < batchSize { break }
        }
        if found.count > query.limit {
            return OrderPage(
                entries: found.prefix(query.limit).map(\.entry), nextCursor: found[query.limit - 1].cursor)
        }
        return OrderPage(entries: found.map(\.entry), nextCursor: nil)
    }

    // MARK: Support

    private func fetch(_ orderHash: Bytes32) async throws(MarketError) -> StoredOrder? {
        try await access("reading order \(orderHash)", readOnly: true) { db in
            try StoredOrder.fetch(db, hash: orderHash)
        }
    }

    private func currentView() async throws(MarketError) -> any LedgerView {
        do {
            return try await ledger.currentView()
        } catch {
            throw MarketError(
                .ledgerUnavailable,
                "The ledger could not be read (\(error)); the orderbook checks every order against it, retry when it answers."
            )
        }
    }

    /// Runs `body` in a write transaction (a read transaction when `readOnly`), turning database errors into
    /// ``MarketError/Code/storage``.
    private func access<T: Sendable>(
        _ action: String, readOnly: Bool = false, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(MarketError) -> T {
        do {
            return readOnly ? try await database.read(body) : try await database.write(body)
        } catch let error as MarketError {
            throw error
        } catch {
            logger.error("Orderbook database failure", metadata: ["action": "\(action)", "error": "\(error)"])
            throw MarketError(
                .storage,
                "The orderbook's database failed while \(action) (\(error)); check the database file and disk, then retry."
            )
        }
    }
}

extension StoredOrder {
    static func fetch(_ db: Database, hash: Bytes32) throws -> StoredOrder? {
        try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE hash = ?", arguments: [hash.blob]).map { row in
            try StoredOrder(row: row)
        }
    }
}
