internal import CLibcrypto
public import Foundation

/// iExec's dataset encryption, read and written for compatibility: a 16-byte random IV, then AES-256-CBC of the
/// plaintext with PKCS#7 padding (`IV || ciphertext`), under a 32-byte key that iExec passes around in base64.
///
/// This layout is not authenticated: a wrong key or a changed ciphertext is noticed only when the padding comes out
/// wrong (almost always, not always), and a flipped bit changes the plaintext predictably. Clave writes
/// `clave-stream-v1` by default and this layout only on request; check ``checksum(_:)`` (iExec's: sha256 of the
/// encrypted file) before decrypting. See `docs/formats/iexec-aes-cbc.md`.
///
/// Encryption and decryption stream in constant memory through OpenSSL's EVP interface (AES-NI where the CPU has
/// it): ``IexecAESCBCEncryptor``, ``IexecAESCBCDecryptor``, or the file helpers.
public enum IexecAESCBC {
    /// The IV's size, which is also AES's block size.
    public static let ivByteCount = 16
    static let blockSize = 16

    /// A 32-byte AES-256 key. Its `description` never shows the secret.
    public struct Key: Sendable, CustomStringConvertible {
        public static let byteCount = 32

        /// The 32 secret bytes.
        public let rawRepresentation: [UInt8]

        /// Wraps 32 bytes; any other length throws ``CryptoError/Code/invalidLength``.
        public init(rawRepresentation bytes: some Sequence<UInt8>) throws(CryptoError) {
            let bytes = Array(bytes)
            guard bytes.count == Key.byteCount else {
                throw CryptoError(
                    .invalidLength,
                    "An iExec dataset key is \(Key.byteCount) bytes (AES-256), but \(bytes.count) were given; pass the "
                        + "key exactly as it was generated.")
            }
            rawRepresentation = bytes
        }

        /// Reads the key as iExec writes it: base64 of its 32 bytes (`iexec.dataset.generateEncryptionKey()`).
        public init(base64: String) throws(CryptoError) {
            guard let data = Data(base64Encoded: base64) else {
                throw CryptoError(
                    .invalidLength, "The iExec dataset key is not base64; it is written as the base64 of 32 bytes.")
            }
            try self.init(rawRepresentation: data)
        }

        /// A new random key.
        public static func generate() -> Key {
            Key(uncheckedRandom: StreamRandom.bytes(byteCount))
        }

        private init(uncheckedRandom bytes: [UInt8]) {
            rawRepresentation = bytes
        }

        /// The key as iExec writes it: base64 of its bytes.
        public var base64: String { Data(rawRepresentation).base64EncodedString() }

        public var description: String { "IexecAESCBC.Key(32 bytes, redacted)" }
    }

    /// Encrypts `plaintext` under `key` with a fresh random IV; the result is `IV || ciphertext`, 16 to 32 bytes
    /// longer than the plaintext.
    public static func encrypt(_ plaintext: some DataProtocol, key: Key) throws(CryptoError) -> [UInt8] {
        try encrypt(plaintext, key: key, iv: StreamRandom.bytes(ivByteCount))
    }

    /// Encrypts with a chosen IV, for test vectors only: an IV must never repeat under one key.
    package static func encrypt(_ plaintext: some DataProtocol, key: Key, iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        let encryptor = try IexecAESCBCEncryptor(key: key, iv: iv)
        var output: [UInt8] = []
        output.reserveCapacity(encryptedByteCount(plaintextByteCount: plaintext.count))
        try encryptor.absorb(plaintext) { output += $0 }
        try encryptor.finish { output += $0 }
        return output
    }

    /// Decrypts `IV || ciphertext` under `key`. Throws ``CryptoError/Code/invalidLength`` when the input is shorter
    /// than an IV and one block or not whole blocks, and ``CryptoError/Code/authenticationFailed`` when the padding
    /// is wrong (a wrong key or a damaged ciphertext).
    public static func decrypt(_ encrypted: some DataProtocol, key: Key) throws(CryptoError) -> [UInt8] {
        let decryptor = try IexecAESCBCDecryptor(key: key)
        var output: [UInt8] = []
        output.reserveCapacity(encrypted.count)
        try decryptor.absorb(encrypted) { output += $0 }
        try decryptor.finish { output += $0 }
        return output
    }

    /// The size of `IV || ciphertext` for a plaintext of `plaintextByteCount` bytes.
    public static func encryptedByteCount(plaintextByteCount: Int) -> Int {
        ivByteCount + (plaintextByteCount / blockSize + 1) * blockSize
    }

    static func libraryFailure(_ function: String) -> CryptoError {
        CryptoError(.libraryFailure, "OpenSSL's \(function) failed unexpectedly; check the installed libcrypto.")
    }
}

/// Encrypts a byte stream of any length into iExec's `IV || AES-256-CBC(PKCS#7)` layout, in constant memory.
///
/// Call ``update(_:to:)`` with chunks of any size, then ``finish(to:)`` once. The sink first receives the IV; the
/// buffer it is given is valid only during the call. Not thread-safe.
public final class IexecAESCBCEncryptor {
    typealias Emit = (UnsafeRawBufferPointer) throws(CryptoError) -> Void

    private let cipher: CBCCipher
    private let iv: [UInt8]
    private var ivEmitted = false
    private var finished = false

    /// An encryptor under `key` with a fresh random IV.
    public convenience init(key: IexecAESCBC.Key) throws(CryptoError) {
        try self.init(key: key, iv: StreamRandom.bytes(IexecAESCBC.ivByteCount))
    }

    /// An encryptor with a chosen IV, for test vectors only.
    package init(key: IexecAESCBC.Key, iv: [UInt8]) throws(CryptoError) {
        guard iv.count == IexecAESCBC.ivByteCount else {
            throw CryptoError(.invalidLength, "An AES-CBC IV is 16 bytes, but \(iv.count) were given.")
        }
        cipher = try CBCCipher(key: key, iv: iv, encrypting: true)
        self.iv = iv
    }

    /// Encrypts `plaintext` and sends what is ready to `sink`.
    public func update(_ plaintext: some DataProtocol, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try absorb(plaintext, emit: emit) }
    }

    /// Pads and encrypts the last block and sends it to `sink`.
    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try finish(emit: emit) }
    }

    func absorb(_ plaintext: UnsafeRawBufferPointer, emit: Emit) throws(CryptoError) {
        precondition(!finished, "the encryptor is finished")
        try emitIV(emit)
        try cipher.update(plaintext, emit: emit)
    }

    func absorb(_ plaintext: some DataProtocol, emit: Emit) throws(CryptoError) {
        for region in plaintext.regions {
            var failure: CryptoError?
            region.withUnsafeBytes { raw in
                do throws(CryptoError) { try absorb(raw, emit: emit) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    func finish(emit: Emit) throws(CryptoError) {
        precondition(!finished, "finish was already called")
        try emitIV(emit)
        finished = true
        try cipher.finish(emit: emit)
    }

    private func emitIV(_ emit: Emit) throws(CryptoError) {
        guard !ivEmitted else { return }
        ivEmitted = true
        try withBytes(of: iv) { buffer throws(CryptoError) in try emit(buffer) }
    }
}

/// Decrypts iExec's `IV || AES-256-CBC(PKCS#7)` layout from a byte stream of any length, in constant memory.
///
/// Plaintext is sent as it is decrypted, one block held back for the padding; the padding is checked by
/// ``finish(to:)``, so until it returns the plaintext is unverified (and CBC is never authenticated: compare the
/// checksum first). Not thread-safe.
public final class IexecAESCBCDecryptor {
    typealias Emit = (UnsafeRawBufferPointer) throws(CryptoError) -> Void

    private let key: IexecAESCBC.Key
    private var iv: [UInt8] = []
    private var cipher: CBCCipher?
    private var total = 0
    private var finished = false

    public init(key: IexecAESCBC.Key) throws(CryptoError) {
        self.key = key
    }

    /// Decrypts `encrypted` and sends what is ready to `sink`.
    public func update(_ encrypted: some DataProtocol, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try absorb(encrypted, emit: emit) }
    }

    /// Checks the length and padding and sends the last plaintext bytes to `sink`.
    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forwardingSinkErrors(sink) { emit throws(CryptoError) in try finish(emit: emit) }
    }

    func absorb(_ encrypted: some DataProtocol, emit: Emit) throws(CryptoError) {
        for region in encrypted.regions {
            var failure: CryptoError?
            region.withUnsafeBytes { raw in
                do throws(CryptoError) { try absorb(raw, emit: emit) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    func absorb(_ encrypted: UnsafeRawBufferPointer, emit: Emit) throws(CryptoError) {
        precondition(!finished, "the decryptor is finished")
        total += encrypted.count
        var rest = encrypted
        if cipher == nil {
            let take = min(IexecAESCBC.ivByteCount - iv.count, rest.count)
            iv += rest[0..<take]
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            guard iv.count == IexecAESCBC.ivByteCount else { return }
            cipher = try CBCCipher(key: key, iv: iv, encrypting: false)
        }
        try cipher!.update(rest, emit: emit)
    }

    func finish(emit: Emit) throws(CryptoError) {
        precondition(!finished, "finish was already called")
        finished = true
        let body = total - IexecAESCBC.ivByteCount
        guard let cipher, body >= IexecAESCBC.blockSize, body % IexecAESCBC.blockSize == 0 else {
            throw CryptoError(
                .invalidLength,
                "iExec's AES-CBC layout is a 16-byte IV and whole 16-byte blocks, at least one; these \(total) bytes "
                    + "are not: the file is truncated or not encrypted this way.")
        }
        try cipher.finish(emit: emit)
    }
}

/// One OpenSSL `EVP_CIPHER_CTX` running AES-256-CBC with PKCS#7 padding, fed in bounded chunks.
final class CBCCipher {
    private static let chunkSize = 1 << 16
    private let context: OpaquePointer
    private let encrypting: Bool
    private let output: UnsafeMutablePointer<UInt8>

    init(key: IexecAESCBC.Key, iv: [UInt8], encrypting: Bool) throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else { throw IexecAESCBC.libraryFailure("EVP_CIPHER_CTX_new") }
        let initialized = key.rawRepresentation.withUnsafeBufferPointer { keyBytes in
            iv.withUnsafeBufferPointer { ivBytes in
                encrypting
                    ? EVP_EncryptInit_ex(context, EVP_aes_256_cbc(), nil, keyBytes.baseAddress, ivBytes.baseAddress)
                    : EVP_DecryptInit_ex(context, EVP_aes_256_cbc(), nil, keyBytes.baseAddress, ivBytes.baseAddress)
            }
        }
        guard initialized == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw IexecAESCBC.libraryFailure(encrypting ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex")
        }
        self.context = context
        self.encrypting = encrypting
        output = .allocate(capacity: CBCCipher.chunkSize + IexecAESCBC.blockSize)
    }

    deinit {
        EVP_CIPHER_CTX_free(context)
        output.deallocate()
    }

    func update(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws(CryptoError) -> Void)
        throws(CryptoError)
    {
        var offset = 0
        while offset < input.count {
            let count = min(CBCCipher.chunkSize, input.count - offset)
            let start = input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
            var written: Int32 = 0
            let ok =
                encrypting
                ? EVP_EncryptUpdate(context, output, &written, start, Int32(count))
                : EVP_DecryptUpdate(context, output, &written, start, Int32(count))
            guard ok == 1 else {
                throw IexecAESCBC.libraryFailure(encrypting ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate")
            }
            if written > 0 { try emit(UnsafeRawBufferPointer(start: output, count: Int(written))) }
            offset += count
        }
    }

    func finish(emit: (UnsafeRawBufferPointer) throws(CryptoError) -> Void) throws(CryptoError) {
        var written: Int32 = 0
        if encrypting {
            guard EVP_EncryptFinal_ex(context, output, &written) == 1 else {
                throw IexecAESCBC.libraryFailure("EVP_EncryptFinal_ex")
            }
        } else {
            guard EVP_DecryptFinal_ex(context, output, &written) == 1 else {
                ERR_clear_error()
                throw CryptoError(
                    .authenticationFailed,
                    "The AES-CBC padding is wrong: the key is not this data's, or the file is damaged; check the key "
                        + "and the file's checksum.")
            }
        }
        if written > 0 { try emit(UnsafeRawBufferPointer(start: output, count: Int(written))) }
    }
}
