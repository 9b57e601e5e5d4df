import ClaveCLI
import ClaveCrypto
import ClaveLedger
import ClaveRuntime
import ClaveTestSupport
import Foundation
import Testing

/// The iApp generator: `clave app init` writes a project of each template, `clave app test` runs it as a worker
/// would (the real runtimes: WasmKit, bubblewrap with python3 and node), `clave app mock-data` makes the protected
/// data it reads, and the same project deploys and runs as a real task.
@Suite(.serialized) struct IAppProjectTests {
    static let templates = ["python", "node", "wasm-c"]

    @Test(arguments: templates)
    func aNewProjectPassesItsTestsOnItsMockData(template: String) async throws {
        let folder = try TemporaryDirectory()
        let created = try await clave([
            "app", "init", "greeter", "--template", template, "--directory", folder.url.path,
        ])
        let project = folder.url.appendingPathComponent("greeter")
        #expect(created.contains("Created \(template) iApp greeter in \(project.path)"))
        for file in ["iapp.json", "README.md", ".iappignore", "mock/protectedData/default"] {
            #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent(file).path), "\(file)")
        }

        let tested = try await clave(["app", "test", project.path])
        #expect(tested.contains("ran             exited with status 0"))
        #expect(tested.contains("greeter: greeted the protected name"))
        #expect(tested.contains("computed.json is valid; result digest 0x"))
        let result = project.appendingPathComponent("output/result.txt")
        #expect(try String(contentsOf: result, encoding: .utf8) == "Hello, Ada!\n")

        let other = try await clave(["app", "test", project.path, "--args", "email", "--json"])
        #expect(try json(other)["problem"]?.isNull == true)
        #expect(try String(contentsOf: result, encoding: .utf8) == "Hello, ada@example.com!\n")

        // Another mock, made from a record, and a field the app cannot greet.
        let mocked = try await clave(
            ["app", "mock-data", #"{"name": "Grace", "age": 36}"#, "--name", "grace", "--project", project.path])
        #expect(mocked.contains("schema  {\"age\":\"f64\",\"name\":\"string\"}"))
        _ = try await clave(["app", "test", project.path, "--protected-data", "grace"])
        #expect(try String(contentsOf: result, encoding: .utf8) == "Hello, Grace!\n")
        await expectFailure(
            ["app", "test", project.path, "--protected-data", "grace", "--args", "age"], .failed,
            "exited with status 1", "error-message: the protected field")
        await expectFailure(
            ["app", "test", project.path, "--no-protected-data"], .failed, "this app needs protected data")

        // What `app deploy` would ship leaves out the mock and the test output.
        let bundle = try AppBundle(directory: project)
        #expect(!bundle.entries.contains { $0.path.hasPrefix("mock/") || $0.path.hasPrefix("output/") })
    }

    /// Each template's app, deployed, runs as a real task on protected data, and only the requester reads its result.
    @Test func eachTemplateRunsAsARealTask() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = ExecutionTests.Parties(node)
            var apps: [String: Address] = [:]
            for template in Self.templates {
                _ = try await clave([
                    "app", "init", "hello-\(template)", "--template", template, "--directory", folder.url.path,
                ])
                let project = folder.url.appendingPathComponent("hello-\(template)")
                _ = try await clave(["app", "test", project.path])
                apps[template] = try await parties.deploy(project)
            }
            let data = try await parties.protectAndGrant(to: Array(apps.values))
            for (template, app) in apps {
                let output = folder.url.appendingPathComponent("result-\(template)")
                let result = try await parties.runApp(app, data: data, output: output)
                #expect(
                    try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                        == "Hello, Alice!\n", "\(template)")
                let task = try #require(await node.ledger.task(try Bytes32(hex: result["taskId"]!.stringValue!)))
                #expect(task.status == .completed, "\(template)")
            }
        }
    }

    /// Bad input to the generator gets one message that names the fix, and changes nothing.
    @Test func badInputIsRefusedAndChangesNothing() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.url.path
        _ = try await clave(["app", "init", "taken", "--directory", path])
        let manifest = folder.url.appendingPathComponent("taken/iapp.json")
        let before = try Data(contentsOf: manifest)
        await expectFailure(["app", "init", "taken", "--directory", path], .invalidInput, "exists already")
        #expect(try Data(contentsOf: manifest) == before)
        await expectValidationFailure(["app", "init", "x", "--template", "rust"], "is not a template; choose one of")
        await expectValidationFailure(["app", "init", "../escape"], "is not an app name")
        await expectFailure(["app", "test", path], .invalidInput, "has no iapp.json", "clave app init")
        let project = folder.url.appendingPathComponent("taken").path
        await expectFailure(
            ["app", "test", project, "--protected-data", "missing"], .invalidInput,
            "No mock protected data 'missing'", "clave app mock-data")
        await expectFailure(
            ["app", "test", project, "--input-file", "/no/such/file"], .invalidInput, "is not a file")
        await expectFailure(
            ["app", "mock-data", #"{"name": [1, 2]}"#, "--project", project], .invalidInput,
            "not one Clave can protect")
        await expectFailure(["app", "mock-data", "missing.json", "--project", project], .invalidInput, "is not a file")
        await expectValidationFailure(
            ["app", "mock-data", #"{"name": "x"}"#, "--name", "../x", "--project", project], "is not a mock's name")
        await expectValidationFailure(
            ["app", "test", project, "--protected-data", "default", "--no-protected-data"], "cannot both be given")
        let notes = folder.url.appendingPathComponent("notes.txt")
        try Data("a".utf8).write(to: notes)
        let nested = folder.url.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try Data("b".utf8).write(to: nested.appendingPathComponent("notes.txt"))
        await expectFailure(
            [
                "app", "test", project, "--input-file", notes.path, "--input-file",
                nested.appendingPathComponent("notes.txt").path,
            ], .invalidInput, "Two input files are named notes.txt")
        try FileManager.default.removeItem(at: notes)
        try FileManager.default.removeItem(at: nested)
        // Only the project's own files, and no failed mock, are left.
        let mocks = try FileManager.default.contentsOfDirectory(atPath: project + "/mock/protectedData")
        #expect(mocks == ["default"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["taken"])
    }

    /// `clave app test` checks what a worker checks: a limit passed, or no computed.json, fails the test.
    @Test func aTestFailsWhereAWorkerWouldRefuseTheResult() async throws {
        let folder = try TemporaryDirectory()
        let silent = try ExecutionTests.pythonApp(
            "silent", in: folder.url, source: "open('/iexec_out/result.txt', 'w').write('no computed.json')\n")
        await expectFailure(["app", "test", silent.path], .failed, "not a result a worker could sign", "computed.json")
        let big = try ExecutionTests.pythonApp(
            "big", in: folder.url, limits: #"{"outputMiB": 1}"#,
            source: "open('/iexec_out/big', 'wb').write(b'x' * (2 << 20))\n")
        await expectFailure(["app", "test", big.path], .failed, "wrote more than its output limit")
    }
}

/// Expects `arguments` to fail argument validation with a message holding `fragment`.
func expectValidationFailure(
    _ arguments: [String], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        _ = try await clave(arguments)
        Issue.record("clave \(arguments.joined(separator: " ")) succeeded", sourceLocation: sourceLocation)
    } catch {
        let message = ClaveCommand.message(for: error)
        #expect(message.contains(fragment), "\(message)", sourceLocation: sourceLocation)
    }
}
