import Foundation

/// A 20-byte account or asset address.
///
/// Shown with its EIP-55 checksum. Parsing accepts all-lowercase or all-uppercase hex as is, and
/// mixed-case hex only when its EIP-55 checksum is right, so a mistyped address is caught.
public struct Address: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The 20 bytes.
    public let bytes: [UInt8]

    /// `0x0000000000000000000000000000000000000000`: "nobody" in a restriction, "no dataset" in an order.
    public static let zero = Address(unchecked: [UInt8](repeating: 0, count: 20))

    init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == 20)
        self.bytes = bytes
    }

    /// Wraps 20 bytes.
    public init(bytes: some Sequence<UInt8>) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == 20 else {
            throw CryptoError(.invalidLength, "An address is 20 bytes, but \(bytes.count) were given.")
        }
        self.bytes = bytes
    }

    /// Parses `0x` + 40 hex digits, enforcing the EIP-55 checksum on mixed-case input.
    public init(_ text: some StringProtocol) throws(CryptoError) {
        let text = String(text)
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw CryptoError(.invalidHex, "The address '\(text)' must start with 0x followed by 40 hex digits.")
        }
        let bytes = try Hex.decode(text, expectedCount: 20, what: "address")
        // Hex.decode accepted it, so the digits are ASCII: their case is a byte range.
        let digits = text.utf8.dropFirst(2)
        let hasLower = digits.contains { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        let hasUpper = digits.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
        self.bytes = bytes
        if hasLower && hasUpper && !digits.elementsEqual(checksummed.utf8.dropFirst(2)) {
            throw CryptoError(
                .badChecksum,
                "The address '\(text)' has a wrong EIP-55 checksum (mixed case must read \(checksummed)); check it for a typo, or write it all in lowercase to skip the check."
            )
        }
    }

    /// The EIP-55 mixed-case checksummed form.
    public var checksummed: String {
        // On bytes, not Characters: addresses are written into every JSON document and log line.
        let lower = Hex.asciiDigits(bytes)
        let hash = Keccak256.hash(lower).bytes
        var out = [UInt8](repeating: UInt8(ascii: "0"), count: 42)
        out[1] = UInt8(ascii: "x")
        for index in 0..<40 {
            let nibble = (hash[index / 2] >> (index % 2 == 0 ? 4 : 0)) & 0x0F
            let digit = lower[index]
            out[2 + index] = nibble >= 8 && digit >= UInt8(ascii: "a") ? digit - 0x20 : digit
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The address left-padded to 32 bytes, as ABI encoding and EIP-712 write it.
    public var word: [UInt8] { [UInt8](repeating: 0, count: 12) + bytes }

    public var description: String { checksummed }

    public static func < (lhs: Address, rhs: Address) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(from: decoder) { (text) throws(CryptoError) in try Address(text) }
    }

    public func encode(to encoder: any Encoder) throws {
        try TextCoding.encode(checksummed, to: encoder)
    }
}
