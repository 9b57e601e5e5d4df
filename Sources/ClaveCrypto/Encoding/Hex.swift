public import Foundation

/// Hexadecimal encoding as Ethereum writes it: lowercase, `0x`-prefixed.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`, with a `0x` prefix unless `prefix` is false.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String
    where Bytes.Element == UInt8 {
        String(decoding: asciiDigits(bytes, prefix: prefix), as: UTF8.self)
    }

    /// The lowercase hex of `bytes` as ASCII bytes, two per byte, after `0x` when `prefix`: for code that works on
    /// bytes before it makes a String (``Address/checksummed``).
    static func asciiDigits<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = false) -> [UInt8]
    where Bytes.Element == UInt8 {
        var out: [UInt8] = prefix ? [0x30, 0x78] : []
        out.reserveCapacity(out.count + bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }

    /// Decodes hex text, with or without `0x`, in either case.
    /// - Parameter expectedCount: when given, the number of bytes the text must hold.
    public static func decode(_ text: some StringProtocol, expectedCount: Int? = nil, what: String = "value")
        throws(CryptoError) -> [UInt8]
    {
        var utf8 = Substring(text).utf8[...]
        if utf8.starts(with: [0x30, 0x78]) || utf8.starts(with: [0x30, 0x58]) { utf8 = utf8.dropFirst(2) }
        guard utf8.count % 2 == 0 else {
            throw CryptoError(
                .invalidHex, "The \(what) '\(text)' has an odd number of hex digits; write two digits per byte.")
        }
        if let expectedCount, utf8.count != expectedCount * 2 {
            throw CryptoError(
                .invalidLength,
                "The \(what) must be \(expectedCount) bytes (\(expectedCount * 2) hex digits), but '\(text)' has \(utf8.count / 2) bytes."
            )
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        for char in utf8 {
            guard let nibble = nibble(char) else {
                throw CryptoError(
                    .invalidHex,
                    "The \(what) '\(text)' is not hexadecimal: it contains '\(Character(Unicode.Scalar(char)))'.")
            }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }

    @inline(__always)
    static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: char - 0x30
        case 0x61...0x66: char - 0x61 + 10
        case 0x41...0x46: char - 0x41 + 10
        default: nil
        }
    }
}

extension Data {
    /// Decodes `0x`-prefixed (or bare) hex text.
    public init(hex: some StringProtocol) throws(CryptoError) {
        self.init(try Hex.decode(hex))
    }

    /// Lowercase `0x`-prefixed hex.
    public var hexString: String { Hex.encode(self) }
}
