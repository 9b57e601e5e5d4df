/// What the ledger keeps for one address. Amounts are in nano-units.
///
/// Money moves between three places: the ``wallet`` (outside escrow: what the faucet gives and `withdraw` returns),
/// the free escrow ``balance`` (what `deposit` adds; what deals are paid from and rewards are paid into) and the
/// locked escrow ``frozen`` (what deals and stakes hold until a task completes or fails).
public struct Account: Sendable, Hashable {
    /// Funds outside escrow.
    public var wallet: UInt64
    /// Free funds in escrow.
    public var balance: UInt64
    /// Locked funds in escrow: deal payments and stakes.
    public var frozen: UInt64
    /// The worker's score: +1 for each accurate contribution to a replicated task, −⅓ for each faulty one.
    public var score: UInt64
    /// The nonce the account's next transaction must carry.
    public var nonce: UInt64

    public init(wallet: UInt64 = 0, balance: UInt64 = 0, frozen: UInt64 = 0, score: UInt64 = 0, nonce: UInt64 = 0) {
        self.wallet = wallet
        self.balance = balance
        self.frozen = frozen
        self.score = score
        self.nonce = nonce
    }

    /// An account with nothing in it, which the ledger does not need to store.
    var isEmpty: Bool { self == Account() }
}
