import Foundation
import Synchronization
import ClaveTestSupport
import Testing

@testable import ClaveRuntime

/// The threads WebAssembly runs on (``EngineThread``, ``EngineThreads``): kept between runs, one per concurrent run,
/// and a run past its time limit answered without waiting for its thread.
@Suite struct EngineThreadTests {
    /// A value shared with the bodies.
    final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        var current: Value { value.withLock { $0 } }
    }

    /// The thread a body ran on.
    static func threadID() -> UInt64 {
        #if canImport(Glibc)
            UInt64(pthread_self())
        #else
            UInt64(UInt(bitPattern: pthread_self()))
        #endif
    }

    @Test func aThreadIsKeptForTheNextRunAndConcurrentRunsGetThreadsOfTheirOwn() async throws {
        let threads = EngineThreads.shared(name: "clave-test-\(UUID().uuidString.prefix(8))", stackSize: 1 << 20)
        let first = await EngineThread<UInt64>.run(on: threads, timeLimit: .seconds(10)) {
            Self.threadID()
        }
        // The thread waits for the next body once the first answered, a moment after.
        try await eventually("the thread waits for the next run") { threads.waitingCount == 1 }
        let second = await EngineThread<UInt64>.run(on: threads, timeLimit: .seconds(10)) {
            Self.threadID()
        }
        #expect(first != nil)
        #expect(first == second)
        // More runs at once than threads wait: each has a thread, and all of them are answered.
        let started = Shared(0)
        let ids = await withTaskGroup(of: UInt64?.self) { group in
            for _ in 0..<(EngineThreads.idleLimit + 2) {
                group.addTask {
                    await EngineThread<UInt64>.run(on: threads, timeLimit: .seconds(10)) {
                        started.value.withLock { $0 += 1 }
                        // Each waits for all to have started: they run at once, so on threads of their own.
                        while started.current < EngineThreads.idleLimit + 2 { usleep(1000) }
                        return Self.threadID()
                    }
                }
            }
            return await group.reduce(into: [UInt64?]()) { $0.append($1) }
        }
        #expect(ids.count == EngineThreads.idleLimit + 2)
        #expect(Set(ids.compactMap { $0 }).count == EngineThreads.idleLimit + 2)
    }

    @Test func aRunPastItsTimeLimitIsAnsweredAndItsThreadIsNotReusedWhileItRuns() async throws {
        let threads = EngineThreads.shared(name: "clave-test-\(UUID().uuidString.prefix(8))", stackSize: 1 << 20)
        let release = Shared(false)
        let overran = await EngineThread<UInt64>.run(on: threads, timeLimit: .milliseconds(50)) {
            while !release.current { usleep(1000) }
            return Self.threadID()
        }
        #expect(overran == nil)
        let next = await EngineThread<Bool>.run(on: threads, timeLimit: .seconds(10)) { true }
        #expect(next == true)
        release.value.withLock { $0 = true }
    }
}
