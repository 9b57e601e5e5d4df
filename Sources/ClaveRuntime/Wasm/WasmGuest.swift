import WasmKit
import WasmKitWASI

/// One WebAssembly run, synchronous on the calling thread: an instance (kept from an earlier run of the module, or
/// new), its WASI functions bound to this run's bridge behind the gate, its fuel, `_start`.
struct WasmGuest: Sendable {
    var image: WasmModuleImage
    var limits: ResourceLimits
    var bridge: WASIBridgeToHost
    var gate: WASIGate
    var pool: WasmInstancePool

    /// Runs `_start` to its end, then closes the bridge (whatever happened). An instance whose run returned or exited
    /// goes back to the pool once reset; any other end drops it.
    ///
    /// Throws only when the module cannot be instantiated for a reason of its own (an import WASI does not provide).
    func run() throws(RuntimeError) -> Termination {
        let limits = limits
        let image = image
        let gate = gate
        let pool = pool
        let key = WasmInstancePool.Key(
            digest: image.digest, fuelMetering: limits.fuel != nil, memoryLimit: limits.memory)
        do {
            let (code, instance) = try bridge.runAndClose { bridge in
                let instance: KeptInstance
                do {
                    instance = try pool.instance(of: image, key: key, bridge: bridge, gate: gate)
                } catch let error where !(error is GuestStop) && !(error is Trap) {
                    throw RuntimeError(
                        .invalidModule,
                        "The WebAssembly module cannot be instantiated: \(error). A Clave app must be a WASI "
                            + "preview 1 command that imports only wasi_snapshot_preview1 functions.")
                }
                defer { instance.imports.unbind() }
                if let fuel = limits.fuel {
                    instance.store.fuel = Fuel(remaining: fuel)
                }
                return (try bridge.start(instance.instance), instance)
            }
            pool.giveBack(instance)
            return .exited(Int32(bitPattern: code))
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
