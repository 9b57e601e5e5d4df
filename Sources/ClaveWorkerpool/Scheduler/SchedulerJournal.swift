package import ClaveCrypto
import Foundation
import GRDB

/// What a workerpool's scheduler must not forget when it restarts (docs/workerpool.md, "Restarts"): the results its
/// workers reported for the tasks it finalizes itself (trust above 1; at trust 1 the worker finalizes), and the
/// deterministic failures that stop a task from being run again. Everything else the scheduler knows it rebuilds
/// from the ledger.
///
/// A SQLite database (`scheduler.sqlite` in a node's data directory): one row per task and worker whose result
/// was reported, one per task that failed for good. A task's rows go once it is COMPLETED or FAILED.
public final class SchedulerJournal: Sendable {
    /// What the journal holds of one task.
    package struct Entry: Sendable {
        /// The results reported by each worker, and the worker's weight when it was chosen.
        package var results: [Address: (weight: UInt64, result: ReplicateResult)] = [:]
        package var failure: ReplicateFailure?
    }

    private let database: DatabaseQueue

    /// Opens the journal at `path`, creating it when missing.
    ///
    /// - Throws: ``SchedulerError`` `unavailable` when the file cannot be opened or is not a scheduler journal.
    public init(path: String) throws(SchedulerError) {
        do {
            database = try DatabaseQueue(path: path)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE results (
                            task BLOB NOT NULL, worker BLOB NOT NULL, weight INTEGER NOT NULL, json TEXT NOT NULL,
                            PRIMARY KEY (task, worker)
                        ) WITHOUT ROWID;
                        CREATE TABLE failures (task BLOB PRIMARY KEY NOT NULL, json TEXT NOT NULL) WITHOUT ROWID;
                        """)
            }
            try migrator.migrate(database)
        } catch {
            throw SchedulerError(
                .unavailable,
                "The scheduler's journal \(path) cannot be opened: \(error). Check the file's permissions, or move it aside if it is not a scheduler journal (the scheduler then forgets the results of tasks not yet finalized)."
            )
        }
    }

    func recordResult(_ result: ReplicateResult, of worker: Address, weight: UInt64, for taskId: Bytes32) async throws {
        let json = String(decoding: result.json.serialized(), as: UTF8.self)
        try await database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO results (task, worker, weight, json) VALUES (?, ?, ?, ?)",
                arguments: [Data(taskId.bytes), Data(worker.bytes), Int64(clamping: weight), json])
        }
    }

    func recordFailure(_ failure: ReplicateFailure, for taskId: Bytes32) async throws {
        let json = String(decoding: failure.json.serialized(), as: UTF8.self)
        try await database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO failures (task, json) VALUES (?, ?)",
                arguments: [Data(taskId.bytes), json])
        }
    }

    /// Drops what the journal holds of `taskId`.
    func forget(_ taskId: Bytes32) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM results WHERE task = ?", arguments: [Data(taskId.bytes)])
            try db.execute(sql: "DELETE FROM failures WHERE task = ?", arguments: [Data(taskId.bytes)])
        }
    }

    /// Everything the journal holds, by task.
    ///
    /// - Throws: ``SchedulerError`` `unavailable` when the database cannot be read or holds a row that does not parse.
    package func entries() async throws(SchedulerError) -> [Bytes32: Entry] {
        do {
            return try await database.read { db in
                var entries: [Bytes32: Entry] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT task, worker, weight, json FROM results") {
                    let task = try Bytes32(row["task"] as Data)
                    let worker = try Address(bytes: row["worker"] as Data)
                    let weight = UInt64(clamping: row["weight"] as Int64)
                    let result = try ReplicateResult(json: JSONValue(parsing: Array((row["json"] as String).utf8)))
                    entries[task, default: Entry()].results[worker] = (weight, result)
                }
                for row in try Row.fetchAll(db, sql: "SELECT task, json FROM failures") {
                    let task = try Bytes32(row["task"] as Data)
                    entries[task, default: Entry()].failure = try ReplicateFailure(
                        json: JSONValue(parsing: Array((row["json"] as String).utf8)))
                }
                return entries
            }
        } catch {
            throw SchedulerError(
                .unavailable,
                "The scheduler's journal cannot be read: \(error). Move it aside to start without it (the scheduler then forgets the results of tasks not yet finalized)."
            )
        }
    }
}
