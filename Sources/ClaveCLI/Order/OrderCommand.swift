import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveMarket
import Foundation

/// `clave order`: the market's orderbook.
struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "Publish, cancel, show and list signed orders in the node's orderbook.",
        discussion: """
            An order file is the JSON document the API takes: {"kind": "app" | "dataset" | "workerpool" | \
            "request", "order": {…iExec's fields…}, "signature": "0x…" | null} (docs/market.md, docs/api.md). \
            With --sign, the order is signed (EIP-712, in the node's chain domain) with a keystore's key.
            """,
        subcommands: [Publish.self, Cancel.self, Show.self, List.self]
    )
}

func parseBytes32(_ text: String) throws -> Bytes32 { try Bytes32(hex: text) }

func parseOrderKind(_ text: String) throws -> OrderKind {
    guard let kind = OrderKind(rawValue: text) else {
        throw CLIError(.invalidInput, "'\(text)' is not an order kind; give app, dataset, workerpool or request.")
    }
    return kind
}

extension AnyOrder {
    /// The EIP-712 signature of `key` over the order in `domain`.
    func sign(with key: PrivateKey, in domain: OrderDomain) -> Signature {
        switch self {
        case .app(let order): order.sign(with: key, in: domain)
        case .dataset(let order): order.sign(with: key, in: domain)
        case .workerpool(let order): order.sign(with: key, in: domain)
        case .request(let order): order.sign(with: key, in: domain)
        }
    }
}

extension OrderCommand {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish an order from a JSON file {\"kind\", \"order\", \"signature\"}.",
            discussion: """
                --sign signs it with your keystore first (replacing any signature in the file).
                Example: clave order publish apporder.json --sign --address 0xYou
                """)

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Flag(help: "Sign the order with the keystore's key (any signature in the file is replaced).")
        var sign = false

        @Argument(help: "The order file.")
        var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError(.invalidInput, "Could not read the order file \(file); check the path.")
            }
            var document: JSONValue
            do {
                document = try JSONValue(parsing: data)
            } catch {
                throw CLIError(.invalidInput, "\(file) is not JSON: \(error.message)")
            }
            if sign, case .object(var members) = document {
                members["signature"] = nil
                document = .object(members)
            }
            var request: PublishRequest
            do {
                request = try PublishRequest(json: document)
            } catch {
                throw CLIError(
                    .invalidInput,
                    "\(file) is not an order document {\"kind\", \"order\", \"signature\"}: \(error.path): \(error.message)"
                )
            }
            let orderbook = try remote.orderbook()
            if sign {
                let ledger = try remote.ledger()
                let chain = try await remote.ask { try await ledger.chainInfo() }
                let key = try signer.key()
                request.signature = request.order.sign(with: key, in: chain.configuration.orderDomain)
            }
            let entry = try await remote.ask { [request] in
                try await orderbook.publish(request.order, signature: request.signature)
            }
            remote.emit(entry.json) {
                ["Published \(entry.order.kind.rawValue) order \(entry.orderHash)"] + Format.entry(entry).dropFirst()
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel an order in the book, signing the cancel request with its signer's keystore.",
            discussion: """
                The book stops listing the order. Whoever copied the signed order can still match it on the ledger \
                until its signer closes it there (closeOrder).
                Example: clave order cancel 0x3d55...ca31 --address 0xYou
                """
        )

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The order hash.", transform: parseBytes32)
        var hash: Bytes32

        func run() async throws {
            let ledger = try remote.ledger()
            let orderbook = try remote.orderbook()
            let chain = try await remote.ask { try await ledger.chainInfo() }
            let key = try signer.key()
            let signature = CancelRequest(orderHash: hash, chainId: chain.configuration.chainId).sign(with: key)
            let entry = try await remote.ask { try await orderbook.cancel(hash, signature: signature) }
            remote.emit(entry.json) { ["Cancelled order \(entry.orderHash)"] + Format.entry(entry).dropFirst() }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one order of the book, whatever its status.",
            discussion: "Example: clave order show 0x3d55...ca31 --json")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The order hash.", transform: parseBytes32)
        var hash: Bytes32

        func run() async throws {
            let orderbook = try remote.orderbook()
            guard let entry = try await remote.ask({ try await orderbook.order(hash) }) else {
                throw CLIError(.notFound, "The orderbook at \(remote.url()) holds no order with the hash \(hash).")
            }
            remote.emit(entry.json) { Format.entry(entry) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open orders, cheapest first, a page at a time.",
            discussion: """
                Every filter left out selects everything (docs/market.md). A page that is not the last ends with the \
                --cursor that gives the next one; --all follows the pages to the end.
                Example: clave order list --kind dataset --app 0x470f...5dd1 --all
                """
        )

        @OptionGroup var remote: RemoteOptions

        @Option(help: "Only orders of this kind: app, dataset, workerpool or request.", transform: parseOrderKind)
        var kind: OrderKind?
        @Option(
            help: "Only orders for this app (its app orders and the request orders asking for it).",
            transform: parseAddress)
        var app: Address?
        @Option(help: "Only orders for this dataset.", transform: parseAddress)
        var dataset: Address?
        @Option(help: "Only orders for this workerpool.", transform: parseAddress)
        var workerpool: Address?
        @Option(help: "Only request orders of this requester.", transform: parseAddress)
        var requester: Address?
        @Option(help: "Only workerpool and request orders of this category.")
        var category: UInt64?
        @Option(help: "Only orders whose tag has every bit of this bytes32.", transform: parseBytes32)
        var tagIncludes: Bytes32?
        @Option(help: "Only orders whose tag has no bit outside this bytes32.", transform: parseBytes32)
        var tagWithin: Bytes32?
        @Option(help: "Only orders this app may use (no app restriction, or this one).", transform: parseAddress)
        var usableWithApp: Address?
        @Option(help: "Only orders this dataset may use.", transform: parseAddress)
        var usableWithDataset: Address?
        @Option(help: "Only orders this workerpool may use.", transform: parseAddress)
        var usableWithWorkerpool: Address?
        @Option(help: "Only orders this requester may use.", transform: parseAddress)
        var usableByRequester: Address?
        @Option(help: "Only orders whose price is at most this (nano-units).")
        var maxPrice: UInt64?
        @Option(help: "Orders per page (1 to 100).")
        var limit: Int = 20
        @Option(help: "Start after this cursor (the one a previous page ended with).")
        var cursor: String?
        @Flag(help: "Follow the pages to the last one.")
        var all = false

        func validate() throws {
            guard (1...100).contains(limit) else { throw ValidationError("--limit must be from 1 to 100.") }
        }

        func run() async throws {
            var query = OrderQuery(
                kind: kind, app: app, dataset: dataset, workerpool: workerpool, requester: requester,
                category: category, tagIncludes: tagIncludes, tagWithin: tagWithin, usableWithApp: usableWithApp,
                usableWithDataset: usableWithDataset, usableWithWorkerpool: usableWithWorkerpool,
                usableByRequester: usableByRequester, maxPrice: maxPrice, limit: limit)
            if let cursor {
                do {
                    query.cursor = try OrderCursor(cursor)
                } catch {
                    throw CLIError(.invalidInput, error.message)
                }
            }
            let orderbook = try remote.orderbook()
            var entries: [OrderbookEntry] = []
            var next: OrderCursor?
            repeat {
                let page = try await remote.ask { [query] in try await orderbook.query(query) }
                entries += page.entries
                next = page.nextCursor
                query.cursor = next
            } while all && next != nil
            let page = OrderPage(entries: entries, nextCursor: next)
            remote.emit(page.json) {
                var lines = entries.map(Format.entryLine)
                if entries.isEmpty { lines.append("No open order matches.") }
                if let next { lines.append("More orders follow: add --cursor \(next) (or --all).") }
                return lines
            }
        }
    }
}
