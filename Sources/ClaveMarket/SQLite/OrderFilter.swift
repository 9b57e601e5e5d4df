import ClaveCrypto
import GRDB

/// A query's filters as SQL over the `orders` table.
struct OrderFilter: Sendable {
    private var conditions = ["cancelledAt IS NULL"]
    private var arguments = StatementArguments()

    init(_ query: OrderQuery) {
        if let kind = query.kind { add("kind = ?", [kind.rawValue]) }
        for (column, value) in [
            ("app", query.app), ("dataset", query.dataset), ("workerpool", query.workerpool),
            ("requester", query.requester),
        ] {
            if let value { add("\(column) = ?", [value.blob]) }
        }
        if let category = query.category { add("category = ?", [Int64(bitPattern: category)]) }
        if let tag = query.tagIncludes {
            for (index, word) in OrderColumns.words(tag).enumerated() where word != 0 {
                add("(tag\(index) & ?) = ?", [word, word])
            }
        }
        if let tag = query.tagWithin {
            for (index, word) in OrderColumns.words(tag).enumerated() where ~word != 0 {
                add("(tag\(index) & ?) = 0", [~word])
            }
        }
        for (column, value) in [
            ("apprestrict", query.usableWithApp), ("datasetrestrict", query.usableWithDataset),
            ("workerpoolrestrict", query.usableWithWorkerpool), ("requesterrestrict", query.usableByRequester),
        ] {
            if let value { add("(\(column) = ? OR \(column) = ?)", [Address.zero.blob, value.blob]) }
        }
        if let maxPrice = query.maxPrice { add("price <= ?", [OrderPrice.key(UInt128(maxPrice))]) }
    }

    private mutating func add(_ condition: String, _ values: StatementArguments) {
        conditions.append(condition)
        arguments += values
    }

    /// The next `limit` rows after `cursor`, in listing order.
    func fetch(_ db: Database, after cursor: OrderCursor?, limit: Int) throws -> [StoredOrder] {
        var conditions = conditions
        var arguments = arguments
        if let cursor {
            conditions.append("(price > ? OR (price = ? AND sequence > ?))")
            arguments += [cursor.price, cursor.price, cursor.sequence]
        }
        arguments += [limit]
        let sql =
            "SELECT * FROM orders WHERE \(conditions.joined(separator: " AND ")) ORDER BY price, sequence LIMIT ?"
        // Cached: a requester asks the same few query shapes again and again, and preparing one costs more than
        // running it.
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            try StoredOrder(row: row)
        }
    }
}
