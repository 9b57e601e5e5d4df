/// Writes a zip archive the way JSZip 3 writes one with its defaults (`STORE`, platform `DOS`), byte for byte except
/// the timestamps, which are fixed so that the same entries always give the same bytes.
///
/// Every entry is stored (method 0, no compression). Each record goes to the sink as soon as it is known: a local file
/// header and the data per entry, then at ``finish(to:)`` the central directory and its end record. The writer keeps
/// only the central directory records (46 bytes plus the name per entry), so an archive of any size is written in
/// constant memory.
///
/// - Local header: version needed 10, flags 0, method 0, time `0x0000` and date `0x0021` (1980-01-01 00:00:00, the
///   earliest DOS date), CRC-32, sizes, name, no extra field.
/// - Central record: version made by `0x0014` (DOS, 2.0), the local header's fields, no comment, disk 0, internal
///   attributes 0, external attributes `0x10` for a directory and 0 for a file, the local header's offset.
/// - End record: disk 0, the entry count twice, the central directory's size and offset, no comment.
///
/// A streamed entry (``addStreamedFile(_:size:bufferSize:read:to:)``) is written as JSZip writes entries with
/// `streamFiles: true`: flag bit 3, CRC-32 and sizes zero in the local header, and after the data a data descriptor
/// (`PK\x07\x08`, CRC-32, sizes) with the CRC computed while streaming; the central record holds the real values.
///
/// ZIP64 (which JSZip never writes) is used only where a value does not fit: an entry of 0xFFFFFFFF bytes or more, a
/// local header at or past offset 0xFFFFFFFF, a central directory there, or 65535 entries or more; see
/// `docs/formats/protected-data.md`.
public struct ZipWriter {
    /// Receives the archive's bytes in order; the buffer is valid only during the call.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    /// The DOS time of every entry: 00:00:00.
    public static let dosTime: UInt16 = 0x0000
    /// The DOS date of every entry: 1980-01-01 (`(1980 - 1980) << 9 | 1 << 5 | 1`).
    public static let dosDate: UInt16 = 0x0021

    /// Sizes and offsets at or above this are written as ZIP64. Lowered only by tests, to exercise ZIP64 records
    /// without writing 4 GiB.
    package var zip64Threshold: UInt64 = 0xFFFF_FFFF
    /// Entry counts at or above this are written as ZIP64.
    package var zip64EntryCountThreshold = 0xFFFF

    private var offset: UInt64 = 0
    private var centralDirectory: [UInt8] = []
    private var entryCount = 0
    private var names: Set<String> = []
    private var finished = false

    public init() {}

    /// The bytes written so far.
    public var byteCount: UInt64 { offset }

    /// Adds a directory entry; `name` ends with `/` (`profile/`).
    public mutating func addDirectory(_ name: String, to sink: Sink) throws {
        try checkName(name, directory: true)
        try addStored(name, contents: [], isDirectory: true, to: sink)
    }

    /// Adds a file entry holding `contents`.
    public mutating func addFile(_ name: String, contents: [UInt8], to sink: Sink) throws {
        try checkName(name, directory: false)
        try addStored(name, contents: contents, isDirectory: false, to: sink)
    }

    /// Adds a file entry of exactly `size` bytes pulled from `read`, in chunks of `bufferSize`, computing its CRC-32
    /// as it goes; nothing but one buffer is held in memory.
    ///
    /// `read` fills the buffer it is given from the start and returns how many bytes it put there, 0 only at the end.
    /// Throws ``ProtectedDataError/Code/invalidValue`` when the source ends before `size` bytes or goes on after them
    /// (a file that changed while it was read): the archive written so far is then incomplete and must be discarded.
    ///
    /// - Returns: the entry's CRC-32.
    @discardableResult
    public mutating func addStreamedFile(
        _ name: String,
        size: UInt64,
        bufferSize: Int = 1 << 20,
        read: (UnsafeMutableRawBufferPointer) throws -> Int,
        to sink: Sink
    ) throws -> UInt32 {
        try checkName(name, directory: false)
        precondition(bufferSize > 0, "bufferSize must be positive")
        let headerOffset = offset
        let large = size >= zip64Threshold
        var extra: [UInt8] = []
        if large {
            extra.appendLE(UInt16(0x0001))
            extra.appendLE(UInt16(16))
            extra.appendLE(size)
            extra.appendLE(size)
        }
        var header: [UInt8] = []
        appendLocalHeader(
            to: &header, name: name, flags: 0x0008, versionNeeded: large ? 45 : 10, crc: 0,
            size32: large ? 0xFFFF_FFFF : 0, extra: extra)
        try emit(header, to: sink)

        var crc = CRC32()
        var total: UInt64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(buffer)
            precondition(count >= 0 && count <= buffer.count, "read returned a count outside its buffer")
            if count == 0 { break }
            total += UInt64(count)
            guard total <= size else {
                throw ProtectedDataError(
                    .invalidValue, at: name,
                    "the source gave more than the \(size) bytes announced; it changed while it was read, so "
                        + "protect it again once it no longer changes.")
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            crc.update(chunk)
            try sink(chunk)
            offset += UInt64(count)
        }
        guard total == size else {
            throw ProtectedDataError(
                .invalidValue, at: name,
                "the source ended after \(total) of the \(size) bytes announced; it changed while it was read, so "
                    + "protect it again once it no longer changes.")
        }

        var descriptor: [UInt8] = []
        descriptor.appendLE(UInt32(0x0807_4B50))
        descriptor.appendLE(crc.value)
        if large {
            descriptor.appendLE(size)
            descriptor.appendLE(size)
        } else {
            descriptor.appendLE(UInt32(size))
            descriptor.appendLE(UInt32(size))
        }
        try emit(descriptor, to: sink)
        appendCentralRecord(
            name: name, flags: 0x0008, crc: crc.value, size: size, headerOffset: headerOffset, isDirectory: false)
        return crc.value
    }

    /// Writes the central directory and the end records; the writer takes no entry after this.
    public mutating func finish(to sink: Sink) throws {
        precondition(!finished, "finish(to:) was already called")
        finished = true
        let directoryOffset = offset
        let directorySize = UInt64(centralDirectory.count)
        try emit(centralDirectory, to: sink)
        centralDirectory = []

        var end: [UInt8] = []
        let needsZip64 =
            entryCount >= zip64EntryCountThreshold || directorySize >= zip64Threshold
            || directoryOffset >= zip64Threshold
        if needsZip64 {
            let recordOffset = offset
            end.appendLE(UInt32(0x0606_4B50))
            end.appendLE(UInt64(44))  // the record's size after this field
            end.appendLE(UInt16(45))  // version made by: DOS, 4.5
            end.appendLE(UInt16(45))  // version needed: 4.5
            end.appendLE(UInt32(0))  // this disk
            end.appendLE(UInt32(0))  // the disk where the central directory starts
            end.appendLE(UInt64(entryCount))
            end.appendLE(UInt64(entryCount))
            end.appendLE(directorySize)
            end.appendLE(directoryOffset)
            end.appendLE(UInt32(0x0706_4B50))  // ZIP64 end of central directory locator
            end.appendLE(UInt32(0))
            end.appendLE(recordOffset)
            end.appendLE(UInt32(1))  // total disks
        }
        let count16 = entryCount >= zip64EntryCountThreshold ? 0xFFFF : UInt16(entryCount)
        end.appendLE(UInt32(0x0605_4B50))
        end.appendLE(UInt16(0))
        end.appendLE(UInt16(0))
        end.appendLE(count16)
        end.appendLE(count16)
        end.appendLE(directorySize >= zip64Threshold ? 0xFFFF_FFFF : UInt32(directorySize))
        end.appendLE(directoryOffset >= zip64Threshold ? 0xFFFF_FFFF : UInt32(directoryOffset))
        end.appendLE(UInt16(0))  // comment length
        try emit(end, to: sink)
    }

    // MARK: Records

    private mutating func addStored(_ name: String, contents: [UInt8], isDirectory: Bool, to sink: Sink) throws {
        let size = UInt64(contents.count)
        let large = size >= zip64Threshold
        let crc = CRC32.checksum(contents)
        let headerOffset = offset
        var extra: [UInt8] = []
        if large {
            extra.appendLE(UInt16(0x0001))
            extra.appendLE(UInt16(16))
            extra.appendLE(size)
            extra.appendLE(size)
        }
        var header: [UInt8] = []
        appendLocalHeader(
            to: &header, name: name, flags: 0, versionNeeded: large ? 45 : 10, crc: crc,
            size32: large ? 0xFFFF_FFFF : UInt32(size), extra: extra)
        try emit(header, to: sink)
        try emit(contents, to: sink)
        appendCentralRecord(
            name: name, flags: 0, crc: crc, size: size, headerOffset: headerOffset, isDirectory: isDirectory)
    }

    private func appendLocalHeader(
        to bytes: inout [UInt8], name: String, flags: UInt16, versionNeeded: UInt16, crc: UInt32, size32: UInt32,
        extra: [UInt8]
    ) {
        bytes.appendLE(UInt32(0x0403_4B50))
        bytes.appendLE(versionNeeded)
        bytes.appendLE(flags)
        bytes.appendLE(UInt16(0))  // method: stored
        bytes.appendLE(Self.dosTime)
        bytes.appendLE(Self.dosDate)
        bytes.appendLE(crc)
        bytes.appendLE(size32)  // compressed size
        bytes.appendLE(size32)  // uncompressed size
        bytes.appendLE(UInt16(name.utf8.count))
        bytes.appendLE(UInt16(extra.count))
        bytes += name.utf8
        bytes += extra
    }

    private mutating func appendCentralRecord(
        name: String, flags: UInt16, crc: UInt32, size: UInt64, headerOffset: UInt64, isDirectory: Bool
    ) {
        // The ZIP64 extra field holds, in this order, only the values whose 4-byte field is 0xFFFFFFFF.
        var zip64: [UInt64] = []
        if size >= zip64Threshold { zip64 += [size, size] }
        if headerOffset >= zip64Threshold { zip64.append(headerOffset) }
        var record: [UInt8] = []
        record.appendLE(UInt32(0x0201_4B50))
        record.appendLE(UInt16(zip64.isEmpty ? 0x0014 : 0x002D))  // version made by: DOS, 2.0 (4.5 with ZIP64)
        record.appendLE(UInt16(zip64.isEmpty ? 10 : 45))  // version needed
        record.appendLE(flags)
        record.appendLE(UInt16(0))
        record.appendLE(Self.dosTime)
        record.appendLE(Self.dosDate)
        record.appendLE(crc)
        let size32 = size >= zip64Threshold ? 0xFFFF_FFFF : UInt32(size)
        record.appendLE(size32)
        record.appendLE(size32)
        record.appendLE(UInt16(name.utf8.count))
        record.appendLE(UInt16(zip64.isEmpty ? 0 : 4 + 8 * zip64.count))
        record.appendLE(UInt16(0))  // comment length
        record.appendLE(UInt16(0))  // disk number start
        record.appendLE(UInt16(0))  // internal attributes
        record.appendLE(UInt32(isDirectory ? 0x10 : 0))  // external attributes: the DOS directory bit
        record.appendLE(headerOffset >= zip64Threshold ? 0xFFFF_FFFF : UInt32(headerOffset))
        record += name.utf8
        if !zip64.isEmpty {
            record.appendLE(UInt16(0x0001))
            record.appendLE(UInt16(8 * zip64.count))
            for value in zip64 { record.appendLE(value) }
        }
        centralDirectory += record
        entryCount += 1
    }

    private mutating func emit(_ bytes: [UInt8], to sink: Sink) throws {
        try bytes.withUnsafeBytes { try sink($0) }
        offset += UInt64(bytes.count)
    }

    /// Names are ASCII (JSZip would add a Unicode path field for others), relative, without `.`, `..` or empty
    /// segments, distinct, and end with `/` exactly for directories.
    private mutating func checkName(_ name: String, directory: Bool) throws {
        precondition(!finished, "the archive is finished; add entries before finish(to:)")
        let body = directory ? name.dropLast() : Substring(name)
        let segments = body.split(separator: "/", omittingEmptySubsequences: false)
        guard name.hasSuffix("/") == directory, !body.isEmpty, name.utf8.count < 0xFFFF,
            name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }),
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw ProtectedDataError(
                .invalidZip, at: name,
                "is not a zip entry name Clave writes: printable ASCII, relative, no empty, '.' or '..' segment, "
                    + "and a trailing '/' exactly for a directory.")
        }
        guard names.insert(name).inserted else {
            throw ProtectedDataError(.invalidZip, at: name, "the archive already has an entry with this name.")
        }
    }
}

extension [UInt8] {
    /// Appends `value` in little-endian byte order.
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        for index in 0..<(T.bitWidth / 8) { append(UInt8(truncatingIfNeeded: value >> (index * 8))) }
    }
}
