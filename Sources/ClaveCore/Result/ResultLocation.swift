public import ClaveCrypto

/// What `finalize` stores on the ledger as a task's `results` bytes: where its result and receipt are
/// (docs/formats/result-receipt.md).
///
/// The bytes are the RFC 8785 canonical JSON
/// `{"encrypted":true,"location":"<result CID>","receipt":"<receipt CID>","storage":"clave"}`, with `location` `null`
/// for a callback-only result. iExec stores a storage location there too; Clave's names its blob store.
public struct ResultLocation: Sendable, Hashable {
    /// The value of `storage`: Clave's blob store.
    public static let storage = "clave"

    /// The result blob's CID; `nil` for a callback-only result.
    public let location: String?
    /// The receipt blob's CID.
    public let receipt: String
    /// Whether the result blob is sealed to the beneficiary.
    public let encrypted: Bool

    public init(location: String?, receipt: String, encrypted: Bool) {
        self.location = location
        self.receipt = receipt
        self.encrypted = encrypted
    }

    /// The JSON object, members in canonical order.
    public var json: JSONValue {
        .object([
            "storage": .string(Self.storage), "location": location.map(JSONValue.string) ?? .null,
            "receipt": .string(receipt), "encrypted": .bool(encrypted),
        ])
    }

    /// The canonical JSON bytes stored as the task's `results`.
    public var bytes: [UInt8] { CanonicalJSON.encode(json) }

    /// Reads a task's `results` bytes.
    public init(bytes: [UInt8]) throws(ResultError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw ResultError(
                .malformedReceipt, at: "results",
                "The task's results are not Clave's result location JSON (\(error.message)); the task may have been finalized by another kind of worker."
            )
        }
        try self.init(json: value)
    }

    /// Reads the JSON object strictly: the four members, `storage` `clave`, and blob CIDs.
    public init(json value: JSONValue) throws(ResultError) {
        let fields = try ReceiptFields(
            value, at: "results", allowed: ["storage", "location", "receipt", "encrypted"])
        let storage = try fields.string("storage")
        guard storage == Self.storage else {
            throw ResultError(
                .malformedReceipt, at: "results.storage",
                "The results are stored in \"\(storage)\", not in Clave's blob store (\"clave\"); fetch them with the tool of that storage."
            )
        }
        let location = try fields.optional("location").map { (_) throws(ResultError) in try fields.string("location") }
        let receipt = try fields.string("receipt")
        for (name, cid) in [("location", location), ("receipt", receipt)] {
            guard let cid else { continue }
            guard DealParams.isBlobCID(cid) else {
                throw ResultError(
                    .malformedReceipt, at: "results.\(name)",
                    "\"\(cid)\" is not a blob's CID (CIDv1, raw, sha2-256, base32: bafkrei…, 59 characters).")
            }
        }
        self.init(location: location, receipt: receipt, encrypted: try fields.bool("encrypted"))
    }
}
