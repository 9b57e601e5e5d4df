import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger

/// `clave account`: an account's funds on the ledger, and moving them in and out of escrow.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Show an account's funds; deposit to and withdraw from escrow; the faucet of development chains.",
        discussion: """
            Amounts are whole nano-units (1 RLC = 1000000000). The wallet holds funds outside escrow; deposit moves \
            them into the escrow balance that deals are paid from, withdraw moves them back. Transactions are signed \
            with a keystore (--keystore-dir, --address, --password-file or $CLAVE_WALLET_PASSWORD) and sent to the \
            node at --node (default $CLAVE_NODE, else http://127.0.0.1:8545).
            """,
        subcommands: [Balance.self, Deposit.self, Withdraw.self, Faucet.self]
    )
}

/// A whole number of nano-units.
struct Amount: ExpressibleByArgument {
    let value: UInt64

    init?(argument: String) {
        guard let value = UInt64(argument), argument.allSatisfy(\.isASCII) else { return nil }
        self.value = value
    }

    static var defaultValueDescription: String { "nano-units" }
}

extension AccountCommand {
    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an account's wallet, escrow balance, score and nonce.",
            discussion: "Example: clave account balance 0x70c0...1ce5 --json")

        @OptionGroup var remote: RemoteOptions

        @OptionGroup var keystore: KeystoreOptions

        @Argument(
            help: "The account (default: the only account of the keystore folder).", transform: parseAddress)
        var address: Address?

        func run() async throws {
            let address = try self.address ?? keystore.directory.entry(for: nil).address
            let ledger = try remote.ledger()
            let account = try await remote.ask { try await ledger.account(address) }
            remote.emit(account.json) { Format.account(address, account) }
        }
    }

    struct Deposit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move funds from the account's wallet into its escrow balance.",
            discussion: "Example: clave account deposit 1000 --address 0xYou   # 1000 nano-units, to pay for runs")

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "How much, in nano-units.")
        var amount: Amount

        func run() async throws {
            try await sign(.deposit(amount: amount.value), signer: signer, remote: remote)
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move funds from the account's free escrow balance back to its wallet.",
            discussion: "Example: clave account withdraw 250 --address 0xYou")

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "How much, in nano-units.")
        var amount: Amount

        func run() async throws {
            try await sign(.withdraw(amount: amount.value), signer: signer, remote: remote)
        }
    }

    struct Faucet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Development chains only: credit the account's wallet (at most the chain's faucet limit).",
            discussion: "Example: clave account faucet 1000000 --address 0xYou")

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "How much, in nano-units.")
        var amount: Amount

        func run() async throws {
            try await sign(.faucet(amount: amount.value), signer: signer, remote: remote) { chain in
                guard chain.configuration.isDevelopment else {
                    throw CLIError(
                        .refused,
                        "Chain \(chain.configuration.chainId) at \(remote.url()) is not a development chain, so it has no faucet; get funds from an account that has some."
                    )
                }
                guard amount.value <= chain.configuration.faucetLimit else {
                    throw CLIError(
                        .invalidInput,
                        "The faucet of chain \(chain.configuration.chainId) gives at most \(chain.configuration.faucetLimit) per transaction; ask for that or less."
                    )
                }
            }
        }
    }
}

/// Asks the node for its chain, runs `check` on it, opens the signer's keystore, then signs and submits `body`.
func sign(
    _ body: TransactionBody, signer: SignerOptions, remote: RemoteOptions,
    check: (ChainInfo) throws -> Void = { _ in }
) async throws {
    let ledger = try remote.ledger()
    // The node first: no password is asked for a transaction that cannot be sent.
    let chain = try await remote.ask { try await ledger.chainInfo() }
    try check(chain)
    let key = try signer.key()
    try await remote.submit(body, key: key, ledger: ledger, chain: chain)
}
