import ClaveCLI
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import ClaveStorage
import ClaveWorkerpool
import Foundation
import Logging
import ClaveTestSupport
import Testing

/// The data directory: created whole on the first start, reused after, refused when it is not a node's.
@Suite struct NodeTests {
    @Test func theFirstStartCreatesTheDirectoryAndLaterStartsReuseIt() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        let (created, firstFiles) = try await withNode(at: directory, accounts: 3) { running in
            let created = running.node.createdAccounts
            #expect(created.count == 3)
            let genesis = running.node.directory.genesis
            #expect(genesis.configuration.isDevelopment)
            #expect(genesis.configuration.chainId == DevelopmentChain.defaultChainId)
            #expect(genesis.configuration.hub == DevelopmentChain.defaultHub)
            // The development accounts, and the node's own: its scheduler and its first eight in-process workers.
            var funded = Dictionary(uniqueKeysWithValues: created.map { ($0.address, $0.funds) })
            let ownKeys =
                ["scheduler.key"] + (1...8).map { "workers/worker-\($0).key" }
            for name in ownKeys {
                let data = try #require(
                    FileManager.default.contents(atPath: directory.appendingPathComponent(name).path))
                let key = try PrivateKey(
                    hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                funded[key.address] = DevelopmentChain.defaultFunds
            }
            #expect(genesis.allocations == funded)
            // Each keystore is a geth-named keystore v3 file that opens with the published password.
            let entries = try KeystoreDirectory(url: running.node.directory.keystoreURL).entries()
            #expect(Set(entries.map(\.address)) == Set(created.map(\.address)))
            for account in created {
                let entry = try #require(entries.first { $0.address == account.address })
                #expect(entry.file.lastPathComponent.hasPrefix("UTC--"))
                #expect(entry.file.lastPathComponent.hasSuffix(Hex.encode(account.address.bytes, prefix: false)))
                #expect(entry.file.standardizedFileURL == account.keystoreFile.standardizedFileURL)
                #expect(try entry.keystore.decrypt(password: DevelopmentChain.password) == account.privateKey)
                let attributes = try FileManager.default.attributesOfItem(atPath: entry.file.path)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(
                Set(names).isSuperset(of: [
                    "node.json", "genesis.json", "keystore", "ledger.sqlite", "orderbook.sqlite", "blobs",
                ]))
            // No temporary sibling is left behind.
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix(".") }
                    .isEmpty)
            // Change the ledger, so that the second start must find it.
            try await running.submit(created[0].privateKey, .faucet(amount: 5))
            return (created, try Self.files(in: running.node.directory.keystoreURL))
        }

        try await withNode(at: directory, accounts: 3) { running in
            #expect(running.node.createdAccounts.isEmpty)
            let files = try Self.files(in: running.node.directory.keystoreURL)
            #expect(files == firstFiles)
            #expect(await running.ledger.head.height == 1)
            #expect(await running.ledger.account(created[0].address).wallet == created[0].funds + 5)
        }
    }

    @Test func theNodeServesItsBlobStoreAndRecreatesItsFolder() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        let content = Array("a dataset".utf8)
        let cid = try await withNode(at: directory, accounts: 1) { running in
            let blobs = BlobStoreClient(connection: try NodeConnection(url: running.url))
            let stored = try await blobs.put(bytes: content)
            #expect(try await running.node.blobs.get(stored.cid).collect() == content)
            #expect(running.node.blobs.directory == directory.appendingPathComponent("blobs").standardizedFileURL)
            let location = try #require(try running.node.blobs.location(of: stored.cid))
            #expect(location.url.deletingLastPathComponent().lastPathComponent == "packs")
            return stored.cid
        }
        // A data directory without the folder (made before the node had a blob store) gets one.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("blobs"))
        try await withNode(at: directory, accounts: 1) { running in
            var isFolder: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: running.node.blobs.directory.path, isDirectory: &isFolder))
            #expect(isFolder.boolValue)
            let kept = try await running.node.blobs.contains(cid)
            #expect(!kept)
        }
    }

    @Test func theTaskFolderTheNodeChoseIsRemovedWhenItStops() async throws {
        let folder = try TemporaryDirectory()
        let work = try await withNode(at: folder.url.appendingPathComponent("node"), workerpool: true) { running in
            let work = try #require(running.node.ownWorkFolder)
            try FileManager.default.createDirectory(
                at: work.appendingPathComponent("bundles"), withIntermediateDirectories: true)
            return work
        }
        #expect(!FileManager.default.fileExists(atPath: work.path))
    }

    @Test func anEmptyFolderBecomesANodeDirectory() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await withNode(at: directory, accounts: 1) { running in
            #expect(running.node.createdAccounts.count == 1)
        }
    }

    @Test func aFolderThatIsNotANodesIsRefusedAndLeftAlone() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("holiday".utf8).write(to: directory.appendingPathComponent("beach.jpg"))
        await #expect {
            try await withNode(at: directory) { _ in }
        } throws: { error in
            let error = try #require(error as? NodeError)
            return error.code == .notANodeDirectory && error.message.contains(directory.path)
                && error.message.contains("not a Clave node's data directory")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["beach.jpg"])

        let file = folder.url.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        await #expect {
            try await withNode(at: file) { _ in }
        } throws: { error in
            (error as? NodeError)?.code == .notANodeDirectory
        }
    }

    /// A pool with a price locks a scheduler stake for every deal: the node deposits 1,000 tasks' worth from the
    /// scheduler's wallet, funded at genesis, before it publishes its orders.
    @Test func aPricedPoolKeepsItsSchedulerStakeInEscrow() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(
            at: folder.url.appendingPathComponent("node"), accounts: 1, workerpool: true, workers: 0,
            pool: PoolMarket.Configuration(price: 10)
        ) { running in
            let market = try #require(running.node.poolMarket)
            let owner = try #require(await running.ledger.workerpool(market.workerpool)).owner
            let account = await running.ledger.account(owner)
            #expect(account.balance == 3 * 1_000, "30% of the price per task, for 1,000 tasks")
            #expect(account.wallet == DevelopmentChain.defaultFunds - 3_000)
        }
    }

    @Test func anEditedGenesisIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        try await withNode(at: directory, accounts: 1) { _ in }
        let genesisFile = directory.appendingPathComponent("genesis.json")
        var text = try String(contentsOf: genesisFile, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\"faucetLimit\":\"1000000000000\"", with: "\"faucetLimit\":\"9000000000000\"")
        try Data(text.utf8).write(to: genesisFile)
        await #expect {
            try await withNode(at: directory) { _ in }
        } throws: { error in
            let error = try #require(error as? NodeError)
            return error.code == .corruptDirectory && error.message.contains("was edited")
        }
    }

    @Test func twoNodesNeverShareADirectory() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        try await withNode(at: directory, accounts: 1) { _ in
            await #expect {
                try await withNode(at: directory) { _ in }
            } throws: { error in
                (error as? NodeError)?.code == .directoryInUse
            }
        }
        // Once the first stopped, the directory is free again.
        try await withNode(at: directory) { running in #expect(running.node.createdAccounts.isEmpty) }
    }

    @Test func aPortInUseIsAClearError() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("a"), accounts: 1) { running in
            let port = try #require(Int(running.url.split(separator: ":").last ?? ""))
            let second = try await Node(
                configuration: Node.Configuration(
                    dataDirectory: folder.url.appendingPathComponent("b"), port: port, shutdownOnSignals: false),
                logger: Logger.quiet)
            await #expect {
                try await second.run()
            } throws: { error in
                let error = try #require(error as? NodeError)
                return error.code == .listenFailed && error.message.contains("127.0.0.1:\(port)")
            }
        }
    }

    /// Every file under `folder` with its bytes.
    static func files(in folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }
}
