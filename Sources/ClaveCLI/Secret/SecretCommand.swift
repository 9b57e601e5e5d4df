import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveSMS
import Foundation

/// `clave secret`: push secrets to the SMS (docs/sms.md).
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret", abstract: "Push secrets to the node's Secret Management Service.",
        subcommands: [Push.self])

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push a requester secret (for your tasks) or an app developer secret (for your app's tasks).",
            discussion: """
                The value comes from --value, --value-file, or standard input. A requester secret is released to the
                tasks of your deals whose params name it in iexec_secrets; pushing the same name again replaces it.
                An app developer secret is released to every task of the app.

                Examples: clave secret push --requester api-token --value-file token.txt
                          clave secret push --app 0xab12...9f3c --value "s3cr3t"
                """
        )

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Option(help: "The name of a requester secret (1 to 64 of A-Z a-z 0-9 - _).")
        var requester: String?

        @Option(help: "The app whose developer secret this is (you must own it).", transform: parseAddress)
        var app: Address?

        @Option(help: "The value.")
        var value: String?

        @Option(help: "A file holding the value (at most 4096 bytes).")
        var valueFile: String?

        func validate() throws {
            guard (requester == nil) != (app == nil) else {
                throw ValidationError("Give either --requester <name> or --app <address>.")
            }
            guard value == nil || valueFile == nil else {
                throw ValidationError("Give the value with --value or --value-file, not both.")
            }
        }

        func run() async throws {
            let bytes = try readValue()
            let key = try signer.key()
            let secret: SecretIdentifier
            do {
                secret =
                    if let requester {
                        try SecretIdentifier(kind: .requester, target: key.address, name: requester)
                    } else {
                        .appDeveloperSecret(app!)
                    }
            } catch {
                throw CLIError(.invalidInput, "\(error)")
            }
            let ledger = try remote.ledger()
            let sms = try remote.secrets()
            let receipt = try await remote.ask {
                let domain = PushDomain(try await ledger.chainInfo().configuration)
                let expiry = UInt64(Date().timeIntervalSince1970) + 300
                return try await sms.push(
                    SecretPush(bytes, into: secret, domain: domain, expiry: expiry, signedWith: key))
            }
            remote.emit(receipt.json) {
                ["\(receipt.replaced ? "Replaced" : "Stored") \(secret) (\(bytes.count) bytes)"]
            }
        }

        private func readValue() throws -> [UInt8] {
            if let value { return Array(value.utf8) }
            let path = valueFile ?? "/dev/stdin"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError(.invalidInput, "Cannot read the value from \(path); check the path.")
            }
            return Array(data)
        }
    }
}
