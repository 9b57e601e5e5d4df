import ArgumentParser
import ClaveCore
import ClaveCrypto
import ClaveRuntime
import Foundation
import Logging

/// `clave app test`: runs a project's app here, in the runtime and sandbox a worker uses, on mock protected data.
struct AppTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run an iApp here as a worker would, on mock protected data; check its computed.json and output.",
        discussion: """
            Runs `build.sh` first when the project has one, then the bundle `clave app deploy` would deploy (what \
            .iappignore lists is left out), in its runtime: WasmKit for `wasm`, bubblewrap for `process`, with the \
            manifest's limits and iExec's environment. The output goes to <project>/output; the app's standard \
            output and error are printed. Without --protected-data, the mock named `default` is used when the \
            project has one. Exits non-zero when the app fails, times out, passes a limit, or writes no valid \
            computed.json.
            Examples:
              clave app test
              clave app test greeter --args email --protected-data grace --secret 1=token --input-file notes.txt
            """
    )

    @Argument(help: "The project's folder (with iapp.json).")
    var project: String = "."

    @Option(help: "The app's arguments (iExec's iexec_args), as one string.")
    var args: String?

    @Option(
        help: ArgumentHelp(
            "Mock protected data: a name from `clave app mock-data`, or the path of a protected data zip.",
            valueName: "mock"))
    var protectedData: String?

    @Flag(help: "Run without protected data, even when the project has a `default` mock.")
    var noProtectedData = false

    @Option(help: "A local file for the app's $IEXEC_IN (repeat for several).")
    var inputFile: [String] = []

    @Option(help: "A requester secret, as <index>=<value>: IEXEC_REQUESTER_SECRET_<index> (repeat).")
    var secret: [String] = []

    @Option(help: "The app developer's secret: IEXEC_APP_DEVELOPER_SECRET.")
    var appSecret: String?

    @OptionGroup var format: JSONOutput

    private var json: Bool { format.json }

    func validate() throws {
        if noProtectedData && protectedData != nil {
            throw ValidationError("--protected-data and --no-protected-data cannot both be given; choose one.")
        }
        _ = try requesterSecrets()
        if let args { _ = try splitArguments(args) }
    }

    private func requesterSecrets() throws -> [UInt64: String] { try parseRequesterSecrets(secret) }

    private func splitArguments(_ text: String) throws -> [String] {
        do {
            return try DealParams.split(arguments: text)
        } catch {
            throw ValidationError("--args cannot be split into arguments: \(error.message)")
        }
    }

    func run() async throws {
        let folder = URL(fileURLWithPath: project)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(AppManifest.fileName).path) else {
            throw CLIError(
                .invalidInput,
                "\(folder.path) has no \(AppManifest.fileName); give the project's folder, or make one with `clave app init <name>`."
            )
        }
        try build(folder)
        let bundle: AppBundle
        do {
            bundle = try AppBundle(directory: folder)
        } catch {
            throw CLIError(.invalidInput, error.message)
        }
        let dataset = try datasetFile(in: folder)
        let inputs = try inputFiles()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("clave-app-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let output = folder.appendingPathComponent("output")
        let execution = try prepare(bundle, work: work, output: output, dataset: dataset, inputs: inputs)
        if !json {
            say(
                "Testing \(bundle.manifest.name) \(bundle.manifest.version) (\(bundle.manifest.runtime.rawValue)), measurement \(bundle.measurement)"
            )
            say("  protected data  \(dataset.map(\.path) ?? "none")")
        }
        let result: ExecutionResult
        do {
            result = try await runtime(for: bundle.manifest).run(execution)
        } catch {
            throw CLIError(error.code == .sandboxUnavailable ? .systemFailure : .invalidInput, error.message)
        }
        try report(result, execution: execution, bundle: bundle)
    }

    /// Runs the project's `build.sh`, when it has one, with its output on standard error.
    private func build(_ folder: URL) throws {
        let script = folder.appendingPathComponent("build.sh")
        guard FileManager.default.fileExists(atPath: script.path) else { return }
        if !json { say("Building: \(script.path)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CLIError(.systemFailure, "Cannot run \(script.path): \(error.localizedDescription).")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError(
                .failed,
                "\(script.path) failed (exit status \(process.terminationStatus)); fix the build and test again.")
        }
    }

    /// The protected data to run on: `--protected-data` (a mock's name or a file), else the `default` mock if any.
    private func datasetFile(in folder: URL) throws -> URL? {
        if noProtectedData { return nil }
        guard let protectedData else {
            let mock = folder.appendingPathComponent(MockData.path(MockData.defaultName))
            return FileManager.default.fileExists(atPath: mock.path) ? mock : nil
        }
        let mock = folder.appendingPathComponent(MockData.path(protectedData))
        if MockData.isValidName(protectedData), FileManager.default.fileExists(atPath: mock.path) { return mock }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: protectedData, isDirectory: &isFolder), !isFolder.boolValue {
            return URL(fileURLWithPath: protectedData)
        }
        throw CLIError(
            .invalidInput,
            "No mock protected data '\(protectedData)' in \(folder.appendingPathComponent(MockData.folder).path), and no such file; make it with `clave app mock-data '{\"name\": \"Ada\"}' --name \(protectedData)`."
        )
    }

    private func inputFiles() throws -> [URL] {
        var names: Set<String> = []
        return try inputFile.map { path in
            let url = URL(fileURLWithPath: path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                throw CLIError(.invalidInput, "--input-file \(path) is not a file; give the path of one.")
            }
            guard names.insert(url.lastPathComponent).inserted else {
                throw CLIError(
                    .invalidInput,
                    "Two input files are named \(url.lastPathComponent); the app finds them by name, so rename one.")
            }
            return url
        }
    }

    /// The run's folders and environment: the bundle unpacked, `$IEXEC_IN` filled, `$IEXEC_OUT` emptied.
    private func prepare(_ bundle: AppBundle, work: URL, output: URL, dataset: URL?, inputs: [URL]) throws -> Execution
    {
        let input = work.appendingPathComponent("iexec_in")
        let bundleFolder = work.appendingPathComponent("bundle")
        var environment = AppEnvironment(
            taskId: Bytes32.zero.description, dealId: Bytes32.zero.description,
            inputFiles: inputs.map(\.lastPathComponent),
            appDeveloperSecret: appSecret, requesterSecrets: try requesterSecrets())
        do {
            try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
            try bundle.unpack(into: bundleFolder)
            if let dataset {
                let bytes = try Data(contentsOf: dataset)
                let filename = Address.zero.checksummed
                try bytes.write(to: input.appendingPathComponent(filename))
                environment.dataset = AppEnvironment.Dataset(
                    address: filename, filename: filename, checksum: SHA256Hasher.hash(bytes).description)
            }
            for file in inputs {
                try FileManager.default.copyItem(at: file, to: input.appendingPathComponent(file.lastPathComponent))
            }
            try? FileManager.default.removeItem(at: output)
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            for url in [input, work] {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
        } catch {
            throw CLIError(
                .systemFailure, "Cannot prepare the test run in \(work.path): \(error.localizedDescription).")
        }
        return Execution(
            bundle: bundleFolder, entrypoint: bundle.manifest.entrypoint,
            arguments: try args.map(splitArguments) ?? [], environment: environment.variables, input: input,
            output: output, limits: bundle.manifest.limits, standardOutput: work.appendingPathComponent("stdout.log"),
            standardError: work.appendingPathComponent("stderr.log"))
    }

    private func runtime(for manifest: AppManifest) -> any AppRuntime {
        switch manifest.runtime {
        case .wasm: WasmRuntime(logger: Logger(label: "clave.app-test") { _ in SwiftLogNoOpLogHandler() })
        case .process: ProcessRuntime()
        }
    }

    /// Prints what the app wrote and said, and checks its result as a worker would before it signs one.
    private func report(_ result: ExecutionResult, execution: Execution, bundle: AppBundle) throws {
        let stdout = Self.text(execution.standardOutput)
        let stderr = Self.text(execution.standardError)
        let output = execution.output
        var problem: String?
        var digest: Bytes32?
        if !result.termination.succeeded {
            let said = OutputDigest.errorMessage(in: output).map { "; its error-message: \($0)" } ?? ""
            problem = "The app \(result.termination)\(said)."
        } else if let message = OutputDigest.errorMessage(in: output) {
            problem = "The app exited with status 0 but reported an error-message: \(message)."
        } else {
            do {
                digest = try OutputDigest.compute(output: output).digest
            } catch {
                problem = "The app's output is not a result a worker could sign: \(error.message)"
            }
        }
        let files = (FileManager.default.subpaths(atPath: output.path) ?? []).sorted().compactMap { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: output.appendingPathComponent(path).path)
            return attributes?[.type] as? FileAttributeType == .typeRegular
                ? (path, (attributes?[.size] as? Int) ?? 0) : nil
        }
        let total = files.reduce(0) { $0 + $1.1 }
        if json {
            let summary: JSONValue = [
                "app": .string(bundle.manifest.name), "measurement": .string(bundle.measurement.description),
                "termination": .string(result.termination.description),
                "wallTimeMilliseconds": .number(
                    JSONValue.Number(
                        result.wallTime.components.seconds * 1000 + result.wallTime.components.attoseconds
                            / 1_000_000_000_000_000)),
                "output": .string(output.path), "files": .array(files.map { .string($0.0) }),
                "outputBytes": .number(JSONValue.Number(total)),
                "resultDigest": digest.map { .string($0.description) } ?? .null,
                "stdout": .string(stdout), "stderr": .string(stderr), "problem": problem.map(JSONValue.string) ?? .null,
            ]
            say(String(decoding: summary.serialized(), as: UTF8.self))
        } else {
            say(
                "  ran             \(result.termination), in \(result.wallTime.formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated)))"
            )
            say("-- standard output\(stdout.isEmpty ? " (empty)" : "")")
            if !stdout.isEmpty { say(stdout.hasSuffix("\n") ? String(stdout.dropLast()) : stdout) }
            say("-- standard error\(stderr.isEmpty ? " (empty)" : "")")
            if !stderr.isEmpty { say(stderr.hasSuffix("\n") ? String(stderr.dropLast()) : stderr) }
            say("-- output in \(output.path): \(total) bytes of the \(execution.limits.outputSize) allowed")
            for (path, size) in files { say("  \(path)  (\(size) bytes)") }
            if let digest {
                say("computed.json is valid; result digest \(digest).")
                say("Deploy it with: clave app deploy \(project)")
            }
        }
        if let problem { throw CLIError(.failed, problem) }
    }

    private static func text(_ url: URL) -> String {
        FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
