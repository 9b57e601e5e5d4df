import ClaveCrypto
import Synchronization
import WasmKit
import WasmKitWASI

/// The modules a ``WasmRuntime`` ran lately, parsed, and instances of them put back as new after their runs, so that
/// the next run of the same module skips reading, validating, instantiating and translating it again
/// (docs/runtime.md, "Instances kept between runs"). ``WasmModuleImage`` decides which modules allow it.
final class WasmInstancePool: Sendable {
    /// What an instance is bound to besides its module: its store's fuel metering and memory limit.
    struct Key: Hashable, Sendable {
        var digest: Bytes32
        var fuelMetering: Bool
        var memoryLimit: Int
    }

    private struct State {
        /// Most recently used last.
        var images: [WasmModuleImage] = []
        /// The digest of the module each bundle (by measurement) and entrypoint named, for a run that says its bundle
        /// is a checked copy nothing writes (``Execution/bundleMeasurement``).
        var modules: [BundleModule: Bytes32] = [:]
        var idle: [Key: [KeptInstance]] = [:]
    }

    /// How many modules are kept parsed; the least recently used goes first, with its instances.
    let maximumModules: Int
    /// How many idle instances are kept per module and limits: as many as runs of it at once, at most.
    let maximumIdleInstances: Int
    private let state = Mutex(State())

    init(maximumModules: Int = 8, maximumIdleInstances: Int) {
        self.maximumModules = maximumModules
        self.maximumIdleInstances = maximumIdleInstances
    }

    /// A bundle's module: the bundle's measurement and the module's path in it.
    struct BundleModule: Hashable, Sendable {
        var measurement: Bytes32
        var path: String
    }

    /// The parsed module `module` was, when it was parsed lately and is still kept: nothing to read.
    func image(of module: BundleModule) -> WasmModuleImage? {
        state.withLock { state in
            guard let digest = state.modules[module],
                let index = state.images.firstIndex(where: { $0.digest == digest })
            else { return nil }
            let image = state.images.remove(at: index)
            state.images.append(image)
            return image
        }
    }

    /// Notes that `module` is the module of `image`, for ``image(of:)-(BundleModule)``.
    func remember(_ module: BundleModule, is image: WasmModuleImage) {
        state.withLock { state in
            if state.modules.count >= 4 * maximumModules { state.modules.removeAll() }
            state.modules[module] = image.digest
        }
    }

    /// The parsed module of `bytes`, from the pool when it was parsed lately; throws what parsing throws.
    func image(of bytes: [UInt8]) throws -> WasmModuleImage {
        let digest = AppBundle.sha256(bytes)
        let cached = state.withLock { state -> WasmModuleImage? in
            guard let index = state.images.firstIndex(where: { $0.digest == digest }) else { return nil }
            let image = state.images.remove(at: index)
            state.images.append(image)
            return image
        }
        if let cached { return cached }
        let image = try WasmModuleImage(bytes: bytes, digest: digest)
        state.withLock { state in
            guard !state.images.contains(where: { $0.digest == digest }) else { return }
            state.images.append(image)
            while state.images.count > maximumModules {
                let evicted = state.images.removeFirst().digest
                state.idle = state.idle.filter { $0.key.digest != evicted }
            }
        }
        return image
    }

    /// An instance of `image` for a run under `key`, bound to the run's `bridge` and `gate`: an idle one taken out of
    /// the pool, or a new one; throws what instantiation throws.
    func instance(of image: WasmModuleImage, key: Key, bridge: WASIBridgeToHost, gate: WASIGate) throws -> KeptInstance
    {
        if let kept = take(key) {
            kept.imports.bind(bridge, gate: gate)
            return kept
        }
        return try KeptInstance(image, key: key, bridge: bridge, gate: gate, keepsState: maximumIdleInstances > 0)
    }

    /// Takes back `instance` after a run that returned or exited: reset and kept for a later run when it can be,
    /// dropped when it cannot (see ``KeptInstance/reset()``), the pool is full or its module was evicted meanwhile.
    func giveBack(_ instance: KeptInstance) {
        guard instance.reset() else { return }
        state.withLock { state in
            guard state.images.contains(where: { $0.digest == instance.key.digest }) else { return }
            var idle = state.idle[instance.key, default: []]
            guard idle.count < maximumIdleInstances else { return }
            idle.append(instance)
            state.idle[instance.key] = idle
        }
    }

    /// An idle instance for `key`, taken out of the pool; nil when there is none.
    func take(_ key: Key) -> KeptInstance? {
        state.withLock { state in state.idle[key]?.popLast() }
    }
}

/// An instance of a module in a store of its own, its WASI functions bound run by run, and the state it had when new:
/// its linear memory and mutable globals, to put back after each run.
///
/// Not thread-safe: one run at a time has it, between ``WasmInstancePool/instance(of:key:bridge:gate:)`` and
/// ``WasmInstancePool/giveBack(_:)``, which hand it over under the pool's lock.
final class KeptInstance: @unchecked Sendable {
    let key: WasmInstancePool.Key
    let store: Store
    let instance: Instance
    let imports: WASIImports
    private let memory: Memory?
    private let memoryWhenNew: [UInt8]
    private let globalsWhenNew: [(Global, Value)]

    /// Instantiates `image` in a new store with `key`'s metering and limit, its WASI functions bound to `bridge`
    /// behind `gate`, and copies its state when it `keepsState` and the module allows it; throws what instantiation
    /// throws.
    init(
        _ image: WasmModuleImage, key: WasmInstancePool.Key, bridge: WASIBridgeToHost, gate: WASIGate,
        keepsState: Bool
    ) throws {
        self.key = key
        store = Store(engine: Engine(configuration: EngineConfiguration(fuelMetering: key.fuelMetering)))
        LinearMemoryLimiter(memoryLimit: key.memoryLimit).install(on: store)
        var imports = Imports()
        self.imports = WASIImports(binding: bridge, gate: gate, into: &imports, store: store)
        instance = try image.module.instantiate(store: store, imports: imports)
        let exports = instance.exports
        let globals = image.resetGlobals.compactMap { exports[global: $0] }
        if keepsState, image.freshReason == nil, globals.count == image.resetGlobals.count,
            case .memory(let memory) = instance.export("memory")
        {
            self.memory = memory
            memoryWhenNew = memory.withUnsafeBufferPointer(offset: 0, count: memory.byteCount) { Array($0) }
            globalsWhenNew = globals.map { ($0, $0.value) }
        } else {
            memory = nil
            memoryWhenNew = []
            globalsWhenNew = []
        }
    }

    /// Puts the memory and globals back as they were when new, after a run that ended by returning or exiting; false
    /// when that cannot be done (no state was copied: the module does not allow it or the pool keeps no instances; or
    /// the run grew the memory), and the instance must then be dropped.
    func reset() -> Bool {
        guard let memory, memory.byteCount == memoryWhenNew.count else { return false }
        memory.withUnsafeMutableBufferPointer(offset: 0, count: memoryWhenNew.count) { target in
            memoryWhenNew.withUnsafeBytes { target.copyMemory(from: $0) }
        }
        do {
            for (global, value) in globalsWhenNew { try global.assign(value) }
        } catch {
            return false
        }
        return true
    }
}
