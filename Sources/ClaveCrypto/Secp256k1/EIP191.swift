public import Foundation

/// EIP-191 signed data.
public enum EIP191 {
    /// Version `0x45` ("E"), the personal message: keccak256("\u{19}Ethereum Signed Message:\n" + len(message) + message),
    /// the digest `personal_sign` and `eth_sign` sign.
    public static func hash(personalMessage message: some DataProtocol) -> Bytes32 {
        var hasher = Keccak256()
        hasher.update(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8))
        hasher.update(message)
        return hasher.finalize()
    }

    /// Version `0x01`, structured data (EIP-712): keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).
    public static func hash(domainSeparator: Bytes32, structHash: Bytes32) -> Bytes32 {
        var hasher = Keccak256()
        hasher.update([0x19, 0x01])
        hasher.update(domainSeparator.bytes)
        hasher.update(structHash.bytes)
        return hasher.finalize()
    }
}
