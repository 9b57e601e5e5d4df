import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveRuntime
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Foundation
import Testing

/// The whole of a confidential task through the `clave` commands, against a node with its workers: an iApp deployed,
/// data protected and granted, the app run, the result fetched, checked and decrypted by its requester only — with
/// the real runtimes (WebAssembly in process, Python in bubblewrap), the real SMS and the real ledger.
@Suite(.serialized) struct ExecutionTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    /// Writes a Python iApp named `name` in `folder` (`iapp.json`, with `limits` when given, and `app.py` holding
    /// `source`) and returns its folder.
    static func pythonApp(_ name: String, in folder: URL, limits: String? = nil, source: String) throws -> URL {
        let app = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        let manifest = """
            {"name": "\(name)", "version": "1.0.0", "runtime": "process", "entrypoint": ["python3", "app.py"]\(
                limits.map { ", \"limits\": \($0)" } ?? "")}
            """
        try Data(manifest.utf8).write(to: app.appendingPathComponent("iapp.json"))
        try Data(source.utf8).write(to: app.appendingPathComponent("app.py"))
        return app
    }

    /// The parties: a developer, a data owner, a requester, and someone else.
    struct Parties {
        let node: RunningNode
        let developer: Address
        let owner: Address
        let requester: Address
        let stranger: Address

        init(_ node: RunningNode) {
            self.node = node
            let accounts = node.node.createdAccounts.map(\.address)
            developer = accounts[0]
            owner = accounts[1]
            requester = accounts[2]
            stranger = accounts[3]
        }

        @discardableResult
        func run(_ arguments: [String], as account: Address) async throws -> String {
            try await clave(arguments + node.remote + node.signer(account))
        }

        /// Deploys the iApp in `folder` and returns its address.
        func deploy(_ folder: URL, price: UInt64 = 0) async throws -> Address {
            let output = try json(
                try await run(["app", "deploy", folder.path, "--price", String(price), "--json"], as: developer))
            return try Address(output["app"]!.stringValue!)
        }

        /// Protects `{"name": "Alice"}` and grants it to `apps` for the requester.
        func protectAndGrant(to apps: [Address], price: UInt64 = 0) async throws -> Address {
            let protected = try json(
                try await run(["data", "protect", #"{"name": "Alice"}"#, "--name", "alice", "--json"], as: owner))
            let data = try Address(protected["address"]!.stringValue!)
            for app in apps {
                try await run(
                    [
                        "data", "grant", data.checksummed, "--app", app.checksummed, "--user",
                        requester.checksummed, "--count", "5", "--price", String(price),
                    ], as: owner)
            }
            return data
        }

        /// Runs `app` on `data` for the requester into `output` and returns what `app run --json` printed.
        func runApp(_ app: Address, data: Address, output: URL, extra: [String] = []) async throws -> JSONValue {
            try json(
                try await run(
                    [
                        "app", "run", app.checksummed, "--dataset", data.checksummed, "--output", output.path,
                        "--timeout", "60", "--max-price", "10", "--json",
                    ] + extra, as: requester))
        }
    }

    @Test func wasmAndPythonAppsReadProtectedDataAndOnlyTheRequesterReadsTheResult() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            try await parties.run(["account", "deposit", "1000"], as: parties.requester)
            let wasm = try await parties.deploy(Self.examples.appendingPathComponent("hello-wasm-c"), price: 3)
            let python = try await parties.deploy(Self.examples.appendingPathComponent("hello-python"), price: 3)
            let data = try await parties.protectAndGrant(to: [wasm, python], price: 5)
            for (app, name) in [(wasm, "wasm"), (python, "python")] {
                let output = folder.url.appendingPathComponent("result-\(name)")
                let result = try await parties.runApp(app, data: data, output: output)
                #expect(
                    try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                        == "Hello, Alice!\n")
                #expect(result["attestation"]?.stringValue == "simulated")
                let taskId = try Bytes32(hex: result["taskId"]!.stringValue!)
                let task = try #require(await node.ledger.task(taskId))
                #expect(task.status == .completed)
                // The receipt verifies offline, and names the app's registered measurement.
                let receiptFile = folder.url.appendingPathComponent("receipt-\(name).json")
                try Data(result["receipt"]!.serialized()).write(to: receiptFile)
                let verified = try await clave(["result", "verify", receiptFile.path])
                #expect(verified.contains("Receipt verified: task \(taskId)"))
                #expect(verified.contains("simulated"))
                let app = try #require(await node.ledger.app(app))
                #expect(app.mrenclave == result["receipt"]?["appMeasurement"]?.stringValue)
                // Someone else cannot decrypt it.
                await expectFailure(
                    [
                        "result", "fetch", taskId.description, "--output",
                        folder.url.appendingPathComponent("stolen-\(name)").path,
                    ]
                        + node.remote + node.signer(parties.stranger),
                    .verificationFailed, "does not decrypt")
                // The app's logs are the requester's.
                let logs = try await parties.run(["task", "logs", taskId.description], as: parties.requester)
                #expect(logs.contains("hello: greeted the protected name"))
            }
            // Who was paid: the developer 3 and the data owner 5 per task, from the requester's deposit.
            #expect(await node.ledger.account(parties.developer).balance == 6)
            #expect(await node.ledger.account(parties.owner).balance == 10)
            #expect(await node.ledger.account(parties.requester).balance == 1000 - 16)
        }
    }

    @Test func aFailedAppTellsTheRequesterWhyAndTheWorkerGoesOn() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            let python = try await parties.deploy(Self.examples.appendingPathComponent("hello-python"))
            let data = try await parties.protectAndGrant(to: [python])
            await expectFailure(
                [
                    "app", "run", python.checksummed, "--dataset", data.checksummed, "--args", "email", "--output",
                    folder.url.appendingPathComponent("failed").path, "--timeout", "60",
                ] + node.remote + node.signer(parties.requester),
                .failed, "app-failed", "the protected data has no field 'email'", "refunded")
            // `clave status` finds the requester's deal and its task; `clave task debug` tells why it failed.
            let status = try json(try await parties.run(["status", "--json"], as: parties.requester))
            #expect(status["pool"]?["workers"]?.arrayValue?.isEmpty == false)
            let deals = try #require(status["account"]?["deals"]?.arrayValue)
            #expect(deals.count == 1)
            let taskId = try #require(deals.first?["tasks"]?.arrayValue?.first?["taskId"]?.stringValue)
            let debug = try await parties.run(["task", "debug", taskId], as: parties.requester)
            #expect(debug.contains("failed: app-failed"))
            #expect(debug.contains("the protected data has no field 'email'"))
            #expect(debug.contains("== logs of worker"))
            let text = try await parties.run(["status"], as: parties.requester)
            #expect(text.contains("You \(parties.requester)"))
            #expect(text.contains("deals (1 latest)"))
            // The same app on the same data, asked for a field it has, still runs.
            let output = folder.url.appendingPathComponent("after")
            _ = try await parties.runApp(python, data: data, output: output, extra: ["--args", "name"])
            #expect(
                try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                    == "Hello, Alice!\n")
        }
    }

    @Test func aBundleThatIsNotTheRegisteredOneGetsNoKeys() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            let honest = try await parties.deploy(Self.examples.appendingPathComponent("hello-wasm-c"))
            let registered = try #require(await node.ledger.app(honest))
            // An app whose bundle is the C app's, but whose registered measurement is the Python app's.
            let other = try AppBundle(directory: Self.examples.appendingPathComponent("hello-python"))
            let developerKey = node.node.createdAccounts[0].privateKey
            let receipt = try await node.submit(
                developerKey,
                .createApp(
                    name: "impostor", type: "WASM", multiaddr: registered.multiaddr, checksum: other.measurement,
                    mrenclave: other.measurement.description))
            guard case .appCreated(let impostor, _) = receipt.events.first(where: { $0.name == "AppCreated" }) else {
                Issue.record("no AppCreated event")
                return
            }
            let order = AppOrder(
                app: impostor, appprice: 0, volume: 10, tag: .zero, datasetrestrict: .zero, workerpoolrestrict: .zero,
                requesterrestrict: .zero, salt: .random())
            _ = try await node.node.orderbook.publish(
                .signed(order, with: developerKey, in: node.node.directory.genesis.configuration.orderDomain))
            let data = try await parties.protectAndGrant(to: [impostor])
            await expectFailure(
                [
                    "app", "run", impostor.checksummed, "--dataset", data.checksummed, "--output",
                    folder.url.appendingPathComponent("none").path, "--timeout", "60",
                ] + node.remote + node.signer(parties.requester),
                .failed, "key-release-refused", "measured", "registered")
        }
    }
}

@Suite(.serialized) struct ExecutionRefusalTests {
    typealias Parties = ExecutionTests.Parties

    @Test func aResultAlteredInStorageFailsDecryptionAndVerify() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            let wasm = try await parties.deploy(ExecutionTests.examples.appendingPathComponent("hello-wasm-c"))
            let data = try await parties.protectAndGrant(to: [wasm])
            let result = try await parties.runApp(wasm, data: data, output: folder.url.appendingPathComponent("first"))
            let taskId = try Bytes32(hex: result["taskId"]!.stringValue!)
            let receipt = result["receipt"]!
            let cid = try CID(receipt["result"]!["cid"]!.stringValue!)
            // One byte of the stored result flipped, where the store keeps it (a pack, for a result this small).
            let location = try #require(try node.node.blobs.location(of: cid))
            var bytes = try Data(contentsOf: location.url)[location.offset..<(location.offset + location.size)]
            let flipped = location.offset + location.size / 2
            bytes[flipped] ^= 0x01
            let handle = try FileHandle(forWritingTo: location.url)
            try handle.seek(toOffset: UInt64(flipped))
            try handle.write(contentsOf: Data([bytes[flipped]]))
            try handle.close()
            // The altered blob as a file of its own, for the offline checks below.
            let file = folder.url.appendingPathComponent("altered.blob")
            try Data(bytes).write(to: file)
            /// `clave result fetch` of `task` is refused with `code` and `message`, and writes nothing to `output`.
            func expectFetchRefused(
                _ task: Bytes32, into output: URL, _ code: CLIError.Code, _ message: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async {
                await expectFailure(
                    ["result", "fetch", task.description, "--output", output.path] + node.remote
                        + node.signer(parties.requester),
                    code, message, sourceLocation: sourceLocation)
                #expect(!FileManager.default.fileExists(atPath: output.path), sourceLocation: sourceLocation)
            }
            // The store itself finds its copy no longer hashes to the CID, and serves nothing of it.
            await expectFetchRefused(taskId, into: folder.url.appendingPathComponent("second"), .refused, "corrupted")
            // Offline: the receipt still verifies, but not against the altered file, which does not decrypt either.
            let receiptFile = folder.url.appendingPathComponent("receipt.json")
            try Data(receipt.serialized()).write(to: receiptFile)
            try await clave(["result", "verify", receiptFile.path])
            await expectFailure(["result", "verify", receiptFile.path, "--stored", file.path], .verificationFailed)
            let notAReceipt = folder.url.appendingPathComponent("not-a-receipt.json")
            try Data("hello".utf8).write(to: notAReceipt)
            await expectFailure(["result", "verify", notAReceipt.path], .verificationFailed, "not valid JSON")
            await expectFailure(
                [
                    "result", "decrypt", file.path, "--task", taskId.description, "--output",
                    folder.url.appendingPathComponent("altered.zip").path,
                ] + node.signer(parties.requester),
                .verificationFailed, "does not decrypt")

            // A task whose receipt the store lost: nothing of its result is used without it.
            let other = try await parties.runApp(wasm, data: data, output: folder.url.appendingPathComponent("third"))
            let otherId = try Bytes32(hex: other["taskId"]!.stringValue!)
            let task = try #require(await node.node.ledger.task(otherId))
            let receiptCID = try CID(try ResultLocation(bytes: task.results).receipt)
            #expect(try await node.node.blobs.delete(receiptCID))
            await expectFetchRefused(
                otherId, into: folder.url.appendingPathComponent("fourth"), .verificationFailed,
                "is not in the node's blob store")
        }
    }

    /// A result above the size the requester opens in memory (4 MiB sealed) goes through files, in constant memory,
    /// and comes out the same.
    @Test func aLargeResultIsFetchedThroughFiles() async throws {
        let folder = try TemporaryDirectory()
        let app = try ExecutionTests.pythonApp(
            "large", in: folder.url,
            source: #"""
                import json, os
                out = os.environ["IEXEC_OUT"]
                open(os.path.join(out, "large.bin"), "wb").write(bytes(range(256)) * (5 * 4096))
                json.dump({"deterministic-output-path": "/iexec_out"}, open(os.path.join(out, "computed.json"), "w"))
                """#)
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            let large = try await parties.deploy(app)
            let data = try await parties.protectAndGrant(to: [large])
            let output = folder.url.appendingPathComponent("out")
            // 5 MiB of output: its sealed archive is above the in-memory size.
            _ = try await parties.runApp(large, data: data, output: output)
            let bytes = try Data(contentsOf: output.appendingPathComponent("large.bin"))
            #expect(bytes == Data((0..<(5 * 4096)).flatMap { _ in (0...255).map { UInt8($0) } }))
        }
    }

    /// `app run --volume N`: one deal of N tasks, each run with its own index, every result fetched, verified and
    /// decrypted into `<output>/task-<index>`. A grant with less left gives a smaller deal, and says so.
    @Test func aDealOfSeveralTasksRunsEachAndFetchesEveryResult() async throws {
        let folder = try TemporaryDirectory()
        let app = try ExecutionTests.pythonApp(
            "indexer", in: folder.url,
            source: #"""
                import json, os
                out = os.environ["IEXEC_OUT"]
                open(os.path.join(out, "result.txt"), "w").write("task " + os.environ["IEXEC_BOT_TASK_INDEX"] + "\n")
                json.dump({"deterministic-output-path": "/iexec_out/result.txt"}, open(os.path.join(out, "computed.json"), "w"))
                """#)
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            let indexer = try await parties.deploy(app)
            // The grant allows 5 uses.
            let data = try await parties.protectAndGrant(to: [indexer])
            let output = folder.url.appendingPathComponent("bag")
            let results = try await parties.runApp(indexer, data: data, output: output, extra: ["--volume", "3"])
            let taskIds = try #require(results.arrayValue).map { try Bytes32(hex: $0["taskId"]!.stringValue!) }
            #expect(taskIds.count == 3)
            for index in 0..<3 {
                #expect(
                    try String(contentsOf: output.appendingPathComponent("task-\(index)/result.txt"), encoding: .utf8)
                        == "task \(index)\n")
                #expect(await node.ledger.task(taskIds[index])?.status == .completed)
            }
            let deal = try #require(await node.ledger.task(taskIds[0]).map(\.dealId))
            #expect(await node.ledger.deal(deal)?.botSize == 3)

            // Two uses are left: a deal of 3 gets 2 tasks, and the text says why.
            let text = try await parties.run(
                [
                    "app", "run", indexer.checksummed, "--dataset", data.checksummed, "--volume", "3", "--output",
                    folder.url.appendingPathComponent("rest").path, "--timeout", "60",
                ], as: parties.requester)
            #expect(text.contains("2 task(s) (an order had no more volume left)"))
            // A new request order: its deal's tasks count from 0 again (PoCo's botFirst is the order's use so far).
            for index in 0..<2 {
                #expect(
                    try String(
                        contentsOf: folder.url.appendingPathComponent("rest/task-\(index)/result.txt"), encoding: .utf8)
                        == "task \(index)\n")
            }
            // A volume of 0 is a usage error, refused before anything is asked.
            do {
                try await clave(
                    ["app", "run", indexer.checksummed, "--dataset", data.checksummed, "--volume", "0"] + node.remote
                        + node.signer(parties.requester))
                Issue.record("--volume 0 was accepted")
            } catch {
                #expect("\(error)".contains("--volume is the number of tasks to run: 1 or more."))
            }
        }
    }

    /// What a requester gives `app run` is checked before anything is stored, pushed or signed: each mistake gets
    /// one message naming the fix, and the ledger does not move.
    @Test func appRunRefusesBadInputAndChangesNothing() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4) { node in
            let parties = Parties(node)
            let wasm = try await parties.deploy(ExecutionTests.examples.appendingPathComponent("hello-wasm-c"))
            let protected = try json(
                try await parties.run(
                    ["data", "protect", #"{"name": "Alice"}"#, "--name", "alice", "--json"], as: parties.owner))
            let data = protected["address"]!.stringValue!
            let height = await node.ledger.head.height
            let run = ["app", "run", wasm.checksummed, "--dataset", data]
            let requester = node.remote + node.signer(parties.requester)
            await expectFailure(
                ["app", "run", parties.stranger.checksummed, "--dataset", data] + requester, .notFound,
                "No app is registered")
            await expectFailure(
                run + ["--input-file", folder.url.appendingPathComponent("missing.csv").path] + requester,
                .invalidInput, "no readable file", "missing.csv")
            await expectFailure(run + ["--args", "'unclosed"] + requester, .invalidInput, "arguments cannot be read")
            await expectFailure(run + ["--category", "99"] + requester, .invalidInput, "Category 99 does not exist")
            await expectFailure(run + requester, .notFound, "granted no access", "clave data grant")
            #expect(await node.ledger.head.height == height)
        }
    }

    /// An app that misbehaves is contained and reported, and the worker goes on: an infinite loop ends at its time
    /// limit; a socket and /etc/passwd are not there to be had.
    @Test func aMisbehavingAppIsContainedAndTheWorkerStaysHealthy() async throws {
        let folder = try TemporaryDirectory()
        let app = try ExecutionTests.pythonApp(
            "prober", in: folder.url, limits: #"{"memoryMiB": 256, "timeSeconds": 3, "processes": 8, "outputMiB": 1}"#,
            source: #"""
                import json, os, socket, sys
                out = os.environ["IEXEC_OUT"]
                if sys.argv[1:] == ["loop"]:
                    while True:
                        pass
                seen = []
                try:
                    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
                    seen.append("socket: connected")
                except OSError as error:
                    seen.append("socket: refused")
                seen.append("passwd: " + ("readable" if os.path.exists("/etc/passwd") else "absent"))
                open(os.path.join(out, "result.txt"), "w").write("\n".join(seen) + "\n")
                json.dump({"deterministic-output-path": "/iexec_out/result.txt"}, open(os.path.join(out, "computed.json"), "w"))
                """#)
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 4, workerpool: true) { node in
            let parties = Parties(node)
            let prober = try await parties.deploy(app)
            let data = try await parties.protectAndGrant(to: [prober])
            await expectFailure(
                [
                    "app", "run", prober.checksummed, "--dataset", data.checksummed, "--args", "loop", "--output",
                    folder.url.appendingPathComponent("loop").path, "--timeout", "60",
                ] + node.remote + node.signer(parties.requester),
                .failed, "timed-out", "time limit")
            let port = URL(string: node.url)!.port!
            let output = folder.url.appendingPathComponent("probe")
            _ = try await parties.runApp(prober, data: data, output: output, extra: ["--args", String(port)])
            #expect(
                try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                    == "socket: refused\npasswd: absent\n")
        }
    }

    /// `clave worker --pool URL`, a separate process, is the only worker of a node's pool: it logs in over HTTP,
    /// takes the task, runs it and contributes, and the requester gets the result.
    @Test func aWorkerOnAnotherHostServesThePoolOverHTTP() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 5, workerpool: true, workers: 0) {
            node in
            let parties = Parties(node)
            let workerAccount = node.node.createdAccounts[4].address
            let worker = try ClaveProcess(
                [
                    "worker", "--pool", node.url, "--simulation-key-file",
                    node.dataDirectory.appendingPathComponent("simulation.key").path,
                    "--work-directory", folder.url.appendingPathComponent("work").path,
                ] + node.signer(workerAccount))
            let wasm = try await parties.deploy(ExecutionTests.examples.appendingPathComponent("hello-wasm-c"))
            let data = try await parties.protectAndGrant(to: [wasm])
            let output = folder.url.appendingPathComponent("remote")
            let result = try await parties.runApp(wasm, data: data, output: output)
            #expect(
                try String(contentsOf: output.appendingPathComponent("result.txt"), encoding: .utf8)
                    == "Hello, Alice!\n")
            let taskId = try Bytes32(hex: result["taskId"]!.stringValue!)
            let shown = try json(try await clave(["task", "show", taskId.description, "--json"] + node.remote))
            #expect(shown["scheduler"]?["replicates"]?[0]?["worker"]?.stringValue == workerAccount.checksummed)
            #expect(try await worker.stop(SIGTERM) == 0)
            #expect(worker.stdout.contains("Worker \(workerAccount) serving the workerpool of \(node.url)"))
        }
    }
}
