import ClaveCrypto

/// An iApp's `iapp.json`: what the app is and how a worker runs it (docs/iapp-bundle.md).
///
/// ```json
/// {"name": "hello", "version": "1.0.0", "runtime": "process", "entrypoint": ["python3", "app.py"],
///  "limits": {"memoryMiB": 256, "timeSeconds": 30, "processes": 16, "outputMiB": 8}}
/// ```
public struct AppManifest: Sendable, Hashable {
    /// The two kinds of app a worker runs.
    public enum Runtime: String, Sendable, Hashable, CaseIterable {
        /// A WebAssembly module (WASI preview 1), run by WasmKit.
        case wasm
        /// A command (`python3 app.py`, a native binary) run in a bubblewrap sandbox.
        case process
    }

    public static let fileName = "iapp.json"

    public var name: String
    public var version: String
    public var runtime: Runtime
    /// For `wasm`, one element: the module's path in the bundle. For `process`, the command line: a program on the
    /// sandbox's PATH (`python3`) or a path in the bundle, then its fixed arguments.
    public var entrypoint: [String]
    public var limits: ResourceLimits

    public init(name: String, version: String, runtime: Runtime, entrypoint: [String], limits: ResourceLimits) {
        self.name = name
        self.version = version
        self.runtime = runtime
        self.entrypoint = entrypoint
        self.limits = limits
    }

    /// Reads and checks `iapp.json`; every refusal names the field and what it must be.
    public init(json bytes: [UInt8]) throws(RuntimeError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw Self.invalid("is not valid JSON (\(error.message))")
        }
        guard let object = value.objectValue else { throw Self.invalid("must be a JSON object") }
        let known: Set<String> = ["name", "version", "runtime", "entrypoint", "limits", "description"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw Self.invalid(
                "has an unknown field '\(unknown)'; the fields are \(known.sorted().joined(separator: ", "))")
        }

        guard let name = object["name"]?.stringValue, Self.isValidName(name) else {
            throw Self.invalid("needs a 'name' of 1 to 64 letters, digits, '.', '-' or '_'")
        }
        guard let version = object["version"]?.stringValue, !version.isEmpty, version.count <= 64 else {
            throw Self.invalid("needs a 'version', a string of 1 to 64 characters (e.g. \"1.0.0\")")
        }
        guard let runtimeText = object["runtime"]?.stringValue, let runtime = Runtime(rawValue: runtimeText) else {
            throw Self.invalid("needs a 'runtime' of \"wasm\" or \"process\"")
        }
        let entrypoint: [String]
        if let text = object["entrypoint"]?.stringValue {
            entrypoint = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        } else if let array = object["entrypoint"]?.arrayValue {
            let strings = array.compactMap(\.stringValue)
            guard strings.count == array.count else {
                throw Self.invalid("has an 'entrypoint' array with an element that is not a string")
            }
            entrypoint = strings
        } else {
            throw Self.invalid("needs an 'entrypoint': a command line, as a string or an array of strings")
        }
        guard let program = entrypoint.first, !program.isEmpty else {
            throw Self.invalid("has an empty 'entrypoint'")
        }
        if runtime == .wasm {
            guard entrypoint.count == 1, program.hasSuffix(".wasm") else {
                throw Self.invalid(
                    "has runtime \"wasm\", so its 'entrypoint' must be one path to a .wasm module in the bundle, not '\(entrypoint.joined(separator: " "))'"
                )
            }
        }
        if program.contains("/") || runtime == .wasm {
            guard BundlePath.isSafe(program) else {
                throw Self.invalid(
                    "has an 'entrypoint' path '\(program)' that leaves the bundle; give a relative path inside it")
            }
        }
        let limits = try Self.limits(object["limits"])
        self.init(name: name, version: version, runtime: runtime, entrypoint: entrypoint, limits: limits)
    }

    /// The manifest as canonical JSON (sorted keys), the form `clave app init` writes.
    public var json: [UInt8] {
        var limitFields: [String: JSONValue] = [
            "memoryMiB": .number(JSONValue.Number(limits.memory >> 20)),
            "timeSeconds": .number(JSONValue.Number(limits.wallTime.components.seconds)),
            "processes": .number(JSONValue.Number(limits.processes)),
            "outputMiB": .number(JSONValue.Number(limits.outputSize >> 20)),
        ]
        if let fuel = limits.fuel { limitFields["fuel"] = .number(JSONValue.Number(fuel)) }
        let object: [String: JSONValue] = [
            "name": .string(name), "version": .string(version), "runtime": .string(runtime.rawValue),
            "entrypoint": .array(entrypoint.map(JSONValue.string)), "limits": .object(JSONValue.Object(limitFields)),
        ]
        return CanonicalJSON.encode(.object(JSONValue.Object(object)))
    }

    // MARK: Checks

    private static func limits(_ value: JSONValue?) throws(RuntimeError) -> ResourceLimits {
        var limits = ResourceLimits.default
        guard let value else { return limits }
        guard let object = value.objectValue else {
            throw invalid("has 'limits' that is not an object; give {\"memoryMiB\": 256, \"timeSeconds\": 30, ...}")
        }
        let ranges: [(key: String, range: ClosedRange<Int64>)] = [
            ("memoryMiB", 1...16_384), ("timeSeconds", 1...86_400), ("processes", 1...4096), ("outputMiB", 1...4096),
            ("fuel", 1...Int64.max),
        ]
        let known = Set(ranges.map(\.key))
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw invalid(
                "has an unknown limit '\(unknown)'; the limits are \(known.sorted().joined(separator: ", "))")
        }
        for (key, range) in ranges {
            guard let field = object[key] else { continue }
            guard let number = field.numberValue?.int64, range.contains(number) else {
                throw invalid(
                    "has limit '\(key)' that is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            switch key {
            case "memoryMiB": limits.memory = Int(number) << 20
            case "timeSeconds": limits.wallTime = .seconds(number)
            case "processes": limits.processes = Int(number)
            case "outputMiB": limits.outputSize = Int(number) << 20
            default: limits.fuel = UInt64(number)
            }
        }
        return limits
    }

    /// Whether `name` is an app's name: 1 to 64 letters, digits, `.`, `-` or `_`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F
            }
    }

    private static func invalid(_ what: String) -> RuntimeError {
        RuntimeError(.invalidBundle, "\(fileName) \(what).")
    }
}

/// Paths inside a bundle: relative, `/`-separated, without `.`, `..` or empty segments.
enum BundlePath {
    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), path.utf8.count <= 255 else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0")
        }
    }
}
