import ArgumentParser
import ClaveCore
import ClaveCrypto
import ClaveRuntime
import Foundation

/// `clave app init <name> --template python|node|wasm-c`: a new iApp project, ready to test and deploy.
struct AppInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a new iApp project: the app, iapp.json, a README and mock protected data to test it on.",
        discussion: """
            The app reads one field of its protected data (its first argument names it; `name` by default) and \
            writes `Hello, <value>!` with the computed.json that names it. Nothing is written when the folder \
            exists already.
            Examples:
              clave app init greeter --template python && cd greeter && clave app test
              clave app init greeter-c --template wasm-c     # C compiled to wasm32-wasi by its build.sh
            """
    )

    @Argument(help: "The app's name: 1 to 64 letters, digits, '.', '-', '_'; also the new folder's name.")
    var name: String

    @Option(help: "The app's language and runtime: python, node or wasm-c.", transform: parseTemplate)
    var template: AppTemplate = .python

    @Option(help: "Where to make the project's folder (default: here).")
    var directory: String = "."

    @OptionGroup var output: JSONOutput

    func validate() throws {
        guard AppManifest.isValidName(name), !name.hasPrefix(".") else {
            throw ValidationError(
                "'\(name)' is not an app name: use 1 to 64 letters, digits, '.', '-' or '_', not starting with '.'.")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: directory).appendingPathComponent(name)
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw CLIError(
                .invalidInput, "\(folder.path) exists already; choose another name, or remove it first.")
        }
        // Everything is written into a hidden sibling, then moved into place: a failure leaves no half project.
        let files = template.files(name: name)
        let staging = URL(fileURLWithPath: directory).appendingPathComponent(".\(name).init-\(UUID().uuidString)")
        do {
            defer { try? FileManager.default.removeItem(at: staging) }
            for file in files {
                let url = staging.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
                try FileManager.default.setAttributes(
                    [.posixPermissions: file.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
            }
            _ = try MockData.write(
                try RecordArgument.inline(AppTemplate.mockRecord), name: MockData.defaultName, project: staging)
            try FileManager.default.moveItem(at: staging, to: folder)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(
                .systemFailure, "Cannot write the project into \(folder.path): \(error.localizedDescription).")
        }
        let build = template == .wasmC ? " && ./build.sh" : ""
        let paths = files.map(\.path).sorted() + [MockData.path(MockData.defaultName)]
        output.emit(
            [
                "project": .string(folder.path), "template": .string(template.rawValue),
                "files": .array(paths.map(JSONValue.string)),
            ]
        ) {
            ["Created \(template.rawValue) iApp \(name) in \(folder.path):"] + paths.map { "  \($0)" } + [
                "Next: cd \(folder.path)\(build) && clave app test   (then `clave app deploy .`)"
            ]
        }
    }
}

private func parseTemplate(_ text: String) throws -> AppTemplate {
    guard let template = AppTemplate(rawValue: text) else {
        throw ValidationError(
            "'\(text)' is not a template; choose one of \(AppTemplate.allCases.map(\.rawValue).joined(separator: ", "))."
        )
    }
    return template
}
