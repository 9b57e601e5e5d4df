public import ArgumentParser

/// The `clave` command: the root of every subcommand.
public struct ClaveCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clave",
        abstract: "Clave: confidential computing on protected data.",
        version: "0.1.0",
        subcommands: [
            NodeCommand.self, StatusCommand.self, WalletCommand.self, AccountCommand.self, AppCommand.self,
            DatasetCommand.self,
            PoolCommand.self, OrderCommand.self, LedgerCommand.self, DataCommand.self,
            SecretCommand.self, TaskCommand.self, ResultCommand.self, WorkerCommand.self,
        ]
    )

    public init() {}
}
