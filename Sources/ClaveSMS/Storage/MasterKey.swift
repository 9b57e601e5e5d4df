import ClaveCrypto
import Crypto
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SMS's master key: 32 random bytes under which every secret and enclave challenge key is encrypted at rest
/// (AES-256-GCM), kept in a key file that only its owner may read (mode 0600).
///
/// The file holds the key as 64 lowercase hex digits and a newline. The SMS refuses a key file that its group or
/// others may read, and a key that does not open its database's key check (docs/sms.md).
public struct MasterKey: Sendable {
    let key: SymmetricKey

    /// A new key from the system's secure random generator.
    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    /// Wraps 32 secret bytes.
    public init(rawRepresentation bytes: [UInt8]) throws(SMSError) {
        guard bytes.count == 32 else {
            throw SMSError(.masterKey, "A master key is 32 bytes, but \(bytes.count) were given.")
        }
        key = SymmetricKey(data: bytes)
    }

    /// The 32 secret bytes.
    var rawBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    /// The key file's contents: 64 hex digits and a newline.
    var fileContents: Data {
        Data((Hex.encode(rawBytes, prefix: false) + "\n").utf8)
    }

    // MARK: The key file

    /// Reads the key file at `url`, refusing it when its group or others may read or write it.
    public static func read(from url: URL) throws(SMSError) -> MasterKey {
        try checkPermissions(of: url)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SMSError(
                .masterKey,
                "The master key file \(url.path) cannot be read; check that it exists and that this user owns it.")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = try? Hex.decode(text, expectedCount: 32, what: "master key") else {
            throw SMSError(
                .masterKey,
                "The master key file \(url.path) does not hold a master key (64 hex digits); restore it from your backup."
            )
        }
        return try MasterKey(rawRepresentation: bytes)
    }

    /// Creates the key file `url` (which must not exist) holding this key, with mode 0600, durably.
    public func create(at url: URL) throws(SMSError) {
        do {
            try DurableFile.create(url, data: fileContents, permissions: 0o600)
        } catch {
            throw SMSError(
                .masterKey, "\(error.message) Check the folder's permissions and free space, then start again.")
        }
        DurableFile.syncFolder(url.deletingLastPathComponent())
    }

    /// Refuses a key file that is not a regular file, or whose group or others have any permission on it.
    static func checkPermissions(of url: URL) throws(SMSError) {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw SMSError(
                .masterKey,
                "The master key file \(url.path) cannot be found (\(String(cString: strerror(errno)))); restore it from your backup."
            )
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SMSError(.masterKey, "The master key file \(url.path) is not a regular file; restore it from backup.")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw SMSError(
                .masterKey,
                "The master key file \(url.path) has mode \(String(permissions, radix: 8)), so other users may read it; the SMS refuses to start. Run `chmod 600 \(url.path)`, and if others could read it, rotate the master key."
            )
        }
    }

    static func exists(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0
    }

    // MARK: Sealing

    /// AES-256-GCM of `plaintext` with `associatedData`: nonce ‖ ciphertext ‖ tag.
    func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws(SMSError) -> [UInt8] {
        do {
            // combined is non-nil for the default 12-byte nonce.
            return Array(try AES.GCM.seal(plaintext, using: key, authenticating: associatedData).combined!)
        } catch {
            throw SMSError(.storage, "AES-GCM could not seal a value: \(error).")
        }
    }

    /// Opens what ``seal(_:associatedData:)`` made; nil when it was made with another key or associated data, or
    /// altered.
    func open(_ sealed: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plaintext = try? AES.GCM.open(box, using: key, authenticating: associatedData)
        else { return nil }
        return Array(plaintext)
    }
}
