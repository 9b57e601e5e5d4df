import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveSMS
import ClaveServer
import Foundation

func parsePayloadFormat(_ text: String) throws -> PayloadFormat {
    guard let format = PayloadFormat(rawValue: text) else {
        throw ValidationError("'\(text)' is not a format; use clave or iexec.")
    }
    return format
}

extension DataCommand {
    struct Protect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Protect a file of any size or a JSON record: encrypt it here, store it, register it, escrow its key.",
            discussion: """
                A .json file or an inline JSON object is a record: each member becomes a field of the protected data
                (numbers are f64; {"$bigint": "123"} is an i128, {"$base64": "..."} and {"$file": "photo.png"} are
                binary). Any other file is protected whole, under the field --key, streamed in constant memory.

                If a stage fails, run the same command again: it resumes there, without a second dataset or a new key.

                Examples: clave data protect contact.json --name my-contact
                          clave data protect '{"email": "ada@example.com"}' --name my-email
                          clave data protect scan.pdf --format iexec
                """
        )

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "A file, a .json record, or an inline JSON object.")
        var source: String

        @Option(help: "The protected data's name (default: the file's name).")
        var name: String?

        @Option(
            help: "The encryption: clave (clave-stream-v1, the default) or iexec (AES-256-CBC, iExec's layout).",
            transform: parsePayloadFormat)
        var format: PayloadFormat = .clave

        @Option(help: "The field a whole file is stored under.")
        var key = "file"

        @Flag(help: "Protect a .json file whole, as a file, instead of as a record.")
        var asFile = false

        @Option(
            help:
                "Where interrupted protects are journaled, to resume (default: $CLAVE_HOME/protect, else ~/.clave/protect)."
        )
        var journalDir: String?

        func run() async throws {
            let request = try makeRequest()
            let owner = try signer.key()
            let protector = try remote.dataProtector(owner: owner)
            let progress = ProgressLine()
            let journal =
                journalDir.map { URL(fileURLWithPath: $0) } ?? ClaveHome.url().appendingPathComponent("protect")
            let data: ProtectedData
            do {
                data = try await remote.ask {
                    try await protector.protectData(request, journal: journal) { progress.show($0) }
                }
            } catch {
                progress.end()
                throw error
            }
            progress.end()
            let json: JSONValue = .object([
                "address": .string(data.address.checksummed), "name": .string(data.name),
                "owner": .string(data.owner.checksummed), "schema": data.schema.json,
                "multiaddr": .string(data.multiaddr), "checksum": .string(data.checksum.description),
                "format": .string(data.format.rawValue), "encryptionKey": .string(Hex.encode(data.encryptionKey.key)),
            ])
            remote.emit(json) {
                [
                    "Protected data \(data.address)",
                    "  name       \(data.name)",
                    "  owner      \(data.owner)",
                    "  schema     \(data.schema.canonicalText)",
                    "  stored as  \(data.multiaddr) (\(data.format.rawValue) encryption)",
                    "  checksum   \(data.checksum)",
                    "  key        escrowed in the SMS (--json prints it)",
                    "Grant an app access with: clave data grant \(data.address) --app <app address>",
                ]
            }
        }

        private func makeRequest() throws -> ProtectRequest {
            if RecordArgument.isInline(source) {
                let value = try RecordArgument.inline(source)
                guard let name else {
                    throw CLIError(.invalidInput, "An inline record has no file name; give it one with --name.")
                }
                return ProtectRequest(.value(value), name: name, format: format)
            }
            let url = URL(fileURLWithPath: source)
            guard RecordArgument.isRegularFile(url.path) else {
                throw CLIError(
                    .invalidInput,
                    "\(source) is not a file; give the path of a file, a .json record, or an inline JSON object.")
            }
            let name = self.name ?? url.lastPathComponent
            if url.pathExtension.lowercased() == "json" && !asFile {
                return ProtectRequest(.value(try RecordArgument.file(url, source: source)), name: name, format: format)
            }
            return ProtectRequest(.file(url, key: key), name: name, format: format)
        }
    }

    struct Decrypt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch protected data's payload and decrypt it with its key (the zip an app reads).",
            discussion: """
                The key is the encryptionKey `clave data protect --json` printed. The payload is checked against the
                ledger's checksum, decrypted in constant memory, and written only once it is complete and authentic.

                Example: clave data decrypt 0x5a1e...d00d --key 0x3f9a... --out contact.zip
                """
        )

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The protected data's address.", transform: parseAddress)
        var address: Address

        @Option(help: "The payload's key, 64 hex digits.")
        var key: String

        @Option(help: "The payload's encryption: clave or iexec.", transform: parsePayloadFormat)
        var format: PayloadFormat = .clave

        @Option(help: "Where to write the decrypted zip.")
        var out: String

        func run() async throws {
            let datasetKey: DatasetKey
            do {
                datasetKey = try DatasetKey(format: format, key: Hex.decode(key, expectedCount: 32, what: "key"))
            } catch {
                throw CLIError(.invalidInput, "--key is not a payload key: \(error)")
            }
            let protector = try remote.dataProtector()
            let destination = URL(fileURLWithPath: out)
            let size = try await remote.ask {
                try await protector.decryptPayload(of: address, key: datasetKey, to: destination)
            }
            remote.emit(
                .object(["address": .string(address.checksummed), "out": .string(out), "size": .string("\(size)")])
            ) {
                ["Decrypted \(address) into \(out) (\(size) bytes)"]
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List protected data: an owner's, or those whose schema has the fields asked for.",
            discussion: """
                Examples: clave data list --owner 0x70c0...1ce5
                          clave data list --schema email:string
                """
        )

        @OptionGroup var remote: RemoteOptions

        @Option(help: "Only the protected data of this owner.", transform: parseAddress)
        var owner: Address?

        @Option(help: "Only protected data whose schema has these fields (email:string,age:f64).")
        var schema: String?

        @Option(help: "The most to list (1 to 100).")
        var limit = 20

        @Option(help: "Continue after this address (printed under the previous page).", transform: parseAddress)
        var after: Address?

        func run() async throws {
            var query = DatasetQuery(owner: owner, after: after, limit: limit)
            if let schema {
                do {
                    query.schema = try ProtectedDataSchemaQuery(parsing: schema)
                } catch {
                    throw CLIError(.invalidInput, "--schema \(schema): \(error)")
                }
            }
            let ledger = try remote.ledger()
            let page = try await remote.ask { try await ledger.datasets(query) }
            remote.emit(page.json) {
                guard !page.datasets.isEmpty else { return ["No protected data matches."] }
                var lines = page.datasets.map { "\($0.address)  \($0.name)  owner \($0.owner)  schema \($0.schema)" }
                if let next = page.nextCursor { lines.append("More: --after \(next)") }
                return lines
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show protected data: its registration, whether the SMS holds its key, and its open grants.",
            discussion: "Example: clave data show 0x5a1e...d00d"
        )

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The protected data's address.", transform: parseAddress)
        var address: Address

        func run() async throws {
            let protector = try remote.dataProtector()
            let ledger = try remote.ledger()
            let sms = try remote.secrets()
            guard let dataset = try await remote.ask({ try await ledger.dataset(address) }) else {
                throw CLIError(
                    .notFound, "No protected data is registered at \(address) on the node at \(remote.url()).")
            }
            let keyEscrowed = try await remote.ask { try await sms.exists(.datasetKey(address)) }
            let grants = try await remote.ask {
                try await protector.grantedAccess(GrantedAccessQuery(protectedData: address, pageSize: 100))
            }
            var json = dataset.json.objectValue ?? [:]
            json["keyEscrowed"] = .bool(keyEscrowed)
            json["grants"] = .array(grants.grants.map(\.entry.json))
            remote.emit(.object(json)) {
                Format.dataset(dataset) + [
                    "  key        \(keyEscrowed ? "escrowed in the SMS" : "NOT in the SMS: protect it again to push it")",
                    "  grants     \(grants.grants.count)\(grants.nextCursor == nil ? "" : "+") open (clave data access \(address))",
                ]
            }
        }
    }
}

/// The progress of a protect on standard error: a line per stage, and while uploading the bytes, the rate and the
/// stage, rewritten in place on a terminal.
private final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = isatty(STDERR_FILENO) == 1
    private var stage: ProtectStage?
    private var started = Date()
    private var open = false

    func show(_ progress: ProtectProgress) {
        lock.lock()
        defer { lock.unlock() }
        if progress.stage != stage {
            stage = progress.stage
            started = Date()
            finishLine()
            write("\(progress.stage.rawValue)\(progress.resumed ? " (done before, resumed)" : "")\n")
        }
        guard terminal, progress.bytes > 0 else { return }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(progress.bytes) / seconds
        let total = progress.totalBytes.map { " / \(Self.size(Double($0)))" } ?? ""
        write(
            "\r  \(Self.size(Double(progress.bytes)))\(total)  \(Self.size(rate))/s  \(progress.stage.rawValue)\u{1B}[K"
        )
        open = true
    }

    func end() {
        lock.lock()
        finishLine()
        lock.unlock()
    }

    private func finishLine() {
        if open { write("\n") }
        open = false
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
    }
}
