import Crypto

/// The format written again from its specification with swift-crypto (BoringSSL's AES-GCM and HKDF), independent
/// of the OpenSSL code path the library uses.
enum ReferenceStream {
    /// - Parameter emptyLastSegment: end a plaintext of whole segments with an extra empty last segment, as a
    ///   writer that seals each segment as soon as it is full may; readers must accept it.
    static func seal(
        _ plaintext: [UInt8],
        key: [UInt8],
        segmentSize: Int,
        salt: [UInt8],
        noncePrefix: [UInt8],
        emptyLastSegment: Bool = false
    ) throws -> [UInt8] {
        var header: [UInt8] = Array("CLVS".utf8) + [1]
        header += withUnsafeBytes(of: UInt32(segmentSize).bigEndian) { Array($0) }
        header += salt + noncePrefix
        let segmentKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: key),
            salt: salt,
            info: Array("clave-stream-v1 segment key".utf8) + header,
            outputByteCount: 32
        )
        var out = header
        var count = max(1, (plaintext.count + segmentSize - 1) / segmentSize)
        if emptyLastSegment && !plaintext.isEmpty && plaintext.count % segmentSize == 0 { count += 1 }
        for index in 0..<count {
            let chunk = plaintext[
                min(index * segmentSize, plaintext.count)..<min((index + 1) * segmentSize, plaintext.count)]
            let nonce =
                noncePrefix + withUnsafeBytes(of: UInt32(index).bigEndian) { Array($0) } + [index == count - 1 ? 1 : 0]
            let box = try AES.GCM.seal(chunk, using: segmentKey, nonce: AES.GCM.Nonce(data: nonce))
            out += box.ciphertext + box.tag
        }
        return out
    }
}
