import ClaveRuntime
import ClaveTestSupport
import Foundation
import Testing
import WAT

@Suite struct WasmRuntimeTests {
    @Test func helloWorldReadsItsInputAndWritesComputedJSON() async throws {
        let fixture = try WasmFixture()
        try fixture.addInput("data.txt", "hello from the dataset\n")
        let computed = #"{"deterministic-output-path":"/iexec_out/result.txt"}"#
        let module = GuestModule.command(
            data: [16: "data.txt", 32: "computed.json", 48: "result.txt", 128: computed],
            body: """
                (local $fd i32) (local $count i32)
                ;; $IEXEC_IN/data.txt into bytes 256-511
                (call $check (call $open (i32.const 3) (i32.const 16) (i32.const 8) (i32.const 0) (i64.const 2)))
                (local.set $fd (i32.load (i32.const 12)))
                (i32.store (i32.const 0) (i32.const 256))
                (i32.store (i32.const 4) (i32.const 256))
                (call $check (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
                (local.set $count (i32.load (i32.const 8)))
                ;; $IEXEC_OUT/result.txt, then $IEXEC_OUT/computed.json
                (call $check (call $open (i32.const 4) (i32.const 48) (i32.const 10) (i32.const 9) (i64.const 64)))
                (call $check (call $write (i32.load (i32.const 12)) (i32.const 256) (local.get $count)))
                (call $check (call $open (i32.const 4) (i32.const 32) (i32.const 13) (i32.const 9) (i64.const 64)))
                (call $check (call $write (i32.load (i32.const 12)) (i32.const 128) (i32.const \(computed.utf8.count))))
                ;; argv to standard output, the environment to standard error, NUL-separated
                (call $check (call $args_sizes_get (i32.const 1000) (i32.const 1004)))
                (call $check (call $args_get (i32.const 1024) (i32.const 1536)))
                (call $check (call $write (i32.const 1) (i32.const 1536) (i32.load (i32.const 1004))))
                (call $check (call $environ_sizes_get (i32.const 1000) (i32.const 1004)))
                (call $check (call $environ_get (i32.const 2048) (i32.const 3072)))
                (call $check (call $write (i32.const 2) (i32.const 3072) (i32.load (i32.const 1004))))
                """)

        let result = try await fixture.run(
            wat: module, arguments: ["first", "second"], environment: ["IEXEC_TASK_ID": "0x11"])

        #expect(result.termination == .exited(0))
        let output = fixture.output
        #expect(
            try fixture.contents(of: output.appendingPathComponent("result.txt"))
                == Array("hello from the dataset\n".utf8))
        #expect(try fixture.contents(of: output.appendingPathComponent("computed.json")) == Array(computed.utf8))
        #expect(try fixture.contents(of: fixture.standardOutput) == Array("app.wasm\0first\0second\0".utf8))
        let environment = String(decoding: try fixture.contents(of: fixture.standardError), as: UTF8.self)
            .split(separator: "\0").map(String.init)
        #expect(environment.sorted() == ["IEXEC_IN=/iexec_in", "IEXEC_OUT=/iexec_out", "IEXEC_TASK_ID=0x11"])
    }

    @Test(arguments: [0, 1, 3, 255] as [Int32])
    func procExitIsTheExitStatus(status: Int32) async throws {
        let fixture = try WasmFixture()
        let result = try await fixture.run(wat: GuestModule.command(body: "(call $proc_exit (i32.const \(status)))"))
        #expect(result.termination == .exited(status))
    }

    @Test func anEndlessLoopRunsOutOfFuel() async throws {
        let fixture = try WasmFixture()
        var limits = WasmFixture.limits
        limits.fuel = 100_000
        let result = try await fixture.run(
            wat: GuestModule.command(body: "(loop $forever (br $forever))"), limits: limits)
        #expect(result.termination == .outOfFuel)
    }

    /// `poll_oneoff`, the way a WASI guest sleeps without using fuel, is not linked: it answers ENOSYS (52) at once
    /// instead of sleeping for the hour asked (a linked one would return 0, after the hour).
    @Test func aGuestCannotSleep() async throws {
        let fixture = try WasmFixture()
        // One clock subscription at 256: monotonic clock (id 1 at +16), a timeout of an hour (at +24).
        let module = GuestModule.command(
            body: """
                (i32.store (i32.const 272) (i32.const 1))
                (i64.store (i32.const 280) (i64.const 3600000000000))
                (call $proc_exit (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 8)))
                """)
        let result = try await fixture.run(wat: module)
        #expect(result.termination == .exited(52))
        #expect(result.wallTime < .seconds(600))
    }

    /// Without a fuel budget, the wall time still ends the run, and the guest can make no system call afterwards.
    @Test func wallTimeEndsARunAndItsSystemCalls() async throws {
        let fixture = try WasmFixture()
        var limits = WasmFixture.limits
        limits.fuel = nil
        limits.wallTime = .milliseconds(300)
        // Only the wall time can end it: a busy machine may let the guest write a long time before the timer fires.
        limits.outputSize = 1 << 30
        let module = GuestModule.command(
            data: [16: "x"],
            body: "(loop $forever (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1))) (br $forever))")

        let result = try await fixture.run(wat: module, limits: limits)

        #expect(result.termination == .timedOut)
        #expect(result.wallTime < .seconds(60))
        let written = try fixture.contents(of: fixture.standardOutput).count
        try await Task.sleep(for: .milliseconds(300))
        #expect(try fixture.contents(of: fixture.standardOutput).count == written)
    }

    @Test(arguments: [
        // memory.grow one page at a time until refused: the first refusal ends the run.
        (
            "1",
            "(loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (call $proc_exit (i32.const 7))"
        ),
        // 100 pages (6.25 MiB) declared, over the 1 MiB limit.
        ("100", "(call $proc_exit (i32.const 7))"),
    ])
    func memoryOverTheLimitIsOutOfMemory(memory: String, body: String) async throws {
        let fixture = try WasmFixture()
        var limits = WasmFixture.limits
        limits.memory = 1 << 20
        let result = try await fixture.run(wat: GuestModule.command(memory: memory, body: body), limits: limits)
        #expect(result.termination == .outOfMemory)
    }

    /// Every way of changing `$IEXEC_IN` answers EROFS (69), and nothing changes on the host.
    @Test func theInputIsReadOnly() async throws {
        let fixture = try WasmFixture()
        try fixture.addInput("data.txt", "original")
        try FileManager.default.createDirectory(
            at: fixture.input.appendingPathComponent("sub"), withIntermediateDirectories: false)
        let module = GuestModule.command(
            data: [16: "data.txt", 32: "new.txt", 48: "dir", 64: "stolen.txt", 80: "sub", 96: "x"],
            body: """
                ;; open for writing, create, truncate, unlink, mkdir, rename out of it
                (i32.store8 (i32.const 512) (call $open (i32.const 3) (i32.const 16) (i32.const 8) (i32.const 0) (i64.const 64)))
                (i32.store8 (i32.const 513) (call $open (i32.const 3) (i32.const 32) (i32.const 7) (i32.const 9) (i64.const 64)))
                (i32.store8 (i32.const 514) (call $open (i32.const 3) (i32.const 16) (i32.const 8) (i32.const 8) (i64.const 2)))
                (i32.store8 (i32.const 515) (call $path_unlink_file (i32.const 3) (i32.const 16) (i32.const 8)))
                (i32.store8 (i32.const 516) (call $path_create_directory (i32.const 3) (i32.const 48) (i32.const 3)))
                (i32.store8 (i32.const 517)
                  (call $path_rename (i32.const 3) (i32.const 16) (i32.const 8) (i32.const 4) (i32.const 64) (i32.const 10)))
                ;; write through a descriptor opened for reading
                (call $check (call $open (i32.const 3) (i32.const 16) (i32.const 8) (i32.const 0) (i64.const 2)))
                (i32.store8 (i32.const 518) (call $write (i32.load (i32.const 12)) (i32.const 16) (i32.const 8)))
                ;; create a file in a folder opened from it
                (call $check (call $open (i32.const 3) (i32.const 80) (i32.const 3) (i32.const 2) (i64.const 0)))
                (i32.store8 (i32.const 519)
                  (call $open (i32.load (i32.const 12)) (i32.const 96) (i32.const 1) (i32.const 9) (i64.const 64)))
                (call $check (call $write (i32.const 1) (i32.const 512) (i32.const 8)))
                """)

        let result = try await fixture.run(wat: module)

        #expect(result.termination == .exited(0))
        #expect(try fixture.contents(of: fixture.standardOutput) == [UInt8](repeating: 69, count: 8))
        #expect(try fixture.contents(of: fixture.input.appendingPathComponent("data.txt")) == Array("original".utf8))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.input.path).sorted() == ["data.txt", "sub"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.input.appendingPathComponent("sub").path) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.output.path) == [])
    }

    /// A guest writing without end to standard output, standard error or a file of `$IEXEC_OUT` is stopped during the
    /// run, soon after it passes the limit.
    @Test(arguments: ["1", "2", "output"])
    func outputOverTheLimitIsTooLarge(destination: String) async throws {
        let fixture = try WasmFixture()
        var limits = WasmFixture.limits
        limits.outputSize = 4096
        let descriptor =
            destination == "output"
            ? """
            (call $check (call $open (i32.const 4) (i32.const 16) (i32.const 7) (i32.const 9) (i64.const 64)))
            (local.set $fd (i32.load (i32.const 12)))
            """
            : "(local.set $fd (i32.const \(destination)))"
        let module = GuestModule.command(
            data: [16: "big.bin"],
            body: """
                (local $fd i32)
                \(descriptor)
                (loop $forever (call $check (call $write (local.get $fd) (i32.const 256) (i32.const 256))) (br $forever))
                """)

        let result = try await fixture.run(wat: module, limits: limits)

        #expect(result.termination == .outputTooLarge)
        let written =
            switch destination {
            case "1": fixture.standardOutput
            case "2": fixture.standardError
            default: fixture.output.appendingPathComponent("big.bin")
            }
        #expect(try fixture.contents(of: written).count <= 4096 + 256)
    }

    @Test(arguments: [
        ("unreachable", "unreachable"),
        ("(drop (i32.load (i32.const 70000)))", "out of bounds memory access"),
    ])
    func aTrapIsReportedWithItsText(body: String, text: String) async throws {
        let fixture = try WasmFixture()
        let result = try await fixture.run(wat: GuestModule.command(body: body))
        #expect(result.termination == .trapped(text))
    }

    @Test(
        arguments: [
            ("not a module", nil),
            ("no _start", #"(module (memory (export "memory") 1))"#),
            ("no memory", #"(module (func (export "_start")))"#),
            (
                "an import WASI lacks",
                #"(module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start") (call 0)))"#
            ),
        ] as [(String, String?)])
    func anInvalidModuleIsRefused(_ what: String, wat: String?) async throws {
        let fixture = try WasmFixture()
        let module = try wat.map { try wat2wasm($0) } ?? Array(what.utf8)
        let error = await #expect(throws: RuntimeError.self) { try await fixture.run(module: module) }
        #expect(error?.code == .invalidModule)
    }

    @Test func aMissingModuleIsAnInvalidBundle() async throws {
        let fixture = try WasmFixture()
        let execution = Execution(
            bundle: fixture.bundle, entrypoint: ["missing.wasm"], input: fixture.input, output: fixture.output,
            limits: WasmFixture.limits, standardOutput: fixture.standardOutput, standardError: fixture.standardError)
        let error = await #expect(throws: RuntimeError.self) { try await WasmRuntime(logger: .quiet).run(execution) }
        #expect(error?.code == .invalidBundle)
    }
}
