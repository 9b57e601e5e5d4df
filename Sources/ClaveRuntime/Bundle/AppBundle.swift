public import ClaveCrypto
import Crypto
public import Foundation

/// An iApp bundle: `iapp.json` and the files it runs, as one canonical archive whose SHA-256 is the app's
/// measurement, the fingerprint registered on the ledger as its `mrenclave` (docs/iapp-bundle.md).
public struct AppBundle: Sendable {
    /// The largest archive a bundle may make.
    public static let maximumSize = 256 << 20

    public let manifest: AppManifest
    /// The canonical archive (``BundleArchive``).
    public let archive: [UInt8]
    /// SHA-256 of ``archive``.
    public let measurement: Bytes32
    public let entries: [BundleArchive.Entry]

    /// The file of a bundle folder that names what the bundle leaves out.
    public static let ignoreFileName = ".iappignore"

    /// Reads the bundle in `directory`: every regular file under it, but those whose name (or a folder's) starts
    /// with `.` (`.git`, `.env`: never measured, never shipped) and the paths `.iappignore` lists (a project's test
    /// fixtures and output). Symbolic links and other special files are refused, as are a missing or invalid
    /// `iapp.json` and an entrypoint path the bundle does not hold.
    public init(directory: URL) throws(RuntimeError) {
        var entries: [BundleArchive.Entry] = []
        var total = 0
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        let ignored = try Self.ignoredPaths(in: root)
        try Self.collect(root, relative: "", ignoring: ignored, into: &entries, total: &total)
        let archive = try BundleArchive.archive(entries)
        try self.init(archive: archive, entries: BundleArchive.sorted(entries), measurement: Self.sha256(archive))
    }

    /// The bundle in a canonical archive, as the blob store keeps it; refused when its SHA-256 is not `expected`
    /// (the app's registered measurement).
    public init(archive: [UInt8], expected: Bytes32?) throws(RuntimeError) {
        let measurement = Self.sha256(archive)
        if let expected, measurement != expected {
            throw RuntimeError(
                .invalidBundle,
                "The bundle's archive hashes to \(measurement), not to the app's registered measurement \(expected); it is not the app's code. Fetch it again, or deploy the app again."
            )
        }
        try self.init(archive: archive, entries: try BundleArchive.entries(of: archive), measurement: measurement)
    }

    /// `archive` is canonical and `entries` are its entries, in its order; `measurement` is its SHA-256.
    private init(archive: [UInt8], entries: [BundleArchive.Entry], measurement: Bytes32) throws(RuntimeError) {
        guard let manifestEntry = entries.first(where: { $0.path == AppManifest.fileName }) else {
            throw RuntimeError(
                .invalidBundle,
                "The bundle has no \(AppManifest.fileName) at its top; `clave app init` writes one (docs/iapp-bundle.md)."
            )
        }
        let manifest = try AppManifest(json: manifestEntry.contents)
        let program = manifest.entrypoint[0]
        if manifest.runtime == .wasm || program.contains("/") {
            guard entries.contains(where: { $0.path == program }) else {
                throw RuntimeError(
                    .invalidBundle,
                    "\(AppManifest.fileName)'s entrypoint '\(program)' is not a file of the bundle; build it, or fix the path."
                )
            }
        }
        guard archive.count <= Self.maximumSize else {
            throw RuntimeError(
                .invalidBundle,
                "The bundle makes a \(archive.count)-byte archive, more than the \(Self.maximumSize) allowed; leave out what the app does not run."
            )
        }
        self.manifest = manifest
        self.archive = archive
        self.measurement = measurement
        self.entries = entries
    }

    /// Writes the bundle's files into `directory`, which must not exist yet: folders 0755, files 0644 or 0755.
    public func unpack(into directory: URL) throws(RuntimeError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: false)
            for entry in entries {
                let url = directory.appendingPathComponent(entry.path)
                try manager.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o755])
                try Data(entry.contents).write(to: url)
                try manager.setAttributes(
                    [.posixPermissions: entry.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
            }
        } catch {
            throw RuntimeError(
                .io,
                "Cannot unpack the bundle into \(directory.path): \(error.localizedDescription). It must not exist yet, in a folder you can write."
            )
        }
    }

    /// The paths `.iappignore` lists, one per line, relative to the bundle folder (a folder leaves out all it holds);
    /// blank lines and lines starting with `#` are skipped. A path that is absolute or climbs out with `..` is refused.
    static func ignoredPaths(in root: URL) throws(RuntimeError) -> Set<String> {
        let file = root.appendingPathComponent(ignoreFileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw RuntimeError(.io, "Cannot read \(file.path); check its permissions.")
        }
        var paths: Set<String> = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            var path = line.trimmingCharacters(in: .whitespaces)
            if path.isEmpty || path.hasPrefix("#") { continue }
            while path.hasSuffix("/") { path.removeLast() }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !parts.contains(".."), !parts.contains(""), !parts.contains(".") else {
                throw RuntimeError(
                    .invalidBundle,
                    "\(ignoreFileName) line \(number + 1), '\(line)', is not a path inside the bundle; write it relative to the bundle folder, without `..`."
                )
            }
            paths.insert(path)
        }
        return paths
    }

    private static func collect(
        _ folder: URL, relative: String, ignoring ignored: Set<String>, into entries: inout [BundleArchive.Entry],
        total: inout Int
    ) throws(RuntimeError) {
        let manager = FileManager.default
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw RuntimeError(.io, "Cannot list the bundle folder \(folder.path): \(error.localizedDescription).")
        }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : relative + "/" + name
            if ignored.contains(path) { continue }
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try manager.attributesOfItem(atPath: url.path)
            } catch {
                throw RuntimeError(.io, "Cannot read \(url.path): \(error.localizedDescription).")
            }
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try collect(url, relative: path, ignoring: ignored, into: &entries, total: &total)
            case .typeRegular?:
                let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                total += size
                guard total <= maximumSize else {
                    throw RuntimeError(
                        .invalidBundle,
                        "The bundle's files pass \(maximumSize) bytes at '\(path)'; leave out what the app does not run."
                    )
                }
                let contents: Data
                do {
                    contents = try Data(contentsOf: url)
                } catch {
                    throw RuntimeError(.io, "Cannot read \(url.path): \(error.localizedDescription).")
                }
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
                entries.append(.init(path: path, contents: Array(contents), executable: mode & 0o100 != 0))
            default:
                throw RuntimeError(
                    .invalidBundle,
                    "The bundle holds '\(path)', which is not a regular file or folder (a symbolic link?); copy the file itself into the bundle."
                )
            }
        }
    }

    static func sha256(_ bytes: [UInt8]) -> Bytes32 {
        try! Bytes32(SHA256.hash(data: bytes))
    }
}
