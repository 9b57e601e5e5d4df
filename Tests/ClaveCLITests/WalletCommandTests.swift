import ClaveCLI
import ClaveCrypto
import Foundation
import ClaveTestSupport
import Testing

@Suite struct WalletCommandTests {
    static let password = "correct horse battery staple"

    @Test func createWritesAnOpenableKeystore() async throws {
        let folder = try TemporaryDirectory()
        let passwordFile = try folder.file("password", contents: Self.password + "\n")
        let keystoreDir = folder.url.appendingPathComponent("keystore").path
        try await runClave([
            "wallet", "create", "--keystore-dir", keystoreDir, "--password-file", passwordFile, "--kdf", "light",
        ])

        let entries = try KeystoreDirectory(url: URL(fileURLWithPath: keystoreDir)).entries()
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        // The trailing newline of the password file is not part of the password.
        #expect(try entry.keystore.decrypt(password: Self.password).address == entry.address)
        #expect(entry.file.lastPathComponent.hasPrefix("UTC--"))
        #expect(entry.file.lastPathComponent.hasSuffix(Hex.encode(entry.address.bytes, prefix: false)))
        let attributes = try FileManager.default.attributesOfItem(atPath: entry.file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: keystoreDir)
        #expect((folderAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    }

    @Test func importsAnEthAccountKeystoreAndRefusesItTwice() async throws {
        let folder = try TemporaryDirectory()
        // A keystore written by eth-account (Scripts/vectors), not by Clave.
        let fixtures = ClaveBinary.repositoryRoot.appendingPathComponent(
            "Tests/ClaveCryptoTests/Fixtures/keystore.json")
        let vectors = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures)) as! [[String: Any]]
        let vector = try #require(vectors.first)
        let keystoreFile = folder.url.appendingPathComponent("from-eth-account.json")
        try JSONSerialization.data(withJSONObject: vector["keystore"]!).write(to: keystoreFile)
        let passwordFile = try folder.file("password", contents: vector["password"] as! String)
        let keystoreDir = folder.url.appendingPathComponent("keystore").path

        try await runClave([
            "wallet", "import", "--keystore-dir", keystoreDir, "--password-file", passwordFile, "--from",
            keystoreFile.path,
        ])
        let directory = KeystoreDirectory(url: URL(fileURLWithPath: keystoreDir))
        #expect(try directory.entries().map(\.address.checksummed) == [vector["address"] as! String])

        await #expect {
            try await runClave([
                "wallet", "import", "--keystore-dir", keystoreDir, "--password-file", passwordFile, "--from",
                keystoreFile.path,
            ])
        } throws: { error in
            String(describing: error).contains("already in this keystore folder")
        }
        #expect(try directory.entries().count == 1)
    }

    @Test func importWithTheWrongPasswordWritesNothing() async throws {
        let folder = try TemporaryDirectory()
        let key = PrivateKey.generate()
        let keystoreFile = folder.url.appendingPathComponent("k.json")
        try Keystore.encrypt(key, password: "right", kdf: .scrypt(n: 1024, r: 8, p: 1)).jsonData().write(
            to: keystoreFile)
        let wrong = try folder.file("wrong", contents: "wrong")
        let keystoreDir = folder.url.appendingPathComponent("keystore").path
        await #expect {
            try await runClave([
                "wallet", "import", "--keystore-dir", keystoreDir, "--password-file", wrong, "--from",
                keystoreFile.path,
            ])
        } throws: { error in
            (error as? CryptoError)?.code == .wrongPassword
        }
        #expect(!FileManager.default.fileExists(atPath: keystoreDir))
    }

    @Test func importsARawPrivateKey() async throws {
        let folder = try TemporaryDirectory()
        let keyFile = try folder.file(
            "key", contents: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n")
        let passwordFile = try folder.file("password", contents: Self.password)
        let keystoreDir = folder.url.appendingPathComponent("keystore").path
        try await runClave([
            "wallet", "import", "--keystore-dir", keystoreDir, "--password-file", passwordFile,
            "--private-key-file", keyFile, "--kdf", "light",
        ])
        let entry = try KeystoreDirectory(url: URL(fileURLWithPath: keystoreDir)).entry(for: nil)
        #expect(entry.address.checksummed == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")

        let badKey = try folder.file("bad", contents: "0x1234")
        await #expect {
            try await runClave([
                "wallet", "import", "--keystore-dir", keystoreDir, "--password-file", passwordFile,
                "--private-key-file", badKey,
            ])
        } throws: { error in
            (error as? CryptoError)?.code == .invalidLength
        }
    }

    @Test func importNeedsExactlyOneSource() {
        #expect(throws: (any Error).self) { _ = try ClaveCommand.parseAsRoot(["wallet", "import"]) }
        #expect(throws: (any Error).self) {
            _ = try ClaveCommand.parseAsRoot(["wallet", "import", "--from", "a", "--private-key-file", "b"])
        }
    }

    @Test func choosingAmongSeveralAccountsNeedsAnAddress() throws {
        let folder = try TemporaryDirectory()
        let directory = KeystoreDirectory(url: folder.url)
        try directory.store(PrivateKey.generate(), password: "p", kdf: .scrypt(n: 1024, r: 8, p: 1))
        try directory.store(PrivateKey.generate(), password: "p", kdf: .scrypt(n: 1024, r: 8, p: 1))
        #expect { try directory.entry(for: nil) } throws: { error in
            String(describing: error).contains("choose one with --address")
        }
        #expect { try directory.entry(for: PrivateKey.generate().address) } throws: { error in
            String(describing: error).contains("No keystore for")
        }
    }

    @Test func defaultKeystoreLocation() {
        #expect(KeystoreDirectory.defaultURL(environment: ["CLAVE_KEYSTORE_DIR": "/k"]).path == "/k")
        #expect(KeystoreDirectory.defaultURL(environment: ["CLAVE_HOME": "/h"]).path == "/h/keystore")
        #expect(KeystoreDirectory.defaultURL(environment: [:]).path.hasSuffix("/.clave/keystore"))
    }
}

/// The `clave` executable itself: what a user sees, the exit codes, the environment variables.
@Suite struct WalletBinaryTests {
    @Test func signAndVerifyThroughTheExecutable() async throws {
        let folder = try TemporaryDirectory()
        let env = ["CLAVE_KEYSTORE_DIR": folder.url.path, "CLAVE_WALLET_PASSWORD": "pw"]
        let created = try await ClaveBinary.run(["wallet", "create", "--kdf", "light"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let address = try Address(try #require(created.stdout.split(separator: "\n").first?.split(separator: " ").last))

        let signed = try await ClaveBinary.run(["wallet", "sign-message", "hello clave"], environment: env)
        #expect(signed.status == 0, "\(signed.stderr)")
        let signatureText = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Anyone can check it: the signer is recovered from the signature alone.
        #expect(try Signature(hex: signatureText).recoverPersonalMessageSigner(Array("hello clave".utf8)) == address)

        let verified = try await ClaveBinary.run(
            [
                "wallet", "verify-message", "hello clave", "--signature", signatureText, "--address",
                address.checksummed,
            ],
            environment: [:])
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("Valid: signed by \(address.checksummed)"))

        let tampered = try await ClaveBinary.run(
            [
                "wallet", "verify-message", "hello clave!", "--signature", signatureText, "--address",
                address.checksummed,
            ],
            environment: [:])
        #expect(tampered.status != 0)
        #expect(tampered.stderr.contains("NOT by \(address.checksummed)"))

        let hex = try await ClaveBinary.run(
            ["wallet", "sign-message", "--hex", Hex.encode(Array("hello clave".utf8))], environment: env)
        #expect(hex.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == signatureText)
    }

    @Test func refusesAMistypedAddress() async throws {
        let result = try await ClaveBinary.run(
            [
                "wallet", "verify-message", "m", "--signature", "0x00", "--address",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
            ],
            environment: [:])
        #expect(result.status != 0)
        #expect(result.stderr.contains("EIP-55 checksum"))
    }

    @Test func wrongPasswordIsAClearError() async throws {
        let folder = try TemporaryDirectory()
        _ = try await ClaveBinary.run(
            ["wallet", "create", "--kdf", "light"],
            environment: ["CLAVE_KEYSTORE_DIR": folder.url.path, "CLAVE_WALLET_PASSWORD": "a"])
        let result = try await ClaveBinary.run(
            ["wallet", "sign-message", "m"],
            environment: ["CLAVE_KEYSTORE_DIR": folder.url.path, "CLAVE_WALLET_PASSWORD": "b"])
        #expect(result.status != 0)
        #expect(result.stderr.lowercased().contains("password"))
        #expect(result.stdout.isEmpty)
    }

    @Test func withoutPasswordOrTerminalSaysWhatToDo() async throws {
        let folder = try TemporaryDirectory()
        // setsid: a new session with no controlling terminal, as under CI or cron.
        let result = try await ClaveBinary.run(
            ["wallet", "create", "--kdf", "light"], environment: ["CLAVE_KEYSTORE_DIR": folder.url.path],
            prefix: ["setsid", "--wait"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Set CLAVE_WALLET_PASSWORD or pass --password-file"))
        #expect(try KeystoreDirectory(url: folder.url).entries().isEmpty)
    }

    /// On a real terminal the password is asked twice and never echoed.
    @Test func promptDoesNotEcho() throws {
        let folder = try TemporaryDirectory()
        let secret = "s3cret-never-shown"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            ClaveBinary.python, ClaveBinary.repositoryRoot.appendingPathComponent("Scripts/tests/drive_pty.py").path,
            #"[["Password for the new account", "\#(secret)"], ["Repeat the password", "\#(secret)"]]"#, "--",
            try ClaveBinary.path, "wallet", "create", "--kdf", "light", "--keystore-dir", folder.url.path,
        ]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CLAVE_WALLET_PASSWORD")
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let transcript = report["transcript"] as! String
        #expect(report["status"] as? Int == 0, "\(transcript)")
        #expect(transcript.contains("Repeat the password"))
        #expect(transcript.contains("Created account"))
        #expect(!transcript.contains(secret), "the password was echoed: \(transcript)")
        let entry = try KeystoreDirectory(url: folder.url).entry(for: nil)
        #expect(try entry.keystore.decrypt(password: secret).address == entry.address)
    }
}
