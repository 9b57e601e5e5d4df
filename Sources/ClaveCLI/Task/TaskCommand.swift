import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveWorkerpool
import Foundation

/// `clave task`: follow a task on the ledger and in its workerpool.
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Show, follow, debug and read the logs of tasks.",
        subcommands: [Show.self, Watch.self, Logs.self, Debug.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a task: its status on the ledger, its replicates, and why it failed if it did.",
            discussion: "Example: clave task show 0x5d1c...e7")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The task's id.", transform: parseBytes32)
        var task: Bytes32

        func run() async throws {
            let (state, report) = try await TaskCommand.look(task, remote)
            remote.emit(TaskCommand.json(state, report)) { TaskCommand.lines(state, report) }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a task until it is COMPLETED or FAILED, printing each change.",
            discussion: "Example: clave task watch 0x5d1c...e7 --timeout 120")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The task's id.", transform: parseBytes32)
        var task: Bytes32

        @Option(help: "How long to follow it, in seconds.")
        var timeout: Int = 300

        func run() async throws {
            let ledger = try remote.ledger()
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(timeout))
            var shown: [String] = []
            var cursor: EventCursor?
            while true {
                let (state, report) = try await TaskCommand.look(task, remote)
                let lines = TaskCommand.lines(state, report)
                if lines != shown {
                    if remote.json {
                        remote.emit(TaskCommand.json(state, report)) { [] }
                    } else {
                        for line in lines where !shown.contains(line) { say(line) }
                    }
                    shown = lines
                }
                if state.status == .completed || state.status == .failed { return }
                let left = deadline - clock.now
                guard left > .zero else {
                    throw CLIError(
                        .failed,
                        "Task \(task) is still \(state.status.rawValue) after \(timeout) s; watch it again later.")
                }
                let events = try await remote.ask {
                    try await ledger.events(
                        matching: EventFilter(task: task), after: cursor, limit: 100, timeout: min(left, .seconds(1)))
                }
                if let last = events.last?.position { cursor = last }
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a task's app logs (standard output and error), decrypted with your wallet.",
            discussion: """
                Workers store each replicate's logs encrypted to the deal's beneficiary, so only you can read them.
                Example: clave task logs 0x5d1c...e7 --address 0xYou
                """)

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The task's id.", transform: parseBytes32)
        var task: Bytes32

        func run() async throws {
            let (_, report) = try await TaskCommand.look(task, remote)
            let logs = try await TaskCommand.logs(of: task, report, signer: signer, remote: remote)
            guard !logs.isEmpty else {
                throw CLIError(
                    .notFound, "No worker has stored logs for task \(task) yet; see `clave task show \(task)`.")
            }
            for (replicate, text) in logs {
                say("== worker \(replicate.worker) (\(replicate.status.rawValue))")
                say(text)
            }
        }
    }

    struct Debug: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Why a task failed: its status, each worker's account, the failure, and the app's logs.",
            discussion: """
                For the task's requester (the deal's beneficiary): the logs are decrypted with your wallet. A task \
                still running is shown as it is; run this again once it ends.
                Example: clave task debug 0x5d1c...e7 --address 0xYou
                """)

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The task's id.", transform: parseBytes32)
        var task: Bytes32

        func run() async throws {
            let (state, report) = try await TaskCommand.look(task, remote)
            let logs = try await TaskCommand.logs(of: task, report, signer: signer, remote: remote)
            let json: JSONValue = [
                "task": TaskCommand.json(state, report),
                "logs": .array(
                    logs.map { ["worker": .string($0.0.worker.checksummed), "text": .string($0.1)] }),
            ]
            remote.emit(json) {
                var lines = TaskCommand.lines(state, report)
                if report?.failure == nil && state.status != .failed {
                    lines.append(
                        state.status == .completed
                            ? "  it did not fail: fetch its result with `clave result fetch \(task)`"
                            : "  it has not failed (yet); follow it with `clave task watch \(task)`")
                }
                if logs.isEmpty {
                    lines.append(
                        report?.failure != nil
                            ? "No worker stored logs for it: the app did not run, so the failure above is the whole story."
                            : "No logs: this node's scheduler knows no run of the task that stored some (it forgets them when it restarts)."
                    )
                }
                for (replicate, text) in logs {
                    lines.append("== logs of worker \(replicate.worker) (\(replicate.status.rawValue))")
                    lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                }
                return lines
            }
        }
    }

    /// The logs each replicate of `task` stored, decrypted with the signer's result key.
    static func logs(
        of task: Bytes32, _ report: TaskReport?, signer: SignerOptions, remote: RemoteOptions
    ) async throws -> [(ReplicateReport, String)] {
        let withLogs = (report?.replicates ?? []).filter { $0.logs != nil }
        guard !withLogs.isEmpty else { return [] }
        let key = ResultKey.derive(from: try signer.key())
        let blobs = BlobStoreClient(connection: try remote.connection())
        var logs: [(ReplicateReport, String)] = []
        for replicate in withLogs {
            let text = try await remote.ask {
                try await TaskLogs.fetch(replicate.logs!, taskId: task, key: key, blobs: blobs)
            }
            logs.append((replicate, text))
        }
        return logs
    }

    /// The task on the ledger, and its scheduler's report when the node runs its workerpool.
    static func look(_ task: Bytes32, _ remote: RemoteOptions) async throws -> (ComputeTask, TaskReport?) {
        let ledger = try remote.ledger()
        guard let state = try await remote.ask({ try await ledger.task(task) }) else {
            throw CLIError(
                .notFound,
                "No task \(task) is on the ledger of \(remote.url()) (it is made when its deal's scheduler initializes it); check the id."
            )
        }
        let scheduler = SchedulerClient(connection: try remote.connection())
        let report = try? await scheduler.taskReport(task)
        return (state, report)
    }

    /// Asks the node's scheduler why a task failed for good (a failure that running it again cannot change).
    static func failureReason(_ remote: RemoteOptions) -> @Sendable (Bytes32) async -> String? {
        let connection = try? remote.connection()
        return { task in
            guard let connection, let report = try? await SchedulerClient(connection: connection).taskReport(task)
            else { return nil }
            return report.failure.map { "\($0.cause): \($0.message)" }
        }
    }

    static func json(_ state: ComputeTask, _ report: TaskReport?) -> JSONValue {
        [
            "taskId": .string(state.id.description), "dealId": .string(state.dealId.description),
            "status": .string(state.status.rawValue), "resultDigest": .string(state.resultDigest.description),
            "finalDeadline": .string(String(state.finalDeadline)), "scheduler": report?.json ?? .null,
        ]
    }

    static func lines(_ state: ComputeTask, _ report: TaskReport?) -> [String] {
        var lines = [
            "Task \(state.id): \(state.status.rawValue)",
            "  deal \(state.dealId), index \(state.index), final deadline \(state.finalDeadline)",
        ]
        if state.status == .completed {
            lines.append("  result digest \(state.resultDigest); fetch it with `clave result fetch \(state.id)`")
        }
        for replicate in report?.replicates ?? [] {
            lines.append(
                "  worker \(replicate.worker): \(replicate.status.rawValue)\(replicate.message.map { " — \($0)" } ?? "")"
            )
        }
        if let failure = report?.failure {
            lines.append("  failed: \(failure.cause): \(failure.message)")
            if state.status != .failed {
                lines.append("  it ends FAILED on the ledger at its final deadline, and the payment is refunded")
            }
        }
        return lines
    }
}
