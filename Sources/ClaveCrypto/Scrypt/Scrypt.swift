internal import CClaveScrypt
package import Crypto
import CryptoExtras

/// scrypt (RFC 7914) for the parameters swift-crypto refuses to run.
///
/// swift-crypto's `KDF.Scrypt` runs BoringSSL's `EVP_PBE_scrypt`, which refuses parameters that break RFC 7914's
/// n < 2^(16·r), as OpenSSL does. geth (Go's x/crypto/scrypt) and eth-account (pycryptodome) run them, keystores
/// with them exist (the Web3 Secret Storage definition's own scrypt example has n = 2^18 with r = 1), and the rule
/// does not change what scrypt computes: it only limits the function to the parameters its security analysis
/// covers. So Clave has its own scrypt: the two PBKDF2-HMAC-SHA256 steps through swift-crypto, the memory-hard
/// ROMix in Clave's C target `CClaveScrypt` (`clave_scrypt_romix`).
///
/// ``Keystore`` keeps swift-crypto's `KDF.Scrypt` wherever it runs (``swiftCryptoAccepts(n:r:p:)``) and calls
/// ``deriveKey(password:salt:n:r:p:outputByteCount:)`` only for the rest; costs are bounded by ``Keystore/KDF``'s
/// limits before either runs. This type bounds nothing itself: callers limit n, r and p.
package enum Scrypt {
    /// The smallest memory page of the platforms Clave runs on; swift-crypto adds one page to its memory limit.
    static let smallestPageSize = 4096

    /// Whether swift-crypto's `KDF.Scrypt` (4.x) derives a key with these parameters rather than throwing.
    ///
    /// BoringSSL's `EVP_PBE_scrypt` refuses n < 2 or not a power of two, r or p of 0, p·r ≥ 2^30, n > 2^32,
    /// n ≥ 2^(16·r) (RFC 7914's rule), and needing more than its memory limit, 128·r·(n + p + 1) bytes. swift-crypto
    /// sets that limit to 128·n·r·p bytes plus one memory page and does not let callers raise it, which also refuses
    /// valid RFC 7914 parameters: with p = 1 and 4 KiB pages, every r above 16. This mirrors those checks with the
    /// smallest page size, so it may answer `false` where swift-crypto would run, never the opposite.
    package static func swiftCryptoAccepts(n: Int, r: Int, p: Int) -> Bool {
        guard n >= 2, n & (n - 1) == 0, n <= 1 << 32, r >= 1, p >= 1 else { return false }
        guard let pr = checkedProduct([p, r]), pr < 1 << 30 else { return false }
        guard 16 * r > 63 || n < 1 << (16 * r) else { return false }
        // Needed: 128·r·(n + p + 1) bytes; allowed: 128·n·r·p bytes and a page.
        guard let needed = checkedProduct([128, r, n + p + 1]), let allowed = checkedProduct([128, n, r, p]) else {
            return false
        }
        return needed <= allowed || needed - allowed <= smallestPageSize
    }

    /// scrypt (RFC 7914 section 6) with cost `n`, block size `r` and parallelism `p`, without the rule n < 2^(16·r).
    ///
    /// Runs PBKDF2-HMAC-SHA256(password, salt, 1, p·128·r) with swift-crypto, then `clave_scrypt_romix` on each
    /// 128·r-byte block, then PBKDF2-HMAC-SHA256(password, blocks, 1, `outputByteCount`). Uses 128·r·(n + p + 2)
    /// bytes and time proportional to n·r·p; the intermediate blocks are overwritten before they are released.
    ///
    /// - Throws: `.invalidFormat` when n is not a power of two ≥ 2, r or p is below 1, `outputByteCount` is below 1,
    ///   or the sizes overflow; `.libraryFailure` when memory runs out or swift-crypto's PBKDF2 fails.
    package static func deriveKey(
        password: [UInt8],
        salt: [UInt8],
        n: Int,
        r: Int,
        p: Int,
        outputByteCount: Int
    ) throws(CryptoError) -> SymmetricKey {
        guard n >= 2, n & (n - 1) == 0, r >= 1, r <= UInt32.max, p >= 1, outputByteCount >= 1,
            let blocksByteCount = checkedProduct([128, r, p])
        else {
            throw CryptoError(
                .invalidFormat,
                "scrypt needs n a power of two of at least 2, r, p and the output length at least 1, and 128·r·p bytes to fit in memory; n=\(n), r=\(r), p=\(p), output \(outputByteCount) bytes do not."
            )
        }
        var blocks = try pbkdf2(password, salt: salt, byteCount: blocksByteCount).withUnsafeBytes { Array($0) }
        defer { Keystore.wipe(&blocks) }
        let status = blocks.withUnsafeMutableBufferPointer { buffer in
            clave_scrypt_romix(buffer.baseAddress, buffer.count, UInt64(n), UInt32(r))
        }
        switch Int(status) {
        case Int(CLAVE_SCRYPT_OK): break
        case Int(CLAVE_SCRYPT_OUT_OF_MEMORY):
            throw CryptoError(
                .libraryFailure,
                "scrypt with n=\(n), r=\(r) could not allocate its working memory, 128·r·(n + 2) bytes. Free memory (close other programs) and try again."
            )
        default:
            throw CryptoError(
                .invalidFormat,
                "scrypt's ROMix refused n=\(n), r=\(r) (code \(status)): its working memory, 128·r·(n + 2) bytes, does not fit in memory."
            )
        }
        return try pbkdf2(password, salt: blocks, byteCount: outputByteCount)
    }

    /// One iteration of PBKDF2-HMAC-SHA256, as scrypt uses it.
    private static func pbkdf2(_ password: [UInt8], salt: [UInt8], byteCount: Int) throws(CryptoError) -> SymmetricKey {
        do {
            return try KDF.Insecure.PBKDF2.deriveKey(
                from: password,
                salt: salt,
                using: .sha256,
                outputByteCount: byteCount,
                unsafeUncheckedRounds: 1
            )
        } catch {
            throw CryptoError(.libraryFailure, "PBKDF2-HMAC-SHA256 for scrypt failed in swift-crypto: \(error).")
        }
    }

    /// The product of `factors`, or nil when it overflows `Int`.
    private static func checkedProduct(_ factors: [Int]) -> Int? {
        var product = 1
        for factor in factors {
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = result
        }
        return product
    }
}
