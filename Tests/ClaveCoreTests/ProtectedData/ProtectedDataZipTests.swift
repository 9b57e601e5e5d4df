import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Foundation
import Testing

/// The zip layout against Python's zipfile (configured as JSZip writes), byte for byte, and read back.
@Suite struct ProtectedDataZipTests {
    @Test func objectsMatchTheIndependentLayoutByteForByte() throws {
        let vectors = try ProtectedDataVectors.load()
        #expect(vectors.objects.count >= 7)
        for vector in vectors.objects {
            let value = try ProtectedDataVectors.value(vector.value)
            let entries = ProtectedDataZip.entries(of: value)
            #expect(entries.map { $0.name } == vector.entries.map(\.name), "\(vector.name)")
            #expect(entries.map { $0.contents.map { Hex.encode($0) } } == vector.entries.map(\.contents))
            let zip = try ProtectedDataZip.bytes(of: value)
            #expect(Hex.encode(zip) == vector.zip, "\(vector.name)")

            let schema = try ProtectedDataSchema(of: value)
            #expect(schema.canonicalText == vector.schema, "\(vector.name)")
            #expect(schema.paths == vector.paths, "\(vector.name)")
            #expect(try ProtectedDataSchema(parsing: vector.schema) == schema)
            #expect(try ProtectedDataZip.read(zip, schema: schema) == value, "\(vector.name)")

            // The JSON record form ($bigint, $base64) reads as the same value.
            let record = try ProtectedValue(parsingRecord: Array(vector.record.utf8)) { path in
                throw VectorError("no file \(path)")
            }
            #expect(record == value, "\(vector.name)")
        }
    }

    @Test func streamedEntryMatchesTheIndependentLayout() throws {
        for vector in try ProtectedDataVectors.load().streamed {
            let contents = try Hex.decode(vector.contents)
            var archive: [UInt8] = []
            var position = 0
            let schema = try ProtectedDataZip.writeFile(
                key: vector.key, size: UInt64(contents.count), bufferSize: 777,
                read: { buffer in
                    let count = min(buffer.count, contents.count - position)
                    buffer.copyBytes(from: contents[position..<(position + count)])
                    position += count
                    return count
                }, to: { archive += $0 })
            #expect(Hex.encode(archive) == vector.zip, "\(vector.key)")
            #expect(schema.canonicalText == vector.schema)
            #expect(try ProtectedDataZip.read(archive, schema: schema) == .object([(vector.key, .binary(contents))]))
        }
    }

    @Test func namesAreCheckedAndNeverRepeated() throws {
        var writer = ZipWriter()
        try writer.addFile("a", contents: [1], to: { _ in })
        for (name, isDirectory) in [
            ("a", false), ("", false), ("/abs", false), ("a/../b", false), ("./x", false), ("b\\c", false),
            ("dir", true), ("file/", false), ("é", false), ("a//b", false),
        ] {
            #expect(throws: ProtectedDataError.self, "\(name)") {
                if isDirectory {
                    try writer.addDirectory(name, to: { _ in })
                } else {
                    try writer.addFile(name, contents: [], to: { _ in })
                }
            }
        }
    }

    @Test func streamedSourceMustGiveExactlyItsSize() throws {
        for (announced, actual) in [(10, 9), (10, 11), (0, 1)] {
            var writer = ZipWriter()
            var given = 0
            do {
                try writer.addStreamedFile(
                    "f", size: UInt64(announced), bufferSize: 4,
                    read: { buffer in
                        let count = min(buffer.count, actual - given)
                        for index in 0..<count { buffer[index] = 7 }
                        given += count
                        return count
                    }, to: { _ in })
                Issue.record("a source of \(actual) bytes announced as \(announced) was accepted")
            } catch let error as ProtectedDataError {
                #expect(error.code == .invalidValue)
                #expect(error.message.contains("changed while it was read"))
            }
        }
    }

    // MARK: Large and ZIP64

    /// A chunk of the synthetic large file: a fixed pseudo-random block with the chunk's index in its first bytes.
    private static func fillChunk(_ buffer: UnsafeMutableRawBufferPointer, index: UInt64, pattern: [UInt8]) {
        buffer.copyBytes(from: pattern[0..<buffer.count])
        withUnsafeBytes(of: index.littleEndian) { indexBytes in
            for offset in 0..<min(8, buffer.count) { buffer[offset] = indexBytes[offset] }
        }
    }

    /// 100 MiB generated on the fly, zipped to a file and read back (the reader checks the CRC-32 the writer computed
    /// while streaming): every buffer handed to the sink is at most the writer's 1 MiB buffer and the reader's chunks
    /// at most 1 MiB, so memory does not grow with the entry.
    @Test func largeStreamedEntryIsWrittenAndReadInConstantMemory() throws {
        let size: UInt64 = 100 << 20
        let chunk = 1 << 20
        var generator = SplitMix64(seed: 42)
        let pattern = (0..<chunk).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let directory = try TemporaryDirectory(prefix: "clave-pdata")
        let path = directory.url.appendingPathComponent("large.zip").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var produced: UInt64 = 0
        var largestWrite = 0
        let schema = try ProtectedDataZip.writeFile(
            key: "video", size: size, bufferSize: chunk,
            read: { buffer in
                guard produced < size else { return 0 }
                let count = Int(min(UInt64(buffer.count), size - produced))
                Self.fillChunk(
                    UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), index: produced / UInt64(chunk),
                    pattern: pattern)
                produced += UInt64(count)
                return count
            },
            to: { bytes in
                largestWrite = max(largestWrite, bytes.count)
                try output.write(contentsOf: bytes)
            })
        try output.close()
        #expect(largestWrite <= chunk)
        #expect(schema.canonicalText == #"{"video":"application/octet-stream"}"#)

        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? input.close() }
        let fileSize = try input.seekToEnd()
        let zip = try ZipReader(size: fileSize) { offset, count in
            try input.seek(toOffset: offset)
            return [UInt8](try input.read(upToCount: count) ?? Data())
        }
        #expect(zip.entries.map(\.name) == ["video"])
        #expect(zip.entries[0].size == size)
        var position: UInt64 = 0
        var largestRead = 0
        var mismatches = 0
        var scratch = [UInt8](repeating: 0, count: chunk)
        try zip.read(zip.entries[0], chunkSize: chunk) { bytes in
            largestRead = max(largestRead, bytes.count)
            scratch.withUnsafeMutableBytes { buffer in
                Self.fillChunk(
                    UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count]), index: position / UInt64(chunk),
                    pattern: pattern)
            }
            let same = scratch.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            if !same { mismatches += 1 }
            position += UInt64(bytes.count)
        }
        #expect(position == size)
        #expect(mismatches == 0)
        #expect(largestRead <= chunk)
    }

    /// ZIP64 records, forced by lowering the threshold (writing 4 GiB is too slow for the suite; see
    /// `zip64ForAFileOf4GiB` for the real size): the reader follows the ZIP64 end record, the central directory's ZIP64
    /// fields and the streamed entry's 8-byte data descriptor.
    @Test func zip64RecordsReadBack() throws {
        var writer = ZipWriter()
        writer.zip64Threshold = 0
        writer.zip64EntryCountThreshold = 0
        var archive: [UInt8] = []
        try writer.addDirectory("d/", to: { archive += $0 })
        try writer.addFile("d/a", contents: Borsh.encode("zip64"), to: { archive += $0 })
        var sent = false
        try writer.addStreamedFile(
            "b", size: 5,
            read: { buffer in
                guard !sent else { return 0 }
                sent = true
                buffer.copyBytes(from: [1, 2, 3, 4, 5])
                return 5
            }, to: { archive += $0 })
        try writer.finish(to: { archive += $0 })

        // A ZIP64 end record and its locator, then an end record whose fields all point at them.
        let end = Array(archive.suffix(22))
        #expect(Array(end[0..<4]) == [0x50, 0x4B, 0x05, 0x06])
        #expect(Array(end[8..<12]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(end[12..<20]) == [UInt8](repeating: 0xFF, count: 8))
        #expect(Array(archive.suffix(42)[archive.count - 42..<archive.count - 38]) == [0x50, 0x4B, 0x06, 0x07])

        let zip = try ZipReader(bytes: archive)
        #expect(zip.entries.map(\.name) == ["d/", "d/a", "b"])
        #expect(try zip.contents(of: zip.entries[1]) == Borsh.encode("zip64"))
        #expect(try zip.contents(of: zip.entries[2]) == [1, 2, 3, 4, 5])
        let schema = try ProtectedDataSchema(fields: [
            "d": .object(try ProtectedDataSchema(fields: ["a": .type("string")])),
            "b": .type("application/octet-stream"),
        ])
        #expect(
            try ProtectedDataZip.read(zip, schema: schema)
                == .object([("d", .object([("a", .string("zip64"))])), ("b", .binary([1, 2, 3, 4, 5]))]))
    }

    /// A real ZIP64 entry of 4 GiB + 1 byte, streamed from zeros into a sink that keeps only the records; the
    /// archive is then read from those records with zeros for the data. Slow in a debug build, so it runs only with
    /// `CLAVE_SLOW_TESTS=1`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CLAVE_SLOW_TESTS"] == "1"))
    func zip64ForAFileOf4GiB() throws {
        let size: UInt64 = (1 << 32) + 1
        var records: [(offset: UInt64, bytes: [UInt8])] = []
        var position: UInt64 = 0
        var produced: UInt64 = 0
        var writer = ZipWriter()
        let sink: ZipWriter.Sink = { bytes in
            // Records are small; the data comes in full 1 MiB buffers of zeros and is not kept.
            if bytes.count < 1 << 20 {
                records.append((position, Array(bytes)))
            }
            position += UInt64(bytes.count)
        }
        try writer.addFile("before", contents: Borsh.encode(true), to: sink)
        try writer.addStreamedFile(
            "big", size: size,
            read: { buffer in
                let count = Int(min(UInt64(buffer.count), size - produced))
                if count > 0 { buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: count) }
                produced += UInt64(count)
                return count
            }, to: sink)
        try writer.addFile("after", contents: Borsh.encode(false), to: sink)
        try writer.finish(to: sink)

        let total = position
        let zip = try ZipReader(size: total) { offset, count in
            var bytes = [UInt8](repeating: 0, count: count)
            for record in records
            where record.offset < offset + UInt64(count)
                && record.offset + UInt64(record.bytes.count) > offset
            {
                for index in 0..<record.bytes.count {
                    let at = record.offset + UInt64(index)
                    if at >= offset && at < offset + UInt64(count) { bytes[Int(at - offset)] = record.bytes[index] }
                }
            }
            return bytes
        }
        #expect(zip.entries.map(\.name) == ["before", "big", "after"])
        #expect(zip.entries[1].size == size)
        #expect(try zip.contents(of: zip.entries[2]) == [0])
        #expect(zip.entries[2].dataOffset > 0xFFFF_FFFF)
    }

    // MARK: Reading refusals

    private static func sample() throws -> [UInt8] {
        try ProtectedDataZip.bytes(of: .object([("a", .string("hello")), ("n", .object([("b", .bool(true))]))]))
    }

    @Test func readerRefusesDamagedArchives() throws {
        let good = try Self.sample()
        #expect(try ZipReader(bytes: good).entries.map(\.name) == ["a", "n/", "n/b"])

        func refusal(_ bytes: [UInt8]) -> ProtectedDataError? {
            do {
                let zip = try ZipReader(bytes: bytes)
                for entry in zip.entries { _ = try zip.contents(of: entry) }
                return nil
            } catch {
                return error as? ProtectedDataError
            }
        }
        // Not a zip, or cut short.
        #expect(refusal([UInt8](repeating: 0, count: 10))?.code == .invalidZip)
        #expect(
            refusal(Array("not a zip archive at all, just text".utf8))?.message.contains("no end of central") == true)
        #expect(refusal(Array(good.dropLast()))?.code == .invalidZip)
        #expect(refusal(Array(good.dropFirst(10)))?.code == .invalidZip)

        // A data byte changed: the CRC says so.
        var flipped = good
        flipped[30 + 1 + 4] ^= 0x01  // inside "hello", after the header, the name "a" and the 4-byte length
        #expect(refusal(flipped)?.code == .checksumMismatch)

        // Compressed (method 8) in the central directory.
        let centralStart = Int(good.u32le(good.count - 22 + 16))
        var deflated = good
        deflated[centralStart + 10] = 8
        #expect(refusal(deflated)?.message.contains("compressed (method 8)") == true)

        // Encrypted flag.
        var encrypted = good
        encrypted[centralStart + 8] |= 1
        #expect(refusal(encrypted)?.message.contains("encrypted") == true)

        // A name that climbs out of the extraction folder, in both headers.
        let sneaky = try ProtectedDataZip.bytes(of: .object([("ab", .bool(true))]))
        var climbing = sneaky
        for index in climbing.indices.dropLast()
        where climbing[index] == UInt8(ascii: "a") && climbing[index + 1] == UInt8(ascii: "b") {
            climbing[index] = UInt8(ascii: ".")
            climbing[index + 1] = UInt8(ascii: ".")
        }
        #expect(refusal(climbing)?.message.contains("'..'") == true)

        // The same name twice.
        let twice = try ProtectedDataZip.bytes(of: .object([("ab", .bool(true)), ("ac", .bool(false))]))
        var repeated = twice
        for index in repeated.indices.dropLast()
        where repeated[index] == UInt8(ascii: "a") && repeated[index + 1] == UInt8(ascii: "c") {
            repeated[index + 1] = UInt8(ascii: "b")
        }
        #expect(refusal(repeated)?.message.contains("two entries") == true)
    }

    @Test func decodingChecksTheArchiveAgainstItsSchema() throws {
        let zip = try Self.sample()
        let schema = try ProtectedDataSchema(parsing: #"{"a":"string","n":{"b":"bool"}}"#)
        #expect(
            try ProtectedDataZip.read(zip, schema: schema)
                == .object([("a", .string("hello")), ("n", .object([("b", .bool(true))]))]))

        func refusal(_ schemaText: String) throws -> ProtectedDataError? {
            do {
                _ = try ProtectedDataZip.read(zip, schema: try ProtectedDataSchema(parsing: schemaText))
                return nil
            } catch {
                return error as? ProtectedDataError
            }
        }
        // An entry the schema does not name.
        #expect(try refusal(#"{"n":{"b":"bool"}}"#)?.code == .schemaMismatch)
        // A leaf of the schema with no entry.
        let missing = try refusal(#"{"a":"string","n":{"b":"bool","c":"f64"}}"#)
        #expect(missing?.code == .schemaMismatch)
        #expect(missing?.path == "n/c")
        // A directory where the schema has a leaf.
        #expect(try refusal(#"{"a":"string","n":"bool"}"#)?.code == .schemaMismatch)
        // Bytes that are not the schema's Borsh type: "hello" as a bool, and as an f64.
        let wrongType = try refusal(#"{"a":"bool","n":{"b":"bool"}}"#)
        #expect(wrongType?.code == .invalidBorsh)
        #expect(wrongType?.path == "a")
        #expect(try refusal(#"{"a":"f64","n":{"b":"bool"}}"#)?.code == .invalidBorsh)
        // Binary types read any bytes raw.
        #expect(
            try ProtectedDataZip.read(
                zip, schema: try ProtectedDataSchema(parsing: #"{"a":"image/png","n":{"b":"bool"}}"#))
                == .object([("a", .binary(Borsh.encode("hello"))), ("n", .object([("b", .bool(true))]))]))
    }
}

extension Array where Element == UInt8 {
    fileprivate func u32le(_ at: Int) -> UInt32 {
        UInt32(self[at]) | UInt32(self[at + 1]) << 8 | UInt32(self[at + 2]) << 16 | UInt32(self[at + 3]) << 24
    }
}
