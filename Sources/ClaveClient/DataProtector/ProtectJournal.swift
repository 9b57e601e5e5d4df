import ClaveCore
import ClaveCrypto
import ClaveStorage
import Foundation

/// What an interrupted protect must remember to resume without duplicating the dataset or losing its key: written to
/// a file (mode 0600) in the journal folder before each step that leaves the machine, and removed once the key is in
/// the SMS.
///
/// The key is written before the first encrypted byte is uploaded, so whatever is stored or registered under it can
/// always be finished; the signed registration is written before it is submitted, so a retry resubmits the same
/// transaction (which the ledger applies at most once) instead of registering a second dataset.
struct ProtectJournal: Sendable {
    static let version = 1

    /// Names the protect: the owner, the name, the format and the source, hashed.
    var id: String
    var owner: Address
    var name: String
    var schema: String
    /// The payload's format and key, made at CREATE_ENCRYPTION_KEY (a new one for each upload attempt).
    var key: DatasetKey
    /// Set once the upload is stored.
    var cid: CID?
    /// The address the registration creates, and the signed registration; set at DEPLOY_PROTECTED_DATA.
    var dataset: Address?
    var transaction: SignedTransaction?

    /// The checksum the ledger registers: the digest the CID names.
    var checksum: Bytes32? { cid?.sha256Digest }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "version": .number(.init(Self.version)), "id": .string(id), "owner": .string(owner.checksummed),
            "name": .string(name), "schema": .string(schema), "key": key.json,
        ]
        if let cid { members["cid"] = .string(cid.description) }
        if let dataset { members["dataset"] = .string(dataset.checksummed) }
        if let transaction { members["transaction"] = transaction.json }
        return .object(JSONValue.Object(members))
    }

    init(id: String, owner: Address, name: String, schema: String, key: DatasetKey) {
        self.id = id
        self.owner = owner
        self.name = name
        self.schema = schema
        self.key = key
    }

    init(json: JSONValue) throws {
        var fields = try JSONFields(json, at: "journal")
        guard try fields.number("version") == UInt64(Self.version) else {
            throw TransactionFormatError(.invalidValue, at: "journal.version", "is not a version this client reads")
        }
        id = try fields.string("id")
        owner = try fields.address("owner")
        name = try fields.string("name")
        schema = try fields.string("schema")
        key = try DatasetKey(bytes: CanonicalJSON.encode(try fields.member("key")))
        cid = fields.optional("cid") == nil ? nil : try CID(try fields.string("cid"))
        dataset = fields.optional("dataset") == nil ? nil : try fields.address("dataset")
        transaction = try fields.optional("transaction").map { (value) throws in try SignedTransaction(json: value) }
        try fields.finish()
    }

    /// The journals of one folder.
    struct Folder: Sendable {
        let url: URL

        func file(_ id: String) -> URL { url.appendingPathComponent("protect-\(id).json") }

        func load(_ id: String) throws -> ProtectJournal? {
            guard let data = FileManager.default.contents(atPath: file(id).path) else { return nil }
            do {
                return try ProtectJournal(json: JSONValue(parsing: data))
            } catch {
                throw DataProtectorError(
                    .invalidArgument,
                    "The journal \(file(id).path) of an earlier protect cannot be read (\(error)); move it away to start over."
                )
            }
        }

        func save(_ journal: ProtectJournal) throws {
            do {
                if !FileManager.default.fileExists(atPath: url.path) {
                    try FileManager.default.createDirectory(
                        at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                }
                try DurableFile.replace(file(journal.id), with: Data(journal.json.serialized()), permissions: 0o600)
            } catch {
                throw DataProtectorError(
                    .invalidArgument,
                    "Cannot write the protect journal in \(url.path) (\(error)); check that the folder is writable and the disk has room."
                )
            }
        }

        func remove(_ id: String) {
            try? FileManager.default.removeItem(at: file(id))
        }
    }
}
