/// The Borsh encoding (borsh.io) of the four scalar types iExec's dataprotector writes, as `borsh-js` 2's
/// `serialize(type, value)` writes them and iExec's dataprotector-deserializer reads them.
///
/// | type | bytes |
/// | --- | --- |
/// | `bool` | 1 byte: `0x00` false, `0x01` true |
/// | `f64` | 8 bytes, the IEEE-754 double, little-endian |
/// | `i128` | 16 bytes, two's complement, little-endian |
/// | `string` | a u32 little-endian byte count, then the UTF-8 bytes |
///
/// Decoding is strict: a `bool` byte other than 0 or 1, a NaN `f64` (Borsh has none), a string that is not UTF-8, or
/// bytes left over are refused.
public enum Borsh {
    public static func encode(_ value: Bool) -> [UInt8] { [value ? 1 : 0] }

    public static func encode(_ value: Double) -> [UInt8] { littleEndian(value.bitPattern) }

    public static func encode(_ value: Int128) -> [UInt8] { littleEndian(UInt128(bitPattern: value)) }

    /// The string's UTF-8 bytes after their count; precondition: fewer than 2^32 bytes.
    public static func encode(_ value: String) -> [UInt8] {
        let utf8 = Array(value.utf8)
        precondition(utf8.count <= UInt32.max, "a Borsh string holds at most 2^32 - 1 bytes")
        return littleEndian(UInt32(utf8.count)) + utf8
    }

    public static func decodeBool(_ bytes: some Collection<UInt8>, at path: String) throws(ProtectedDataError) -> Bool {
        try checkCount(bytes, 1, "bool", path)
        switch bytes.first {
        case 0: return false
        case 1: return true
        default:
            throw ProtectedDataError(
                .invalidBorsh, at: path, "a Borsh bool is the byte 0 or 1, found \(bytes.first ?? 0).")
        }
    }

    public static func decodeF64(_ bytes: some Collection<UInt8>, at path: String) throws(ProtectedDataError) -> Double
    {
        try checkCount(bytes, 8, "f64", path)
        let value = Double(bitPattern: fromLittleEndian(bytes, as: UInt64.self))
        guard !value.isNaN else {
            throw ProtectedDataError(.invalidBorsh, at: path, "the f64 is NaN, which Borsh does not encode.")
        }
        return value
    }

    public static func decodeI128(_ bytes: some Collection<UInt8>, at path: String) throws(ProtectedDataError) -> Int128
    {
        try checkCount(bytes, 16, "i128", path)
        return Int128(bitPattern: fromLittleEndian(bytes, as: UInt128.self))
    }

    public static func decodeString(_ bytes: some Collection<UInt8>, at path: String) throws(ProtectedDataError)
        -> String
    {
        let bytes = Array(bytes)
        guard bytes.count >= 4 else {
            throw ProtectedDataError(
                .invalidBorsh, at: path, "a Borsh string starts with a 4-byte length; found \(bytes.count) bytes.")
        }
        let length = Int(fromLittleEndian(bytes[0..<4], as: UInt32.self))
        guard bytes.count - 4 == length else {
            throw ProtectedDataError(
                .invalidBorsh, at: path,
                "the Borsh string says it has \(length) bytes but \(bytes.count - 4) follow its length.")
        }
        guard let text = String(validating: bytes[4...], as: UTF8.self) else {
            throw ProtectedDataError(.invalidBorsh, at: path, "the Borsh string is not valid UTF-8.")
        }
        return text
    }

    // MARK: Little-endian integers

    static func littleEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func fromLittleEndian<T: FixedWidthInteger & UnsignedInteger>(_ bytes: some Collection<UInt8>, as: T.Type)
        -> T
    {
        var value: T = 0
        for (index, byte) in bytes.prefix(T.bitWidth / 8).enumerated() { value |= T(byte) << (index * 8) }
        return value
    }

    private static func checkCount(_ bytes: some Collection<UInt8>, _ count: Int, _ type: String, _ path: String)
        throws(ProtectedDataError)
    {
        guard bytes.count == count else {
            throw ProtectedDataError(
                .invalidBorsh, at: path,
                "a Borsh \(type) is \(count) byte\(count == 1 ? "" : "s"), found \(bytes.count).")
        }
    }
}
