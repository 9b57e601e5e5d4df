package import ClaveCore
package import ClaveCrypto
package import ClaveLedger

/// A `LedgerService` that forwards what every service must implement to `base`, so that a test's wrapper states only
/// what it changes. What the protocol implements itself (`submit(batch:)`, the task long polls) is not forwarded: a
/// wrapper gets the protocol's own, built on the requirements, its changes included.
package protocol ForwardingLedgerService: LedgerService {
    var base: any LedgerService { get }
}

extension ForwardingLedgerService {
    package func submit(_ transaction: SignedTransaction) async throws -> Receipt { try await base.submit(transaction) }
    package func chainInfo() async throws -> ChainInfo { try await base.chainInfo() }
    package func account(_ address: Address) async throws -> Account { try await base.account(address) }
    package func app(_ address: Address) async throws -> App? { try await base.app(address) }
    package func dataset(_ address: Address) async throws -> Dataset? { try await base.dataset(address) }
    package func datasets(_ query: DatasetQuery) async throws -> DatasetPage { try await base.datasets(query) }
    package func workerpool(_ address: Address) async throws -> Workerpool? { try await base.workerpool(address) }
    package func consumed(_ orderHash: Bytes32) async throws -> UInt64 { try await base.consumed(orderHash) }
    package func isClosed(_ orderHash: Bytes32) async throws -> Bool { try await base.isClosed(orderHash) }
    package func deal(_ id: Bytes32) async throws -> Deal? { try await base.deal(id) }
    package func task(_ id: Bytes32) async throws -> ComputeTask? { try await base.task(id) }
    package func block(height: UInt64) async throws -> Block? { try await base.block(height: height) }
    package func transaction(hash: Bytes32) async throws -> TransactionRecord? {
        try await base.transaction(hash: hash)
    }
    package func events(matching filter: EventFilter, after cursor: EventCursor?, limit: Int, timeout: Duration)
        async throws -> [LedgerEvent]
    {
        try await base.events(matching: filter, after: cursor, limit: limit, timeout: timeout)
    }
}
