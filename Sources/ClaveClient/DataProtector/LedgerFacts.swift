import ClaveCore
import ClaveCrypto
import ClaveLedger
import Synchronization

/// What a ``DataProtector`` learned from the ledger that cannot change, so that it asks once, not once per deal: the
/// chain's configuration (its genesis's), and which apps and datasets are registered (an asset, once created, is never
/// removed). A requester running deals back to back saves three round trips per deal.
final class LedgerFacts: Sendable {
    private let state = Mutex<(configuration: ChainConfiguration?, registered: Set<Address>)>((nil, []))

    /// The chain's configuration, read from `ledger` the first time.
    func configuration(_ ledger: any LedgerService) async throws -> ChainConfiguration {
        if let known = state.withLock({ $0.configuration }) { return known }
        let configuration = try await ledger.chainInfo().configuration
        state.withLock { $0.configuration = configuration }
        return configuration
    }

    /// Whether `app` is registered; a registered app is remembered, an unregistered one asked about again.
    func isRegisteredApp(_ app: Address, _ ledger: any LedgerService) async throws -> Bool {
        try await isRegistered(app) { try await ledger.app(app) != nil }
    }

    /// Whether `dataset` is registered; a registered dataset is remembered, an unregistered one asked about again.
    func isRegisteredDataset(_ dataset: Address, _ ledger: any LedgerService) async throws -> Bool {
        try await isRegistered(dataset) { try await ledger.dataset(dataset) != nil }
    }

    private func isRegistered(_ address: Address, _ ask: () async throws -> Bool) async throws -> Bool {
        if state.withLock({ $0.registered.contains(address) }) { return true }
        guard try await ask() else { return false }
        state.withLock { _ = $0.registered.insert(address) }
        return true
    }
}
