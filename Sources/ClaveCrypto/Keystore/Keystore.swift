import Crypto
import CryptoExtras
public import Foundation

/// An account's private key encrypted under a password, in the Web3 Secret Storage (keystore v3) format that
/// geth, Clef, MetaMask and eth-account read and write (docs/formats/keystore-v3.md).
///
/// Clave writes scrypt + AES-128-CTR with geth's standard parameters; it reads scrypt and PBKDF2-HMAC-SHA256 files,
/// with `crypto` or `Crypto` (any key case, as geth and eth-account accept).
///
/// The password is used as the UTF-8 bytes of the string exactly as given, without Unicode normalization, as geth
/// and eth-account do for version 3: "é" typed as one code point and as "e" + combining accent are different
/// passwords.
///
/// ```swift
/// let keystore = try Keystore.encrypt(key, password: password)
/// try keystore.jsonData().write(to: url)
/// let key = try Keystore(jsonData: Data(contentsOf: url)).decrypt(password: password)
/// ```
public struct Keystore: Sendable, Hashable, Codable {
    /// The account the file says it holds, if it says (geth and eth-account always write it).
    public var address: Address?
    /// The file's identifier. Clave writes a random (version 4) UUID; any UUID is read.
    public var id: UUID
    /// How the password is stretched into the encryption key.
    public private(set) var kdf: KDF
    /// The KDF salt.
    let salt: [UInt8]
    /// The AES-128-CTR initial counter block.
    let iv: [UInt8]
    /// The encrypted 32-byte private key.
    let ciphertext: [UInt8]
    /// `keccak256(derivedKey[16..<32] ++ ciphertext)`.
    let mac: [UInt8]

    /// The salt length Clave writes (geth's).
    static let saltByteCount = 32
    /// The AES block size, and so the length of the counter block.
    static let ivByteCount = 16
    /// The derived key: 16 bytes of AES key, then 16 bytes of MAC key.
    static let derivedKeyByteCount = 32

    /// geth's file name for a keystore of `address` written at `date`: `UTC--2026-11-21T14-27-03.123Z--<address
    /// in lowercase hex>`, so that geth's and Clave's keystore folders are interchangeable.
    public static func fileName(for address: Address, at date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let time = formatter.string(from: date).replacingOccurrences(of: ":", with: "-")
        return "UTC--\(time)--\(Hex.encode(address.bytes, prefix: false))"
    }

    /// Encrypts `key` under `password` with a fresh random salt, counter block and id.
    ///
    /// - Parameter kdf: ``KDF/standard`` unless the file must open faster (``KDF/light``, or tests).
    /// - Throws: when `kdf` has parameters outside what ``KDF`` accepts.
    public static func encrypt(
        _ key: PrivateKey,
        password: String,
        kdf: KDF = .standard
    ) throws(CryptoError) -> Keystore {
        try kdf.validate()
        let salt = randomBytes(saltByteCount)
        let iv = randomBytes(ivByteCount)
        var passwordBytes = Array(password.utf8)
        defer { wipe(&passwordBytes) }
        let derivedKey = try kdf.deriveKey(password: passwordBytes, salt: salt)
        let ciphertext = try aes128CTR(key.rawRepresentation, derivedKey: derivedKey, iv: iv)
        return Keystore(
            address: key.address,
            id: UUID(),
            kdf: kdf,
            salt: salt,
            iv: iv,
            ciphertext: ciphertext,
            mac: macOf(ciphertext, derivedKey: derivedKey)
        )
    }

    /// Decrypts the private key.
    ///
    /// Checks the MAC before decrypting, then that the key belongs to ``address`` when the file states one.
    ///
    /// - Throws: `.wrongPassword` when the MAC does not match (a wrong password, or a corrupted file);
    ///   `.addressMismatch` when the key decrypts but belongs to another address than the file states.
    public func decrypt(password: String) throws(CryptoError) -> PrivateKey {
        var passwordBytes = Array(password.utf8)
        defer { Self.wipe(&passwordBytes) }
        return try decrypt(derivedKey: kdf.deriveKey(password: passwordBytes, salt: salt))
    }

    /// Decrypts with a derived key computed elsewhere: the steps after the KDF, which tests check against the
    /// intermediate values the Web3 Secret Storage definition publishes.
    package func decrypt(derivedKey bytes: [UInt8]) throws(CryptoError) -> PrivateKey {
        guard bytes.count == Self.derivedKeyByteCount else {
            throw CryptoError(.invalidLength, "A keystore derived key is 32 bytes, but \(bytes.count) were given.")
        }
        return try decrypt(derivedKey: SymmetricKey(data: bytes))
    }

    private func decrypt(derivedKey: SymmetricKey) throws(CryptoError) -> PrivateKey {
        guard Self.constantTimeEqual(Self.macOf(ciphertext, derivedKey: derivedKey), mac) else {
            throw CryptoError(
                .wrongPassword,
                "The password does not open this keystore (its MAC does not match). Check the password and try again; if you are sure it is right, the file was corrupted or altered: restore it from a backup."
            )
        }
        var plaintext = try Self.aes128CTR(ciphertext, derivedKey: derivedKey, iv: iv)
        defer { Self.wipe(&plaintext) }
        let key: PrivateKey
        do {
            key = try PrivateKey(rawRepresentation: plaintext)
        } catch {
            throw CryptoError(
                .invalidPrivateKey,
                "The keystore opened with this password, but what it holds is not a valid secp256k1 private key: the tool that wrote it is faulty."
            )
        }
        if let address, key.address != address {
            throw CryptoError(
                .addressMismatch,
                "The keystore opened, but its key belongs to \(key.address), not to the address the file states (\(address)): the file's address field was edited. Do not trust this file's label."
            )
        }
        return key
    }

    // MARK: Primitives

    /// `keccak256(derivedKey[16..<32] ++ ciphertext)`, as Web3 Secret Storage defines the MAC.
    static func macOf(_ ciphertext: [UInt8], derivedKey: SymmetricKey) -> [UInt8] {
        var hasher = Keccak256()
        derivedKey.withUnsafeBytes { raw in hasher.update(UnsafeRawBufferPointer(rebasing: raw[16..<32])) }
        hasher.update(ciphertext)
        return hasher.finalize().bytes
    }

    /// AES-128-CTR under `derivedKey[0..<16]`, the 16-byte `iv` being the initial big-endian 128-bit counter.
    static func aes128CTR(_ input: [UInt8], derivedKey: SymmetricKey, iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        do {
            let key = derivedKey.withUnsafeBytes { raw in
                SymmetricKey(data: UnsafeRawBufferPointer(rebasing: raw[0..<16]))
            }
            var output = try AES._CTR.encrypt(input, using: key, nonce: AES._CTR.Nonce(nonceBytes: iv))
            defer { output.resetBytes(in: 0..<output.count) }
            return Array(output)
        } catch {
            throw CryptoError(.libraryFailure, "swift-crypto's AES-128-CTR failed: \(error).")
        }
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }

    /// Overwrites secret bytes before their memory is released.
    static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
