import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import Foundation

/// The text forms of the node's answers: one fact per line, amounts in nano-units.
enum Format {
    /// `Deposit account=0x… amount=250`: the event's name, then its fields in name order.
    static func event(_ json: JSONValue) -> String {
        guard let object = json.objectValue else { return value(json) }
        let name = object["event"]?.stringValue ?? "event"
        let fields = object.filter { $0.key != "event" }.map { "\($0.key)=\(value($0.value))" }
        return ([name] + fields).joined(separator: " ")
    }

    /// A JSON value as text: strings and numbers as they are, anything else as JSON.
    static func value(_ json: JSONValue) -> String {
        switch json {
        case .string(let text): text
        case .number(let number): number.text
        default: String(decoding: json.serialized(), as: UTF8.self)
        }
    }

    static func receipt(_ receipt: Receipt) -> [String] {
        [
            "Transaction \(receipt.transactionHash)",
            "  included in block \(receipt.height) at position \(receipt.index) (block hash \(receipt.blockHash))",
        ] + receipt.events.map { "  \(event($0.json))" }
    }

    static func account(_ address: Address, _ account: Account) -> [String] {
        [
            "Account \(address)",
            "  wallet   \(account.wallet)",
            "  escrow   \(account.balance) free, \(account.frozen) locked",
            "  score    \(account.score)",
            "  nonce    \(account.nonce)",
        ]
    }

    static func app(_ app: App) -> [String] {
        [
            "App \(app.address)",
            "  owner      \(app.owner)",
            "  name       \(app.name)",
            "  type       \(app.type)",
            "  multiaddr  \(app.multiaddr)",
            "  checksum   \(app.checksum)",
            "  mrenclave  \(app.mrenclave.isEmpty ? "(none: a standard app)" : app.mrenclave)",
        ]
    }

    static func dataset(_ dataset: Dataset) -> [String] {
        [
            "Dataset \(dataset.address)",
            "  owner      \(dataset.owner)",
            "  name       \(dataset.name)",
            "  multiaddr  \(dataset.multiaddr)",
            "  checksum   \(dataset.checksum)",
            "  schema     \(dataset.schema)",
        ]
    }

    static func workerpool(_ pool: Workerpool) -> [String] {
        [
            "Workerpool \(pool.address)",
            "  owner (scheduler)       \(pool.owner)",
            "  description             \(pool.description)",
            "  worker stake ratio      \(pool.workerStakeRatio) %",
            "  scheduler reward ratio  \(pool.schedulerRewardRatio) %",
        ]
    }

    /// One order of the book on one line.
    static func entryLine(_ entry: OrderbookEntry) -> String {
        "\(entry.orderHash)  \(entry.order.kind.rawValue) order for \(asset(of: entry.order))  price \(OrderPrice.of(entry.order))  remaining \(entry.remainingVolume) of \(entry.order.volume)  \(entry.status.rawValue)"
    }

    static func entry(_ entry: OrderbookEntry) -> [String] {
        [
            "Order \(entry.orderHash)",
            "  kind       \(entry.order.kind.rawValue), for \(asset(of: entry.order))",
            "  price      \(OrderPrice.of(entry.order))",
            "  volume     \(entry.remainingVolume) remaining of \(entry.order.volume)",
            "  status     \(entry.status.rawValue)",
            "  signer     \(entry.signer)\(entry.signature == nil ? " (presigned on the ledger)" : "")",
            "  published  \(date(entry.publishedAt))",
            "  order      \(String(decoding: entry.order.json.serialized(), as: UTF8.self))",
        ]
    }

    /// A grant of protected data: who may run what, how often, at what price.
    static func grant(_ grant: GrantedAccess) -> [String] {
        let order = grant.order
        func anyone(_ address: Address, _ word: String) -> String { address == .zero ? word : address.description }
        return [
            "Grant \(grant.orderHash)",
            "  data       \(order.dataset)",
            "  app        \(order.apprestrict)",
            "  requester  \(anyone(order.requesterrestrict, "anyone"))",
            "  workerpool \(anyone(order.workerpoolrestrict, "any"))",
            "  price      \(order.datasetprice) per run",
            "  runs left  \(grant.remainingAccess) of \(order.volume)",
        ]
    }

    /// What an order is for: its asset, or the app a request order asks for.
    static func asset(of order: AnyOrder) -> String {
        switch order {
        case .app(let order): "app \(order.app)"
        case .dataset(let order): "dataset \(order.dataset)"
        case .workerpool(let order): "workerpool \(order.workerpool)"
        case .request(let order): "app \(order.app) by \(order.requester)"
        }
    }

    static func blockLine(_ block: Block) -> String {
        let count = block.transactions.count
        return
            "Block \(block.height)  \(block.hash)  \(date(block.timestamp))  \(count) transaction\(count == 1 ? "" : "s")"
    }

    static func record(_ record: TransactionRecord) -> [String] {
        let transaction = record.transaction.transaction
        var lines = [
            "Transaction \(record.transaction.hash)",
            "  block      \(record.height) at position \(record.index)",
            "  chain      \(transaction.chainId)",
            "  from       \(transaction.from)",
            "  nonce      \(transaction.nonce)",
            "  type       \(transaction.body.type)",
            "  body       \(Format.value(transaction.json["body"] ?? .null))",
            "  signature  \(record.transaction.signature)",
        ]
        if record.events.isEmpty {
            lines.append("  events     none")
        } else {
            lines.append("  events")
            lines += record.events.map { "    \(event($0))" }
        }
        return lines
    }

    /// Unix seconds as an ISO 8601 UTC time.
    static func date(_ seconds: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
