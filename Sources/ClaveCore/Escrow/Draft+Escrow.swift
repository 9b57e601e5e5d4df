import ClaveCrypto

extension Draft {
    // MARK: Transactions

    mutating func faucet(_ amount: UInt64) throws(Rejection) {
        guard configuration.isDevelopment else {
            throw Rejection(
                .faucetDisabled,
                "Chain \(configuration.chainId) is not a development chain, so it has no faucet; get funds from an account that has some."
            )
        }
        guard amount <= configuration.faucetLimit else {
            throw Rejection(
                .faucetLimitExceeded,
                "The faucet gives at most \(configuration.faucetLimit) per transaction, and \(amount) was asked; ask for \(configuration.faucetLimit) or less."
            )
        }
        let sender = sender
        try modifyAccount(sender) { (account) throws(Rejection) in
            account.wallet = try Checked.add(account.wallet, amount, "the wallet of \(sender) after the faucet")
        }
        if amount > 0 { emit(.faucet(account: sender, amount: amount)) }
    }

    mutating func deposit(_ amount: UInt64) throws(Rejection) {
        let sender = sender
        try modifyAccount(sender) { (account) throws(Rejection) in
            guard account.wallet >= amount else {
                throw Rejection(
                    .insufficientWallet,
                    "\(sender) has \(account.wallet) in its wallet, less than the \(amount) to deposit; deposit at most \(account.wallet)."
                )
            }
            account.wallet -= amount
            account.balance = try Checked.add(account.balance, amount, "the escrow balance of \(sender)")
        }
        if amount > 0 { emit(.deposit(account: sender, amount: amount)) }
    }

    mutating func withdraw(_ amount: UInt64) throws(Rejection) {
        let sender = sender
        try modifyAccount(sender) { (account) throws(Rejection) in
            guard account.balance >= amount else {
                throw Rejection(
                    .insufficientBalance,
                    "\(sender) has \(account.balance) free in escrow (and \(account.frozen) locked), less than the \(amount) to withdraw; withdraw at most \(account.balance)."
                )
            }
            account.balance -= amount
            account.wallet = try Checked.add(account.wallet, amount, "the wallet of \(sender)")
        }
        if amount > 0 { emit(.withdraw(account: sender, amount: amount)) }
    }

    // MARK: Escrow movements

    /// Moves `amount` of `address`'s free balance to its locked balance; refuses with `code` and a message naming
    /// `purpose` when the balance is short.
    mutating func lock(
        _ address: Address, _ amount: UInt64, reference: Bytes32, code: Rejection.Code = .insufficientBalance,
        purpose: @autoclosure () -> String
    ) throws(Rejection) {
        guard amount > 0 else { return }
        let purpose = purpose()
        try modifyAccount(address) { (account) throws(Rejection) in
            guard account.balance >= amount else {
                throw Rejection(
                    code,
                    "\(address) has \(account.balance) free in escrow, but \(amount) must be locked for \(purpose); deposit at least \(amount - account.balance) more."
                )
            }
            account.balance -= amount
            account.frozen = try Checked.add(account.frozen, amount, "the locked escrow of \(address)")
        }
        emit(.lock(account: address, amount: amount, reference: reference))
    }

    /// Moves `amount` of `address`'s locked balance back to its free balance.
    mutating func unlock(_ address: Address, _ amount: UInt64, reference: Bytes32) throws(Rejection) {
        guard amount > 0 else { return }
        try modifyAccount(address) { (account) throws(Rejection) in
            account.frozen = try Draft.takeFrozen(account.frozen, amount, from: address)
            account.balance = try Checked.add(account.balance, amount, "the escrow balance of \(address)")
        }
        emit(.unlock(account: address, amount: amount, reference: reference))
    }

    /// Takes `amount` from `address`'s locked balance into the task's pot.
    mutating func seize(_ address: Address, _ amount: UInt64, reference: Bytes32) throws(Rejection) {
        guard amount > 0 else { return }
        try modifyAccount(address) { (account) throws(Rejection) in
            account.frozen = try Draft.takeFrozen(account.frozen, amount, from: address)
        }
        emit(.seize(account: address, amount: amount, reference: reference))
    }

    /// Pays `amount` from the task's pot into `address`'s free balance.
    mutating func reward(_ address: Address, _ amount: UInt64, reference: Bytes32) throws(Rejection) {
        guard amount > 0 else { return }
        try modifyAccount(address) { (account) throws(Rejection) in
            account.balance = try Checked.add(account.balance, amount, "the escrow balance of \(address)")
        }
        emit(.reward(account: address, amount: amount, reference: reference))
    }

    /// Puts `amount` from the task's pot into the kitty.
    mutating func fillKitty(_ amount: UInt64, taskId: Bytes32) throws(Rejection) {
        guard amount > 0 else { return }
        set(kitty: try Checked.add(kitty, amount, "the kitty"))
        emit(.kittyFilled(amount: amount, taskId: taskId))
    }

    /// Takes `amount` from the kitty into the task's pot.
    mutating func releaseKitty(_ amount: UInt64, taskId: Bytes32) throws(Rejection) {
        guard amount > 0 else { return }
        set(kitty: try Checked.subtract(kitty, amount, "the kitty"))
        emit(.kittyReleased(amount: amount, taskId: taskId))
    }

    private static func takeFrozen(_ frozen: UInt64, _ amount: UInt64, from address: Address) throws(Rejection)
        -> UInt64
    {
        guard frozen >= amount else {
            throw Rejection(
                .insufficientFrozen,
                "\(address) has \(frozen) locked in escrow, but \(amount) must be released from it; the ledger's accounting is inconsistent, report this with the transaction."
            )
        }
        return frozen - amount
    }
}
