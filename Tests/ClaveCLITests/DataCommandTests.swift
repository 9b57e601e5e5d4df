import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveSMS
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Foundation
import Testing

@Suite struct DataCommandTests {
    @Test func grantListRevokeAndTransfer() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 2) { node in
            let owner = node.node.createdAccounts[0].privateKey
            let requester = node.node.createdAccounts[1].privateKey.address
            let app = try createdAsset(
                try await node.submit(
                    owner,
                    .createApp(
                        name: "hello", type: "WASM", multiaddr: "bafyhello", checksum: Keccak256.hash([7]),
                        mrenclave: "")), "app")
            let dataset = try createdAsset(
                try await node.submit(
                    owner,
                    .createDataset(
                        name: "contacts", multiaddr: "bafycontacts", checksum: Keccak256.hash([1]),
                        schema: "{\"email\":\"string\"}")), "dataset")
            let signer = node.signer(owner.address)

            let granted = try await clave(
                [
                    "data", "grant", dataset.checksummed, "--app", app.checksummed, "--user", requester.checksummed,
                    "--count", "3", "--price", "7",
                ] + signer + node.remote)
            #expect(granted.contains("Granted 3 run(s) of \(dataset)"))
            #expect(granted.contains("runs left  3 of 3"))
            #expect(granted.contains("price      7 per run"))
            let grantJSON = try json(
                try await clave(
                    ["data", "grant", dataset.checksummed, "--app", app.checksummed, "--json"] + signer + node.remote))
            let anyoneHash = try Bytes32(hex: try #require(grantJSON["orderHash"]?.stringValue))

            let listed = try json(
                try await clave(["data", "access", dataset.checksummed, "--json"] + node.remote))
            #expect(listed["grants"]?.arrayValue?.count == 2)
            let strict = try await clave(
                ["data", "access", "--user", requester.checksummed, "--strict"] + node.remote)
            #expect(strict.contains("requester  \(requester)"))
            #expect(!strict.contains(anyoneHash.description))

            let revoked = try await clave(["data", "revoke", anyoneHash.description] + signer + node.remote)
            #expect(revoked.contains("Revoked \(anyoneHash)"))
            #expect(await node.ledger.isClosed(anyoneHash))
            let all = try json(
                try await clave(["data", "revoke", "--all", dataset.checksummed, "--json"] + signer + node.remote))
            #expect(all["revoked"]?.arrayValue?.count == 1)
            #expect(try await clave(["data", "access", dataset.checksummed] + node.remote).contains("No open grant."))

            let transferred = try await clave(
                ["data", "transfer", dataset.checksummed, requester.checksummed] + signer + node.remote)
            #expect(transferred.contains("\(dataset) now belongs to \(requester)"))
            #expect(await node.ledger.dataset(dataset)?.owner == requester)

            // No longer the owner: refused by name, nothing published.
            await expectFailure(
                ["data", "grant", dataset.checksummed, "--app", app.checksummed] + signer + node.remote, .refused,
                "belongs to \(requester)")
            // Neither a grant nor --all: the parser refuses before anything is asked.
            await #expect(throws: (any Error).self) { try await clave(["data", "revoke"] + signer + node.remote) }
        }
    }
}

@Suite struct DataProtectCommandTests {
    @Test func protectListShowAndPushSecrets() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 1) { node in
            let owner = node.node.createdAccounts[0].privateKey.address
            let journal = ["--journal-dir", folder.url.appendingPathComponent("journal").path]
            let signer = node.signer(owner)
            try Data([0x25, 0x50, 0x44, 0x46, 0x2D] + Array("1.7 a tiny pdf".utf8)).write(
                to: folder.url.appendingPathComponent("cv.pdf"))
            let record = try folder.file(
                "contact.json",
                contents:
                    #"{"email": "ada@example.com", "age": 36, "id": {"$bigint": "-12"}, "cv": {"$file": "cv.pdf"}}"#)

            let text = try await clave(["data", "protect", record, "--name", "ada"] + journal + signer + node.remote)
            #expect(text.contains("Protected data 0x"))
            #expect(text.contains(#"schema     {"age":"f64","cv":"application/pdf","email":"string","id":"i128"}"#))
            let inline = try json(
                try await clave(
                    [
                        "data", "protect", #"{"email": "bob@example.com"}"#, "--name", "bob", "--format", "iexec",
                        "--json",
                    ] + journal + signer + node.remote))
            #expect(inline["format"]?.stringValue == "iexec")
            let bob = try Address(try #require(inline["address"]?.stringValue))
            let key = try DatasetKey(
                format: .iexec, key: Hex.decode(try #require(inline["encryptionKey"]?.stringValue), what: "key"))
            #expect(try await node.node.sms.storedValue(.datasetKey(bob)).map { try DatasetKey(bytes: $0) } == key)

            let file = try json(
                try await clave(
                    ["data", "protect", folder.url.appendingPathComponent("cv.pdf").path, "--json"] + journal + signer
                        + node.remote))
            #expect(file["name"]?.stringValue == "cv.pdf")
            #expect(file["schema"]?["file"]?.stringValue == "application/pdf")

            let mine = try json(
                try await clave(["data", "list", "--owner", owner.checksummed, "--json"] + node.remote))
            #expect(mine["datasets"]?.arrayValue?.count == 3)
            let emails = try await clave(["data", "list", "--schema", "email:string"] + node.remote)
            #expect(emails.split(separator: "\n").count == 2)
            #expect(emails.contains("  bob  "))
            let shown = try await clave(["data", "show", bob.checksummed] + node.remote)
            #expect(shown.contains("key        escrowed in the SMS"))
            #expect(shown.contains("grants     0 open"))

            let pushed = try await clave(
                ["secret", "push", "--requester", "api-token", "--value", "s3cr3t"] + signer + node.remote)
            #expect(pushed.contains("Stored requester"))
            let replaced = try await clave(
                ["secret", "push", "--requester", "api-token", "--value", "n3w"] + signer + node.remote)
            #expect(replaced.contains("Replaced"))
            let secret = try SecretIdentifier(kind: .requester, target: owner, name: "api-token")
            #expect(try await node.node.sms.storedValue(secret) == Array("n3w".utf8))

            // Bad input: one line naming the fix, nothing registered.
            await expectFailure(
                ["data", "protect", folder.url.appendingPathComponent("missing.bin").path] + journal + signer
                    + node.remote,
                .invalidInput, "is not a file")
            await expectFailure(
                ["data", "protect", #"{"e mail": "x"}"#, "--name", "x"] + journal + signer + node.remote, .invalidInput,
                "is not a record")
            await expectFailure(["data", "list", "--schema", "email"] + node.remote, .invalidInput, "--schema email")
            await expectFailure(
                ["data", "decrypt", bob.checksummed, "--key", "0x1234", "--out", folder.path("x.zip")] + node.remote,
                .invalidInput, "--key is not a payload key")
            // AES-CBC has no authentication: a wrong key's last block has valid padding about once in 256 tries, and
            // the bytes are then garbage. The wrong key used is one the padding check refuses, found by trying.
            let payload = try await node.node.blobs.get(
                try CID(locator: try #require(await node.ledger.dataset(bob)).multiaddr)
            ).collect()
            func opens(_ key: DatasetKey) -> Bool {
                guard let decryptor = try? key.decryptor() else { return false }
                return (try? payload.withUnsafeBytes { try decryptor.update($0) { _ in } }) != nil
                    && (try? decryptor.finish { _ in }) != nil
            }
            var wrongKey = DatasetKey.generate(.iexec)
            while opens(wrongKey) { wrongKey = DatasetKey.generate(.iexec) }
            await expectFailure(
                [
                    "data", "decrypt", bob.checksummed, "--key", Hex.encode(wrongKey.key),
                    "--format", "iexec", "--out", folder.path("x.zip"),
                ] + node.remote, .verificationFailed,
                "does not open")
            #expect(!FileManager.default.fileExists(atPath: folder.path("x.zip")))
            await expectFailure(
                ["secret", "push", "--requester", "bad name!", "--value", "x"] + signer + node.remote, .invalidInput,
                "not a requester secret name")
            let after = try json(
                try await clave(["data", "list", "--owner", owner.checksummed, "--json"] + node.remote))
            #expect(after["datasets"]?.arrayValue?.count == 3)
        }
    }
}
