import Crypto

/// HKDF-SHA256 (RFC 5869) with a 32-byte output, and the HMAC-SHA256 under it, written on swift-crypto's concrete
/// `SHA256`: swift-crypto's `HKDF<SHA256>` is generic code that the compiler does not specialize across modules, and
/// every stream a task seals or opens derives a key (docs/formats/clave-stream-v1.md), so its generic lookups were a
/// percent of a task's CPU. The output is the same bytes (HKDFSHA256Tests: RFC 5869's vectors and swift-crypto's
/// output on random inputs).
enum HKDFSHA256 {
    /// The 32 bytes of HKDF-SHA256(IKM = `key`, salt = `salt`, info = `info`, L = 32).
    static func derive32(key: [UInt8], salt: [UInt8], info: [UInt8]) -> [UInt8] {
        // Extract: PRK = HMAC(salt, IKM) (an empty salt is 32 zero bytes, which HMAC pads as it pads an empty key).
        let pseudorandomKey = hmac(key: salt, key)
        // Expand, one block: T(1) = HMAC(PRK, info ‖ 0x01).
        return hmac(key: pseudorandomKey, info, [1])
    }

    /// HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under `key`.
    static func hmac(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = SHA256()
        var outer = SHA256()
        var pad = [UInt8](repeating: 0, count: blockSize)
        for index in 0..<blockSize { pad[index] = block[index] ^ 0x36 }
        pad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        for part in parts { part.withUnsafeBytes { inner.update(bufferPointer: $0) } }
        for index in 0..<blockSize { pad[index] = block[index] ^ 0x5c }
        pad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }
}
