/// iExec's dataprotector payload: the zip that holds a protected data before it is encrypted.
///
/// One entry per scalar, named by its key path with `/` between keys (`profile/age`), holding the value's Borsh bytes
/// (``Borsh``) or, for binary data, the bytes as they are; one directory entry (`profile/`) per nested object, before
/// its members. Entries come in the order iExec's `createZipFromObject` gives them through JSZip: the object's keys
/// depth first in JavaScript property order (``ProtectedValue`` insertion order, with array-index keys such as `7`
/// first), except that top-level scalars with array-index keys come before everything else, because JSZip keeps its
/// entries in a JavaScript object keyed by name. The zip itself is ``ZipWriter``'s: stored, fixed timestamps.
///
/// See `docs/formats/protected-data.md` for the layout byte for byte and a test vector.
public enum ProtectedDataZip {
    /// The entries of `value`'s zip in order: a name and the entry's bytes, `nil` for a directory. `value` must be
    /// valid (``ProtectedValue/validate()``).
    public static func entries(of value: ProtectedValue) -> [(name: String, contents: [UInt8]?)] {
        var entries: [(name: String, contents: [UInt8]?)] = []
        func visit(_ members: [(key: String, value: ProtectedValue)], prefix: String) {
            for (key, member) in ProtectedValue.javaScriptOrder(members) {
                let name = prefix + key
                switch member {
                case .object(let nested):
                    entries.append((name + "/", nil))
                    visit(nested, prefix: name + "/")
                case .bool(let flag): entries.append((name, Borsh.encode(flag)))
                case .number(let number): entries.append((name, Borsh.encode(number)))
                case .bigint(let integer): entries.append((name, Borsh.encode(integer)))
                case .string(let text): entries.append((name, Borsh.encode(text)))
                case .binary(let bytes): entries.append((name, bytes))
                }
            }
        }
        visit(value.members ?? [], prefix: "")
        // JSZip's `files` is a plain object: names that are array indices enumerate first, in numeric order.
        let hoisted = entries.compactMap { entry in
            ProtectedValue.arrayIndex(entry.name).map { (index: $0, entry: entry) }
        }
        guard !hoisted.isEmpty else { return entries }
        return hoisted.sorted { $0.index < $1.index }.map { $0.entry }
            + entries.filter { ProtectedValue.arrayIndex($0.name) == nil }
    }

    /// Validates `value` and writes its zip to `sink`.
    public static func write(_ value: ProtectedValue, to sink: ZipWriter.Sink) throws {
        try value.validate()
        var writer = ZipWriter()
        for entry in entries(of: value) {
            if let contents = entry.contents {
                try writer.addFile(entry.name, contents: contents, to: sink)
            } else {
                try writer.addDirectory(entry.name, to: sink)
            }
        }
        try writer.finish(to: sink)
    }

    /// Validates `value` and returns its zip.
    public static func bytes(of value: ProtectedValue) throws(ProtectedDataError) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            try write(value) { bytes += $0 }
        } catch let error as ProtectedDataError {
            throw error
        } catch {
            preconditionFailure("an in-memory zip cannot fail to be written: \(error)")
        }
        return bytes
    }

    /// Writes the zip of a protected data with one member, `key`, holding a file of `size` bytes pulled from `read`
    /// (see ``ZipWriter/addStreamedFile(_:size:bufferSize:read:to:)``): the file is streamed, never held in memory.
    /// Its entry is a streamed one (a data descriptor after the data); otherwise the zip is what
    /// ``write(_:to:)`` writes for `{key: <the file's bytes>}`.
    ///
    /// - Returns: the protected data's schema, `{key: <MIME type sniffed from the file's first bytes>}`.
    public static func writeFile(
        key: String,
        size: UInt64,
        bufferSize: Int = 1 << 20,
        read: (UnsafeMutableRawBufferPointer) throws -> Int,
        to sink: ZipWriter.Sink
    ) throws -> ProtectedDataSchema {
        try ProtectedValue.checkKey(key, in: ProtectedValue.rootPath)
        var head: [UInt8] = []
        var writer = ZipWriter()
        try writer.addStreamedFile(
            key, size: size, bufferSize: bufferSize,
            read: { buffer in
                let count = try read(buffer)
                if head.count < MIMESniffer.prefixLength {
                    head += buffer[0..<min(count, MIMESniffer.prefixLength - head.count)]
                }
                return count
            }, to: sink)
        try writer.finish(to: sink)
        return try ProtectedDataSchema(fields: [key: .type(MIMESniffer.mimeType(of: head))])
    }

    // MARK: Reading

    /// Reads a protected data back from its zip, decoding each entry as `schema` says (Borsh for the scalar types,
    /// raw bytes for MIME types), with every CRC-32 checked.
    ///
    /// Throws ``ProtectedDataError/Code/schemaMismatch`` when an entry is not in the schema, a directory stands where
    /// the schema has a leaf (or the other way round), or a leaf of the schema has no entry; Borsh errors name the
    /// entry. Members come back in the zip's order.
    public static func read(_ zip: ZipReader, schema: ProtectedDataSchema) throws -> ProtectedValue {
        var leaves: [(path: [String], value: ProtectedValue)] = []
        for entry in zip.entries {
            let path = (entry.isDirectory ? entry.name.dropLast() : Substring(entry.name))
                .split(separator: "/").map(String.init)
            let expected = schema.entry(at: path)
            if entry.isDirectory {
                guard case .object = expected else {
                    throw ProtectedDataError(
                        .schemaMismatch, at: entry.name,
                        "the zip has a directory where the schema has \(expected == nil ? "nothing" : "a value").")
                }
                continue
            }
            guard let type = expected?.type else {
                throw ProtectedDataError(
                    .schemaMismatch, at: entry.name,
                    "the zip has an entry where the schema has \(expected == nil ? "nothing" : "an object"); check "
                        + "that this is the schema registered with this protected data.")
            }
            let bytes = try zip.contents(of: entry)
            let value: ProtectedValue
            switch type {
            case "bool": value = .bool(try Borsh.decodeBool(bytes, at: entry.name))
            case "f64": value = .number(try Borsh.decodeF64(bytes, at: entry.name))
            case "i128": value = .bigint(try Borsh.decodeI128(bytes, at: entry.name))
            case "string": value = .string(try Borsh.decodeString(bytes, at: entry.name))
            default: value = .binary(bytes)
            }
            leaves.append((path, value))
        }
        for leaf in schema.paths {
            let path = leaf[..<leaf.firstIndex(of: ":")!].split(separator: ".").map(String.init)
            guard leaves.contains(where: { $0.path == path }) else {
                throw ProtectedDataError(
                    .schemaMismatch, at: path.joined(separator: "/"),
                    "the schema names this value but the zip has no entry for it.")
            }
        }
        return assemble(leaves)
    }

    /// Reads a protected data back from its zip in memory.
    public static func read(_ bytes: [UInt8], schema: ProtectedDataSchema) throws -> ProtectedValue {
        try read(ZipReader(bytes: bytes), schema: schema)
    }

    /// Nests leaves into objects, each key in the order it first appears.
    private static func assemble(_ leaves: [(path: [String], value: ProtectedValue)]) -> ProtectedValue {
        var order: [String] = []
        var groups: [String: [(path: [String], value: ProtectedValue)]] = [:]
        for leaf in leaves {
            let key = leaf.path[0]
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((Array(leaf.path.dropFirst()), leaf.value))
        }
        return .object(
            order.map { key -> (key: String, value: ProtectedValue) in
                let group = groups[key]!
                if group.count == 1, group[0].path.isEmpty { return (key, group[0].value) }
                return (key, assemble(group))
            })
    }
}
