import ClaveTestSupport
import Foundation
import Testing

@testable import ClaveRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// The sandbox users of process runs: handed out in turn, and never one that a process on the host still runs as.
@Suite struct UserIDPoolTests {
    @Test func idsAreHandedOutInTurnNotLowestFirst() throws {
        let locks = try TemporaryDirectory(prefix: "clave-user-locks")
        let pool = UserIDPool(310_000..<310_003, locks: locks.url.path)
        let first = try pool.take()
        pool.give(first)
        let second = try pool.take()
        pool.give(second)
        let third = try pool.take()
        let fourth = try pool.take()
        pool.give(third)
        pool.give(fourth)
        let ids: [Int] = [first.id, second.id, third.id, fourth.id]
        #expect(ids == [310_000, 310_001, 310_002, 310_000])
    }

    @Test(.enabled(if: geteuid() == 0, "sandboxes get users of their own only when the worker runs as root"))
    func anIdIsSkippedWhileAProcessStillRunsAsIt() async throws {
        let locks = try TemporaryDirectory(prefix: "clave-user-locks")
        let pool = UserIDPool(320_000..<320_002, locks: locks.url.path)
        // What a timed-out run can leave for a moment: a process of its user, outliving bubblewrap. (The wait is long:
        // at the start of the full suite, hundreds of tests start at once on two cores.)
        let leftover = Process()
        leftover.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        leftover.arguments = ["--reuid=320000", "--regid=320000", "--clear-groups", "sleep", "600"]
        try leftover.run()
        defer { if leftover.isRunning { kill(leftover.processIdentifier, SIGKILL) } }
        try await eventually("the leftover process runs as 320000", timeout: .seconds(120)) {
            ProcessRuntime.runningUsers().contains(320_000)
        }

        for _ in 0..<3 {
            let claim = try pool.take()
            #expect(claim.id == 320_001, "the id of a running process was handed out")
            pool.give(claim)
        }
        kill(leftover.processIdentifier, SIGKILL)
        leftover.waitUntilExit()
        let claim = try pool.take()
        #expect(claim.id == 320_000)
        pool.give(claim)
    }

    @Test(.enabled(if: geteuid() == 0, "sandboxes get users of their own only when the worker runs as root"))
    func whenEveryIdIsTakenTheRefusalSaysWhatToDo() throws {
        let locks = try TemporaryDirectory(prefix: "clave-user-locks")
        let pool = UserIDPool(330_000..<330_001, locks: locks.url.path)
        let claim = try pool.take()
        defer { pool.give(claim) }
        let error = #expect(throws: RuntimeError.self) { try pool.take() }
        #expect(error?.code == .sandboxUnavailable)
        #expect(error?.message.contains("widen ProcessRuntime.Configuration.sandboxUserIDs") == true)
    }
}
