public import ClaveCore
public import ClaveCrypto
public import Foundation

/// The result digest of a run, from its `$IEXEC_OUT` folder and its `computed.json`, as iExec computes it
/// (docs/formats/result.md, "The result digest"): ClaveCore's ``ResultDigest`` over the hashes read here.
///
/// - With `callback-data`: keccak256 of the callback bytes.
/// - Otherwise `deterministic-output-path`, relative inside `/iexec_out`: a regular file's sha256; a directory's
///   keccak256 over the sha256 of its direct regular files in UTF-8 name order (subdirectories count for nothing).
///
/// Files are hashed in constant memory. Symbolic links, devices, sockets and pipes are refused
/// (`unsupportedOutputEntry`), as ``ResultArchive`` refuses them, so the digest is always one that the archive's
/// content reproduces (``ResultReceipt/verifyArchive(at:)``).
public enum OutputDigest {
    /// The name of the file the app writes in `$IEXEC_OUT`.
    public static let computedFileName = "computed.json"

    /// Reads `computed.json` from the output folder.
    public static func computedFile(in output: URL) throws(ResultError) -> ComputedFile {
        let url = output.appendingPathComponent(computedFileName, isDirectory: false)
        guard case .regular = OutputFileKind(path: url.path) else {
            throw ResultError(
                .missingOutput, at: computedFileName,
                "The app wrote no $IEXEC_OUT/computed.json (a regular file), so there is no result to digest; have it write {\"deterministic-output-path\": \"/iexec_out/result.txt\"}."
            )
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: url))
        } catch {
            throw ResultError(.io, at: computedFileName, "Cannot read \(url.path) (\(error.localizedDescription)).")
        }
        return try ComputedFile(parsing: bytes)
    }

    /// The `error-message` of the computed.json a failed app wrote (its first 1,000 characters), read as leniently
    /// as it can be: an app that fails may write nothing else. A worker tells it to the requester; `clave app test`,
    /// to the developer.
    public static func errorMessage(in output: URL) -> String? {
        guard
            let data = FileManager.default.contents(
                atPath: output.appendingPathComponent(computedFileName, isDirectory: false).path),
            let json = try? JSONValue(parsing: Array(data)), let message = json["error-message"]?.stringValue
        else { return nil }
        return String(message.prefix(1000))
    }

    /// The result digest of the output folder `output` with its computed file.
    public static func compute(output: URL, computed: ComputedFile) throws(ResultError) -> Bytes32 {
        if let callbackData = computed.callbackData {
            return try ResultDigest.callback(callbackData)
        }
        // A computed file has an output path when it has no callback data.
        let relative = computed.outputPathInIexecOut ?? ""
        let shown = computed.deterministicOutputPath ?? ComputedFile.iexecOut
        let url = relative.isEmpty ? output : output.appendingPathComponent(relative, isDirectory: false)
        switch OutputFileKind(path: url.path) {
        case .regular:
            let (sha256, size) = try hash(url, shown: shown)
            return try ResultDigest.file(sha256: sha256, byteCount: size)
        case .directory:
            let names: [String]
            do {
                names = try OutputFiles.names(in: url)
            } catch {
                throw ResultError(.io, at: shown, "Cannot list \(url.path) (\(error.localizedDescription)).")
            }
            var entries: [ResultDigest.Entry] = []
            for name in names {
                let entry = url.appendingPathComponent(name, isDirectory: false)
                switch OutputFileKind(path: entry.path) {
                case .regular:
                    let (sha256, size) = try hash(entry, shown: "\(shown)/\(name)")
                    entries.append(.file(name, sha256: sha256, byteCount: size))
                case .directory:
                    entries.append(ResultDigest.Entry(name: name, content: .directory))
                case .missing:
                    throw ResultError(
                        .outputNotFound, at: "\(shown)/\(name)",
                        "\(shown)/\(name) disappeared while the output was digested; digest it once the app has stopped."
                    )
                case let kind:
                    throw unsupported("\(shown)/\(name)", kind)
                }
            }
            return try ResultDigest.directory(entries)
        case .missing:
            throw ResultError(
                .outputNotFound, at: "deterministic-output-path",
                "computed.json names \(shown) as the deterministic output, but the app wrote nothing there; have the app write its result at that path, or name the path it does write."
            )
        case let kind:
            throw unsupported(shown, kind)
        }
    }

    /// Reads `computed.json` from `output` and computes the digest.
    public static func compute(output: URL) throws(ResultError) -> (computed: ComputedFile, digest: Bytes32) {
        let computed = try computedFile(in: output)
        return (computed, try compute(output: output, computed: computed))
    }

    static func hash(_ url: URL, shown: String) throws(ResultError) -> (Bytes32, UInt64) {
        do {
            return try OutputFiles.sha256(url)
        } catch {
            throw ResultError(.io, at: shown, "Cannot read \(url.path) (\(error.localizedDescription)).")
        }
    }

    static func unsupported(_ shown: String, _ kind: OutputFileKind) -> ResultError {
        ResultError(
            .unsupportedOutputEntry, at: shown,
            "\(shown) is \(kind.label); a result's digest covers only regular files and directories. Have the app write the file itself there."
        )
    }
}
