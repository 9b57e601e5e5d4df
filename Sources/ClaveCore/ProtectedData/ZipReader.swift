public import Foundation

/// Reads a zip archive of stored entries — what ``ZipWriter``, JSZip's defaults and iExec's dataprotector write — from
/// any random-access source, and checks every entry's CRC-32 as it is read.
///
/// The reader parses the end record (ZIP64 too), the central directory and each entry's local header, and refuses
/// with ``ProtectedDataError`` (`invalidZip`) what it cannot read faithfully: several disks, encrypted or compressed
/// entries (only method 0, stored, is read), names that are absolute, have `.`, `..` or `\`, or repeat, and records
/// or data that run past their bounds. Data is read in chunks, so an entry of any size is read in constant memory.
///
/// ```swift
/// let zip = try ZipReader(bytes: archive)
/// for entry in zip.entries where !entry.isDirectory {
///     let contents = try zip.contents(of: entry)
/// }
/// ```
public struct ZipReader {
    /// Reads exactly `count` bytes at `offset` of the source.
    public typealias ReadAt = (_ offset: UInt64, _ count: Int) throws -> [UInt8]

    /// One entry, from the central directory.
    public struct Entry: Sendable, Hashable {
        /// The entry's path in the archive; a directory's ends with `/`.
        public let name: String
        public let isDirectory: Bool
        public let crc32: UInt32
        /// The entry's size in bytes (stored: the same compressed and uncompressed).
        public let size: UInt64
        /// Where its data starts in the archive.
        public let dataOffset: UInt64
    }

    /// The entries in central directory order.
    public let entries: [Entry]
    /// The archive's size in bytes.
    public let size: UInt64
    private let readAt: ReadAt

    /// A reader over `size` bytes that `readAt` returns, e.g. from a file descriptor with `pread`.
    public init(size: UInt64, readAt: @escaping ReadAt) throws {
        self.size = size
        self.readAt = readAt
        entries = try Self.readDirectory(size: size, readAt: Self.checked(readAt))
    }

    /// A reader over an archive in memory.
    public init(bytes: [UInt8]) throws {
        try self.init(size: UInt64(bytes.count)) { offset, count in
            guard offset < UInt64(bytes.count) else { return [] }
            let start = Int(offset)
            return Array(bytes[start..<min(bytes.count, start + count)])
        }
    }

    /// A reader over the archive in the open file `file`, read where the reader asks (the handle must stay open while
    /// the reader is used).
    public init(file: FileHandle) throws {
        try self.init(size: try file.seekToEnd()) { offset, count in
            try file.seek(toOffset: offset)
            return Array(try file.read(upToCount: count) ?? Data())
        }
    }

    /// The entry named `name`, if there is one.
    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// Sends `entry`'s data to `sink` in chunks of at most `chunkSize` bytes, then checks its CRC-32; throws
    /// ``ProtectedDataError/Code/checksumMismatch`` if it differs (after the data was sent: discard it then).
    public func read(_ entry: Entry, chunkSize: Int = 1 << 20, to sink: (UnsafeRawBufferPointer) throws -> Void) throws
    {
        precondition(chunkSize > 0)
        let fetch = Self.checked(readAt)
        var crc = CRC32()
        var position = entry.dataOffset
        var remaining = entry.size
        while remaining > 0 {
            let count = Int(min(remaining, UInt64(chunkSize)))
            let chunk = try fetch(position, count)
            crc.update(chunk)
            try chunk.withUnsafeBytes { try sink($0) }
            position += UInt64(count)
            remaining -= UInt64(count)
        }
        guard crc.value == entry.crc32 else {
            throw ProtectedDataError(
                .checksumMismatch, at: entry.name,
                "the data's CRC-32 is \(Self.hex(crc.value)) but the archive records \(Self.hex(entry.crc32)); the "
                    + "archive is corrupt: fetch or decrypt it again.")
        }
    }

    /// `entry`'s data, checked against its CRC-32.
    public func contents(of entry: Entry) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Int(entry.size))
        try read(entry) { result += $0 }
        return result
    }

    // MARK: Parsing

    private static func invalid(_ message: String, at path: String = "zip") -> ProtectedDataError {
        ProtectedDataError(.invalidZip, at: path, message)
    }

    /// `readAt`, refusing reads outside the archive or that come back short.
    private static func checked(_ readAt: @escaping ReadAt) -> ReadAt {
        { offset, count in
            let bytes = try readAt(offset, count)
            guard bytes.count == count else {
                throw invalid(
                    "reading \(count) bytes at offset \(offset) gave \(bytes.count); the archive is truncated.")
            }
            return bytes
        }
    }

    private static func readDirectory(size: UInt64, readAt: ReadAt) throws -> [Entry] {
        guard size >= 22 else { throw invalid("\(size) bytes is too short for a zip archive (at least 22).") }
        // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
        let tailCount = Int(min(size, 22 + 0xFFFF))
        let tailStart = size - UInt64(tailCount)
        let tail = try readAt(tailStart, tailCount)
        var endPosition: Int? = nil
        var position = tail.count - 22
        while position >= 0 {
            if tail.u32(position) == 0x0605_4B50, position + 22 + Int(tail.u16(position + 20)) == tail.count {
                endPosition = position
                break
            }
            position -= 1
        }
        guard let endPosition else {
            throw invalid("no end of central directory record; this is not a zip archive, or it is truncated.")
        }
        let end = Array(tail[endPosition..<(endPosition + 22)])
        guard end.u16(4) == 0, end.u16(6) == 0, end.u16(8) == end.u16(10) else {
            throw invalid("the archive spans several disks, which Clave does not read.")
        }
        var entryCount = UInt64(end.u16(10))
        var directorySize = UInt64(end.u32(12))
        var directoryOffset = UInt64(end.u32(16))
        var directoryLimit = tailStart + UInt64(endPosition)

        // ZIP64: a locator right before the end record points at the ZIP64 end record.
        if directoryLimit >= 20 {
            let locator = try readAt(directoryLimit - 20, 20)
            if locator.u32(0) == 0x0706_4B50 {
                let recordOffset = locator.u64(8)
                guard locator.u32(4) == 0, locator.u32(16) == 1, recordOffset + 56 <= directoryLimit - 20 else {
                    throw invalid("the ZIP64 end of central directory locator is malformed or names several disks.")
                }
                let record = try readAt(recordOffset, 56)
                guard record.u32(0) == 0x0606_4B50, record.u32(16) == 0, record.u32(20) == 0,
                    record.u64(24) == record.u64(32)
                else {
                    throw invalid("the ZIP64 end of central directory record is malformed or names several disks.")
                }
                entryCount = record.u64(32)
                directorySize = record.u64(40)
                directoryOffset = record.u64(48)
                directoryLimit = recordOffset
            }
        }
        guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset,
            entryCount <= directorySize / 46
        else {
            throw invalid(
                "the central directory (\(entryCount) entries, \(directorySize) bytes at \(directoryOffset)) does not "
                    + "fit before its end record.")
        }
        let directory = try readAt(directoryOffset, Int(directorySize))

        var entries: [Entry] = []
        var names = Set<String>()
        var cursor = 0
        for index in 0..<Int(entryCount) {
            guard cursor + 46 <= directory.count, directory.u32(cursor) == 0x0201_4B50 else {
                throw invalid("central directory record \(index) is missing or malformed.")
            }
            let flags = directory.u16(cursor + 8)
            let method = directory.u16(cursor + 10)
            let crc = directory.u32(cursor + 16)
            var compressedSize = UInt64(directory.u32(cursor + 20))
            var size = UInt64(directory.u32(cursor + 24))
            let nameCount = Int(directory.u16(cursor + 28))
            let extraCount = Int(directory.u16(cursor + 30))
            let commentCount = Int(directory.u16(cursor + 32))
            let disk = directory.u16(cursor + 34)
            var headerOffset = UInt64(directory.u32(cursor + 42))
            let nameStart = cursor + 46
            let recordEnd = nameStart + nameCount + extraCount + commentCount
            guard recordEnd <= directory.count else {
                throw invalid("central directory record \(index) runs past the directory.")
            }
            let nameBytes = directory[nameStart..<(nameStart + nameCount)]
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw invalid("entry \(index)'s name is not UTF-8.")
            }
            // ZIP64 extended information: the 8-byte values of the fields that hold 0xFFFFFFFF, in order.
            var extra = directory[(nameStart + nameCount)..<(nameStart + nameCount + extraCount)]
            while extra.count >= 4 {
                let id = UInt16(extra[extra.startIndex]) | UInt16(extra[extra.startIndex + 1]) << 8
                let length = Int(UInt16(extra[extra.startIndex + 2]) | UInt16(extra[extra.startIndex + 3]) << 8)
                guard extra.count >= 4 + length else {
                    throw invalid("entry \(index)'s extra field is malformed.", at: name)
                }
                var field = Array(extra[(extra.startIndex + 4)..<(extra.startIndex + 4 + length)])
                if id == 0x0001 {
                    func next() throws -> UInt64 {
                        guard field.count >= 8 else { throw invalid("the ZIP64 extra field is too short.", at: name) }
                        defer { field.removeFirst(8) }
                        return field.u64(0)
                    }
                    if size == 0xFFFF_FFFF { size = try next() }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try next() }
                    if headerOffset == 0xFFFF_FFFF { headerOffset = try next() }
                }
                extra = extra.dropFirst(4 + length)
            }
            guard disk == 0 || disk == 0xFFFF else { throw invalid("the entry is on another disk.", at: name) }
            guard flags & 0x0001 == 0 else {
                throw invalid("the entry is encrypted with zip's own encryption, which Clave does not read.", at: name)
            }
            guard method == 0, compressedSize == size else {
                throw invalid(
                    "the entry is compressed (method \(method)); Clave reads stored entries (method 0), as JSZip and "
                        + "iExec's dataprotector write them.", at: name)
            }
            try checkName(name)
            guard names.insert(name).inserted else { throw invalid("two entries have this name.", at: name) }
            let isDirectory = name.hasSuffix("/")
            guard !isDirectory || size == 0 else { throw invalid("a directory entry holds data.", at: name) }

            // The local header: same name; the data follows it and ends before the central directory.
            guard headerOffset <= directoryOffset, directoryOffset - headerOffset >= 30 else {
                throw invalid("the entry's local header is outside the archive's data.", at: name)
            }
            let header = try readAt(headerOffset, 30)
            guard header.u32(0) == 0x0403_4B50 else { throw invalid("the entry's local header is missing.", at: name) }
            let localNameCount = UInt64(header.u16(26))
            let localExtraCount = UInt64(header.u16(28))
            let dataOffset = headerOffset + 30 + localNameCount + localExtraCount
            guard dataOffset <= directoryOffset, size <= directoryOffset - dataOffset,
                try readAt(headerOffset + 30, Int(localNameCount)) == Array(nameBytes)
            else {
                throw invalid(
                    "the entry's local header does not match its central record or runs past the data.", at: name)
            }
            entries.append(Entry(name: name, isDirectory: isDirectory, crc32: crc, size: size, dataOffset: dataOffset))
            cursor = recordEnd
        }
        guard cursor == directory.count else {
            throw invalid("the central directory has \(directory.count - cursor) bytes after its last record.")
        }
        return entries
    }

    /// A name Clave can extract safely: relative, `/`-separated, without `\`, `.`, `..` or empty segments.
    private static func checkName(_ name: String) throws {
        let body = name.hasSuffix("/") ? name.dropLast() : Substring(name)
        let segments = body.split(separator: "/", omittingEmptySubsequences: false)
        guard !body.isEmpty, !name.contains("\\"), !name.utf8.contains(0),
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw invalid("the name is absolute, empty, or has a '\\', '.', '..' or empty segment.", at: name)
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

extension Array where Element == UInt8 {
    func u16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
}
