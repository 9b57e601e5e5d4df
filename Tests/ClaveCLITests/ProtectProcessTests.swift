import ClaveCLI
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveSMS
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Crypto
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `clave` command run as its own process, with its peak memory as the kernel counted it.
struct MeasuredRun {
    let status: Int32
    let stdout: String
    let stderr: String
    /// The process's peak resident set, in bytes: its `VmHWM`, read from /proc every 20 ms while it runs. (Not
    /// `ru_maxrss`: Linux carries the spawning test process's own high-water mark into it across `exec`.)
    let peakMemory: Int

    static func run(_ arguments: [String], environment: [String: String], in folder: URL) throws -> MeasuredRun {
        let executable = try ClaveBinary.path
        let out = folder.appendingPathComponent("stdout-\(UUID().uuidString)").path
        let err = folder.appendingPathComponent("stderr-\(UUID().uuidString)").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        env["HOME"] = folder.path
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw CLIError("posix_spawn of \(executable) failed: \(spawned)") }
        var status: Int32 = 0
        var peak = 0
        while true {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kibibytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            {
                peak = max(peak, kibibytes * 1024)
            }
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            guard waited == 0 || errno == EINTR else { throw CLIError("waitpid failed: \(errno)") }
            usleep(20_000)
        }
        let exited = (status & 0x7F) == 0
        return MeasuredRun(
            status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "",
            peakMemory: peak)
    }
}

/// sha-256 of `count` bytes of the file at `path` from `offset`, read in 1 MiB chunks.
func sha256(ofFile path: String, offset: UInt64 = 0, count: UInt64? = nil) throws -> [UInt8] {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    var left = count ?? UInt64.max
    var hash = SHA256()
    while left > 0, let data = try handle.read(upToCount: Int(min(left, 1 << 20))), !data.isEmpty {
        hash.update(data: data)
        left -= UInt64(data.count)
    }
    return Array(hash.finalize())
}

@Suite(.serialized) struct ProtectProcessTests {
    /// The bar: a 2 GiB file protected and decrypted back byte for byte, each side in under 64 MiB.
    @Test func aTwoGiBFileIsProtectedAndDecryptedBackInConstantMemory() async throws {
        let folder = try TemporaryDirectory(prefix: "clave-2gib")
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 1) { node in
            let owner = node.node.createdAccounts[0].privateKey.address
            let big = folder.url.appendingPathComponent("big.bin").path
            let size: UInt64 = 2 << 30
            try Self.writePseudoRandomFile(at: big, size: size)
            let environment = ["CLAVE_WALLET_PASSWORD": DevelopmentChain.password]
            let signer = ["--keystore-dir", node.keystoreDir, "--address", owner.checksummed]

            let protect = try MeasuredRun.run(
                ["data", "protect", big, "--json", "--journal-dir", folder.url.appendingPathComponent("j").path]
                    + signer + node.remote, environment: environment, in: folder.url)
            #expect(protect.status == 0, "\(protect.stderr)")
            #expect(protect.peakMemory < 64 << 20, "protect peaked at \(protect.peakMemory >> 20) MiB")
            let result = try json(protect.stdout)
            let address = try #require(result["address"]?.stringValue)
            let key = try #require(result["encryptionKey"]?.stringValue)
            #expect(result["schema"]?["file"]?.stringValue == "application/octet-stream")

            let zip = folder.url.appendingPathComponent("big.zip").path
            let decrypt = try MeasuredRun.run(
                ["data", "decrypt", address, "--key", key, "--out", zip] + node.remote, environment: environment,
                in: folder.url)
            #expect(decrypt.status == 0, "\(decrypt.stderr)")
            #expect(decrypt.peakMemory < 64 << 20, "decrypt peaked at \(decrypt.peakMemory >> 20) MiB")

            // The zip's one entry is the file, byte for byte: read through the zip's own directory.
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: zip))
            defer { try? handle.close() }
            let zipSize = try handle.seekToEnd()
            let reader = try ZipReader(size: zipSize) { offset, count in
                try handle.seek(toOffset: offset)
                return Array(try handle.read(upToCount: count) ?? Data())
            }
            let entry = try #require(reader.entry(named: "file"))
            var hash = SHA256()
            try reader.read(entry, chunkSize: 1 << 20) { hash.update(bufferPointer: $0) }
            #expect(Array(hash.finalize()) == (try sha256(ofFile: big)))
        }
    }

    /// Kill -9 the node at a stage of protect: the protect fails naming it, and once the node is back the same
    /// protect completes, with one dataset, its key in the SMS, and a payload that decrypts to the file.
    @Test(arguments: [ProtectStage.uploadEncryptedFile, .deployProtectedData, .pushSecretToSMS])
    func killingTheNodeMidProtectLosesNothing(_ stage: ProtectStage) async throws {
        let folder = try TemporaryDirectory(prefix: "clave-kill")
        let dataDir = folder.url.appendingPathComponent("node").path
        let first = try ClaveProcess(["node", "--data-dir", dataDir, "--port", "0", "--accounts", "1"])
        let firstURL = try await first.url()
        let keyLine = try #require(first.stdout.split(separator: "\n").first { $0.contains("private key 0x") })
        let owner = try PrivateKey(hex: String(keyLine.split(separator: " ").last!))
        let file = folder.url.appendingPathComponent("records.bin")
        try Self.writePseudoRandomFile(at: file.path, size: 48 << 20)
        let journal = folder.url.appendingPathComponent("journal")
        let request = ProtectRequest(.file(file, key: "records"), name: "records")
        func protector(_ url: String) throws -> DataProtector {
            let connection = try NodeConnection(url: url)
            return DataProtector(
                ledger: LedgerClient(connection: connection), orderbook: OrderbookClient(connection: connection),
                blobs: BlobStoreClient(connection: connection), sms: SecretServiceClient(connection: connection),
                owner: owner)
        }

        let pid = first.process.processIdentifier
        let killed = Mutex(false)
        let failure = await #expect(throws: DataProtectorError.self) {
            try await protector(firstURL).protectData(request, journal: journal) { progress in
                guard progress.stage == stage, stage != .uploadEncryptedFile || progress.bytes >= 8 << 20 else {
                    return
                }
                killed.withLock { done in
                    guard !done else { return }
                    done = true
                    kill(pid, SIGKILL)
                    // Dead once the kernel shows it as a zombie (or Foundation has reaped it).
                    while let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                        stat.split(separator: ")").last?.dropFirst().first != "Z"
                    {
                        usleep(10_000)
                    }
                }
            }
        }
        #expect(killed.withLock { $0 })
        #expect(failure?.stage == stage, "\(String(describing: failure))")

        let second = try ClaveProcess(["node", "--data-dir", dataDir, "--port", "0"])
        let secondURL = try await second.url()
        let data = try await protector(secondURL).protectData(request, journal: journal)
        let ledger = LedgerClient(connection: try NodeConnection(url: secondURL))
        #expect(try await ledger.datasets(DatasetQuery(owner: owner.address)).datasets.map(\.address) == [data.address])
        #expect(
            try await SecretServiceClient(connection: NodeConnection(url: secondURL)).exists(.datasetKey(data.address)))
        let zip = folder.url.appendingPathComponent("records.zip")
        try await protector(secondURL).decryptPayload(of: data.address, key: data.encryptionKey, to: zip)
        let reader = try ZipReader(bytes: Array(try Data(contentsOf: zip)))
        #expect(
            try reader.contents(of: try #require(reader.entry(named: "records"))) == Array(try Data(contentsOf: file)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: journal.path).isEmpty)
        #expect(try await second.stop(SIGTERM) == 0)
    }

    /// A file of `size` pseudo-random bytes, written in 1 MiB chunks.
    static func writePseudoRandomFile(at path: String, size: UInt64) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var random = SplitMix64(seed: 2)
        var chunk = [UInt64](repeating: 0, count: (1 << 20) / 8)
        for index in chunk.indices { chunk[index] = random.next() }
        var written: UInt64 = 0
        while written < size {
            // Vary each chunk cheaply so no two are equal.
            chunk[0] = written
            try chunk.withUnsafeBytes { try handle.write(contentsOf: $0.prefix(Int(min(size - written, 1 << 20)))) }
            written += UInt64(min(size - written, 1 << 20))
        }
    }
}
