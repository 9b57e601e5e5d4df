import ArgumentParser

/// `clave wallet`: create, show and import keystores; sign and verify messages.
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Manage the account keystore and sign messages with it.",
        subcommands: []
    )
}
