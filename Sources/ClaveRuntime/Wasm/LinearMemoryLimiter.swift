// `Store.resourceLimiter` is `@_spi(Fuzzing)` in WasmKit 0.4.2 and there is no public way to bound `memory.grow`
// (a module's own `max` is the only other cap, up to 4 GiB). This SPI is the one place ClaveRuntime uses it; see
// docs/runtime.md, "WebAssembly runtime".
@_spi(Fuzzing) import WasmKit

/// Caps a store's linear memories at ``ResourceLimits/memory`` bytes, and its tables in proportion.
///
/// WasmKit asks it for a memory's initial size at instantiation and for every `memory.grow`. Past the limit it throws
/// ``GuestStop/memoryLimit`` instead of refusing: a refused `memory.grow` would return -1 and let the guest go on,
/// while the protocol wants a run that asked for too much to end as ``Termination/outOfMemory``.
final class LinearMemoryLimiter: ResourceLimiter {
    /// Bytes a table element is counted as (a reference), to bound tables by the same budget.
    static let tableElementSize = 16

    let memoryLimit: Int

    init(memoryLimit: Int) {
        self.memoryLimit = memoryLimit
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= memoryLimit else { throw GuestStop.memoryLimit }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        guard desired <= memoryLimit / Self.tableElementSize else { throw GuestStop.memoryLimit }
        return true
    }

    /// Installs the limiter on `store`.
    func install(on store: Store) {
        store.resourceLimiter = self
    }
}
