public import Foundation

/// Exactly 32 bytes: a Keccak-256 or SHA-256 digest, an EIP-712 hash, a deal or task id, a `bytes32` tag or salt.
///
/// Written as `0x` followed by 64 lowercase hex digits, in text and in JSON.
public struct Bytes32: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 32 bytes, big-endian as Ethereum reads them.
    public let bytes: [UInt8]

    /// All zero: `0x000…0`.
    public static let zero = Bytes32(unchecked: [UInt8](repeating: 0, count: 32))

    /// Wraps `bytes`, which must be exactly 32 long.
    public init(_ bytes: some Sequence<UInt8>) throws(CryptoError) {
        let array = Array(bytes)
        guard array.count == 32 else {
            throw CryptoError(.invalidLength, "A bytes32 value must be 32 bytes long, but this one has \(array.count).")
        }
        self.bytes = array
    }

    init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == 32)
        self.bytes = bytes
    }

    /// Parses `0x` + 64 hex digits.
    public init(hex: some StringProtocol) throws(CryptoError) {
        self.bytes = try Hex.decode(hex, expectedCount: 32, what: "bytes32 value")
    }

    /// A number in `0 ..< 2^64`, left-padded to 32 bytes as `uint256` is.
    /// 32 bytes from the system's cryptographically secure generator (a salt, a nonce).
    public static func random() -> Bytes32 { Bytes32(unchecked: StreamRandom.bytes(32)) }

    public init(uint64 value: UInt64) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<8 { bytes[31 - index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        self.bytes = bytes
    }

    /// The value as `Data`.
    public var data: Data { Data(bytes) }

    public var description: String { Hex.encode(bytes) }

    public static func < (lhs: Bytes32, rhs: Bytes32) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(from: decoder) { (text) throws(CryptoError) in try Bytes32(hex: text) }
    }

    public func encode(to encoder: any Encoder) throws {
        try TextCoding.encode(description, to: encoder)
    }
}
