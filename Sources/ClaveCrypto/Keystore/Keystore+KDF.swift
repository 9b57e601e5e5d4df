import Crypto
import CryptoExtras

extension Keystore {
    /// The password-stretching function of a keystore and its cost parameters.
    ///
    /// Parameters are checked before any work is done, on files read and on files written: a hostile file must not
    /// make Clave allocate or compute without bound. The limits are ``maximumScryptMemory``, ``maximumScryptWork``
    /// and ``maximumPBKDF2Iterations``.
    public struct KDF: Sendable, Hashable, CustomStringConvertible {
        enum Function: Hashable {
            case scrypt(n: Int, r: Int, p: Int)
            case pbkdf2(iterations: Int)
        }

        let function: Function

        /// scrypt with n = 2^18, r = 8, p = 1: geth's standard, about 256 MiB and a second or so to open.
        public static let standard = KDF.scrypt(n: 262_144, r: 8, p: 1)
        /// scrypt with n = 4096, r = 8, p = 6: geth's light parameters, for devices with little memory.
        public static let light = KDF.scrypt(n: 4096, r: 8, p: 6)

        /// scrypt (RFC 7914) with cost `n` (a power of two), block size `r` and parallelism `p`.
        ///
        /// As in geth and eth-account, `n` need not be below 2^(16·r) (RFC 7914's rule): `.scrypt(n: 1 << 17, r: 1,
        /// p: 1)` writes and reads. Clave's default stays geth's ``standard`` (r = 8).
        public static func scrypt(n: Int, r: Int, p: Int) -> KDF { KDF(function: .scrypt(n: n, r: r, p: p)) }

        /// PBKDF2 with HMAC-SHA256 (`prf` `hmac-sha256`) and `iterations` rounds (`c`).
        public static func pbkdf2(iterations: Int) -> KDF { KDF(function: .pbkdf2(iterations: iterations)) }

        /// The most memory scrypt may use, 128·r·(n + p) bytes: 2 GiB, eight times geth's standard.
        public static let maximumScryptMemory = 2 << 30
        /// The most scrypt work, n·r·p: 2^26, 32 times geth's standard (tens of seconds).
        public static let maximumScryptWork = 1 << 26
        /// The most PBKDF2 iterations: ten million, ten times eth-keyfile's default.
        public static let maximumPBKDF2Iterations = 10_000_000

        public var description: String {
            switch function {
            case .scrypt(let n, let r, let p): "scrypt (n: \(n), r: \(r), p: \(p))"
            case .pbkdf2(let iterations): "pbkdf2 hmac-sha256 (c: \(iterations))"
            }
        }

        /// Refuses parameters the function cannot run with (`.invalidFormat`) or that exceed Clave's limits
        /// (`.unsupportedKeystore`).
        func validate() throws(CryptoError) {
            switch function {
            case .scrypt(let n, let r, let p):
                guard n > 1, n & (n - 1) == 0 else {
                    throw CryptoError(
                        .invalidFormat,
                        "The scrypt cost n=\(n) is not a power of two greater than 1, as scrypt requires; the keystore is malformed."
                    )
                }
                guard r > 0, p > 0 else {
                    throw CryptoError(
                        .invalidFormat,
                        "The scrypt parameters r=\(r) and p=\(p) must both be at least 1; the keystore is malformed."
                    )
                }
                // Any of n, r, p above 2^24 alone exceeds the memory limit; below it, nothing here overflows.
                let bound = 1 << 24
                guard n <= bound, r <= bound, p <= bound, 128 * r * (n + p) <= Self.maximumScryptMemory else {
                    throw CryptoError(
                        .unsupportedKeystore,
                        "The scrypt parameters n=\(n), r=\(r), p=\(p) would need 128·r·(n+p) bytes of memory, more than Clave's limit of 2 GiB. Re-encrypt the key with standard parameters (n=262144, r=8, p=1) using the tool that wrote it."
                    )
                }
                guard n * r * p <= Self.maximumScryptWork else {
                    throw CryptoError(
                        .unsupportedKeystore,
                        "The scrypt parameters n=\(n), r=\(r), p=\(p) ask for n·r·p = \(n * r * p) units of work, more than Clave's limit of 2^26 (32 times geth's standard). Re-encrypt the key with standard parameters (n=262144, r=8, p=1) using the tool that wrote it."
                    )
                }
            case .pbkdf2(let iterations):
                guard iterations > 0 else {
                    throw CryptoError(
                        .invalidFormat,
                        "The PBKDF2 iteration count c=\(iterations) must be at least 1; the keystore is malformed."
                    )
                }
                guard iterations <= Self.maximumPBKDF2Iterations else {
                    throw CryptoError(
                        .unsupportedKeystore,
                        "The PBKDF2 iteration count c=\(iterations) is above Clave's limit of \(Self.maximumPBKDF2Iterations). Re-encrypt the key with scrypt (geth's standard parameters) using the tool that wrote it."
                    )
                }
            }
        }

        /// The 32-byte derived key: AES key, then MAC key. Parameters must have passed ``validate()``.
        ///
        /// scrypt runs in swift-crypto's `KDF.Scrypt` (BoringSSL) whenever it accepts the parameters, and otherwise
        /// in Clave's own ``Scrypt``, which computes the same function. BoringSSL refuses parameters that break
        /// RFC 7914's n < 2^(16·r), which geth and eth-account run and which the Web3 Secret Storage definition's own
        /// scrypt example (n = 2^18, r = 1) breaks; swift-crypto's fixed memory limit also refuses p = 1 with r > 16
        /// (``Scrypt/swiftCryptoAccepts(n:r:p:)``). Either way, ``validate()``'s memory and work limits come first.
        func deriveKey(password: [UInt8], salt: [UInt8]) throws(CryptoError) -> SymmetricKey {
            switch function {
            case .scrypt(let n, let r, let p) where !Scrypt.swiftCryptoAccepts(n: n, r: r, p: p):
                return try Scrypt.deriveKey(
                    password: password,
                    salt: salt,
                    n: n,
                    r: r,
                    p: p,
                    outputByteCount: Keystore.derivedKeyByteCount
                )
            case .scrypt(let n, let r, let p):
                do {
                    return try CryptoExtras.KDF.Scrypt.deriveKey(
                        from: password,
                        salt: salt,
                        outputByteCount: Keystore.derivedKeyByteCount,
                        rounds: n,
                        blockSize: r,
                        parallelism: p
                    )
                } catch {
                    throw CryptoError(.libraryFailure, "Key derivation with \(self) failed in swift-crypto: \(error).")
                }
            case .pbkdf2(let iterations):
                do {
                    // The checked entry point refuses fewer than 210,000 rounds; files written by other tools
                    // (and Clave's own tests) use fewer, and reading them is the point.
                    return try CryptoExtras.KDF.Insecure.PBKDF2.deriveKey(
                        from: password,
                        salt: salt,
                        using: .sha256,
                        outputByteCount: Keystore.derivedKeyByteCount,
                        unsafeUncheckedRounds: iterations
                    )
                } catch {
                    throw CryptoError(.libraryFailure, "Key derivation with \(self) failed in swift-crypto: \(error).")
                }
            }
        }
    }
}
