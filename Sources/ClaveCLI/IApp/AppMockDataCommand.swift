import ArgumentParser
import ClaveCore
import ClaveCrypto
import Foundation

/// `clave app mock-data <json>`: protected data for local tests, unencrypted, in iExec's layout.
struct AppMockDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-data",
        abstract: "Make protected data for `clave app test`: the zip an app reads, from a JSON record, unencrypted.",
        discussion: """
            Writes <project>/mock/protectedData/<name>: exactly the zip a worker decrypts into $IEXEC_IN for a real \
            task (docs/formats/protected-data.md), but in the clear and never stored on a node. The record is a \
            .json file or an inline JSON object.
            Examples:
              clave app mock-data '{"name": "Grace", "email": "grace@example.com"}' --name grace
              clave app mock-data contact.json --project greeter     # greeter/mock/protectedData/default
            """
    )

    @Argument(help: "The record: a .json file, or an inline JSON object.")
    var record: String

    @Option(help: "The mock's name, which `clave app test --protected-data` takes.")
    var name: String = MockData.defaultName

    @Option(help: "The project's folder (with iapp.json).")
    var project: String = "."

    @OptionGroup var output: JSONOutput

    func validate() throws {
        guard MockData.isValidName(name) else {
            throw ValidationError(
                "'\(name)' is not a mock's name: use letters, digits, '.', '-' or '_', not starting with '.'.")
        }
    }

    func run() throws {
        let value: ProtectedValue
        if RecordArgument.isInline(record) {
            value = try RecordArgument.inline(record)
        } else {
            guard RecordArgument.isRegularFile(record) else {
                throw CLIError(
                    .invalidInput,
                    "\(record) is not a file; give a .json file or an inline JSON object such as '{\"name\": \"Ada\"}'."
                )
            }
            value = try RecordArgument.file(URL(fileURLWithPath: record), source: record)
        }
        let (url, size) = try MockData.write(value, name: name, project: URL(fileURLWithPath: project))
        let schema = (try? ProtectedDataSchema(of: value))?.json ?? .null
        output.emit([
            "path": .string(url.path), "name": .string(name), "bytes": .string(String(size)), "schema": schema,
        ]) {
            [
                "Wrote \(url.path) (\(size) bytes)",
                "  schema  \(String(decoding: schema.serialized(), as: UTF8.self))",
                "Run the app on it: clave app test\(project == "." ? "" : " \(project)") --protected-data \(name)",
            ]
        }
    }
}

/// Mock protected data: the payload zip of a record, in a project's `mock/protectedData` folder.
enum MockData {
    static let defaultName = "default"
    static let folder = "mock/protectedData"

    static func path(_ name: String) -> String { "\(folder)/\(name)" }

    static func isValidName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (1...64).contains(name.utf8.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// Writes `value`'s zip as the mock `name` of the project in `project`, atomically; returns its path and size.
    static func write(_ value: ProtectedValue, name: String, project: URL) throws -> (url: URL, bytes: Int) {
        let bytes: [UInt8]
        do {
            bytes = try ProtectedDataZip.bytes(of: value)
        } catch {
            throw CLIError(.invalidInput, "The record is not one Clave can protect: \(error)")
        }
        let url = project.appendingPathComponent(path(name))
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw CLIError(.systemFailure, "Cannot write \(url.path): \(error.localizedDescription).")
        }
        return (url, bytes.count)
    }
}
