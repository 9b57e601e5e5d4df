import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveWorkerpool
import Foundation

/// `clave status`: the node, its workers, and what the current account has on it.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the node, its workerpool's workers, and your datasets, apps, deals and tasks.",
        discussion: """
            Your account is the one of the keystore folder (--address when it holds several); no password is \
            asked. Deals are those you requested, newest first (--deals of them), each with its tasks' statuses.
            Examples:
              clave status
              clave status --address 0xYou --json
            """
    )

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var signer: SignerOptions

    @Option(help: "How many of your latest deals to show.")
    var deals: Int = 10

    func validate() throws {
        guard deals >= 0 else { throw ValidationError("--deals must be 0 or more.") }
    }

    func run() async throws {
        let ledger = try remote.ledger()
        let chain = try await remote.ask { try await ledger.chainInfo() }
        let pool = try? await SchedulerClient(connection: try remote.connection()).status()
        let you = try? signer.signerAddress()
        var json: [String: JSONValue] = [
            "node": [
                "url": .string(remote.url()), "chainId": .string(String(chain.genesis.configuration.chainId)),
                "height": .string(String(chain.head.height)),
            ],
            "pool": pool?.json ?? .null,
        ]
        var lines = [
            "Node \(remote.url()): chain \(chain.genesis.configuration.chainId), block \(chain.head.height)"
        ]
        lines += Self.poolLines(pool)
        if let you {
            let mine = try await Mine.find(you, ledger: ledger, remote: remote, deals: deals)
            json["account"] = mine.json
            lines += mine.lines
        } else {
            json["account"] = .null
            lines.append(
                "No account in \(signer.keystore.directory.url.path): create one with `clave wallet create`, or give --keystore-dir and --address."
            )
        }
        remote.emit(JSONValue.object(JSONValue.Object(json))) { lines }
    }

    static func poolLines(_ pool: PoolStatus?) -> [String] {
        guard let pool else {
            return ["  no workerpool scheduler here: tasks run on nodes started with `clave node --workers N`"]
        }
        var lines = ["  workerpool \(pool.workerpool): \(pool.workers.count) worker(s)"]
        for worker in pool.workers {
            lines.append(
                "    worker \(worker.worker): \(worker.running) of \(worker.capacity) running, seen \(worker.lastSeen.formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated))) ago"
            )
        }
        if pool.workers.isEmpty {
            lines.append("    none logged in: start one with `clave worker --pool <this node's URL>`")
        }
        let counts = pool.tasks.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
        lines.append("    tasks followed: \(counts.isEmpty ? "none" : counts.joined(separator: ", "))")
        return lines
    }

    /// What an account has on the ledger: its funds, datasets, apps, and the deals it requested with their tasks.
    struct Mine {
        var address: Address
        var account: Account
        var datasets: [Dataset]
        var apps: [Address]
        var deals: [(deal: Deal, tasks: [ComputeTask])]

        static func find(_ address: Address, ledger: LedgerClient, remote: RemoteOptions, deals limit: Int)
            async throws -> Mine
        {
            try await remote.ask {
                let account = try await ledger.account(address)
                let datasets = try await ledger.datasets(DatasetQuery(owner: address, limit: DatasetQuery.maximumLimit))
                let apps = try await events(ledger, EventFilter(account: address, name: "AppCreated")).compactMap {
                    if case .appCreated(let app, _)? = try? Event(json: $0.json) { app } else { nil }
                }
                var deals: [(deal: Deal, tasks: [ComputeTask])] = []
                let matched = try await events(ledger, EventFilter(name: "OrdersMatched"))
                for event in matched.reversed() where deals.count < limit {
                    guard case .ordersMatched(let id, _, _, _, _, _)? = try? Event(json: event.json),
                        let deal = try await ledger.deal(id), deal.requester == address || deal.beneficiary == address
                    else { continue }
                    // A task's id follows from its deal's and its index; one not initialized yet is not on the ledger.
                    var tasks: [ComputeTask] = []
                    for index in deal.botFirst..<(deal.botFirst + deal.botSize) {
                        if let task = try await ledger.task(ComputeTask.id(dealId: id, index: index)) {
                            tasks.append(task)
                        }
                    }
                    deals.append((deal, tasks))
                }
                return Mine(
                    address: address, account: account, datasets: datasets.datasets, apps: apps, deals: deals)
            }
        }

        /// Every event `filter` matches, page by page.
        private static func events(_ ledger: LedgerClient, _ filter: EventFilter) async throws -> [LedgerEvent] {
            var all: [LedgerEvent] = []
            var cursor: EventCursor?
            while true {
                let page = try await ledger.events(matching: filter, after: cursor, limit: 500, timeout: .zero)
                all += page
                guard page.count == 500, let last = page.last?.position else { return all }
                cursor = last
            }
        }

        var json: JSONValue {
            [
                "address": .string(address.checksummed), "wallet": .string(String(account.wallet)),
                "escrow": .string(String(account.balance)), "locked": .string(String(account.frozen)),
                "datasets": .array(datasets.map { .string($0.address.checksummed) }),
                "apps": .array(apps.map { .string($0.checksummed) }),
                "deals": .array(
                    deals.map { entry in
                        [
                            "dealId": .string(entry.deal.id.description),
                            "app": .string(entry.deal.app.address.checksummed),
                            "tasks": .array(
                                entry.tasks.map {
                                    ["taskId": .string($0.id.description), "status": .string($0.status.rawValue)]
                                }),
                        ]
                    }),
            ]
        }

        var lines: [String] {
            var lines = [
                "You \(address): wallet \(account.wallet), escrow \(account.balance) free and \(account.frozen) locked"
            ]
            lines.append(
                "  protected data (\(datasets.count))\(datasets.isEmpty ? ": none yet; `clave data protect <file.json>`" : "")"
            )
            for dataset in datasets { lines.append("    \(dataset.address)  \(dataset.name)  \(dataset.schema)") }
            lines.append(
                "  apps (\(apps.count))\(apps.isEmpty ? ": none yet; `clave app init <name>`, then `clave app deploy`" : "")"
            )
            for app in apps { lines.append("    \(app)") }
            lines.append(
                "  deals (\(deals.count) latest)\(deals.isEmpty ? ": none yet; `clave app run <app> --dataset <data>`" : "")"
            )
            for (deal, tasks) in deals {
                lines.append("    deal \(deal.id)  app \(deal.app.address)  \(deal.botSize) task(s)")
                for task in tasks { lines.append("      task \(task.id)  \(task.status.rawValue)") }
                if tasks.isEmpty { lines.append("      no task initialized yet") }
            }
            return lines
        }
    }
}
