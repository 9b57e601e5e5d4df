import ClaveAttestation
import ClaveClient
import ClaveSMS
import ClaveServer
import ClaveTestSupport
import Foundation
import Testing

/// The node's SMS files: made on the first start, made again on a start that finds them missing (a data directory
/// from before the SMS), and a master key file that others may read stops the start.
@Suite struct NodeSMSTests {
    func mode(_ url: URL) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func theSMSFilesAreMadeWhenMissingAndKeptAfter() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        let attester = try await withNode(at: directory, accounts: 1) { running in
            let files = running.node.directory
            #expect(FileManager.default.fileExists(atPath: files.smsURL.path))
            #expect(try mode(files.smsMasterKeyURL) == 0o600)
            #expect(try mode(files.simulationKeyURL) == 0o600)
            // The node's SMS answers over the API.
            let sms = SecretServiceClient(connection: try NodeConnection(url: running.url))
            let secret = try SecretIdentifier.requesterSecret(running.node.createdAccounts[0].address, name: "x")
            #expect(try await sms.exists(secret) == false)
            return running.node.simulatedEnclave.attester
        }
        let masterKey = try String(contentsOf: directory.appendingPathComponent("sms-master.key"), encoding: .utf8)
        try await withNode(at: directory) { running in
            let key = try String(contentsOf: running.node.directory.smsMasterKeyURL, encoding: .utf8)
            #expect(key == masterKey)
            #expect(running.node.simulatedEnclave.attester == attester)
        }

        // A data directory made before the SMS: its files appear on the next start.
        for name in ["sms.sqlite", "sms.sqlite-wal", "sms.sqlite-shm", "sms-master.key", "simulation.key"] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        try await withNode(at: directory) { running in
            let keyMode = try mode(running.node.directory.smsMasterKeyURL)
            #expect(keyMode == 0o600)
            #expect(running.node.simulatedEnclave.attester != attester)
        }
    }

    @Test func aMasterKeyFileOthersMayReadStopsTheStart() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url.appendingPathComponent("node")
        try await withNode(at: directory, accounts: 1) { _ in }
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: directory.appendingPathComponent("sms-master.key").path)
        await #expect {
            try await withNode(at: directory) { _ in }
        } throws: { error in
            let error = try #require(error as? SMSError)
            return error.code == .masterKey && error.message.contains("chmod 600")
        }
    }
}
