import Crypto
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension IexecAESCBC {
    /// Encrypts the file at `source` into `IV || AES-256-CBC` at `destination`, in constant memory.
    ///
    /// The result is written to a temporary file beside `destination` (mode 0600), flushed to disk and renamed over
    /// `destination` in one step, as ``ClaveStream/sealFile(at:to:key:segmentSize:)`` does.
    public static func encryptFile(at source: URL, to destination: URL, key: Key) throws(CryptoError) {
        let encryptor = try IexecAESCBCEncryptor(key: key)
        try ClaveStream.transformFile(at: source, to: destination, doing: "encrypting") {
            input, output throws(CryptoError) in
            try pump(input) { chunk throws(CryptoError) in
                try encryptor.absorb(chunk) { out throws(CryptoError) in try ClaveStream.writeAll(output, out) }
            }
            try encryptor.finish { out throws(CryptoError) in try ClaveStream.writeAll(output, out) }
        }
    }

    /// Decrypts the file at `source` to `destination`, in constant memory.
    ///
    /// The plaintext goes to a temporary file that replaces `destination` only once the length and padding check;
    /// on any error `destination` is untouched. CBC is not authenticated: compare ``checksumFile(at:)`` with the
    /// dataset's checksum before trusting the plaintext.
    public static func decryptFile(at source: URL, to destination: URL, key: Key) throws(CryptoError) {
        let decryptor = try IexecAESCBCDecryptor(key: key)
        try ClaveStream.transformFile(at: source, to: destination, doing: "decrypting") {
            input, output throws(CryptoError) in
            try pump(input) { chunk throws(CryptoError) in
                try decryptor.absorb(chunk) { out throws(CryptoError) in try ClaveStream.writeAll(output, out) }
            }
            try decryptor.finish { out throws(CryptoError) in try ClaveStream.writeAll(output, out) }
        }
    }

    /// iExec's checksum of an encrypted dataset: the SHA-256 of its bytes as `0x` and 64 lowercase hex digits.
    public static func checksum(_ encrypted: some DataProtocol) -> String {
        Hex.encode(SHA256.hash(data: encrypted))
    }

    /// ``checksum(_:)`` of the file at `url`, read in constant memory.
    public static func checksumFile(at url: URL) throws(CryptoError) -> String {
        let path = try ClaveStream.fileSystemPath(url)
        let input = openDescriptor(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw ClaveStream.ioError("Cannot open \(path) to compute its checksum", hint: "check that it is readable")
        }
        defer { close(input) }
        var hasher = SHA256()
        try pump(input) { chunk throws(CryptoError) in hasher.update(bufferPointer: chunk) }
        return Hex.encode(hasher.finalize())
    }

    /// Reads `input` to its end in 1 MiB chunks.
    private static func pump(_ input: Int32, _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> Void)
        throws(CryptoError)
    {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try ClaveStream.readFully(input, into: buffer)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            if count < buffer.count { return }
        }
    }
}
