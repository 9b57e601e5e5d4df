public import ClaveCore
public import ClaveCrypto

/// Which registered datasets to list (iExec's getProtectedData): by owner, by schema, a page at a time.
public struct DatasetQuery: Sendable, Hashable {
    /// The most datasets in one page.
    public static let maximumLimit = 100

    /// Only datasets of this owner.
    public var owner: Address?
    /// Only datasets whose schema has every field this query requires (`email:string`, `a.b:f64`, ...).
    public var schema: ProtectedDataSchemaQuery?
    /// The page after this address (``DatasetPage/nextCursor``); nil for the first.
    public var after: Address?
    /// The most datasets in the page, 1 to ``maximumLimit``.
    public var limit: Int

    public init(
        owner: Address? = nil, schema: ProtectedDataSchemaQuery? = nil, after: Address? = nil, limit: Int = 20
    ) {
        self.owner = owner
        self.schema = schema
        self.after = after
        self.limit = limit
    }

    /// Whether `dataset` is one the query selects (the page bounds aside). A dataset whose schema is not a
    /// protected-data schema matches only a query without a schema.
    public func matches(_ dataset: Dataset) -> Bool {
        if let owner, dataset.owner != owner { return false }
        if let schema {
            guard let parsed = try? ProtectedDataSchema(parsing: dataset.schema), schema.matches(parsed) else {
                return false
            }
        }
        return true
    }
}

/// One page of datasets, by address.
public struct DatasetPage: Sendable, Hashable {
    public var datasets: [Dataset]
    /// Pass it as ``DatasetQuery/after`` for the next page; nil when this page is the last.
    public var nextCursor: Address?

    public init(datasets: [Dataset], nextCursor: Address?) {
        self.datasets = datasets
        self.nextCursor = nextCursor
    }

    /// `{"datasets": [...], "nextCursor": address or null}`.
    public var json: JSONValue {
        .object([
            "datasets": .array(datasets.map(\.json)),
            "nextCursor": nextCursor.map { .string($0.checksummed) } ?? .null,
        ])
    }

    public init(json: JSONValue) throws(TransactionFormatError) {
        var fields = try JSONFields(json, at: "page")
        datasets = try fields.array("datasets") { (value, _) throws(TransactionFormatError) in
            try Dataset(json: value)
        }
        nextCursor = fields.optional("nextCursor") == nil ? nil : try fields.address("nextCursor")
        try fields.finish()
    }
}

extension State {
    /// The page of datasets `query` selects, by address.
    public func datasets(_ query: DatasetQuery) -> DatasetPage {
        let limit = max(1, min(query.limit, DatasetQuery.maximumLimit))
        let selected = datasets.values
            .filter { dataset in query.after.map { dataset.address > $0 } ?? true }
            .filter(query.matches)
            .sorted { $0.address < $1.address }
        let page = Array(selected.prefix(limit))
        return DatasetPage(datasets: page, nextCursor: selected.count > limit ? page.last?.address : nil)
    }
}
