public import ClaveCore
public import ClaveCrypto

/// What a workerpool's scheduler has at hand: its workers and the tasks it follows. What `clave status` shows.
///
/// JSON: `{"workerpool", "workers": [{"worker", "capacity": "2", "running": "1", "lastSeenMilliseconds": "120"}],
/// "tasks": {"ACTIVE": "1", "COMPLETED": "4", ...}}`.
public struct PoolStatus: Sendable, Hashable {
    /// A worker logged in to the scheduler, with a session that has not expired.
    public struct Worker: Sendable, Hashable {
        public var worker: Address
        /// How many replicates it runs at once.
        public var capacity: UInt64
        /// How many it runs now (assigned, not contributed yet).
        public var running: UInt64
        /// How long ago it last asked for work or heartbeat.
        public var lastSeen: Duration

        public init(worker: Address, capacity: UInt64, running: UInt64, lastSeen: Duration) {
            self.worker = worker
            self.capacity = capacity
            self.running = running
            self.lastSeen = lastSeen
        }
    }

    public var workerpool: Address
    /// The workers, by address.
    public var workers: [Worker]
    /// How many of the tasks the scheduler follows are in each ledger status (those it no longer follows are not
    /// counted).
    public var tasks: [ComputeTask.Status: UInt64]

    public init(workerpool: Address, workers: [Worker], tasks: [ComputeTask.Status: UInt64]) {
        self.workerpool = workerpool
        self.workers = workers
        self.tasks = tasks
    }

    public var json: JSONValue {
        [
            "workerpool": .string(workerpool.checksummed),
            "workers": .array(
                workers.map { worker in
                    [
                        "worker": .string(worker.worker.checksummed), "capacity": .string(String(worker.capacity)),
                        "running": .string(String(worker.running)),
                        "lastSeenMilliseconds": .string(String(worker.lastSeen.milliseconds)),
                    ]
                }),
            "tasks": .object(
                JSONValue.Object(
                    Dictionary(
                        uniqueKeysWithValues: tasks.map { ($0.key.rawValue, JSONValue.string(String($0.value))) }))),
        ]
    }

    public init(json: JSONValue) throws(SchedulerError) {
        func invalid(_ what: String) -> SchedulerError {
            SchedulerError(.invalidRequest, "A pool status needs \(what).")
        }
        guard let workerpool = json["workerpool"]?.stringValue.flatMap({ try? Address($0) }) else {
            throw invalid("a workerpool address")
        }
        var workers: [Worker] = []
        for item in json["workers"]?.arrayValue ?? [] {
            guard let worker = item["worker"]?.stringValue.flatMap({ try? Address($0) }),
                let capacity = item["capacity"]?.stringValue.flatMap({ UInt64($0) }),
                let running = item["running"]?.stringValue.flatMap({ UInt64($0) }),
                let seen = item["lastSeenMilliseconds"]?.stringValue.flatMap({ UInt64($0) })
            else { throw invalid("workers of {worker, capacity, running, lastSeenMilliseconds}") }
            workers.append(Worker(worker: worker, capacity: capacity, running: running, lastSeen: .milliseconds(seen)))
        }
        var tasks: [ComputeTask.Status: UInt64] = [:]
        for (name, count) in json["tasks"]?.objectValue ?? [:] {
            guard let status = ComputeTask.Status(rawValue: name), let count = count.stringValue.flatMap({ UInt64($0) })
            else { throw invalid("task counts by status") }
            tasks[status] = count
        }
        self.init(workerpool: workerpool, workers: workers, tasks: tasks)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    fileprivate var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000_000
    }
}
