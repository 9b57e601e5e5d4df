public import ClaveCore
public import ClaveCrypto

/// What a workerpool's scheduler has at hand: its workers and the tasks it follows. What `clave status` shows.
///
/// JSON (Scheduler+JSON.swift): `{"workerpool", "workers": [{"worker", "capacity": "2", "running": "1",
/// "lastSeenMilliseconds": "120"}], "tasks": {"ACTIVE": "1", "COMPLETED": "4", ...}}`.
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
}
