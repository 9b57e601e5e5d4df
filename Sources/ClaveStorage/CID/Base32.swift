/// RFC 4648 base32 in lowercase without padding: multibase's `base32` (prefix `b`), which CIDv1 uses by default.
enum Base32 {
    static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// The characters that encode `byteCount` bytes: 8 per 5 bytes, the last group shortened.
    static func encodedCount(byteCount: Int) -> Int { (byteCount * 8 + 4) / 5 }

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(byteCount: bytes.count))
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits) & 0x1F)])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 0x1F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why text is not canonical base32.
    enum Failure: Error {
        /// A character outside the lowercase alphabet, with its offset in the text.
        case invalidCharacter(Character, offset: Int)
        /// No whole number of bytes has this many characters (1, 3 or 6 characters past a multiple of 8).
        case invalidLength
        /// The bits past the last whole byte are not zero, so this is not the one encoding of its bytes.
        case nonZeroPadding
    }

    /// Decodes canonical base32: lowercase, no `=` padding, unused trailing bits zero.
    static func decode(_ text: Substring.UTF8View) throws(Failure) -> [UInt8] {
        guard ![1, 3, 6].contains(text.count % 8) else { throw .invalidLength }
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for (offset, char) in text.enumerated() {
            let value: UInt8
            switch char {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = char - UInt8(ascii: "a")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = char - UInt8(ascii: "2") + 26
            default: throw .invalidCharacter(Character(Unicode.Scalar(char)), offset: offset)
            }
            buffer = (buffer << 5 | UInt32(value)) & 0xFFF
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { throw .nonZeroPadding }
        return out
    }
}
