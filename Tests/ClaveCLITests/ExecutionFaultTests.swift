import ClaveAttestation
import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveRuntime
import ClaveSMS
import ClaveServer
import ClaveTestSupport
import ClaveWorkerpool
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Workers that fail the pool, with the real runtimes: one that lies about its result among honest ones, one killed
/// in the middle of a task. The scheduler-level versions (ClaveWorkerpoolTests) use a test executor; here every worker
/// runs the app for real (Python in bubblewrap), opens real SMS sessions and uploads real results.
@Suite(.serialized) struct ExecutionFaultTests {
    static let python = ExecutionTests.examples.appendingPathComponent("hello-python")

    /// Five workers at trust 3: four honest, and one that runs the app like the others and then contributes another
    /// digest, signed with the task's enclave challenge key. The liar takes the task first; the scheduler then hands
    /// it to honest workers until enough agreeing ones outweigh the liar. Consensus holds, the requester gets the
    /// honest result, and the liar's stake goes to the honest contributors.
    @Test func aLiarAmongRealWorkersIsOutvotedAtTrustThreeAndLosesItsStake() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(
            at: folder.url.appendingPathComponent("node"), accounts: 9, workerpool: true, workers: 0,
            pool: PoolMarket.Configuration(price: 10)
        ) { node in
            let parties = ExecutionTests.Parties(node)
            try await parties.run(["account", "deposit", "1000"], as: parties.requester)
            let app = try await parties.deploy(Self.python)
            let data = try await parties.protectAndGrant(to: [app])
            let keys = node.node.createdAccounts[4...8].map(\.privateKey)
            let (liarKey, honestKeys) = (keys[0], Array(keys.dropFirst()))
            let work = folder.url.appendingPathComponent("work")
            let honestExecutor = TaskExecutor(
                configuration: TaskExecutor.Configuration(workDirectory: work), ledger: node.ledger,
                blobs: node.node.blobs, sms: node.node.sms, enclave: node.node.simulatedEnclave, logger: .quiet)
            let liar = LyingExecutor(
                honest: honestExecutor, sms: node.node.sms, enclave: node.node.simulatedEnclave,
                measurement: try AppBundle(directory: Self.python).measurement)
            let liarBefore = await Self.holdings(liarKey.address, node)
            let honestBefore = await honestKeys.asyncMap { await Self.holdings($0.address, node) }

            // The liar alone cannot reach consensus: it takes the task first and contributes its lie.
            let liarRun = try Self.start(liarKey, executor: liar, node)
            let output = folder.url.appendingPathComponent("result")
            let running = Task { try await parties.runApp(app, data: data, output: output, extra: ["--trust", "3"]) }
            let taskId: Bytes32
            do {
                taskId = try await Self.initializedTask(node)
            } catch {
                _ = try await running.value
                throw error
            }
            try await eventually("the liar contributed") {
                await node.ledger.task(taskId)?.contributions[liarKey.address] != nil
            }
            let honestRuns = try honestKeys.map { try Self.start($0, executor: honestExecutor, node) }
            let result = try await running.value
            for run in honestRuns + [liarRun] { run.cancel() }

            #expect(
                try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                    == "Hello, Alice!\n")
            #expect(result["taskId"]?.stringValue == taskId.description)
            let task = try #require(await node.ledger.task(taskId))
            #expect(task.status == .completed)
            #expect(
                task.contributions[liarKey.address]?.status == .contributed, "the liar's contribution is not proved")
            // Every other contribution agrees and is proved: as many as consensus needed against the liar's weight.
            let contributors = honestKeys.filter { task.contributions[$0.address] != nil }
            #expect(contributors.count >= 2)
            #expect(contributors.allSatisfy { task.contributions[$0.address]?.status == .proved })
            let faulty = try await node.ledger.events(
                matching: EventFilter(task: taskId, name: "FaultyContribution"), after: nil, limit: 10)
            #expect(faulty.count == 1)
            let deal = try #require(await node.ledger.deal(task.dealId))
            #expect(deal.workerStake > 0)
            #expect(await Self.holdings(liarKey.address, node) == liarBefore - deal.workerStake)
            // The honest workers share the pool's reward (less the scheduler's part) and the liar's stake.
            let reward = (10 + deal.workerStake) * (100 - deal.schedulerRewardRatio) / 100
            var gained: UInt64 = 0
            for (key, before) in zip(honestKeys, honestBefore) {
                let now = await Self.holdings(key.address, node)
                if task.contributions[key.address] != nil {
                    #expect(now > before, "an honest contributor is paid")
                    gained += now - before
                } else {
                    #expect(now == before, "a worker that did not contribute is neither paid nor charged")
                }
            }
            #expect(gained == reward - reward % UInt64(contributors.count))
        }
    }

    /// Two `clave worker` processes and an app that takes three seconds: the worker running it is killed (SIGKILL,
    /// as a crash or a pulled plug), stops heartbeating, and is declared lost once its lease expires; the task goes
    /// to the other worker and completes before its final deadline, and the requester gets the result.
    @Test func aWorkerKilledMidTaskIsReplacedAndTheTaskCompletesBeforeItsDeadline() async throws {
        let folder = try TemporaryDirectory()
        let app = try ExecutionTests.pythonApp(
            "slow", in: folder.url, limits: #"{"memoryMiB": 256, "timeSeconds": 30, "processes": 8, "outputMiB": 1}"#,
            source: """
                import json, os, time
                time.sleep(3)
                out = os.environ["IEXEC_OUT"]
                with open(os.path.join(out, "result.txt"), "w") as file:
                    file.write("done after a pause\\n")
                with open(os.path.join(out, "computed.json"), "w") as file:
                    json.dump({"deterministic-output-path": "/iexec_out/result.txt"}, file)
                """)
        let scheduler = WorkerpoolScheduler.Configuration(
            leaseDuration: .seconds(3), heartbeatInterval: .milliseconds(500), tickInterval: .milliseconds(500))
        try await withNode(
            at: folder.url.appendingPathComponent("node"), accounts: 6, workerpool: true, workers: 0,
            scheduler: scheduler
        ) { node in
            let parties = ExecutionTests.Parties(node)
            let deployed = try await parties.deploy(app)
            let data = try await parties.protectAndGrant(to: [deployed])
            var workers: [Address: ClaveProcess] = [:]
            for account in node.node.createdAccounts[4...5].map(\.address) {
                workers[account] = try ClaveProcess(
                    [
                        "worker", "--pool", node.url, "--simulation-key-file",
                        node.dataDirectory.appendingPathComponent("simulation.key").path,
                        "--work-directory", folder.url.appendingPathComponent("work-\(account)").path,
                    ] + node.signer(account))
            }
            let output = folder.url.appendingPathComponent("result")
            async let ran = parties.runApp(deployed, data: data, output: output)
            let taskId = try await Self.initializedTask(node)
            let pool = try #require(node.node.scheduler)
            var computing: Address?
            try await eventually("a worker runs the app") {
                computing = try await pool.taskReport(taskId)?.replicates.first { $0.status == .computing }?.worker
                return computing != nil
            }
            let killed = try #require(computing)
            let victim = try #require(workers[killed])
            // Its sandbox (bubblewrap, whose command line names folders inside the worker's work directory; the
            // worker's own names the directory alone) runs the app now.
            let sandboxes = { processes(containing: "work-\(killed)/") }
            #expect(!sandboxes().isEmpty, "the app's sandbox is running")
            kill(victim.process.processIdentifier, SIGKILL)
            let result = try await ran
            let survivor = try #require(workers.first { $0.key != killed })
            #expect(try await survivor.value.stop(SIGTERM) == 0)
            _ = try? await victim.stop(SIGKILL)

            #expect(
                try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                    == "done after a pause\n")
            #expect(result["taskId"]?.stringValue == taskId.description)
            let report = try #require(try await pool.taskReport(taskId))
            #expect(report.replicates.first { $0.worker == killed }?.status == .workerLost)
            #expect(report.replicates.first { $0.worker == survivor.key }?.status == .completed)
            let task = try #require(await node.ledger.task(taskId))
            #expect(task.status == .completed)
            #expect(await node.ledger.head.timestamp <= task.finalDeadline, "completed before the final deadline")
            // The killed worker's sandbox died with it (bubblewrap runs with --die-with-parent).
            #expect(sandboxes().isEmpty)
        }
    }

    /// A worker that computes honestly but puts another blob than its receipt's result on the ledger (its signed
    /// receipt cannot be changed, its `results` bytes can): the requester refuses the result, nothing is left where
    /// it would have been unpacked, and the task stays COMPLETED on the ledger for the requester to report.
    @Test func aResultOnTheLedgerThatIsNotTheReceiptsIsRefused() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 5, workerpool: true, workers: 0) {
            node in
            let parties = ExecutionTests.Parties(node)
            let app = try await parties.deploy(Self.python)
            let data = try await parties.protectAndGrant(to: [app])
            let other = try await node.node.blobs.put(bytes: Array("not the result".utf8))
            let honest = TaskExecutor(
                configuration: TaskExecutor.Configuration(workDirectory: folder.url.appendingPathComponent("work")),
                ledger: node.ledger, blobs: node.node.blobs, sms: node.node.sms, enclave: node.node.simulatedEnclave,
                logger: .quiet)
            let worker = try Self.start(
                node.node.createdAccounts[4].privateKey,
                executor: SwappingExecutor(honest: honest, location: other.cid.description), node)
            defer { worker.cancel() }
            let output = folder.url.appendingPathComponent("result")
            await expectFailure(
                [
                    "app", "run", app.checksummed, "--dataset", data.checksummed, "--output", output.path,
                    "--timeout", "60", "--max-price", "10",
                ] + node.remote + node.signer(parties.requester), .verificationFailed, "its receipt vouches for",
                "not the same result")
            #expect(!FileManager.default.fileExists(atPath: output.path))
            let taskId = try await Self.initializedTask(node)
            #expect(await node.ledger.task(taskId)?.status == .completed)
        }
    }

    // MARK: Helpers

    static func holdings(_ account: Address, _ node: RunningNode) async -> UInt64 {
        let state = await node.ledger.account(account)
        return state.wallet + state.balance + state.frozen
    }

    /// A worker in this process, reaching the node's scheduler and services as the node's own workers do.
    static func start(_ key: PrivateKey, executor: any TaskExecuting, _ node: RunningNode) throws -> Task<
        Void, any Error
    > {
        let scheduler = try #require(node.node.scheduler)
        let agent = WorkerAgent(
            key: key, scheduler: scheduler, ledger: node.ledger, executor: executor, logger: .quiet)
        return Task { try await agent.run() }
    }

    /// The task the ledger initialized (the test's only one).
    static func initializedTask(_ node: RunningNode) async throws -> Bytes32 {
        var found: Bytes32?
        try await eventually("a task is initialized") {
            let events = try await node.ledger.events(
                matching: EventFilter(name: "TaskInitialized"), after: nil, limit: 1)
            if let event = events.first, case .taskInitialized(let taskId, _, _, _) = try Event(json: event.json) {
                found = taskId
            }
            return found != nil
        }
        return try #require(found)
    }
}

/// A worker that runs the app for real and then lies: it contributes another digest than the one computed, signed
/// with the task's enclave challenge key, which it takes from a second session of its enclave. A simulated enclave
/// is the host's to command, so a host can do this; consensus, not the enclave, is what stops it.
struct LyingExecutor: TaskExecuting {
    let honest: TaskExecutor
    let sms: any SecretService
    let enclave: SimulatedEnclave
    let measurement: Bytes32

    func execute(
        _ assignment: WorkAssignment, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async -> Result<ReplicateResult, ReplicateFailure> {
        let computed: ReplicateResult
        switch await honest.execute(assignment, progress: progress) {
        case .failure(let failure): return .failure(failure)
        case .success(let result): computed = result
        }
        // Another digest than the app's, signed by the task's enclave challenge key like an honest one.
        return await enclaveContribution(
            digest: Keccak256.hash(Array("a lie".utf8) + computed.resultDigest.bytes), results: computed.results,
            callback: computed.resultsCallback, for: assignment, measurement: measurement, enclave: enclave, sms: sms)
    }
}

/// A worker that runs the app for real and reports the task's results with another blob as the result: what a host
/// can change after its enclave signed the receipt.
struct SwappingExecutor: TaskExecuting {
    let honest: TaskExecutor
    /// The CID put on the ledger instead of the result's.
    let location: String

    func execute(
        _ assignment: WorkAssignment, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async -> Result<ReplicateResult, ReplicateFailure> {
        switch await honest.execute(assignment, progress: progress) {
        case .failure(let failure):
            return .failure(failure)
        case .success(var result):
            guard let real = try? ResultLocation(bytes: result.results) else {
                return .failure(ReplicateFailure(.workerError, "no result location", isDeterministic: true))
            }
            result.results = ResultLocation(location: location, receipt: real.receipt, encrypted: real.encrypted).bytes
            return .success(result)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
