import ClaveCore
public import ClaveCrypto
import Foundation
package import GRDB
import Synchronization

/// A ``LedgerStore`` in one SQLite file, through a GRDB `DatabasePool` in WAL mode with `synchronous = FULL`:
/// ``append(_:)`` returns only once the block's SQLite transaction is in the write-ahead log on disk, so a block
/// that was acknowledged survives a crash of the process (kill -9) or of the machine.
///
/// Tables: `genesis` (the genesis document), `blocks`, `transactions` (hash, block height, index, sender (20 bytes), nonce,
/// type, canonical JSON, signature), `events` (block, transaction index, event index, name, canonical JSON) and
/// `event_subjects` (one row per account, asset, deal or task an event names, as a 64-bit key, indexed, for filters).
public final class SQLiteLedgerStore: LedgerStore {
    private let pool: DatabasePool
    private let subjectKeys = Mutex(SubjectKeyCache())

    /// Opens (or creates) the store at `path` and migrates it to the current schema.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous = NORMAL with WAL, which may lose the last commits on power loss; this ledger
        // acknowledges a transaction only once its block is durable, so every commit must reach the disk.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Index pages touched at random by each block stay in memory between blocks.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // A statement of many rows keeps a journal of the pages it changes (to undo itself alone if it fails);
            // in memory, not in a temporary file.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
        }
        try Self.migrator.migrate(pool)
    }

    /// SQLite's `synchronous` setting of the writing connection (2 = FULL).
    public func synchronousSetting() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The raw database, for tools and tests (the tampering tests write to it).
    package var database: DatabasePool { pool }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE genesis (id INTEGER PRIMARY KEY CHECK (id = 0), document BLOB NOT NULL);
                    CREATE TABLE blocks (
                        height INTEGER PRIMARY KEY,
                        hash BLOB NOT NULL UNIQUE,
                        parent BLOB NOT NULL,
                        timestamp INTEGER NOT NULL,
                        transactionsRoot BLOB NOT NULL,
                        eventsDigest BLOB NOT NULL,
                        transactionCount INTEGER NOT NULL
                    );
                    -- Rows append in (height, position) order. Only the index on hashKey (the hash's first 8 bytes)
                    -- takes random inserts: a small index, so few pages per block to write.
                    CREATE TABLE transactions (
                        id INTEGER PRIMARY KEY,
                        hash BLOB NOT NULL,
                        hashKey INTEGER NOT NULL,
                        height INTEGER NOT NULL REFERENCES blocks(height),
                        position INTEGER NOT NULL,
                        sender BLOB NOT NULL,
                        nonce INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        json BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        UNIQUE (height, position)
                    );
                    CREATE INDEX transactions_hash ON transactions(hashKey);
                    CREATE TABLE events (
                        height INTEGER NOT NULL,
                        txIndex INTEGER NOT NULL,
                        eventIndex INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        json BLOB NOT NULL,
                        PRIMARY KEY (height, txIndex, eventIndex)
                    ) WITHOUT ROWID;
                    CREATE INDEX events_name ON events(name, height, txIndex, eventIndex);
                    CREATE TABLE event_subjects (
                        subject INTEGER NOT NULL,
                        height INTEGER NOT NULL,
                        txIndex INTEGER NOT NULL,
                        eventIndex INTEGER NOT NULL,
                        PRIMARY KEY (subject, height, txIndex, eventIndex)
                    ) WITHOUT ROWID;
                    """)
        }
        return migrator
    }

    public func genesisDocument() async throws -> [UInt8]? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT document FROM genesis WHERE id = 0").map { [UInt8]($0) }
        }
    }

    public func initialize(genesis: Genesis) async throws {
        let document = Data(CanonicalJSON.encode(genesis.json))
        let block = SealedBlock(block: genesis.block, events: [])
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO genesis (id, document) VALUES (0, ?)", arguments: [document])
            try Self.insert(block, subjects: [], into: db)
        }
    }

    public func append(_ block: SealedBlock) async throws {
        // The subject keys are hashed here, on the caller's task, so that the writer only writes.
        let subjects = subjectKeys.withLock { $0.keys(of: block) }
        try await pool.write { db in try Self.insert(block, subjects: subjects, into: db) }
    }

    /// Writes a block and its transactions and events. The rows go in with statements of many rows each: most of
    /// what one statement costs is the same for one row as for many.
    private static func insert(_ sealed: SealedBlock, subjects: [[[Int64]]], into db: Database) throws {
        let block = sealed.block
        let height = Int64(block.height)
        try db.cachedStatement(
            sql: """
                INSERT INTO blocks (height, hash, parent, timestamp, transactionsRoot, eventsDigest, transactionCount)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            height, sealed.hash.data, block.parent.data, Int64(block.timestamp), block.transactionsRoot.data,
            block.eventsDigest.data, block.transactions.count,
        ])
        var transactionRows = RowBatch(
            db, "INSERT INTO transactions (hash, hashKey, height, position, sender, nonce, type, json, signature)",
            columns: 9)
        var eventRows = RowBatch(db, "INSERT INTO events (height, txIndex, eventIndex, name, json)", columns: 5)
        var subjectRows = RowBatch(
            db, "INSERT OR IGNORE INTO event_subjects (subject, height, txIndex, eventIndex)", columns: 4)
        for (index, signed) in block.transactions.enumerated() {
            let transaction = signed.transaction
            try transactionRows.add(
                signed.hash.data, Self.key(signed.hash.bytes), height, index,
                Data(transaction.from.bytes), Int64(bitPattern: transaction.nonce),
                transaction.body.type, Data(sealed.transactionJSON[index]),
                Data(signed.signature.rawRepresentation))
            let events = index < sealed.events.count ? sealed.events[index] : []
            for (eventIndex, event) in events.enumerated() {
                try eventRows.add(height, index, eventIndex, event.name, Data(sealed.eventJSON[index][eventIndex]))
                for key in subjects[index][eventIndex] {
                    try subjectRows.add(key, height, index, eventIndex)
                }
            }
        }
        try transactionRows.flush()
        try eventRows.flush()
        try subjectRows.flush()
    }

    /// Rows for one table, inserted `rowsPerStatement` at a time with one `INSERT … VALUES (…), (…), …`.
    private struct RowBatch {
        static let rowsPerStatement = 32
        let db: Database
        let prefix: String
        let columns: Int
        var values: [(any DatabaseValueConvertible)?] = []

        init(_ db: Database, _ prefix: String, columns: Int) {
            self.db = db
            self.prefix = prefix
            self.columns = columns
            values.reserveCapacity(columns * Self.rowsPerStatement)
        }

        mutating func add(_ row: (any DatabaseValueConvertible)?...) throws {
            values += row
            if values.count == columns * Self.rowsPerStatement { try flush() }
        }

        mutating func flush() throws {
            guard !values.isEmpty else { return }
            let rows = values.count / columns
            let tuple = "(" + repeatElement("?", count: columns).joined(separator: ", ") + ")"
            let statement = try db.cachedStatement(
                sql: prefix + " VALUES " + repeatElement(tuple, count: rows).joined(separator: ", "))
            // The statement takes exactly these values: checking them again would cost as much as binding them.
            statement.setUncheckedArguments(StatementArguments(values))
            try statement.execute()
            values.removeAll(keepingCapacity: true)
        }
    }

    public func latestHeight() async throws -> UInt64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(height) FROM blocks").map { UInt64($0) }
        }
    }

    public func blocks(from height: UInt64, limit: Int) async throws -> [StoredBlock] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM blocks WHERE height >= ? ORDER BY height LIMIT ?",
                arguments: [Int64(height), limit])
            guard let first = rows.first, let last = rows.last else { return [] }
            let range: [Int64] = [first["height"], last["height"]]
            var transactions: [Int64: [StoredTransaction]] = [:]
            let eventsByTransaction = try Self.events(in: db, heights: range)
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM transactions WHERE height BETWEEN ? AND ? ORDER BY height, position",
                arguments: StatementArguments(range))
            {
                let stored = try Self.transaction(row, events: eventsByTransaction)
                transactions[Int64(stored.height), default: []].append(stored)
            }
            return try rows.map { row in
                let height: Int64 = row["height"]
                return StoredBlock(
                    height: UInt64(height), hash: try Self.bytes32(row["hash"]),
                    parent: try Self.bytes32(row["parent"]),
                    timestamp: UInt64(row["timestamp"] as Int64),
                    transactionsRoot: try Self.bytes32(row["transactionsRoot"]),
                    eventsDigest: try Self.bytes32(row["eventsDigest"]), transactions: transactions[height] ?? [])
            }
        }
    }

    public func transaction(hash: Bytes32) async throws -> StoredTransaction? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM transactions WHERE hashKey = ? AND hash = ?",
                    arguments: [Self.key(hash.bytes), hash.data])
            else { return nil }
            let height: Int64 = row["height"]
            let position: Int = row["position"]
            var events: [[UInt8]] = []
            for json in try Data.fetchAll(
                db, sql: "SELECT json FROM events WHERE height = ? AND txIndex = ? ORDER BY eventIndex",
                arguments: [height, position])
            {
                events.append([UInt8](json))
            }
            return try Self.transaction(row, events: [Position(height: height, index: position): events])
        }
    }

    public func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int) async throws
        -> [LedgerEvent]
    {
        // With a subject, the query walks that subject's rows of event_subjects (its primary key: subject, then
        // position), so a follower's long poll costs its own events, not a scan of every event since its cursor (or
        // since genesis). Further subjects are checked per row.
        let subjects = filter.subjectKeys.map { Self.key($0) }
        let (source, position) =
            subjects.isEmpty
            ? ("events e", "e")
            : (
                "event_subjects s JOIN events e ON e.height = s.height AND e.txIndex = s.txIndex "
                    + "AND e.eventIndex = s.eventIndex",
                "s"
            )
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let first = subjects.first {
            conditions.append("s.subject = ?")
            _ = arguments.append(contentsOf: [first])
        }
        if let cursor {
            conditions.append("(\(position).height, \(position).txIndex, \(position).eventIndex) > (?, ?, ?)")
            _ = arguments.append(contentsOf: [Int64(cursor.height), cursor.transactionIndex, cursor.eventIndex])
        }
        if let from = filter.fromBlock {
            conditions.append("\(position).height >= ?")
            _ = arguments.append(contentsOf: [Int64(clamping: from)])
        }
        if let to = filter.toBlock {
            conditions.append("\(position).height <= ?")
            _ = arguments.append(contentsOf: [Int64(clamping: to)])
        }
        if let name = filter.name {
            conditions.append("e.name = ?")
            _ = arguments.append(contentsOf: [name])
        }
        for key in subjects.dropFirst() {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM event_subjects o WHERE o.subject = ? AND o.height = e.height
                AND o.txIndex = e.txIndex AND o.eventIndex = e.eventIndex)
                """)
            _ = arguments.append(contentsOf: [key])
        }
        _ = arguments.append(contentsOf: [limit])
        let sql = """
            SELECT e.height, e.txIndex, e.eventIndex, e.json, t.hash FROM \(source)
            JOIN transactions t ON t.height = e.height AND t.position = e.txIndex
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(position).height, \(position).txIndex, \(position).eventIndex LIMIT ?
            """
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
                let json: Data = row["json"]
                let value: JSONValue
                do { value = try JSONValue(parsing: json) } catch {
                    throw LedgerError(.corruptStore, "A stored event is not JSON: \(error). Run LedgerVerifier.")
                }
                return LedgerEvent(
                    position: EventCursor(
                        height: UInt64(row["height"] as Int64), transactionIndex: row["txIndex"],
                        eventIndex: row["eventIndex"]),
                    transactionHash: try Self.bytes32(row["hash"]), json: value)
            }
        }
    }

    // MARK: Rows

    /// The first 8 bytes of `bytes` as an integer: what the indexes hold instead of whole hashes or subject names, so
    /// that the pages a block dirties at random stay few. Lookups compare the whole value too where it is stored.
    private static func key(_ bytes: [UInt8]) -> Int64 {
        bytes.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    /// A subject (`account:0x…`) as a 64-bit key: the first 8 bytes of its keccak256. Two subjects share a key with
    /// probability 2⁻⁶⁴ per pair; a filter would then also return the other subject's events.
    private static func key(_ subject: String) -> Int64 { key(Keccak256.hash(utf8: subject).bytes) }

    /// The 64-bit keys of the subjects seen lately, so that the accounts a ledger names over and over are hashed once.
    /// Bounded: emptied before a block once it holds ``limit`` keys.
    struct SubjectKeyCache {
        static let limit = 65_536
        private var keys: [String: Int64] = [:]

        /// The keys of ``EventSubjects/keys`` of each event of each transaction of `block`.
        mutating func keys(of block: SealedBlock) -> [[[Int64]]] {
            if keys.count >= Self.limit { keys = [:] }
            return block.events.map { events in
                events.map { event in
                    event.subjects.keys.map { subject in
                        if let known = keys[subject] { return known }
                        let key = SQLiteLedgerStore.key(subject)
                        keys[subject] = key
                        return key
                    }
                }
            }
        }
    }

    private struct Position: Hashable {
        var height: Int64
        var index: Int
    }

    private static func events(in db: Database, heights: [Int64]) throws -> [Position: [[UInt8]]] {
        var events: [Position: [[UInt8]]] = [:]
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT height, txIndex, json FROM events WHERE height BETWEEN ? AND ? ORDER BY height, txIndex, eventIndex",
            arguments: StatementArguments(heights))
        {
            let json: Data = row["json"]
            events[Position(height: row["height"], index: row["txIndex"]), default: []].append([UInt8](json))
        }
        return events
    }

    private static func transaction(_ row: Row, events: [Position: [[UInt8]]]) throws -> StoredTransaction {
        let height: Int64 = row["height"]
        let position: Int = row["position"]
        let json: Data = row["json"]
        let signature: Data = row["signature"]
        return StoredTransaction(
            hash: try bytes32(row["hash"]), height: UInt64(height), index: position, canonicalJSON: [UInt8](json),
            signature: [UInt8](signature), events: events[Position(height: height, index: position)] ?? [])
    }

    private static func bytes32(_ data: Data?) throws -> Bytes32 {
        guard let data, let value = try? Bytes32(data) else {
            throw LedgerError(.corruptStore, "A stored hash is not 32 bytes. Run LedgerVerifier to find the block.")
        }
        return value
    }
}
