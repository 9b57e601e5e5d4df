import GRDB

extension SQLiteOrderbook {
    /// The schema's migrations, applied in order when an orderbook opens its database.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: orders") { db in
            // One row per order hash. `sequence` is the publication order (ties of price are listed by it).
            // Addresses and hashes are raw bytes; `price` is fixed-width decimal text (OrderPrice.key) so that it
            // sorts as numbers do beyond 2^63; tag0...tag3 are the tag's 64-bit words, least significant first.
            try db.execute(
                sql: """
                    CREATE TABLE orders (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        hash BLOB NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        body TEXT NOT NULL,
                        signature BLOB,
                        signer BLOB NOT NULL,
                        publishedAt INTEGER NOT NULL,
                        cancelledAt INTEGER,
                        price TEXT NOT NULL,
                        app BLOB NOT NULL,
                        dataset BLOB NOT NULL,
                        workerpool BLOB NOT NULL,
                        requester BLOB NOT NULL,
                        apprestrict BLOB NOT NULL,
                        datasetrestrict BLOB NOT NULL,
                        workerpoolrestrict BLOB NOT NULL,
                        requesterrestrict BLOB NOT NULL,
                        category INTEGER,
                        tag0 INTEGER NOT NULL,
                        tag1 INTEGER NOT NULL,
                        tag2 INTEGER NOT NULL,
                        tag3 INTEGER NOT NULL
                    );
                    CREATE INDEX orders_by_kind_price ON orders(kind, price, sequence) WHERE cancelledAt IS NULL;
                    CREATE INDEX orders_by_price ON orders(price, sequence) WHERE cancelledAt IS NULL;
                    CREATE INDEX orders_by_app ON orders(app) WHERE cancelledAt IS NULL;
                    CREATE INDEX orders_by_dataset ON orders(dataset) WHERE cancelledAt IS NULL;
                    CREATE INDEX orders_by_workerpool ON orders(workerpool) WHERE cancelledAt IS NULL;
                    CREATE INDEX orders_by_requester ON orders(requester) WHERE cancelledAt IS NULL;
                    """)
        }
        return migrator
    }
}
