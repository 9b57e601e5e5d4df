import ClaveCore
import ClaveCrypto
public import Foundation

/// `$IEXEC_OUT` as a zip, deterministically: the same folder always gives the same bytes (docs/formats/result.md,
/// "The result archive").
///
/// Written with ClaveCore's ``ZipWriter`` (stored entries, fixed DOS time 00:00 and date 1980-01-01, CRC-32): every
/// directory (as `name/`) and regular file under the folder, relative to it, sorted by the UTF-8 bytes of their entry
/// names; files are streamed (flag bit 3 and a data descriptor), so a result of any size is archived in constant
/// memory. Nothing else of the file system (owners, modes, times) goes in. Symbolic links, devices, sockets and pipes
/// are refused rather than followed or skipped, and so are names a zip entry cannot carry as Clave writes them
/// (printable ASCII without `\`).
public enum ResultArchive {
    /// Writes the archive of `directory` to `destination`, through a temporary file beside it that is renamed into
    /// place only when complete (not fsynced: the archive is a step on the result's way to the blob store).
    ///
    /// - Throws: ``RuntimeError`` `invalidOutput` for a symbolic link, special file or unusable name (naming it), and
    ///   `io` when the folder cannot be read or the archive written.
    public static func write(directory: URL, to destination: URL) throws(RuntimeError) {
        try write(collect(checked: directory), to: destination)
    }

    /// The archive of `directory`, the bytes ``write(directory:to:)`` writes: in memory when its files hold at most
    /// `maximumSize` bytes, else written to `destination` (nil is returned then), so that a large result is archived
    /// in constant memory. The folder is listed once either way.
    public static func make(directory: URL, inMemoryUpTo maximumSize: UInt64, orAt destination: URL)
        throws(RuntimeError) -> [UInt8]?
    {
        let entries = try collect(checked: directory)
        let (total, overflow) = entries.reduce((UInt64(0), false)) { sum, entry in
            let (added, overflow) = sum.0.addingReportingOverflow(entry.size)
            return (added, sum.1 || overflow)
        }
        guard !overflow, total <= maximumSize else {
            try write(entries, to: destination)
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(total) + 128 * entries.count + 22)
        try archive(entries) { bytes.append(contentsOf: $0) }
        return bytes
    }

    private static func write(_ entries: [Entry], to destination: URL) throws(RuntimeError) {
        let writer: DurableFile.Writer
        do {
            writer = try DurableFile.Writer(replacing: destination, permissions: 0o600, synced: false)
        } catch {
            throw RuntimeError(.io, "Cannot write the result archive: \(error.message)")
        }
        try archive(entries) { try writer.write($0) }
        do {
            try writer.commit()
        } catch {
            throw RuntimeError(.io, "Cannot write the result archive to \(destination.path): \(error).")
        }
    }

    private static func collect(checked directory: URL) throws(RuntimeError) -> [Entry] {
        guard OutputFileKind(path: directory.path) == .directory else {
            throw RuntimeError(
                .io,
                "\(directory.path) is not a directory, so it cannot be archived as $IEXEC_OUT; give the output folder of the run."
            )
        }
        return try collect(directory)
    }

    /// Writes the zip of `entries` to `sink`, finished.
    private static func archive(_ entries: [Entry], to sink: ZipWriter.Sink) throws(RuntimeError) {
        var zip = ZipWriter()
        for entry in entries {
            do {
                if entry.isDirectory {
                    try zip.addDirectory(entry.name, to: sink)
                } else {
                    let handle = try FileHandle(forReadingFrom: entry.url)
                    defer { try? handle.close() }
                    try zip.addStreamedFile(
                        entry.name, size: entry.size,
                        read: { buffer in
                            guard let data = try handle.read(upToCount: buffer.count), !data.isEmpty else { return 0 }
                            return data.copyBytes(to: buffer)
                        }, to: sink)
                }
            } catch let error as ProtectedDataError where error.code == .invalidZip {
                throw RuntimeError(
                    .invalidOutput,
                    "$IEXEC_OUT/\(entry.name) cannot go into the result archive: its name \(error.message) Rename it in the app, using printable ASCII."
                )
            } catch let error as ProtectedDataError {
                throw RuntimeError(
                    .io,
                    "$IEXEC_OUT/\(entry.name) changed while it was archived (\(error.message)); archive it once the app has stopped writing."
                )
            } catch {
                throw RuntimeError(.io, "Cannot archive $IEXEC_OUT/\(entry.name): \(error).")
            }
        }
        do {
            try zip.finish(to: sink)
        } catch {
            throw RuntimeError(.io, "Cannot write the result archive: \(error).")
        }
    }

    struct Entry {
        /// The zip entry name: relative, `/`-separated, with a trailing `/` for a directory.
        var name: String
        var url: URL
        var isDirectory: Bool
        var size: UInt64
    }

    /// Every entry under `root`, sorted by the UTF-8 bytes of its entry name.
    static func collect(_ root: URL) throws(RuntimeError) -> [Entry] {
        var entries: [Entry] = []
        var pending: [(url: URL, prefix: String)] = [(root, "")]
        while let (folder, prefix) = pending.popLast() {
            let names: [String]
            do {
                names = try OutputFiles.names(in: folder)
            } catch {
                throw RuntimeError(.io, "Cannot list \(folder.path) (\(error.localizedDescription)).")
            }
            for name in names {
                let url = folder.appendingPathComponent(name, isDirectory: false)
                let path = prefix + name
                switch OutputFileKind(path: url.path) {
                case .regular(let size):
                    entries.append(Entry(name: path, url: url, isDirectory: false, size: size))
                case .directory:
                    entries.append(Entry(name: path + "/", url: url, isDirectory: true, size: 0))
                    pending.append((url, path + "/"))
                case .missing:
                    throw RuntimeError(
                        .io,
                        "$IEXEC_OUT/\(path) disappeared while the output was archived; archive it once the app has stopped."
                    )
                case let kind:
                    throw RuntimeError(
                        .invalidOutput,
                        "$IEXEC_OUT/\(path) is \(kind.label); a result holds only regular files and directories. Have the app write the file itself there instead."
                    )
                }
            }
        }
        return entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }
}
