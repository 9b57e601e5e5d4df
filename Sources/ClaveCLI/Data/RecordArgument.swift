import ClaveCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A record given on the command line, as `clave data protect` and `clave app mock-data` take one: an inline JSON
/// object, or a `.json` file, whose fields naming files are read relative to the file's folder (the current folder
/// for an inline record).
enum RecordArgument {
    static func isInline(_ source: String) -> Bool {
        source.trimmingCharacters(in: .whitespaces).hasPrefix("{")
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func inline(_ source: String) throws -> ProtectedValue {
        try parse(
            Data(source.trimmingCharacters(in: .whitespaces).utf8), relativeTo: URL(fileURLWithPath: "."),
            source: source)
    }

    static func file(_ url: URL, source: String) throws -> ProtectedValue {
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw CLIError(.invalidInput, "Cannot read \(source); check its permissions.")
        }
        return try parse(bytes, relativeTo: url.deletingLastPathComponent(), source: source)
    }

    private static func parse(_ bytes: Data, relativeTo folder: URL, source: String) throws -> ProtectedValue {
        do {
            return try ProtectedValue(parsingRecord: bytes, readFile: ProtectedValue.fileReader(relativeTo: folder))
        } catch {
            throw CLIError(
                .invalidInput,
                "The record \(source.prefix(80)) is not one Clave can protect: \(error) Clave refuses what is not a record iExec's dataprotector takes; docs/formats/protected-data.md says what one may hold."
            )
        }
    }
}
