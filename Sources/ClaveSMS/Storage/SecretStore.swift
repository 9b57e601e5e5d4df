import ClaveCrypto
import Foundation
import GRDB

/// The SMS's tables and the associated data of everything it encrypts (docs/sms.md, "Storage at rest").
///
/// Every value is sealed with AES-256-GCM under the master key, with associated data naming what it is, so a row
/// copied onto another (a secret onto another secret, a challenge key onto another task) no longer opens.
enum SecretStore {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: secrets, push nonces, enclave challenges, key check") { db in
            try db.execute(
                sql: """
                    CREATE TABLE secrets (
                        kind TEXT NOT NULL,
                        target BLOB NOT NULL,
                        name TEXT NOT NULL,
                        sealed BLOB NOT NULL,
                        updatedAt INTEGER NOT NULL,
                        PRIMARY KEY (kind, target, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE pushNonces (
                        nonce BLOB PRIMARY KEY,
                        expiry INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX pushNonces_by_expiry ON pushNonces(expiry);
                    CREATE TABLE enclaveChallenges (
                        taskId BLOB PRIMARY KEY,
                        address BLOB NOT NULL,
                        sealedKey BLOB NOT NULL,
                        createdAt INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE keyCheck (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        sealed BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2: the seed enclave challenge keys are derived from") { db in
            // Enclave challenge keys are derived from the seed from now on; the rows of enclaveChallenges stay, for
            // the tasks that were given one before.
            try db.execute(
                sql: """
                    CREATE TABLE challengeSeed (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        sealed BLOB NOT NULL
                    );
                    """)
        }
        return migrator
    }

    // MARK: Associated data

    /// `clave-sms/secret/v1` 0x00 kind 0x00 target (20 bytes) name.
    static func associatedData(_ secret: SecretIdentifier) -> [UInt8] {
        Array("clave-sms/secret/v1".utf8) + [0] + Array(secret.kind.rawValue.utf8) + [0] + secret.target.bytes
            + Array(secret.name.utf8)
    }

    /// `clave-sms/enclave-challenge/v1` 0x00 taskId.
    static func associatedData(challengeOf taskId: Bytes32) -> [UInt8] {
        Array("clave-sms/enclave-challenge/v1".utf8) + [0] + taskId.bytes
    }

    /// `clave-sms/key-check/v1`: the associated data of the empty value sealed once per database, which only the
    /// database's master key opens.
    static let keyCheckData = Array("clave-sms/key-check/v1".utf8)

    // MARK: Rows

    static func sealedSecret(_ db: Database, _ secret: SecretIdentifier) throws -> [UInt8]? {
        // Cached: every session reads secrets this way.
        try Data.fetchOne(
            db.cachedStatement(sql: "SELECT sealed FROM secrets WHERE kind = ? AND target = ? AND name = ?"),
            arguments: [secret.kind.rawValue, Data(secret.target.bytes), secret.name]
        ).map(Array.init)
    }

    static func sealedChallengeSeed(_ db: Database) throws -> [UInt8]? {
        try Data.fetchOne(db, sql: "SELECT sealed FROM challengeSeed WHERE id = 1").map(Array.init)
    }

    static func keyCheck(_ db: Database) throws -> [UInt8]? {
        try Data.fetchOne(db, sql: "SELECT sealed FROM keyCheck WHERE id = 1").map(Array.init)
    }
}
