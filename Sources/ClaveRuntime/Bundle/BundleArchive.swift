/// The canonical archive of a bundle: a POSIX ustar archive whose bytes depend only on the files' paths, contents and
/// executable bits, so that its SHA-256 — the app's measurement — names exactly what will run (docs/iapp-bundle.md).
///
/// Entries are regular files only, sorted by path (byte order), each with mode 0755 (executable) or 0644, uid and gid
/// 0, mtime 0, empty user and group names; no directory entries; two zero blocks at the end. Reading accepts exactly
/// that form and nothing else, so an archive that reads is canonical and its paths stay inside the folder it is
/// unpacked into.
public enum BundleArchive {
    /// One file of a bundle.
    public struct Entry: Sendable, Hashable {
        /// Relative, `/`-separated, inside the bundle.
        public var path: String
        public var contents: [UInt8]
        public var executable: Bool

        public init(path: String, contents: [UInt8], executable: Bool) {
            self.path = path
            self.contents = contents
            self.executable = executable
        }
    }

    static let block = 512

    /// The canonical archive of `entries`, sorted here. Throws for a path that is unsafe, repeated or longer than
    /// ustar holds.
    public static func archive(_ entries: [Entry]) throws(RuntimeError) -> [UInt8] {
        let sorted = sorted(entries)
        var output: [UInt8] = []
        output.reserveCapacity(sorted.reduce(2 * block) { $0 + block + padded($1.contents.count) })
        var previous: String?
        for entry in sorted {
            guard BundlePath.isSafe(entry.path) else {
                throw RuntimeError(.invalidBundle, "The bundle path '\(entry.path)' is not a relative path inside it.")
            }
            guard entry.path != previous else {
                throw RuntimeError(.invalidBundle, "The bundle holds '\(entry.path)' twice.")
            }
            previous = entry.path
            output += try header(for: entry)
            output += entry.contents
            output += [UInt8](repeating: 0, count: padded(entry.contents.count) - entry.contents.count)
        }
        output += [UInt8](repeating: 0, count: 2 * block)
        return output
    }

    /// The entries of a canonical archive, in its order. Throws ``RuntimeError/Code/invalidBundle`` for anything
    /// ``archive(_:)`` would not have written.
    public static func entries(of archive: [UInt8]) throws(RuntimeError) -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        while true {
            guard offset + block <= archive.count else { throw invalid("ends without its two closing blocks") }
            let header = Array(archive[offset..<(offset + block)])
            if header.allSatisfy({ $0 == 0 }) {
                guard archive.count == offset + 2 * block, archive[(offset + block)...].allSatisfy({ $0 == 0 }) else {
                    throw invalid("has bytes after its first zero block, or a single closing block")
                }
                return entries
            }
            let (path, size, executable) = try parse(header)
            let start = offset + block
            guard padded(size) <= archive.count - start else { throw invalid("has an entry '\(path)' cut short") }
            let entry = Entry(path: path, contents: Array(archive[start..<(start + size)]), executable: executable)
            guard try Self.header(for: entry) == header else {
                throw invalid("has a header for '\(path)' that is not in canonical form")
            }
            let end = start + padded(size)
            guard archive[(start + size)..<end].allSatisfy({ $0 == 0 }) else {
                throw invalid("has padding after '\(path)' that is not zeros")
            }
            if let last = entries.last {
                guard last.path.utf8.lexicographicallyPrecedes(path.utf8) else {
                    throw invalid("is not sorted by path, or repeats one ('\(path)')")
                }
            }
            entries.append(entry)
            offset = end
        }
    }

    /// `entries` in archive order: by path, byte by byte.
    static func sorted(_ entries: [Entry]) -> [Entry] {
        entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    // MARK: ustar

    private static func header(for entry: Entry) throws(RuntimeError) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: block)
        let path = Array(entry.path.utf8)
        // A path over 100 bytes goes into prefix (up to 155) and name, split at a '/'.
        var name = path
        var prefix: [UInt8] = []
        if path.count > 100 {
            guard
                let split = path.indices.last(where: {
                    path[$0] == UInt8(ascii: "/") && $0 <= 155 && path.count - $0 - 1 <= 100
                })
            else {
                throw RuntimeError(
                    .invalidBundle, "The bundle path '\(entry.path)' is too long for the archive; shorten it.")
            }
            prefix = Array(path[..<split])
            name = Array(path[(split + 1)...])
        }
        func put(_ bytes: [UInt8], at offset: Int) {
            header.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = Array(String(value, radix: 8).utf8)
            return [UInt8](repeating: UInt8(ascii: "0"), count: width - 1 - digits.count) + digits + [0]
        }
        put(name, at: 0)
        put(octal(entry.executable ? 0o755 : 0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        guard entry.contents.count < 0o77777777777 else {
            throw RuntimeError(.invalidBundle, "The bundle file '\(entry.path)' is too large for the archive.")
        }
        put(octal(entry.contents.count, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        header[156] = UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(prefix, at: 345)
        // The checksum: the header's bytes summed with its own field as spaces; six octal digits, NUL, space.
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return header
    }

    private static func parse(_ header: [UInt8]) throws(RuntimeError) -> (path: String, size: Int, executable: Bool) {
        func text(_ range: Range<Int>) -> [UInt8] { Array(header[range].prefix { $0 != 0 }) }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: text(range), as: UTF8.self), radix: 8) }
        guard header[156] == UInt8(ascii: "0") else { throw invalid("holds an entry that is not a regular file") }
        let name = text(0..<100)
        let prefix = text(345..<500)
        let pathBytes = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
        guard let path = String(validating: pathBytes, as: UTF8.self), BundlePath.isSafe(path) else {
            throw invalid("holds a path that is not a relative path inside the bundle")
        }
        guard let size = number(124..<136), let mode = number(100..<108), mode == 0o755 || mode == 0o644 else {
            throw invalid("has a header for '\(path)' without a valid size and mode")
        }
        return (path, size, mode == 0o755)
    }

    private static func padded(_ count: Int) -> Int { (count + block - 1) / block * block }

    private static func invalid(_ what: String) -> RuntimeError {
        RuntimeError(.invalidBundle, "The bundle archive \(what); it is not a canonical Clave bundle.")
    }
}
