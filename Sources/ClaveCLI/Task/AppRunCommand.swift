import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import Foundation

/// `clave app run <app>`: iExec's `iexec app run` / DataProtector's `processProtectedData`.
struct AppRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an app (on protected data): match orders, wait for the task, fetch and decrypt its result.",
        discussion: """
            Finds the app's order, the data owner's grant to you and a workerpool's order, matches them into a deal, \
            follows the task, then fetches the result, checks its receipt and decrypts it with your wallet's result \
            key into --output. Only you (the deal's beneficiary) can decrypt it.
            Examples:
              clave app run 0xApp --dataset 0xData --address 0xYou
              clave app run 0xApp --dataset 0xData --args "email" --input-file notes.txt --secret 1=token --trust 1
              clave app run 0xApp --dataset 0xData --volume 8 --output results   # 8 tasks: results/task-0 ... task-7
            """
    )

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var signer: SignerOptions

    @Argument(help: "The app's address.", transform: parseAddress)
    var app: Address

    @Option(help: "The protected data the app reads.", transform: parseAddress)
    var dataset: Address?

    @Option(help: "The app's arguments (iExec's iexec_args), as one string.")
    var args: String?

    @Option(help: "A local file for the app's $IEXEC_IN (repeat for several).")
    var inputFile: [String] = []

    @Option(help: "A requester secret for the app, as <index>=<value>: IEXEC_REQUESTER_SECRET_<index> (repeat).")
    var secret: [String] = []

    @Option(help: "How many agreeing workers the result needs (1: one worker).")
    var trust: UInt64 = 1

    @Option(help: "The category of work (how long the task may take); default: the chain's shortest.")
    var category: UInt64?

    @Option(help: "A workerpool to run in (default: the cheapest that takes the task).", transform: parseAddress)
    var workerpool: Address?

    @Option(help: "The most you pay for each of app, dataset and workerpool, in nano-units.")
    var maxPrice: UInt64 = 0

    @Option(
        help:
            "How many tasks the deal runs (a bag of tasks, each told its index in IEXEC_BOT_TASK_INDEX); their results go to <output>/task-<index>."
    )
    var volume: UInt64 = 1

    @Option(
        help:
            "The folder the result is written to (default: ./result-<task id prefix>, or ./result-<deal id prefix> for a volume above 1)."
    )
    var output: String?

    @Option(help: "How long to wait for the task, in seconds.")
    var timeout: Int = 300

    func validate() throws {
        guard trust >= 1 else { throw ValidationError("--trust must be 1 or more.") }
        guard volume >= 1 else { throw ValidationError("--volume is the number of tasks to run: 1 or more.") }
        guard timeout > 0 else { throw ValidationError("--timeout must be a number of seconds, 1 or more.") }
        _ = try secrets()
    }

    func secrets() throws -> [UInt64: String] { try parseRequesterSecrets(secret) }

    func run() async throws {
        let key = try signer.key()
        let protector = try remote.dataProtector(owner: key)
        let request = ProcessRequest(
            app: app, protectedData: dataset, arguments: args,
            inputFiles: inputFile.map { URL(fileURLWithPath: $0) }, secrets: try secrets(), trust: trust,
            category: category, workerpool: workerpool, maxPrice: maxPrice, volume: volume)
        if volume > 1 { return try await runDeal(request, protector: protector) }
        let submitted = try await remote.ask { try await protector.submit(request) }
        if !remote.json {
            say("Deal \(submitted.dealId)")
            say("Task \(submitted.taskId)")
        }
        let destination = URL(
            fileURLWithPath: output ?? "result-\(Hex.encode(submitted.taskId.bytes.prefix(4)).dropFirst(2))")
        let quiet = remote.json
        let result = try await remote.ask {
            try await protector.waitForResult(
                of: submitted, into: destination, timeout: .seconds(timeout),
                onProgress: { progress in if !quiet { say("  \(progress.status.rawValue)") } },
                failureReason: TaskCommand.failureReason(remote))
        }
        remote.emit(ResultCommand.json(result)) { ResultCommand.lines(result) }
    }

    /// A deal of several tasks: each task's result in `<output>/task-<index>`.
    private func runDeal(_ request: ProcessRequest, protector: DataProtector) async throws {
        let deal = try await remote.ask { try await protector.submitDeal(request) }
        if !remote.json {
            say(
                "Deal \(deal.dealId): \(deal.tasks.count) task(s)\(deal.tasks.count < volume ? " (an order had no more volume left)" : "")"
            )
            for (position, task) in deal.tasks.enumerated() {
                say("Task \(deal.firstIndex + UInt64(position)): \(task.taskId)")
            }
        }
        let folder = URL(fileURLWithPath: output ?? "result-\(Hex.encode(deal.dealId.bytes.prefix(4)).dropFirst(2))")
        let quiet = remote.json
        let results = try await remote.ask {
            try await protector.waitForResults(
                of: deal, into: folder, timeout: .seconds(timeout),
                onProgress: { progress in
                    if !quiet { say("  \(progress.taskId.description.prefix(10))… \(progress.status.rawValue)") }
                },
                failureReason: TaskCommand.failureReason(remote))
        }
        remote.emit(.array(results.map(ResultCommand.json))) { results.flatMap(ResultCommand.lines) }
    }
}

/// `--secret` values, `<index>=<value>`, as requester secrets by index (1 or more): `IEXEC_REQUESTER_SECRET_<index>`.
func parseRequesterSecrets(_ pairs: [String]) throws -> [UInt64: String] {
    var secrets: [UInt64: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), let index = UInt64(pair[..<equals]), index > 0 else {
            throw ValidationError("--secret takes <index>=<value> with an index of 1 or more, e.g. --secret 1=token.")
        }
        secrets[index] = String(pair[pair.index(after: equals)...])
    }
    return secrets
}
