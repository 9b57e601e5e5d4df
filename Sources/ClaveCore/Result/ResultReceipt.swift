public import ClaveCrypto

/// What a worker vouches for about one task's result, signed by its enclave, and what `clave result verify` checks
/// offline (docs/formats/result-receipt.md).
///
/// A receipt names the task and its deal, the app (and its measurement), the dataset and input files it read, the
/// worker, the result digest with PoCo's resultHash and resultSeal, the stored result blob (its CID, sha256 and size),
/// and the kind of attestation evidence the enclave had. Two signatures by the enclave challenge key bind it:
///
/// - `enclaveSignature`, PoCo's: EIP-191 over keccak256(resultHash ‖ resultSeal) (``ResultCommitment``), the same the
///   ledger checks on `contribute`;
/// - `receiptSignature`: EIP-191 over keccak256 of the RFC 8785 canonical JSON of the receipt without
///   `receiptSignature`, so no member (the evidence kind, the stored blob's sha256, ...) can change unnoticed.
///
/// A receipt whose evidence is `simulated` proves nothing against the host that ran it (``isSimulated``); say so
/// wherever it is shown.
public struct ResultReceipt: Sendable, Hashable {
    /// The only version this build writes and reads.
    public static let version = 1

    /// One input file the app read: its URL in the deal's params and the sha256 of the bytes the worker fetched.
    public struct InputFile: Sendable, Hashable {
        public let url: String
        public let sha256: Bytes32

        public init(url: String, sha256: Bytes32) {
            self.url = url
            self.sha256 = sha256
        }
    }

    /// The result blob in the blob store: the result archive, sealed to the beneficiary when ``isEncrypted``.
    public struct StoredResult: Sendable, Hashable {
        /// The blob's CIDv1 (raw, sha2-256, base32), as text.
        public let cid: String
        /// The sha256 of the blob's bytes (the sealed file when encrypted).
        public let sha256: Bytes32
        /// The blob's size in bytes.
        public let size: UInt64
        public let isEncrypted: Bool

        public init(cid: String, sha256: Bytes32, size: UInt64, isEncrypted: Bool) {
            self.cid = cid
            self.sha256 = sha256
            self.size = size
            self.isEncrypted = isEncrypted
        }
    }

    /// The kind of attestation evidence the enclave produced, as a label (ClaveAttestation defines the evidence).
    public struct EvidenceKind: Sendable, Hashable, CustomStringConvertible {
        public let label: String

        private init(_ label: String) { self.label = label }

        /// Development only: proves nothing against the host.
        public static let simulated = EvidenceKind("simulated")
        /// An Intel SGX DCAP quote.
        public static let sgxDCAP = EvidenceKind("sgx-dcap")
        /// An Intel TDX quote.
        public static let tdx = EvidenceKind("tdx")
        /// Every kind this build knows.
        public static let all: [EvidenceKind] = [.simulated, .sgxDCAP, .tdx]

        /// The kind labelled `label`, if this build knows it.
        public init?(label: String) {
            guard let kind = Self.all.first(where: { $0.label == label }) else { return nil }
            self = kind
        }

        public var description: String { label }
    }

    public let chainId: UInt64
    public let taskId: Bytes32
    public let dealId: Bytes32
    public let app: Address
    /// The sha256 of the app bundle that ran (its registered measurement).
    public let appMeasurement: Bytes32
    public let dataset: Address?
    /// The dataset's registered checksum, when there is a dataset.
    public let datasetChecksum: Bytes32?
    public let inputFiles: [InputFile]
    /// The contributing worker's account.
    public let worker: Address
    public let resultDigest: Bytes32
    public let resultHash: Bytes32
    public let resultSeal: Bytes32
    /// The callback bytes, for a deal with a callback: the digest is then keccak256 of them.
    public let callbackData: [UInt8]?
    /// `deterministic-output-path` as the app wrote it in computed.json.
    public let deterministicOutputPath: String?
    /// The stored result; `nil` for a callback-only result.
    public let result: StoredResult?
    public let evidence: EvidenceKind
    /// The enclave challenge key's address.
    public let enclaveChallenge: Address
    public let enclaveSignature: Signature
    public let receiptSignature: Signature

    /// A receipt from all its members, signatures included; ``verify()`` checks them.
    public init(
        chainId: UInt64, taskId: Bytes32, dealId: Bytes32, app: Address, appMeasurement: Bytes32, dataset: Address?,
        datasetChecksum: Bytes32?, inputFiles: [InputFile], worker: Address, resultDigest: Bytes32,
        resultHash: Bytes32, resultSeal: Bytes32, callbackData: [UInt8]?, deterministicOutputPath: String?,
        result: StoredResult?, evidence: EvidenceKind, enclaveChallenge: Address, enclaveSignature: Signature,
        receiptSignature: Signature
    ) {
        self.chainId = chainId
        self.taskId = taskId
        self.dealId = dealId
        self.app = app
        self.appMeasurement = appMeasurement
        self.dataset = dataset
        self.datasetChecksum = datasetChecksum
        self.inputFiles = inputFiles
        self.worker = worker
        self.resultDigest = resultDigest
        self.resultHash = resultHash
        self.resultSeal = resultSeal
        self.callbackData = callbackData
        self.deterministicOutputPath = deterministicOutputPath
        self.result = result
        self.evidence = evidence
        self.enclaveChallenge = enclaveChallenge
        self.enclaveSignature = enclaveSignature
        self.receiptSignature = receiptSignature
    }

    /// The receipt of a result, with resultHash and resultSeal computed and both signatures made by
    /// `enclaveChallengeKey` (whose address becomes ``enclaveChallenge``).
    public static func signed(
        chainId: UInt64, taskId: Bytes32, dealId: Bytes32, app: Address, appMeasurement: Bytes32, dataset: Address?,
        datasetChecksum: Bytes32?, inputFiles: [InputFile], worker: Address, resultDigest: Bytes32,
        callbackData: [UInt8]?, deterministicOutputPath: String?, result: StoredResult?, evidence: EvidenceKind,
        enclaveChallengeKey: PrivateKey
    ) -> ResultReceipt {
        let commitment = ResultCommitment(taskId: taskId, worker: worker, resultDigest: resultDigest)
        let enclaveSignature = commitment.enclaveSignature(signedWith: enclaveChallengeKey)
        func receipt(_ receiptSignature: Signature) -> ResultReceipt {
            ResultReceipt(
                chainId: chainId, taskId: taskId, dealId: dealId, app: app, appMeasurement: appMeasurement,
                dataset: dataset, datasetChecksum: datasetChecksum, inputFiles: inputFiles, worker: worker,
                resultDigest: resultDigest, resultHash: commitment.resultHash, resultSeal: commitment.resultSeal,
                callbackData: callbackData, deterministicOutputPath: deterministicOutputPath, result: result,
                evidence: evidence, enclaveChallenge: enclaveChallengeKey.address,
                enclaveSignature: enclaveSignature, receiptSignature: receiptSignature)
        }
        // The signed payload leaves the receipt signature out, so a placeholder does not change it.
        let unsigned = receipt(enclaveSignature)
        return receipt(enclaveChallengeKey.sign(digest: Hashing.personalMessage(unsigned.signedDigest)))
    }

    /// Whether the evidence is `simulated`: the result then proves nothing against the host, and must say so.
    public var isSimulated: Bool { evidence == .simulated }

    /// The commitment the receipt's digest, task and worker make.
    public var commitment: ResultCommitment {
        ResultCommitment(taskId: taskId, worker: worker, resultDigest: resultDigest)
    }

    // MARK: Verifying

    /// Checks the receipt on its own, offline: resultHash and resultSeal are those of the task, worker and digest;
    /// callback data, when present, hashes to the digest; the enclave signature and the receipt signature were both
    /// made by ``enclaveChallenge``; and a receipt without a stored result is a callback result.
    ///
    /// It does not check that the enclave challenge was attested, nor the stored blob (``verifyStoredResult(at:)``)
    /// or its content (``verifyArchive(at:)``).
    public func verify() throws(ResultError) {
        let commitment = commitment
        guard commitment.resultHash == resultHash else {
            throw ResultError(
                .receiptMismatch, at: Member.resultHash.rawValue,
                "The receipt's resultHash \(resultHash) is not keccak256(taskId ‖ resultDigest) = \(commitment.resultHash): the receipt was altered. Do not trust this result."
            )
        }
        guard commitment.resultSeal == resultSeal else {
            throw ResultError(
                .receiptMismatch, at: Member.resultSeal.rawValue,
                "The receipt's resultSeal \(resultSeal) is not keccak256(worker ‖ taskId ‖ resultDigest) = \(commitment.resultSeal): the receipt was altered. Do not trust this result."
            )
        }
        if let callbackData {
            let digest = try ResultDigest.callback(callbackData)
            guard digest == resultDigest else {
                throw ResultError(
                    .receiptMismatch, at: Member.callbackData.rawValue,
                    "The receipt's callback data hashes to \(digest), not to its result digest \(resultDigest): the receipt was altered. Do not trust this result."
                )
            }
        } else if result == nil {
            throw ResultError(
                .malformedReceipt, at: Member.result.rawValue,
                "The receipt has neither a stored result nor callback data, so it vouches for nothing; a worker writes one or the other."
            )
        }
        try commitment.verifyEnclaveSignature(enclaveSignature, enclaveChallenge: enclaveChallenge)
        let signer = try? receiptSignature.recoverAddress(digest: Hashing.personalMessage(signedDigest))
        guard signer == enclaveChallenge else {
            let actual = signer.map { "was made by \($0)" } ?? "is not a valid signature"
            throw ResultError(
                .receiptSignatureMismatch, at: Member.receiptSignature.rawValue,
                "The receipt signature \(actual), not by the enclave challenge \(enclaveChallenge), over this receipt: a member was changed after signing, or another key signed it. Do not trust this result."
            )
        }
    }

    /// The keccak256 of the canonical JSON of the receipt without `receiptSignature`: what the receipt signature
    /// signs, as an EIP-191 personal message of these 32 bytes.
    public var signedDigest: Bytes32 {
        var members = jsonObject
        members.removeValue(forKey: Member.receiptSignature.rawValue)
        return Hashing.keccak(CanonicalJSON.encode(.object(members)))
    }

    // MARK: JSON

    enum Member: String, CaseIterable {
        case version, chainId, taskId, dealId, app, appMeasurement, dataset, datasetChecksum, inputFiles, worker
        case resultDigest, resultHash, resultSeal, callbackData, deterministicOutputPath, result, evidence
        case enclaveChallenge, enclaveSignature, receiptSignature
    }

    /// The receipt as a JSON object: numbers for `version`, `chainId` and `result.size`, lowercase 0x-hex for bytes,
    /// EIP-55 addresses, `null` for what is absent.
    public var json: JSONValue { .object(jsonObject) }

    /// ``json`` in RFC 8785 canonical form: the bytes of a receipt file.
    public var canonicalBytes: [UInt8] { CanonicalJSON.encode(json) }

    var jsonObject: JSONValue.Object {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let result: JSONValue =
            self.result.map { stored in
                .object([
                    "cid": .string(stored.cid), "sha256": .string(stored.sha256.description),
                    "size": .number(.init(stored.size)), "encrypted": .bool(stored.isEncrypted),
                ])
            } ?? .null
        let members: [Member: JSONValue] = [
            .version: .number(.init(Self.version)),
            .chainId: .number(.init(chainId)),
            .taskId: .string(taskId.description),
            .dealId: .string(dealId.description),
            .app: .string(app.checksummed),
            .appMeasurement: .string(appMeasurement.description),
            .dataset: text(dataset?.checksummed),
            .datasetChecksum: text(datasetChecksum?.description),
            .inputFiles: .array(
                inputFiles.map { .object(["url": .string($0.url), "sha256": .string($0.sha256.description)]) }),
            .worker: .string(worker.checksummed),
            .resultDigest: .string(resultDigest.description),
            .resultHash: .string(resultHash.description),
            .resultSeal: .string(resultSeal.description),
            .callbackData: text(callbackData.map { Hex.encode($0) }),
            .deterministicOutputPath: text(deterministicOutputPath),
            .result: result,
            .evidence: .string(evidence.label),
            .enclaveChallenge: .string(enclaveChallenge.checksummed),
            .enclaveSignature: .string(enclaveSignature.description),
            .receiptSignature: .string(receiptSignature.description),
        ]
        return JSONValue.Object(Dictionary(uniqueKeysWithValues: members.map { ($0.key.rawValue, $0.value) }))
    }

    /// Reads a receipt file's bytes; see ``init(json:)``.
    public init(parsing bytes: [UInt8]) throws(ResultError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw ResultError(
                .malformedReceipt, at: "receipt",
                "The receipt is not valid JSON (\(error.message)); check that you fetched the receipt the task's results name."
            )
        }
        try self.init(json: value)
    }

    /// Reads a receipt strictly: every member present (`null` where allowed), none unknown, each of its type, the
    /// version this build reads, a known evidence label, and every value in its canonical spelling (lowercase hex,
    /// EIP-55 addresses), so that the receipt signature is checked over exactly the bytes that were signed.
    ///
    /// Reading does not check the signatures or hashes; ``verify()`` does.
    public init(json value: JSONValue) throws(ResultError) {
        let fields = try ReceiptFields(value, at: "receipt", allowed: Member.allCases.map(\.rawValue))
        let version = try fields.number(Member.version.rawValue)
        guard version == UInt64(Self.version) else {
            throw ResultError(
                .malformedReceipt, at: Member.version.rawValue,
                "This receipt has version \(version), but this build of Clave reads only version \(Self.version); upgrade Clave."
            )
        }
        let evidenceLabel = try fields.string(Member.evidence.rawValue)
        guard let evidence = EvidenceKind(label: evidenceLabel) else {
            throw ResultError(
                .malformedReceipt, at: Member.evidence.rawValue,
                "The evidence kind \"\(evidenceLabel)\" is not one this build knows (\(EvidenceKind.all.map(\.label).joined(separator: ", "))); upgrade Clave, or check where the receipt came from."
            )
        }
        var inputFiles: [InputFile] = []
        for (index, element) in try fields.array(Member.inputFiles.rawValue).enumerated() {
            let file = try ReceiptFields(
                element, at: "\(Member.inputFiles.rawValue)[\(index)]", allowed: ["url", "sha256"])
            inputFiles.append(InputFile(url: try file.string("url"), sha256: try file.bytes32("sha256")))
        }
        var result: StoredResult?
        if let stored = try fields.optional(Member.result.rawValue) {
            let members = try ReceiptFields(
                stored, at: Member.result.rawValue, allowed: ["cid", "sha256", "size", "encrypted"])
            let cid = try members.string("cid")
            guard DealParams.isBlobCID(cid) else {
                throw ResultError(
                    .malformedReceipt, at: "result.cid",
                    "\"\(cid)\" is not a blob's CID (CIDv1, raw, sha2-256, base32: bafkrei…, 59 characters).")
            }
            result = StoredResult(
                cid: cid, sha256: try members.bytes32("sha256"), size: try members.number("size"),
                isEncrypted: try members.bool("encrypted"))
        }
        self.init(
            chainId: try fields.number(Member.chainId.rawValue),
            taskId: try fields.bytes32(Member.taskId.rawValue),
            dealId: try fields.bytes32(Member.dealId.rawValue),
            app: try fields.address(Member.app.rawValue),
            appMeasurement: try fields.bytes32(Member.appMeasurement.rawValue),
            dataset: try fields.optional(Member.dataset.rawValue).map { (_) throws(ResultError) in
                try fields.address(Member.dataset.rawValue)
            },
            datasetChecksum: try fields.optional(Member.datasetChecksum.rawValue).map { (_) throws(ResultError) in
                try fields.bytes32(Member.datasetChecksum.rawValue)
            },
            inputFiles: inputFiles,
            worker: try fields.address(Member.worker.rawValue),
            resultDigest: try fields.bytes32(Member.resultDigest.rawValue),
            resultHash: try fields.bytes32(Member.resultHash.rawValue),
            resultSeal: try fields.bytes32(Member.resultSeal.rawValue),
            callbackData: try fields.optional(Member.callbackData.rawValue).map { (_) throws(ResultError) in
                try fields.hex(Member.callbackData.rawValue, count: nil)
            },
            deterministicOutputPath: try fields.optional(Member.deterministicOutputPath.rawValue).map {
                (_) throws(ResultError) in try fields.string(Member.deterministicOutputPath.rawValue)
            },
            result: result, evidence: evidence,
            enclaveChallenge: try fields.address(Member.enclaveChallenge.rawValue),
            enclaveSignature: try fields.signature(Member.enclaveSignature.rawValue),
            receiptSignature: try fields.signature(Member.receiptSignature.rawValue))
        // Every value was read; what remains is how it was spelled.
        let written = jsonObject
        for (key, member) in value.objectValue ?? [:] where written[key] != member {
            throw ResultError(
                .malformedReceipt, at: key,
                "\"\(key)\" is written as \(member), but a receipt spells it \(written[key] ?? .null) (lowercase 0x-hex, EIP-55 addresses); the receipt signature covers the canonical spelling, so this receipt was not written by a Clave worker or was altered."
            )
        }
    }
}

/// The members of one JSON object of a receipt or result location, read strictly.
struct ReceiptFields {
    let object: JSONValue.Object
    let path: String

    init(_ value: JSONValue, at path: String, allowed: [String]) throws(ResultError) {
        guard let object = value.objectValue else {
            throw ResultError(.malformedReceipt, at: path, "\(path) must be a JSON object, not \(value).")
        }
        for key in object.keys where !allowed.contains(key) {
            throw ResultError(
                .malformedReceipt, at: path,
                "\(path) has a member \"\(key)\" that its format does not define (it has \(allowed.joined(separator: ", "))); remove it, or upgrade Clave if it is newer."
            )
        }
        for key in allowed where object[key] == nil {
            throw ResultError(
                .malformedReceipt, at: path, "\(path) has no \"\(key)\"; every member is required (null where allowed)."
            )
        }
        self.object = object
        self.path = path
    }

    private func name(_ key: String) -> String { path == "receipt" ? key : "\(path).\(key)" }

    private func wrong(_ key: String, _ expected: String) -> ResultError {
        ResultError(
            .malformedReceipt, at: name(key), "\"\(name(key))\" must be \(expected), not \(object[key] ?? .null).")
    }

    /// The member's value, or `nil` when it is `null`.
    func optional(_ key: String) throws(ResultError) -> JSONValue? {
        guard let value = object[key] else { throw wrong(key, "present") }
        return value.isNull ? nil : value
    }

    func string(_ key: String) throws(ResultError) -> String {
        guard let text = object[key]?.stringValue else { throw wrong(key, "a string") }
        return text
    }

    func bool(_ key: String) throws(ResultError) -> Bool {
        guard let flag = object[key]?.boolValue else { throw wrong(key, "true or false") }
        return flag
    }

    func number(_ key: String) throws(ResultError) -> UInt64 {
        guard let number = object[key]?.numberValue?.uint64, number < 1 << 53 else {
            throw wrong(key, "a whole number from 0 to 2^53 - 1")
        }
        return number
    }

    func array(_ key: String) throws(ResultError) -> [JSONValue] {
        guard let array = object[key]?.arrayValue else { throw wrong(key, "an array") }
        return array
    }

    func hex(_ key: String, count: Int?) throws(ResultError) -> [UInt8] {
        let text = try string(key)
        do {
            return try Hex.decode(text, expectedCount: count, what: name(key))
        } catch {
            throw ResultError(.malformedReceipt, at: name(key), "\(error.message) Write it as 0x-prefixed hex.")
        }
    }

    func bytes32(_ key: String) throws(ResultError) -> Bytes32 {
        let bytes = try hex(key, count: 32)
        // 32 bytes always make a Bytes32.
        return try! Bytes32(bytes)
    }

    func address(_ key: String) throws(ResultError) -> Address {
        let text = try string(key)
        do {
            return try Address(text)
        } catch {
            throw ResultError(.malformedReceipt, at: name(key), "\(error.message) Write it as an EIP-55 address.")
        }
    }

    func signature(_ key: String) throws(ResultError) -> Signature {
        let bytes = try hex(key, count: 65)
        do {
            return try Signature(bytes: bytes)
        } catch {
            throw ResultError(.malformedReceipt, at: name(key), "\(error.message) Write it as 65 bytes r ‖ s ‖ v.")
        }
    }
}
