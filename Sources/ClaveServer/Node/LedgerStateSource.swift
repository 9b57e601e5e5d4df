import ClaveCore
import ClaveLedger
import ClaveMarket

/// The orderbook's view of the node's own ledger: the state after the last stored block, read once per request.
struct LedgerStateSource: LedgerViewSource {
    let ledger: Ledger

    func currentView() async -> any LedgerView { await ledger.state }
}
