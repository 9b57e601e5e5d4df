import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import Foundation

/// `clave ledger`: the ledger's log.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Read the ledger's blocks and transactions; verify a node's log by replaying it.",
        subcommands: [Verify.self, Blocks.self, Tx.self]
    )
}

extension LedgerCommand {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a node's stored log from genesis and check every block (no node needs to run).",
            discussion: """
                Checks every hash, link, signature, state transition and event (docs/ledger.md) and names the first \
                block that diverges; exits non-zero if one does. It reads the data directory's ledger.sqlite, and may \
                run while the node does.
                Example: clave ledger verify --data-dir ~/.clave/node
                """
        )

        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var output: JSONOutput

        func run() async throws {
            let directory: NodeDirectory
            do {
                directory = try NodeDirectory(opening: data.url)
            } catch let error as NodeError {
                throw CLIError(.invalidInput, error.message)
            }
            guard FileManager.default.fileExists(atPath: directory.ledgerURL.path) else {
                throw CLIError(
                    .invalidInput,
                    "\(directory.url.path) has no ledger.sqlite yet: the node never opened its ledger. Start it once with `clave node --data-dir \(directory.url.path)`."
                )
            }
            let store = try SQLiteLedgerStore(path: directory.ledgerURL.path)
            let report = try await LedgerVerifier.verify(store: store)
            if let divergence = report.divergence {
                throw CLIError(
                    .verificationFailed,
                    "The ledger in \(directory.ledgerURL.path) does not verify: block \(divergence.height) diverges (\(divergence.kind.rawValue)). \(divergence.message) \(report.blocks) block\(report.blocks == 1 ? "" : "s") before it verified."
                )
            }
            output.emit(
                [
                    "ledger": .string(directory.ledgerURL.path), "verified": .bool(true),
                    "blocks": .string(String(report.blocks)), "transactions": .string(String(report.transactions)),
                    "genesis": .string(directory.genesis.hash.description),
                ]
            ) {
                [
                    "The ledger in \(directory.ledgerURL.path) verifies: \(report.blocks) blocks (0 to \(report.blocks - 1)) and \(report.transactions) transactions replay from genesis \(directory.genesis.hash)."
                ]
            }
        }
    }

    struct Blocks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List blocks: the latest ones, or from a height on.",
            discussion: "Examples: clave ledger blocks   |   clave ledger blocks --from 1 --limit 5 --json")

        @OptionGroup var remote: RemoteOptions

        @Option(help: "The first block to list (default: the last --limit blocks up to the head).")
        var from: UInt64?

        @Option(help: "How many blocks (1 to 100).")
        var limit: UInt64 = 10

        func validate() throws {
            guard (1...100).contains(limit) else { throw ValidationError("--limit must be from 1 to 100.") }
        }

        func run() async throws {
            let ledger = try remote.ledger()
            let head = try await remote.ask { try await ledger.chainInfo() }.head.height
            let first = from ?? (head >= limit ? head - limit + 1 : 0)
            var blocks: [Block] = []
            var height = first
            while height <= head, UInt64(blocks.count) < limit {
                guard let block = try await remote.ask({ [height] in try await ledger.block(height: height) }) else {
                    break
                }
                blocks.append(block)
                height += 1
            }
            remote.emit(["blocks": .array(blocks.map(\.json))]) {
                if blocks.isEmpty { return ["There is no block \(first) yet; the head is block \(head)."] }
                return blocks.map(Format.blockLine)
            }
        }
    }

    struct Tx: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tx", abstract: "Show a stored transaction: its block, body, signature and events.",
            discussion: "Example: clave ledger tx 0x805d...f781")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The transaction hash.", transform: parseBytes32)
        var hash: Bytes32

        func run() async throws {
            let ledger = try remote.ledger()
            guard let record = try await remote.ask({ try await ledger.transaction(hash: hash) }) else {
                throw CLIError(
                    .notFound,
                    "No block of the ledger at \(remote.url()) holds a transaction with the hash \(hash).")
            }
            remote.emit(record.json) { Format.record(record) }
        }
    }
}
