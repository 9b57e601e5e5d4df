import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Foundation
import Testing
import WAT

@testable import ClaveRuntime

/// Instances kept between runs (``WasmInstancePool``): each run starts from the module's state when new, and an
/// instance whose state cannot be put back is never kept.
@Suite struct WasmInstancePoolTests {
    /// Counts its runs in a mutable global the module does not export and in a byte of memory, writes both (as
    /// digits) to standard output, then runs `ending`. A fresh instance prints "11".
    static func counter(ending: String = "") -> String {
        #"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (global $runs (mut i32) (i32.const 0))
          (data (i32.const 100) "0")
          (func (export "_start")
            (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
            (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 1)))
            (i32.store8 (i32.const 101) (i32.add (i32.const 48) (global.get $runs)))
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 2))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            \#(ending)))
        """#
    }

    static func key(_ module: [UInt8], limits: ResourceLimits = WasmFixture.limits) -> WasmInstancePool.Key {
        WasmInstancePool.Key(
            digest: AppBundle.sha256(module), fuelMetering: limits.fuel != nil, memoryLimit: limits.memory)
    }

    @Test(arguments: ["", "(call $proc_exit (i32.const 3))"])
    func aKeptInstanceStartsEachRunAsNew(ending: String) async throws {
        let runtime = WasmRuntime(logger: .quiet)
        let module = try wat2wasm(Self.counter(ending: ending))
        #expect(try runtime.pool.image(of: module).freshReason == nil)
        for _ in 0..<3 {
            let fixture = try WasmFixture()
            let result = try await fixture.run(module: module, runtime: runtime)
            #expect(result.termination == .exited(ending.isEmpty ? 0 : 3))
            #expect(try fixture.contents(of: fixture.standardOutput) == Array("11".utf8))
        }
        // The three runs used one instance, put back after each.
        #expect(runtime.pool.take(Self.key(module)) != nil)
        #expect(runtime.pool.take(Self.key(module)) == nil)
    }

    /// A run that names its bundle's measurement (a checked copy nothing writes, as the worker's bundle cache is)
    /// takes the module parsed for that measurement before, without reading the file again; a run without one, or
    /// with another measurement, reads the file.
    @Test func aBundleMeasurementFindsItsModuleWithoutReadingTheFile() async throws {
        let runtime = WasmRuntime(logger: .quiet)
        let fixture = try WasmFixture()
        let module = fixture.bundle.appendingPathComponent("app.wasm")
        func run(_ measurement: Bytes32?) async throws -> [UInt8] {
            let execution = Execution(
                bundle: fixture.bundle, entrypoint: ["app.wasm"], input: fixture.input, output: fixture.output,
                limits: WasmFixture.limits, standardOutput: fixture.standardOutput,
                standardError: fixture.standardError, bundleMeasurement: measurement)
            #expect(try await runtime.run(execution).termination == .exited(0))
            return try fixture.contents(of: fixture.standardOutput)
        }
        let (original, changed) = (
            try wat2wasm(Self.counter()), try wat2wasm(Self.counter(ending: "(call $proc_exit (i32.const 0))"))
        )
        try Data(original).write(to: module)
        let measured = Bytes32(uint64: 1)
        #expect(try await run(measured) == Array("11".utf8))
        // The file changes under the same measurement: it is not read again (nothing may write such a folder), so
        // the original module runs again; no instance of the changed one was made.
        try Data(changed).write(to: module)
        #expect(try await run(measured) == Array("11".utf8))
        #expect(runtime.pool.take(Self.key(original)) != nil)
        #expect(runtime.pool.take(Self.key(changed)) == nil)
        // Without a measurement, or under another, the file is read: the changed module runs.
        #expect(try await run(nil) == Array("11".utf8))
        #expect(runtime.pool.take(Self.key(changed)) != nil)
        #expect(try await run(Bytes32(uint64: 2)) == Array("11".utf8))
        #expect(runtime.pool.take(Self.key(changed)) != nil)
        // A module that fails its checks is never found by measurement: each run reads and refuses it.
        try Data(try wat2wasm("(module (memory (export \"memory\") 1))")).write(to: module)
        for _ in 0..<2 {
            let execution = Execution(
                bundle: fixture.bundle, entrypoint: ["app.wasm"], input: fixture.input, output: fixture.output,
                limits: WasmFixture.limits, standardOutput: fixture.standardOutput,
                standardError: fixture.standardError, bundleMeasurement: Bytes32(uint64: 3))
            let refusal = await #expect(throws: RuntimeError.self) { try await runtime.run(execution) }
            #expect(refusal?.code == .invalidModule)
        }
    }

    @Test func aRunDoesNotSeeWhatTheRunBeforeItRead() async throws {
        // Writes bytes 256-263 to standard output, then reads $IEXEC_IN/secret into them.
        let module = try wat2wasm(
            GuestModule.command(
                data: [16: "secret"],
                body: """
                    (call $check (call $write (i32.const 1) (i32.const 256) (i32.const 8)))
                    (call $check (call $open (i32.const 3) (i32.const 16) (i32.const 6) (i32.const 0) (i64.const 2)))
                    (i32.store (i32.const 0) (i32.const 256))
                    (i32.store (i32.const 4) (i32.const 8))
                    (call $check (call $fd_read (i32.load (i32.const 12)) (i32.const 0) (i32.const 1) (i32.const 8)))
                    """))
        let runtime = WasmRuntime(logger: .quiet)
        for secret in ["SECRET-1", "SECRET-2"] {
            let fixture = try WasmFixture()
            try fixture.addInput("secret", secret)
            let result = try await fixture.run(module: module, runtime: runtime)
            #expect(result.termination == .exited(0))
            #expect(try fixture.contents(of: fixture.standardOutput) == [UInt8](repeating: 0, count: 8))
        }
        #expect(runtime.pool.take(Self.key(module)) != nil)
    }

    @Test(arguments: [
        ("(drop (memory.grow (i32.const 1)))", Termination.exited(0)),
        ("unreachable", Termination.trapped("unreachable")),
    ])
    func anInstanceThatCannotBePutBackIsDropped(ending: String, termination: Termination) async throws {
        let runtime = WasmRuntime(logger: .quiet)
        let module = try wat2wasm(Self.counter(ending: ending))
        for _ in 0..<2 {
            let fixture = try WasmFixture()
            let result = try await fixture.run(module: module, runtime: runtime)
            #expect(result.termination == termination)
            #expect(try fixture.contents(of: fixture.standardOutput) == Array("11".utf8))
        }
        #expect(runtime.pool.take(Self.key(module)) == nil)
    }

    @Test func aRunThatRunsOutOfFuelDropsItsInstance() async throws {
        let runtime = WasmRuntime(logger: .quiet)
        let module = try wat2wasm(Self.counter(ending: "(loop $forever (br $forever))"))
        let fixture = try WasmFixture()
        let result = try await fixture.run(module: module, runtime: runtime)
        #expect(result.termination == .outOfFuel)
        #expect(runtime.pool.take(Self.key(module)) == nil)
    }

    @Test func noInstanceIsKeptWhenTheRuntimeKeepsNone() async throws {
        let runtime = WasmRuntime(configuration: WasmRuntime.Configuration(keptInstances: 0), logger: .quiet)
        let module = try wat2wasm(Self.counter())
        let result = try await WasmFixture().run(module: module, runtime: runtime)
        #expect(result.termination == .exited(0))
        #expect(runtime.pool.take(Self.key(module)) == nil)
    }

    /// Modules whose state a reset could not restore: never kept, and why.
    @Test(arguments: [
        ("(func $init) (start $init)", "start function"),
        ("(table 1 funcref) (func (table.set (i32.const 0) (ref.null func)))", "table.set"),
        ("(table 1 funcref) (func (drop (table.grow (ref.null func) (i32.const 1))))", "table.grow"),
        (#"(data $passive "x") (func (data.drop $passive))"#, "data.drop"),
        (#"(import "env" "table" (table 1 funcref))"#, "imports env.table"),
        (#"(global (export "clave.reset.global.0") (mut i32) (i32.const 0))"#, "exports names Clave uses"),
    ])
    func modulesWhoseStateCannotBePutBackAreNotKept(extra: String, reason: String) throws {
        let module = try wat2wasm(
            #"""
            (module
              \#(extra)
              (memory (export "memory") 1)
              (func (export "_start")))
            """#)
        let image = try WasmModuleImage(bytes: module, digest: AppBundle.sha256(module))
        #expect(image.freshReason?.contains(reason) == true, "\(image.freshReason ?? "kept")")
        #expect(image.resetGlobals.isEmpty)
    }

    /// The C hello world (clang, wasi-libc) is a module whose instances are kept: its stack pointer is its one
    /// mutable global, and the rewritten module still runs.
    @Test func theCHelloWorldIsKeptAndRunsFromItsRewrittenModule() async throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
        let module = Array(try Data(contentsOf: examples.appendingPathComponent("hello-wasm-c/app.wasm")))
        let runtime = WasmRuntime(logger: .quiet)
        let image = try runtime.pool.image(of: module)
        #expect(image.freshReason == nil)
        #expect(image.resetGlobals.count == 1)
        // Two records one after the other through one kept instance: each run greets its own.
        for name in ["Alice", "Bob"] {
            let fixture = try WasmFixture()
            let zip = try ProtectedDataZip.bytes(of: .object([(key: "name", value: .string(name))]))
            try Data(zip).write(to: fixture.input.appendingPathComponent("data"))
            let result = try await fixture.run(
                module: module, environment: ["IEXEC_DATASET_FILENAME": "data"], runtime: runtime)
            #expect(result.termination == .exited(0))
            #expect(
                try fixture.contents(of: fixture.output.appendingPathComponent("result.txt"))
                    == Array("Hello, \(name)!\n".utf8))
        }
        #expect(runtime.pool.take(Self.key(module)) != nil)
    }

    @Test func aModuleWhoseInitialMemoryIsTooLargeToCopyIsNotKept() throws {
        let module = try wat2wasm(#"(module (memory (export "memory") 1025) (func (export "_start")))"#)
        let image = try WasmModuleImage(bytes: module, digest: AppBundle.sha256(module))
        #expect(image.freshReason == "its initial memory is larger than 64 MiB")
    }

    @Test func theMutableGlobalsOfAKeptModuleAreExportedUnderNamesOfTheirOwn() throws {
        let module = try wat2wasm(
            #"""
            (module
              (global $constant i32 (i32.const 7))
              (global $first (mut i32) (i32.const 1))
              (global $second (mut i64) (i64.const 2))
              (memory (export "memory") 1)
              (func (export "_start")))
            """#)
        let image = try WasmModuleImage(bytes: module, digest: AppBundle.sha256(module))
        #expect(image.freshReason == nil)
        #expect(image.resetGlobals == ["clave.reset.global.1", "clave.reset.global.2"])
        let names = Set(image.module.exports.map(\.name))
        #expect(names == ["memory", "_start", "clave.reset.global.1", "clave.reset.global.2"])
    }
}

extension WasmInstancePoolTests {
    @Test func concurrentRunsOfOneModuleEachGetAnInstanceOfTheirOwn() async throws {
        let runtime = WasmRuntime(logger: .quiet)
        let module = try wat2wasm(Self.counter())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<10 {
                        let fixture = try WasmFixture()
                        let result = try await fixture.run(module: module, runtime: runtime)
                        #expect(result.termination == .exited(0))
                        #expect(try fixture.contents(of: fixture.standardOutput) == Array("11".utf8))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(runtime.pool.take(Self.key(module)) != nil)
    }
}
