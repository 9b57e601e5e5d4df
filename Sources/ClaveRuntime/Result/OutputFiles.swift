import ClaveCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a path in `$IEXEC_OUT` is, seen with `lstat` (symbolic links are not followed).
enum OutputFileKind: Equatable {
    case missing
    case regular(size: UInt64)
    case directory
    case symbolicLink
    /// A device, socket or pipe.
    case special

    init(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            self = .missing
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regular(size: UInt64(info.st_size))
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        default: self = .special
        }
    }

    var label: String {
        switch self {
        case .missing: "missing"
        case .regular: "a regular file"
        case .directory: "a directory"
        case .symbolicLink: "a symbolic link"
        case .special: "a device, socket or pipe"
        }
    }
}

enum OutputFiles {
    /// The names in the directory at `url`, sorted by their UTF-8 bytes.
    static func names(in url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path)
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Feeds the file at `url` to `body` in chunks of `chunkSize`, in constant memory; returns the bytes read.
    @discardableResult
    static func read(_ url: URL, chunkSize: Int = 1 << 20, _ body: (Data) throws -> Void) throws -> UInt64 {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var total: UInt64 = 0
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            try body(chunk)
            total += UInt64(chunk.count)
        }
        return total
    }

    /// The sha256 and size of the file at `url`.
    static func sha256(_ url: URL) throws -> (Bytes32, UInt64) {
        var hasher = SHA256Hasher()
        let size = try read(url) { hasher.update($0) }
        return (hasher.finalize(), size)
    }
}
