import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto

/// `clave app`: registered apps.
struct AppCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Make, test, deploy and run iApps, and show apps registered on the ledger.",
        subcommands: [
            AppInitCommand.self, AppMockDataCommand.self, AppTestCommand.self, AppDeployCommand.self,
            AppRunCommand.self, Show.self,
        ])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the app registered at an address.", discussion: "Example: clave app show 0x470f...5dd1")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The app's address.", transform: parseAddress)
        var address: Address

        func run() async throws {
            let ledger = try remote.ledger()
            guard let app = try await remote.ask({ try await ledger.app(address) }) else {
                throw CLIError(.notFound, "No app is registered at \(address) on the node at \(remote.url()).")
            }
            remote.emit(app.json) { Format.app(app) }
        }
    }
}

/// `clave dataset`: registered datasets.
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Show datasets registered on the ledger.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the dataset registered at an address.",
            discussion: "Example: clave dataset show 0xc765...bD24 --json")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The dataset's address.", transform: parseAddress)
        var address: Address

        func run() async throws {
            let ledger = try remote.ledger()
            guard let dataset = try await remote.ask({ try await ledger.dataset(address) }) else {
                throw CLIError(.notFound, "No dataset is registered at \(address) on the node at \(remote.url()).")
            }
            remote.emit(dataset.json) { Format.dataset(dataset) }
        }
    }
}

/// `clave pool`: registered workerpools.
struct PoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Show workerpools registered on the ledger.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the workerpool registered at an address.",
            discussion: "Example: clave pool show 0xbb21...C434   # `clave status` prints the node's workerpool")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The workerpool's address.", transform: parseAddress)
        var address: Address

        func run() async throws {
            let ledger = try remote.ledger()
            guard let pool = try await remote.ask({ try await ledger.workerpool(address) }) else {
                throw CLIError(.notFound, "No workerpool is registered at \(address) on the node at \(remote.url()).")
            }
            remote.emit(pool.json) { Format.workerpool(pool) }
        }
    }
}
