import ArgumentParser
import AsyncHTTPClient
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveSMS
import ClaveServer
import ClaveStorage
import ClaveWorkerpool
import Foundation

/// Options of every command that asks a running node: where it is, and how to print its answers.
struct RemoteOptions: ParsableArguments {
    /// The environment variable naming the node's URL.
    static let environmentVariable = "CLAVE_NODE"
    /// Where a node serves unless told otherwise (`clave node`'s default host and port).
    static let defaultURL = "http://127.0.0.1:\(Node.defaultPort)"

    @Option(
        name: .customLong("node"),
        help: ArgumentHelp("The node's URL (default: $CLAVE_NODE, else http://127.0.0.1:8545).", valueName: "url"))
    var nodeURL: String?

    @OptionGroup var output: JSONOutput

    /// Whether `--json` was given.
    var json: Bool { output.json }

    /// The URL asked: `--node`, else `$CLAVE_NODE`, else the default.
    func url(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let nodeURL { return nodeURL }
        if let fromEnvironment = environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultURL
    }

    func connection() throws -> NodeConnection {
        let url = url()
        do {
            return try NodeConnection(url: url)
        } catch {
            throw CLIError(
                .invalidInput,
                "'\(url)' (from \(nodeURL != nil ? "--node" : "$\(Self.environmentVariable)")) is not a node URL; give one such as \(Self.defaultURL)."
            )
        }
    }

    func ledger() throws -> LedgerClient { LedgerClient(connection: try connection()) }
    func orderbook() throws -> OrderbookClient { OrderbookClient(connection: try connection()) }

    /// Prints `json` when `--json` was given, else the text lines `text` makes.
    func emit(_ json: @autoclosure () -> JSONValue, text: () -> [String]) {
        output.emit(json(), text: text)
    }

    /// Runs `body`, which asks the node, and turns the node's refusals and a node that cannot be reached into one
    /// message each.
    func ask<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let error as ClientError where error.code == .unreachable {
            throw unreachable(error.message)
        } catch let error as ClientError {
            throw CLIError(
                .refused, "The node at \(url()) refused: \(error.message) [\(error.remoteCode ?? "\(error.code)")]")
        } catch let error as MarketError where error.code == .unavailable {
            throw unreachable(error.message)
        } catch let error as MarketError {
            throw CLIError(.refused, "The orderbook refused: \(error.message) [\(error.code)]")
        } catch let error as Rejection {
            throw CLIError(.refused, "The ledger refused the transaction: \(error.message) [\(error.code)]")
        } catch let error as LedgerError {
            throw CLIError(.refused, "The ledger could not take the transaction: \(error.message) [\(error.code)]")
        } catch let error as StorageError where error.code == .unavailable {
            throw unreachable(error.message)
        } catch let error as StorageError {
            throw CLIError(.refused, "The blob store refused: \(error.message) [\(error.code)]")
        } catch let error as SMSError where error.code == .unavailable {
            throw unreachable(error.message)
        } catch let error as SMSError {
            throw CLIError(.refused, "The SMS refused: \(error.message) [\(error.code)]")
        } catch let error as CryptoError {
            throw CLIError(.verificationFailed, "The data does not open: \(error)")
        } catch let error as DataProtectorError {
            switch error.code {
            case .unknownProtectedData, .unknownApp: throw CLIError(.notFound, error.message)
            case .invalidArgument: throw CLIError(.invalidInput, error.message)
            default: throw CLIError(.refused, error.message)
            }
        } catch let error as RequesterError {
            switch error.code {
            case .noMatchingOrder: throw CLIError(.notFound, error.message)
            case .invalidArgument: throw CLIError(.invalidInput, error.message)
            case .resultInvalid: throw CLIError(.verificationFailed, error.message)
            default: throw CLIError(.failed, error.message)
            }
        } catch let error as SchedulerError where error.code == .unavailable {
            throw unreachable(error.message)
        } catch let error as SchedulerError {
            throw CLIError(.refused, "The workerpool's scheduler refused: \(error.message) [\(error.code)]")
        } catch let error as TransactionFormatError {
            throw CLIError(.refused, "The node could not read what was sent: \(error.description)")
        }
    }

    private func unreachable(_ detail: String) -> CLIError {
        CLIError(
            .nodeUnreachable,
            "No Clave node answers at \(url()) (\(detail)). Start one with `clave node`, or give a running node's URL with --node or $\(Self.environmentVariable)."
        )
    }
}
