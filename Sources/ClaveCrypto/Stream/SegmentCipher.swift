import Crypto
internal import CLibcrypto

/// AES-256-GCM over one stream's segments, through one reused OpenSSL `EVP_CIPHER_CTX`.
///
/// The key is set once; each segment only sets its 12-byte nonce `prefix || counter || last flag`. Nothing is
/// allocated per segment. Not thread-safe: a sealer or opener owns exactly one.
final class SegmentCipher {
    /// The GCM tag that ends every segment.
    static let tagByteCount = 16
    static let nonceByteCount = 12

    /// OpenSSL's AES-256-GCM, fetched from its provider once for the process: `EVP_aes_256_gcm()` makes every context
    /// look the implementation up again (OpenSSL 3's implicit fetch). A fetched cipher is immutable and may be shared
    /// by threads; it lives as long as the process. Nil only if the default provider has no AES-256-GCM, and then the
    /// legacy lookup is used, which fails the same way with OpenSSL's reason.
    nonisolated(unsafe) private static let aes256GCM: OpaquePointer? =
        EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) ?? EVP_aes_256_gcm()

    private let context: OpaquePointer
    /// `prefix (7) || counter (4, big-endian) || last flag (1)`; bytes 7... change per segment.
    private let nonce: UnsafeMutablePointer<UInt8>
    private let sealing: Bool

    /// - Parameters:
    ///   - key: the 32-byte segment key.
    ///   - noncePrefix: the stream's 7-byte nonce prefix.
    ///   - sealing: true to encrypt, false to decrypt.
    init(key: SymmetricKey, noncePrefix: [UInt8], sealing: Bool) throws(CryptoError) {
        precondition(key.bitCount == 256 && noncePrefix.count == StreamHeader.noncePrefixByteCount)
        guard let context = EVP_CIPHER_CTX_new() else {
            throw SegmentCipher.libraryFailure("EVP_CIPHER_CTX_new")
        }
        let cipher = SegmentCipher.aes256GCM
        let initialized = key.withUnsafeBytes { raw -> Int32 in
            let keyBytes = raw.bindMemory(to: UInt8.self).baseAddress
            return sealing
                ? EVP_EncryptInit_ex(context, cipher, nil, keyBytes, nil)
                : EVP_DecryptInit_ex(context, cipher, nil, keyBytes, nil)
        }
        guard initialized == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw SegmentCipher.libraryFailure(sealing ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex")
        }
        self.context = context
        self.sealing = sealing
        nonce = .allocate(capacity: SegmentCipher.nonceByteCount)
        nonce.initialize(repeating: 0, count: SegmentCipher.nonceByteCount)
        for index in 0..<noncePrefix.count { nonce[index] = noncePrefix[index] }
    }

    deinit {
        EVP_CIPHER_CTX_free(context)
        nonce.deallocate()
    }

    /// Encrypts one segment: writes `plaintext.count` bytes of ciphertext and then the 16-byte tag to `output`.
    func seal(_ plaintext: UnsafeRawBufferPointer, index: UInt32, isLast: Bool, into output: UnsafeMutableRawPointer)
        throws(CryptoError)
    {
        precondition(sealing)
        setNonce(index: index, isLast: isLast)
        guard EVP_EncryptInit_ex(context, nil, nil, nil, nonce) == 1 else {
            throw SegmentCipher.libraryFailure("EVP_EncryptInit_ex (nonce)")
        }
        let out = output.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        if plaintext.count > 0 {
            let input = plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard EVP_EncryptUpdate(context, out, &written, input, Int32(plaintext.count)) == 1,
                Int(written) == plaintext.count
            else {
                throw SegmentCipher.libraryFailure("EVP_EncryptUpdate")
            }
        }
        var finalWritten: Int32 = 0
        guard EVP_EncryptFinal_ex(context, out + Int(written), &finalWritten) == 1, finalWritten == 0 else {
            throw SegmentCipher.libraryFailure("EVP_EncryptFinal_ex")
        }
        let tag = output + plaintext.count
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(SegmentCipher.tagByteCount), tag) == 1 else {
            throw SegmentCipher.libraryFailure("EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_GET_TAG)")
        }
    }

    /// Decrypts and authenticates one segment (`ciphertext || tag`), writing `segment.count - 16` plaintext bytes
    /// to `output`.
    ///
    /// - Returns: whether the segment authenticated. When it did not, `output` has been wiped and must not be
    ///   used.
    func open(_ segment: UnsafeRawBufferPointer, index: UInt32, isLast: Bool, into output: UnsafeMutableRawPointer)
        throws(CryptoError) -> Bool
    {
        precondition(!sealing && segment.count >= SegmentCipher.tagByteCount)
        let count = segment.count - SegmentCipher.tagByteCount
        setNonce(index: index, isLast: isLast)
        guard EVP_DecryptInit_ex(context, nil, nil, nil, nonce) == 1 else {
            throw SegmentCipher.libraryFailure("EVP_DecryptInit_ex (nonce)")
        }
        let input = segment.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let out = output.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        if count > 0 {
            guard EVP_DecryptUpdate(context, out, &written, input, Int32(count)) == 1, Int(written) == count else {
                throw SegmentCipher.libraryFailure("EVP_DecryptUpdate")
            }
        }
        // OpenSSL takes the expected tag through a non-const pointer but only reads it.
        let tag = UnsafeMutableRawPointer(mutating: segment.baseAddress! + count)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(SegmentCipher.tagByteCount), tag) == 1 else {
            throw SegmentCipher.libraryFailure("EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_SET_TAG)")
        }
        var finalWritten: Int32 = 0
        if EVP_DecryptFinal_ex(context, out + Int(written), &finalWritten) > 0 {
            return true
        }
        // A tag mismatch is an ordinary outcome, not a library failure; leave no error behind on this thread.
        ERR_clear_error()
        output.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        return false
    }

    @inline(__always)
    private func setNonce(index: UInt32, isLast: Bool) {
        nonce[7] = UInt8(truncatingIfNeeded: index >> 24)
        nonce[8] = UInt8(truncatingIfNeeded: index >> 16)
        nonce[9] = UInt8(truncatingIfNeeded: index >> 8)
        nonce[10] = UInt8(truncatingIfNeeded: index)
        nonce[11] = isLast ? 1 : 0
    }

    /// A ``CryptoError/Code/libraryFailure`` carrying OpenSSL's own reason, and clearing its error queue.
    static func libraryFailure(_ function: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let reason = reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
        return CryptoError(
            .libraryFailure,
            "OpenSSL's \(function) failed (\(reason)). This is not a problem with your data: check that the "
                + "system libcrypto (OpenSSL 3) is intact and that the process is not out of memory, then retry."
        )
    }
}
