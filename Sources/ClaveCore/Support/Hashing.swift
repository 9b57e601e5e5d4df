import ClaveCrypto

/// Keccak-256 over concatenations of protocol values, as Solidity's `keccak256(abi.encodePacked(...))` computes it.
enum Hashing {
    /// keccak256 of the concatenation of `parts`.
    static func keccak(_ parts: [UInt8]...) -> Bytes32 {
        var hasher = Keccak256()
        for part in parts {
            part.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize()
    }

    /// The EIP-191 personal-message digest of a 32-byte message, as `toEthSignedMessageHash(bytes32)`:
    /// keccak256("\u{19}Ethereum Signed Message:\n32" ‖ message).
    static func personalMessage(_ message: Bytes32) -> Bytes32 {
        keccak(Array("\u{19}Ethereum Signed Message:\n32".utf8), message.bytes)
    }

    /// A number as a Solidity `uint256`: 32 bytes, big-endian.
    static func uint256(_ value: UInt64) -> [UInt8] { Bytes32(uint64: value).bytes }

    /// The address made of the last 20 bytes of a hash.
    static func address(lastBytesOf hash: Bytes32) -> Address {
        // 20 bytes always make an address.
        try! Address(bytes: hash.bytes.suffix(20))
    }

    /// 32 bytes from a byte-wise combination of two 32-byte values.
    static func combine(_ lhs: Bytes32, _ rhs: Bytes32, _ operation: (UInt8, UInt8) -> UInt8) -> Bytes32 {
        // Zipping two 32-byte values gives 32 bytes.
        try! Bytes32(zip(lhs.bytes, rhs.bytes).map(operation))
    }
}
