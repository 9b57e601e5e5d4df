import ArgumentParser
import ClaveAttestation
import ClaveClient
import ClaveCrypto
import ClaveRuntime
import ClaveWorkerpool
import Foundation
import Logging
import ServiceLifecycle

/// `clave worker --pool URL`: a worker on another host, running the same agent and executor as a node's own workers.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker for a node's workerpool: log in, take tasks, run them in an enclave, contribute.",
        discussion: """
            The worker signs in to the pool's scheduler with its account, takes up to --capacity tasks at once, runs \
            each in its enclave (WebAssembly in process, other apps in a bubblewrap sandbox) and contributes the \
            result on the ledger. Until hardware enclaves are supported the enclave is simulated: give the node's \
            simulation key (its data directory's simulation.key), whose evidence the node's SMS trusts. Simulated \
            evidence proves nothing against this host; results say so.
            Example: clave worker --pool http://10.0.0.5:8545 --simulation-key-file simulation.key --address 0xW
            """
    )

    @Option(help: "The node whose workerpool this worker serves.")
    var pool: String

    @OptionGroup var signer: SignerOptions

    @Option(help: "The node's simulation key file (64 hex digits), for simulated enclaves.")
    var simulationKeyFile: String

    @Option(help: "How many tasks to run at once.")
    var capacity: UInt64 = 1

    @Option(help: "Where task folders are made: in memory (/dev/shm) when the machine has a memory file system.")
    var workDirectory: String = ScratchFolder.default(named: "clave-worker").path

    @Option(help: "The least severe log messages written to standard error: trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        guard capacity >= 1 else { throw ValidationError("--capacity must be 1 or more.") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical.")
        }
    }

    func run() async throws {
        var logger = Logger(label: "clave.worker") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        guard let data = FileManager.default.contents(atPath: simulationKeyFile),
            let simulationKey = try? PrivateKey(
                hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw CLIError(
                .invalidInput,
                "\(simulationKeyFile) does not hold a simulation key (64 hex digits); copy the node's data directory's simulation.key."
            )
        }
        let key = try signer.key()
        let connection: NodeConnection
        do {
            connection = try NodeConnection(url: pool)
        } catch {
            throw CLIError(.invalidInput, "'\(pool)' is not a node URL; give one such as http://127.0.0.1:8545.")
        }
        let ledger = LedgerClient(connection: connection)
        let executor = TaskExecutor(
            configuration: TaskExecutor.Configuration(workDirectory: URL(fileURLWithPath: workDirectory)),
            ledger: ledger, blobs: BlobStoreClient(connection: connection),
            sms: SecretServiceClient(connection: connection),
            enclave: SimulatedEnclave(simulationKey: simulationKey), logger: logger)
        let agent = WorkerAgent(
            key: key, scheduler: SchedulerClient(connection: connection), ledger: ledger, executor: executor,
            configuration: WorkerAgent.Configuration(capacity: capacity), logger: logger)
        say("Worker \(key.address) serving the workerpool of \(pool) (capacity \(capacity)); stop it with Ctrl-C.")
        let group = ServiceGroup(services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        say("Worker \(key.address) stopped.")
    }
}
