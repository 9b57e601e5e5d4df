import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger

/// The account that signs: a keystore in the keystore folder, opened with its password.
struct SignerOptions: ParsableArguments {
    @OptionGroup var keystore: KeystoreOptions

    @Option(help: "The account to sign with (needed when the keystore folder holds several).", transform: parseAddress)
    var address: Address?

    /// The address of the signing account, read from its keystore file without the password.
    func signerAddress() throws -> Address {
        try keystore.directory.entry(for: address).address
    }

    /// The signing key, decrypted with the password.
    func key() throws -> PrivateKey {
        let entry = try keystore.directory.entry(for: address)
        let password = try keystore.passwords.password(prompt: "Password of \(entry.address): ")
        return try entry.keystore.decrypt(password: password)
    }
}

extension RemoteOptions {
    /// Signs `body` with `key` for the node's chain, at the sender's next nonce, submits it and prints its receipt.
    func submit(_ body: TransactionBody, key: PrivateKey, ledger: LedgerClient, chain: ChainInfo) async throws {
        let receipt = try await ask {
            try await TransactionSender(key: key, ledger: ledger, chainId: chain.configuration.chainId).send(body)
        }
        emit(receipt.json) { Format.receipt(receipt) }
    }
}
