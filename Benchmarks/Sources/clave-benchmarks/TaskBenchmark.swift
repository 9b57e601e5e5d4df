import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveRuntime
import ClaveServer
import ClaveWorkerpool
import Foundation
import Logging
import Synchronization

/// Tasks end to end on a real node (`Node` in this process with its scheduler and two in-process workers, reached
/// over HTTP as `clave` reaches it): the hello-world iApp (Examples/hello-wasm-c, C compiled to wasm32-wasi) on a
/// protected record, from the requester's matchOrders to the result fetched, verified and decrypted.
///
/// - latency: tasks one after another; the reference is the same app run alone by `WasmRuntime` on the same input,
///   so the ratio is what the network adds to the computation.
/// - throughput: `concurrency` requesters run tasks back to back for the duration; the figure is completed,
///   decrypted tasks per second, once with each task a deal of its own, once with deals of `bagSize` tasks (PoCo's
///   volume: one match and one requester round of orders for several tasks).
struct TaskBenchmark {
    let latencyTasks: Int
    let duration: Duration
    let concurrency: Int
    let bagSize: UInt64
    let workerCapacity: UInt64
    let progress: Progress

    init(options: Options, progress: Progress) {
        latencyTasks = options.quick ? 10 : 50
        duration = options.duration.map { .seconds($0) } ?? (options.quick ? .seconds(10) : .seconds(60))
        concurrency = 16
        bagSize = 8
        workerCapacity = options.workerCapacity ?? 2
        self.progress = progress
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")

    func run() async throws -> [Measurement] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clave-bench-task-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger.benchmark("clave.bench.task")
        let bundle = try AppBundle(directory: Self.examples.appendingPathComponent("hello-wasm-c"))
        let reference = try await referenceRun(bundle, directory: directory, logger: logger)
        let latencyTasks = latencyTasks
        let duration = duration
        let concurrency = concurrency
        let progress = progress
        return try await BenchmarkNode.with(
            directory: directory.appendingPathComponent("node"), accounts: 2 + concurrency,
            workerCapacity: workerCapacity, logger: logger
        ) { node in
            let connection = try NodeConnection(url: node.url)
            let accounts = node.node.createdAccounts
            let (developer, owner) = (accounts[0].privateKey, accounts[1].privateKey)
            // One account per requester: each signs its own transactions at its own nonces.
            let requesters = accounts.dropFirst(2).map(\.privateKey)
            let services = (
                ledger: LedgerClient(connection: connection), orderbook: OrderbookClient(connection: connection),
                blobs: BlobStoreClient(connection: connection), sms: SecretServiceClient(connection: connection)
            )
            progress.say("task: deploying hello-wasm-c, protecting a record, granting it (untimed)")
            let app = try await IAppDeployer(
                ledger: services.ledger, orderbook: services.orderbook, blobs: services.blobs, developer: developer
            ).deploy(bundle).app
            let ownerSide = DataProtector(
                ledger: services.ledger, orderbook: services.orderbook, blobs: services.blobs, sms: services.sms,
                owner: owner)
            let data = try await ownerSide.protectData(
                ProtectRequest(.value(.object([(key: "name", value: .string("Alice"))])), name: "alice"))
            _ = try await ownerSide.grantAccess(
                AccessGrant(
                    protectedData: data.address, authorizedApp: app, numberOfAccess: 10_000_000))
            let requesterSides = requesters.map { requester in
                DataProtector(
                    ledger: services.ledger, orderbook: services.orderbook, blobs: services.blobs, sms: services.sms,
                    owner: requester)
            }
            let request = ProcessRequest(app: app, protectedData: data.address)
            // The requesters stand for programs on machines of their own: the results they fetch go where the
            // node's workers make their task folders (in memory when the machine has a memory file system), not beside
            // the node's data directory, whose blob store would otherwise share a disk and its inode groups with the
            // files they create and remove (see Benchmarks/README.md, "Tasks and runtimes").
            let results = ScratchFolder.default(named: "clave-bench-results-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: results) }
            @Sendable func oneTask(_ requesterSide: DataProtector) async throws -> Duration {
                let start = ContinuousClock.now
                let output = results.appendingPathComponent(UUID().uuidString)
                let result = try await requesterSide.processProtectedData(request, into: output, timeout: .seconds(60))
                let elapsed = ContinuousClock.now - start
                guard result.files.contains("result.txt") else { throw Failure(description: "no result.txt") }
                try? FileManager.default.removeItem(at: output)
                return elapsed
            }
            _ = try await oneTask(requesterSides[0])  // warm-up: the bundle fetched and unpacked by the worker

            progress.say("task: latency, \(latencyTasks) tasks one after another")
            var latencies: [Double] = []
            for _ in 0..<latencyTasks { latencies.append(try await oneTask(requesterSides[0]).seconds) }
            latencies.sort()
            let median = latencies[latencies.count / 2]
            let p90 = latencies[min(latencies.count - 1, latencies.count * 9 / 10)]

            @Sendable func oneDeal(_ requesterSide: DataProtector) async throws -> Int {
                var bag = request
                bag.volume = bagSize
                let output = results.appendingPathComponent(UUID().uuidString)
                let fetched = try await requesterSide.processDeal(bag, into: output, timeout: .seconds(60))
                guard fetched.allSatisfy({ $0.files.contains("result.txt") }) else {
                    throw Failure(description: "a task of the deal has no result.txt")
                }
                try? FileManager.default.removeItem(at: output)
                return fetched.count
            }

            /// Completed tasks per second while each requester runs `work` back to back for the duration, and the
            /// CPU they took: this VM's speed moves the rate by a sixth within minutes, so the CPU time per task and
            /// the cores other processes kept busy tell a slower machine from a slower build.
            @Sendable func throughput(_ work: @escaping @Sendable (DataProtector) async throws -> Int) async throws
                -> (rate: Double, seconds: Double, cpu: String)
            {
                let use = CPUUse()
                let cpuBefore = processCPUSeconds()
                let clock = ContinuousClock()
                let deadline = clock.now.advanced(by: duration)
                let started = clock.now
                let counted = Counter()
                // The rate of each 10 s on standard error, to see whether it falls as the chain grows.
                let reporter = Task {
                    var last = 0
                    var lastTime = started
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(10))
                        let now = clock.now
                        let count = counted.value.load(ordering: .relaxed)
                        progress.say(
                            String(
                                format: "task:   %.0f s: %.1f tasks/s", (now - started).seconds,
                                Double(count - last) / (now - lastTime).seconds))
                        (last, lastTime) = (count, now)
                    }
                }
                defer { reporter.cancel() }
                let completed = try await withThrowingTaskGroup(of: Int.self) { group in
                    for requesterSide in requesterSides {
                        group.addTask {
                            var done = 0
                            while clock.now < deadline {
                                let finished = try await work(requesterSide)
                                counted.value.add(finished, ordering: .relaxed)
                                done += finished
                            }
                            return done
                        }
                    }
                    return try await group.reduce(0, +)
                }
                let elapsed = (clock.now - started).seconds
                let cpuPerTask = (processCPUSeconds() - cpuBefore) * 1000 / Double(max(completed, 1))
                let (own, others) = use.measure()
                let cpu = String(
                    format: "%.2f ms of CPU per task, %.2f cores busy (%@ by other processes)", cpuPerTask, own,
                    others.map { String(format: "%.2f", $0) } ?? "unknown")
                return (Double(completed) / elapsed, elapsed, cpu)
            }
            progress.say("task: throughput, \(concurrency) requesters for \(duration), a deal per task")
            let (rate, elapsed, cpu) = try await throughput { side in
                _ = try await oneTask(side)
                return 1
            }
            let bagSize = bagSize
            progress.say("task: throughput, \(concurrency) requesters for \(duration), deals of \(bagSize) tasks")
            let (bagRate, bagElapsed, bagCPU) = try await throughput(oneDeal)
            return [
                .timeRatio(
                    "hello-world WASM task, match to decrypted result (median of \(latencyTasks))",
                    value: median * 1000,
                    unit: "ms", reference: reference * 1000, referenceName: "the same app run alone by WasmRuntime",
                    maximum: .infinity,
                    note: String(
                        format: "p90 %.1f ms; target: median <= 50 ms (%@)", p90 * 1000,
                        median <= 0.050 ? "met" : "not met")),
                .information(
                    "trivial WASM tasks completed per second (\(concurrency) requesters, \(Int(elapsed)) s)",
                    value: rate, unit: "tasks/s",
                    note:
                        "target >= 300 tasks/s (\(rate >= 300 ? "met" : "not met")); each task is its own deal; \(cpu)"),
                .information(
                    "trivial WASM tasks per second, deals of \(bagSize) (\(concurrency) requesters, \(Int(bagElapsed)) s)",
                    value: bagRate, unit: "tasks/s",
                    note:
                        "target >= 300 tasks/s (\(bagRate >= 300 ? "met" : "not met")); each requester runs deals of \(bagSize) tasks (PoCo's volume) back to back, their results fetched together; \(bagCPU)"
                ),
            ]
        }
    }

    /// The app alone: WasmRuntime on the same protected record, median of 20 runs.
    private func referenceRun(_ bundle: AppBundle, directory: URL, logger: Logger) async throws -> Double {
        let folder = directory.appendingPathComponent("reference")
        let app = folder.appendingPathComponent("app")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try bundle.unpack(into: app)
        let input = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let zip = try ProtectedDataZip.bytes(of: .object([(key: "name", value: .string("Alice"))]))
        try Data(zip).write(to: input.appendingPathComponent("data"))
        let runtime = WasmRuntime(logger: logger)
        var times: [Double] = []
        for round in 0..<21 {
            let output = folder.appendingPathComponent("out-\(round)")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let start = ContinuousClock.now
            let result = try await runtime.run(
                Execution(
                    bundle: app, entrypoint: bundle.manifest.entrypoint,
                    environment: ["IEXEC_DATASET_FILENAME": "data"],
                    input: input, output: output, limits: bundle.manifest.limits,
                    standardOutput: folder.appendingPathComponent("stdout-\(round)"),
                    standardError: folder.appendingPathComponent("stderr-\(round)")))
            guard result.termination.succeeded else {
                throw Failure(description: "the reference run \(result.termination)")
            }
            if round > 0 { times.append((ContinuousClock.now - start).seconds) }
        }
        times.sort()
        return times[times.count / 2]
    }
}

/// Tasks completed so far, shared by the requesters and the rate reporter.
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
