public import ClaveLedger
public import ClaveMarket

/// The orderbook's view of a ledger in the same process: the state after the ledger's last stored block, read once
/// per request (``ClaveCore/State`` is a value, so a request sees one consistent snapshot).
public struct LedgerStateSource: LedgerViewSource {
    public let ledger: Ledger

    public init(ledger: Ledger) {
        self.ledger = ledger
    }

    public func currentView() async -> any LedgerView { await ledger.state }
}
