import ArgumentParser
import ClaveCLI
import Testing

/// Every command a person can type says, in its `--help`, what it does and shows an example of it.
@Suite struct HelpTests {
    /// Every command under `root` that runs (has no subcommands), with its path of names.
    static func leaves(_ root: any ParsableCommand.Type, path: [String] = []) -> [([String], any ParsableCommand.Type)]
    {
        let configuration = root.configuration
        let name = configuration.commandName ?? String(describing: root).lowercased()
        let here = path + [name]
        if configuration.subcommands.isEmpty { return [(here, root)] }
        return configuration.subcommands.flatMap { leaves($0, path: here) }
    }

    @Test func everyCommandHasAnAbstractAndAnExample() {
        let commands = Self.leaves(ClaveCommand.self)
        #expect(commands.count > 40)
        for (path, command) in commands {
            let help = ClaveCommand.helpMessage(for: command)
            #expect(!command.configuration.abstract.isEmpty, "\(path.joined(separator: " ")) has no abstract")
            #expect(
                help.contains("Example"), "`\(path.joined(separator: " ")) --help` shows no example:\n\(help)")
        }
    }
}
