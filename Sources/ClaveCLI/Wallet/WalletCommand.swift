import ArgumentParser
import ClaveCrypto
import Foundation

/// `clave wallet`: create, show and import keystores; sign and verify messages.
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Manage account keystores and sign messages with them.",
        discussion: """
            Keystores are Ethereum keystore v3 files (geth and eth-account read them) in \
            $CLAVE_KEYSTORE_DIR, else $CLAVE_HOME/keystore, else ~/.clave/keystore, or --keystore-dir. \
            Passwords come from --password-file, else $CLAVE_WALLET_PASSWORD, else a prompt that does not echo.
            """,
        subcommands: [Create.self, Show.self, Import.self, SignMessage.self, VerifyMessage.self]
    )
}

/// Options shared by the wallet commands.
struct KeystoreOptions: ParsableArguments {
    @Option(name: .customLong("keystore-dir"), help: "The keystore folder (default: ~/.clave/keystore).")
    var keystoreDir: String?

    @Option(
        help: ArgumentHelp(
            "Read the password from this file instead of the environment or a prompt.", valueName: "file"))
    var passwordFile: String?

    var directory: KeystoreDirectory {
        KeystoreDirectory(url: keystoreDir.map { URL(fileURLWithPath: $0) } ?? KeystoreDirectory.defaultURL())
    }

    var passwords: PasswordSource { PasswordSource(file: passwordFile) }
}

/// How hard a new keystore's password is to brute-force.
enum KDFStrength: String, ExpressibleByArgument, CaseIterable {
    /// scrypt n = 2^18, as geth: about a second and 256 MiB to open.
    case standard
    /// scrypt n = 2^12, p = 6, as geth's --lightkdf: fast, for development accounts.
    case light

    var kdf: Keystore.KDF { self == .standard ? .standard : .light }
}

/// Parses an address option, with the EIP-55 check and its message on a mistake.
func parseAddress(_ text: String) throws -> Address { try Address(text) }

extension WalletCommand {
    /// An account of the keystore folder, as `--json` prints it.
    static func json(_ entry: KeystoreDirectory.Entry) -> JSONValue {
        ["address": .string(entry.address.checksummed), "keystore": .string(entry.file.path)]
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new account and its keystore file.",
            discussion: """
                The password comes from --password-file, else $CLAVE_WALLET_PASSWORD, else it is asked without echo.
                Examples: clave wallet create   |   clave wallet create --kdf light   # fast, for throw-away wallets
                """)

        @OptionGroup var keystore: KeystoreOptions

        @Option(help: "Key derivation strength: standard (as geth) or light (fast, for development).")
        var kdf: KDFStrength = .standard

        @OptionGroup var output: JSONOutput

        func run() async throws {
            let password = try keystore.passwords.password(prompt: "Password for the new account: ", confirm: true)
            let entry = try keystore.directory.store(PrivateKey.generate(), password: password, kdf: kdf.kdf)
            output.emit(WalletCommand.json(entry)) {
                ["Created account \(entry.address)", "Keystore: \(entry.file.path)"]
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accounts in the keystore folder.",
            discussion: "Examples: clave wallet show   |   ME=$(clave wallet show | cut -d' ' -f1)")

        @OptionGroup var keystore: KeystoreOptions

        @Option(help: "Show only this account.", transform: parseAddress)
        var address: Address?

        @OptionGroup var output: JSONOutput

        func run() async throws {
            let directory = keystore.directory
            let entries = try address.map { [try directory.entry(for: $0)] } ?? directory.entries()
            guard !entries.isEmpty else {
                throw CLIError(
                    "There is no keystore in \(directory.url.path). Create one with `clave wallet create`."
                )
            }
            output.emit(.array(entries.map(WalletCommand.json))) { entries.map { "\($0.address)  \($0.file.path)" } }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an account from a keystore file (geth, eth-account) or a raw private key.",
            discussion: """
                With --from, the file is opened with its password to check it, then copied as it is. \
                With --private-key-file, the file holds the key as 64 hex digits; it is encrypted with the password.
                Example: clave wallet import --from ~/.ethereum/keystore/UTC--2024-...--70c0...1ce5
                """
        )

        @OptionGroup var keystore: KeystoreOptions

        @Option(help: ArgumentHelp("A keystore v3 JSON file to import.", valueName: "file"))
        var from: String?

        @Option(help: ArgumentHelp("A file holding a private key as hex.", valueName: "file"))
        var privateKeyFile: String?

        @Option(help: "Key derivation strength when encrypting a raw private key.")
        var kdf: KDFStrength = .standard

        @OptionGroup var output: JSONOutput

        func validate() throws {
            guard (from == nil) != (privateKeyFile == nil) else {
                throw ValidationError("Give exactly one of --from KEYSTORE_FILE or --private-key-file FILE.")
            }
        }

        func run() async throws {
            let directory = keystore.directory
            if let from {
                guard let data = FileManager.default.contents(atPath: from) else {
                    throw CLIError("Could not read \(from); check the path.")
                }
                let imported = try Keystore(jsonData: data)
                let password = try keystore.passwords.password(prompt: "Password of \(from): ")
                let key = try imported.decrypt(password: password)
                report(try directory.write(imported, address: key.address))
            } else if let privateKeyFile {
                guard let data = FileManager.default.contents(atPath: privateKeyFile) else {
                    throw CLIError("Could not read \(privateKeyFile); check the path.")
                }
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                let key = try PrivateKey(hex: text)
                let password = try keystore.passwords.password(prompt: "Password for \(key.address): ", confirm: true)
                report(try directory.store(key, password: password, kdf: kdf.kdf))
            }
        }

        private func report(_ entry: KeystoreDirectory.Entry) {
            output.emit(WalletCommand.json(entry)) {
                ["Imported account \(entry.address)", "Keystore: \(entry.file.path)"]
            }
        }
    }

    struct SignMessage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign-message",
            abstract: "Sign a message as an EIP-191 personal message (personal_sign) and print the signature.",
            discussion: "Example: clave wallet sign-message \"I own this account\" --address 0xYou"
        )

        @OptionGroup var keystore: KeystoreOptions

        @Option(help: "The account to sign with (needed when the folder holds several).", transform: parseAddress)
        var address: Address?

        @Flag(help: "The message is 0x-prefixed hex bytes, not text.")
        var hex = false

        @Argument(help: "The message (UTF-8 text, or hex bytes with --hex).")
        var message: String

        @OptionGroup var output: JSONOutput

        func run() async throws {
            let bytes = try MessageBytes.parse(message, hex: hex)
            let entry = try keystore.directory.entry(for: address)
            let password = try keystore.passwords.password(prompt: "Password of \(entry.address): ")
            let key = try entry.keystore.decrypt(password: password)
            let signature = key.signPersonalMessage(bytes).description
            output.emit(["address": .string(entry.address.checksummed), "signature": .string(signature)]) {
                [signature]
            }
        }
    }

    struct VerifyMessage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-message",
            abstract: "Check who signed a personal message; with --address, fail unless that account did.",
            discussion:
                "Example: clave wallet verify-message \"I own this account\" --signature 0x5a1e... --address 0x70c0...1ce5"
        )

        @Option(help: "The 65-byte (or 64-byte EIP-2098) signature, as hex.")
        var signature: String

        @Option(help: "The account expected to have signed.", transform: parseAddress)
        var address: Address?

        @Flag(help: "The message is 0x-prefixed hex bytes, not text.")
        var hex = false

        @Argument(help: "The message that was signed.")
        var message: String

        @OptionGroup var output: JSONOutput

        func run() async throws {
            let bytes = try MessageBytes.parse(message, hex: hex)
            let parsed = try Signature(hex: signature)
            let signer = try parsed.recoverPersonalMessageSigner(bytes)
            if let address, signer != address {
                throw CLIError(
                    "The signature is NOT by \(address): it was made by \(signer) (or over a different message)."
                )
            }
            output.emit(["signer": .string(signer.checksummed)]) {
                [address == nil ? "Signed by \(signer)" : "Valid: signed by \(signer)"]
            }
        }
    }
}

enum MessageBytes {
    static func parse(_ message: String, hex: Bool) throws -> [UInt8] {
        guard hex else { return Array(message.utf8) }
        guard message.hasPrefix("0x") else {
            throw CLIError("With --hex the message must be 0x-prefixed hex; drop --hex to sign text.")
        }
        return try Hex.decode(message, what: "message")
    }
}
