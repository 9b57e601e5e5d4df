public import ClaveCrypto
public import Foundation
import ClaveServer

/// A folder of Ethereum keystore v3 files, one per account, named as geth names them
/// (`UTC--<time>--<address>`), so geth's and Clave's keystore folders are interchangeable.
///
/// The folder is created with mode 0700 and every file is written atomically with mode 0600.
public struct KeystoreDirectory: Sendable {
    /// Where the keystores live.
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The default folder: `$CLAVE_KEYSTORE_DIR`, else `$CLAVE_HOME/keystore`, else `~/.clave/keystore`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["CLAVE_KEYSTORE_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        return ClaveHome.url(environment: environment).appendingPathComponent("keystore")
    }

    /// One keystore file found in the folder.
    public struct Entry: Sendable {
        public let address: Address
        public let file: URL
        public let keystore: Keystore
    }

    /// Every readable keystore in the folder, sorted by address. Files that are not keystores are skipped.
    public func entries() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
        return files.compactMap { file -> Entry? in
            guard let data = try? Data(contentsOf: file), let keystore = try? Keystore(jsonData: data),
                let address = keystore.address
            else { return nil }
            return Entry(address: address, file: file, keystore: keystore)
        }.sorted { $0.address < $1.address }
    }

    /// The keystore of `address`, or the only one when `address` is nil.
    public func entry(for address: Address?) throws -> Entry {
        let all = try entries()
        if let address {
            guard let found = all.first(where: { $0.address == address }) else {
                throw CLIError(
                    "No keystore for \(address) in \(url.path). Run `clave wallet show` to list the accounts there, or `clave wallet import` to add this one."
                )
            }
            return found
        }
        switch all.count {
        case 0:
            throw CLIError(
                "There is no keystore in \(url.path). Create one with `clave wallet create`, or point --keystore-dir at another folder."
            )
        case 1:
            return all[0]
        default:
            throw CLIError(
                "\(url.path) holds \(all.count) accounts (\(all.map(\.address.checksummed).joined(separator: ", "))); choose one with --address."
            )
        }
    }

    /// Encrypts `key` and writes its keystore file; refuses to replace an account that is already there.
    @discardableResult
    public func store(_ key: PrivateKey, password: String, kdf: Keystore.KDF) throws -> Entry {
        let keystore = try Keystore.encrypt(key, password: password, kdf: kdf)
        return try write(keystore, address: key.address)
    }

    /// Writes an existing keystore (already checked to open) into the folder.
    @discardableResult
    public func write(_ keystore: Keystore, address: Address) throws -> Entry {
        if let existing = try entries().first(where: { $0.address == address }) {
            throw CLIError(
                "\(address) is already in this keystore folder (\(existing.file.path)); nothing was changed."
            )
        }
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = url.appendingPathComponent(Keystore.fileName(for: address))
        do {
            try DurableFile.replace(file, with: keystore.jsonData(), permissions: 0o600)
        } catch {
            throw CLIError(.systemFailure, "\(error.message) Check the keystore folder's permissions and free space.")
        }
        return Entry(address: address, file: file, keystore: keystore)
    }
}
