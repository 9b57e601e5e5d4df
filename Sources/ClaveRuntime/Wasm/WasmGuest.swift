import WasmKit
import WasmKitWASI

/// One WebAssembly run, synchronous on the calling thread: engine, store and limits, WASI behind the gate, `_start`.
struct WasmGuest: Sendable {
    var module: Module
    var limits: ResourceLimits
    var bridge: WASIBridgeToHost
    var gate: WASIGate

    /// Instantiates the module and runs `_start` to its end, then closes the bridge (whatever happened).
    ///
    /// Throws only when the module cannot be instantiated for a reason of its own (an import WASI does not provide).
    func run() throws(RuntimeError) -> Termination {
        let limits = limits
        let module = module
        let gate = gate
        do {
            return try bridge.runAndClose { bridge in
                let engine = Engine(configuration: EngineConfiguration(fuelMetering: limits.fuel != nil))
                let store = Store(engine: engine)
                if let fuel = limits.fuel {
                    store.fuel = Fuel(remaining: fuel)
                }
                LinearMemoryLimiter(memoryLimit: limits.memory).install(on: store)
                var imports = Imports()
                gate.link(bridge, to: &imports, store: store)
                let instance: Instance
                do {
                    instance = try module.instantiate(store: store, imports: imports)
                } catch let error where !(error is GuestStop) && !(error is Trap) {
                    throw RuntimeError(
                        .invalidModule,
                        "The WebAssembly module cannot be instantiated: \(error). A Clave app must be a WASI preview 1 "
                            + "command that imports only wasi_snapshot_preview1 functions.")
                }
                return .exited(Int32(bitPattern: try bridge.start(instance)))
            }
        } catch let error as RuntimeError {
            throw error
        } catch let stop as GuestStop {
            return switch stop {
            case .memoryLimit: .outOfMemory
            case .outputLimit: .outputTooLarge
            case .revoked: .timedOut
            }
        } catch let trap as Trap {
            let text = String(String(describing: trap).split(separator: "\n", maxSplits: 1).first ?? "")
            let reason = text.hasPrefix("Trap: ") ? String(text.dropFirst("Trap: ".count)) : text
            return reason == "out of fuel" ? .outOfFuel : .trapped(reason)
        } catch {
            return .trapped(String(describing: error))
        }
    }
}
