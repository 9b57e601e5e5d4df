public import ClaveCrypto
public import Foundation

extension ProtectedValue {
    /// Reads a protected data from a JSON record (the file `clave` takes as `record.json`).
    ///
    /// - A JSON object is an object, `true`/`false` a bool, a string a string, and a number an `f64` (as
    ///   `JSON.parse` gives a JavaScript number: the nearest double).
    /// - `{"$bigint": "-170141183460469231731687303715884105728"}` is an i128, written as a decimal string.
    /// - `{"$base64": "iVBORw0KGgo="}` is binary data, in standard base64 with padding.
    /// - `{"$file": "photo.png"}` is binary data read by `readFile` from that path (the caller resolves it, relative to
    ///   the JSON file: see ``fileReader(relativeTo:)``).
    ///
    /// Each `$` form is an object with that one member, a string. `null` and arrays have no protected-data form and
    /// are refused, as are keys iExec refuses; errors name the key path (`data.profile.age`). Members keep the order of
    /// ``ClaveCrypto/JSONValue/Object``, which is RFC 8785's (sorted), so how the JSON is written never changes the
    /// zip. The result is validated (``validate()``).
    public init(json: JSONValue, readFile: (String) throws -> [UInt8]) throws(ProtectedDataError) {
        guard case .object = json else {
            throw ProtectedDataError(
                .invalidValue, at: Self.rootPath, "a record is a JSON object of keys to values, found \(json.kind).")
        }
        self = try Self.read(json, at: Self.rootPath, readFile: readFile)
        try validate()
    }

    /// Parses a JSON record (``init(json:readFile:)``) from its bytes.
    public init(parsingRecord text: some DataProtocol, readFile: (String) throws -> [UInt8]) throws(ProtectedDataError)
    {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text, limits: JSONValue.Limits(maxBytes: 64 << 20))
        } catch {
            throw ProtectedDataError(.invalidValue, at: Self.rootPath, "the record is not JSON: \(error.message)")
        }
        try self.init(json: json, readFile: readFile)
    }

    /// Reads `$file` paths relative to `directory` (the JSON record's folder), or as they are when absolute.
    public static func fileReader(relativeTo directory: URL) -> (String) throws -> [UInt8] {
        { path in
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
            return try [UInt8](Data(contentsOf: url))
        }
    }

    private static func read(_ json: JSONValue, at path: String, readFile: (String) throws -> [UInt8])
        throws(ProtectedDataError) -> ProtectedValue
    {
        switch json {
        case .bool(let flag):
            return .bool(flag)
        case .number(let number):
            return .number(number.double)
        case .string(let text):
            return .string(text)
        case .null:
            throw ProtectedDataError(.invalidValue, at: path, "null has no protected-data form; remove the member.")
        case .array:
            throw ProtectedDataError(
                .invalidValue, at: path,
                "arrays are not protected data (iExec refuses them); use an object with keys \"0\", \"1\", ... instead."
            )
        case .object(let object):
            if let special = object.keys.first(where: { $0.hasPrefix("$") }) {
                return try readSpecial(special, object, at: path, readFile: readFile)
            }
            var members: [(key: String, value: ProtectedValue)] = []
            for (key, value) in object {
                try checkKey(key, in: path)
                members.append((key, try read(value, at: "\(path).\(key)", readFile: readFile)))
            }
            return .object(members)
        }
    }

    private static func readSpecial(
        _ name: String, _ object: JSONValue.Object, at path: String, readFile: (String) throws -> [UInt8]
    ) throws(ProtectedDataError) -> ProtectedValue {
        let forms = "{\"$bigint\": \"<decimal>\"}, {\"$base64\": \"<base64>\"} or {\"$file\": \"<path>\"}"
        guard object.count == 1, ["$bigint", "$base64", "$file"].contains(name) else {
            throw ProtectedDataError(
                .invalidValue, at: path,
                "keys starting with '$' are the special forms \(forms), each alone in its object; found \(name)"
                    + (object.count == 1 ? "" : " among \(object.count) members") + ".")
        }
        guard case .string(let text) = object[name]! else {
            throw ProtectedDataError(
                .invalidValue, at: path, "\(name) takes a string, found \(object[name]!.kind): write \(forms).")
        }
        switch name {
        case "$bigint":
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                digits == "0" || !digits.hasPrefix("0")
            else {
                throw ProtectedDataError(
                    .invalidValue, at: path,
                    "\"\(text.prefix(60))\" is not a decimal integer without leading zeros, such as \"-42\".")
            }
            guard let value = Int128(text) else {
                throw ProtectedDataError(
                    .invalidValue, at: path,
                    "\(text.prefix(60)) is out of the i128 range, -2^127 to 2^127 - 1, which iExec's dataprotector "
                        + "refuses too; store it as a string instead.")
            }
            return .bigint(value)
        case "$base64":
            guard let data = Data(base64Encoded: text) else {
                throw ProtectedDataError(
                    .invalidValue, at: path, "the $base64 text is not standard base64 with padding (A-Z a-z 0-9 + /).")
            }
            return .binary([UInt8](data))
        default:
            do {
                return .binary(try readFile(text))
            } catch {
                throw ProtectedDataError(
                    .unreadableFile, at: path,
                    "cannot read the $file \(text): \(error); the path is relative to the JSON record's folder.")
            }
        }
    }
}
