public import ArgumentParser
import Foundation

/// The `clave` command: the root of every subcommand.
public struct ClaveCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clave",
        abstract: "Clave: confidential computing on protected data.",
        version: "0.1.0",
        subcommands: [
            NodeCommand.self, StatusCommand.self, WalletCommand.self, AccountCommand.self, AppCommand.self,
            DatasetCommand.self, PoolCommand.self, OrderCommand.self, LedgerCommand.self, DataCommand.self,
            SecretCommand.self, TaskCommand.self, ResultCommand.self, WorkerCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line; a failure is told on one line of standard error, with the fix, and a non-zero exit.
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withOneLine: error)
        }
    }

    /// Exits for `error`: help and version are printed as ArgumentParser prints them; anything else is one line,
    /// `Error: <what went wrong and what to do>`, and for a command line that does not parse, where its help is.
    static func exit(withOneLine error: any Error) -> Never {
        let code = exitCode(for: error)
        guard code != .success else { exit(withError: error) }
        var line = "Error: \(message(for: error))"
        // ArgumentParser ends a usage error with "See 'clave app show --help' for more information."
        if let see = fullMessage(for: error).split(separator: "\n").last(where: { $0.contains("--help' for more") }),
            let start = see.firstIndex(of: "'"), let end = see.lastIndex(of: "'"), start < end
        {
            line += " (usage: `\(see[see.index(after: start)..<end])`)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(withError: ExitCode(code.rawValue))
    }
}
