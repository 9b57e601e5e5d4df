public import ClaveCore
public import ClaveCrypto

/// The answer to an accepted transaction, given once its block is durably stored.
public struct Receipt: Sendable, Hashable {
    public var transactionHash: Bytes32
    public var height: UInt64
    /// The transaction's position in its block.
    public var index: Int
    public var blockHash: Bytes32
    /// What the transaction did, in order.
    public var events: [Event]

    public init(transactionHash: Bytes32, height: UInt64, index: Int, blockHash: Bytes32, events: [Event]) {
        self.transactionHash = transactionHash
        self.height = height
        self.index = index
        self.blockHash = blockHash
        self.events = events
    }
}

/// A stored transaction with where it landed and what it did.
public struct TransactionRecord: Sendable, Hashable {
    public var transaction: SignedTransaction
    public var height: UInt64
    public var index: Int
    /// The JSON of each event it produced, in order.
    public var events: [JSONValue]

    public init(transaction: SignedTransaction, height: UInt64, index: Int, events: [JSONValue]) {
        self.transaction = transaction
        self.height = height
        self.index = index
        self.events = events
    }
}
