import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import Foundation

/// `clave result`: fetch, decrypt and verify a task's result.
struct ResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result", abstract: "Fetch, decrypt and verify the results of tasks.",
        subcommands: [Fetch.self, Decrypt.self, Verify.self])

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a completed task's result, verify it and decrypt it with your wallet into a folder.",
            discussion: "Example: clave result fetch 0x5d1c...e7 --output hello-result --address 0xYou")

        @OptionGroup var remote: RemoteOptions
        @OptionGroup var signer: SignerOptions

        @Argument(help: "The task's id.", transform: parseBytes32)
        var task: Bytes32

        @Option(help: "The folder the result is written to (default: ./result-<task id prefix>).")
        var output: String?

        func run() async throws {
            let protector = try remote.dataProtector(owner: try signer.key())
            let destination = URL(fileURLWithPath: output ?? "result-\(Hex.encode(task.bytes.prefix(4)).dropFirst(2))")
            let result = try await remote.ask { try await protector.fetchResult(of: task, into: destination) }
            remote.emit(ResultCommand.json(result)) { ResultCommand.lines(result) }
        }
    }

    struct Decrypt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decrypt a result file (clave-result-v1) with your wallet's result key, offline.",
            discussion: "Example: clave result decrypt result.sealed --task 0x5d1c...e7 --output result.zip")

        @OptionGroup var signer: SignerOptions

        @Argument(help: "The encrypted result file.")
        var file: String

        @Option(help: "The task the result is for (the encryption is bound to it).", transform: parseBytes32)
        var task: Bytes32

        @Option(help: "Where the decrypted zip is written.")
        var output: String

        @OptionGroup var format: JSONOutput

        func run() async throws {
            let key = try signer.key()
            do {
                try ResultEncryption.open(
                    fileAt: URL(fileURLWithPath: file), to: URL(fileURLWithPath: output),
                    key: ResultKey.derive(from: key), taskId: task)
            } catch {
                throw CLIError(.verificationFailed, "\(file) does not decrypt: \(error.message)")
            }
            format.emit(["decrypted": .string(file), "output": .string(output)]) {
                ["Decrypted \(file) into \(output)"]
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a result receipt offline: its signatures, and the result files it names.",
            discussion: """
                Checks that resultHash and resultSeal follow from the task, the worker and the digest, that the \
                enclave challenge key signed both the result and the receipt, and, when given, that the stored \
                result file is the one named and that the decrypted zip has the receipt's digest.
                Example: clave result verify receipt.json --stored result.sealed --archive result.zip
                """)

        @Argument(help: "The receipt (JSON).")
        var receipt: String

        @Option(help: "The stored result blob (encrypted or not).")
        var stored: String?

        @Option(help: "The result zip (decrypted).")
        var archive: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: receipt) else {
                throw CLIError(.notFound, "There is no readable receipt at \(receipt); check the path.")
            }
            let parsed: ResultReceipt
            do throws(ResultError) {
                parsed = try ResultReceipt(parsing: Array(data))
                try parsed.verify()
                if let stored { try parsed.verifyStoredResult(at: URL(fileURLWithPath: stored)) }
                if let archive { try parsed.verifyArchive(at: URL(fileURLWithPath: archive)) }
            } catch {
                throw CLIError(.verificationFailed, "\(receipt) does not verify: \(error.message)")
            }
            if json {
                say(
                    String(
                        decoding: JSONValue.object(["verified": .bool(true), "receipt": parsed.json]).serialized(),
                        as: UTF8.self))
                return
            }
            say("Receipt verified: task \(parsed.taskId), result digest \(parsed.resultDigest)")
            say("  signed by enclave challenge \(parsed.enclaveChallenge) for worker \(parsed.worker)")
            say("  app measurement \(parsed.appMeasurement)")
            if parsed.isSimulated {
                say("  attestation: simulated — development only, proves nothing against the worker's host")
            }
            if stored != nil { say("  stored result: matches") }
            if archive != nil { say("  result archive: has the digest") }
        }
    }

    static func json(_ result: FetchedResult) -> JSONValue {
        [
            "taskId": .string(result.taskId.description), "folder": .string(result.folder.path),
            "files": .array(result.files.map { .string($0) }), "attestation": .string(result.receipt.evidence.label),
            "receipt": result.receipt.json,
        ]
    }

    static func lines(_ result: FetchedResult) -> [String] {
        var lines = ["Result of task \(result.taskId) in \(result.folder.path):"]
        lines += result.files.map { "  \($0)" }
        lines.append(
            "Receipt verified: digest \(result.receipt.resultDigest), enclave \(result.receipt.enclaveChallenge).")
        if result.isSimulated {
            lines.append(
                "Attestation: simulated — the enclave was simulated by the worker's host (development only); this result proves nothing against that host."
            )
        } else {
            lines.append("Attestation: \(result.receipt.evidence.label)")
        }
        return lines
    }
}
