public import ClaveCrypto
import Foundation

/// What an app says about its result in `$IEXEC_OUT/computed.json`, and what the worker writes back after it has
/// digested and signed that result (docs/formats/result.md).
///
/// iExec's app I/O contract: the app writes `deterministic-output-path` (the file or directory whose digest the
/// workers agree on) or, for a deal with a callback, `callback-data` (the `0x` hex bytes delivered to the callback
/// contract), and may write `error-message`. The worker fills in `task-id`, `result-digest` and `enclave-signature`.
/// Keys are kebab-case, as tee-worker-post-compute-rust's `ComputedFile` (`#[serde(rename_all = "kebab-case")]`,
/// compute/post/src/compute/computed_file.rs) reads and writes them; the camelCase keys of its earlier versions
/// (`deterministicOutputPath`, ...) are read too. A `null` value counts as absent and other keys are ignored, as serde
/// does.
public struct ComputedFile: Sendable, Hashable {
    /// `$IEXEC_OUT` as the app sees it.
    public static let iexecOut = "/iexec_out"

    /// One field of `computed.json`: its key, and the key earlier iExec versions used.
    enum Field: CaseIterable {
        case deterministicOutputPath, callbackData, taskId, resultDigest, enclaveSignature, errorMessage

        var key: String {
            switch self {
            case .deterministicOutputPath: "deterministic-output-path"
            case .callbackData: "callback-data"
            case .taskId: "task-id"
            case .resultDigest: "result-digest"
            case .enclaveSignature: "enclave-signature"
            case .errorMessage: "error-message"
            }
        }

        var legacyKey: String {
            switch self {
            case .deterministicOutputPath: "deterministicOutputPath"
            case .callbackData: "callbackData"
            case .taskId: "taskId"
            case .resultDigest: "resultDigest"
            case .enclaveSignature: "enclaveSignature"
            case .errorMessage: "errorMessage"
            }
        }
    }

    /// The path as the app wrote it: absolute under `/iexec_out`, or relative to it.
    public let deterministicOutputPath: String?
    /// The same path relative to `$IEXEC_OUT`, without `.` or empty segments: `result.txt`, `out/a`, or `""` for
    /// `$IEXEC_OUT` itself. `nil` when there is no deterministic output path.
    public let outputPathInIexecOut: String?
    /// The bytes for the deal's callback (web3 mode), decoded from `callback-data`'s hex.
    public let callbackData: [UInt8]?
    /// What the app reported as having gone wrong.
    public let errorMessage: String?
    public let taskId: Bytes32?
    public let resultDigest: Bytes32?
    /// The enclave challenge key's EIP-191 signature over keccak256(resultHash ‖ resultSeal) (``ResultCommitment``).
    public let enclaveSignature: Signature?

    /// A computed file from its fields; throws as ``init(parsing:)`` does for a path outside `$IEXEC_OUT`, or when
    /// there is neither an output path nor callback data.
    public init(
        deterministicOutputPath: String?, callbackData: [UInt8]? = nil, errorMessage: String? = nil,
        taskId: Bytes32? = nil, resultDigest: Bytes32? = nil, enclaveSignature: Signature? = nil
    ) throws(ResultError) {
        let path = deterministicOutputPath.flatMap { $0.isEmpty ? nil : $0 }
        let callback = callbackData.flatMap { $0.isEmpty ? nil : $0 }
        guard path != nil || callback != nil else {
            let reported = errorMessage.map { " The app reported: \($0)" } ?? ""
            throw ResultError(
                .missingOutput, at: Field.deterministicOutputPath.key,
                "computed.json names no deterministic-output-path (nor callback-data), so there is no result to digest; the app must write the path of its result file or directory under /iexec_out, e.g. {\"deterministic-output-path\": \"/iexec_out/result.txt\"}.\(reported)"
            )
        }
        self.deterministicOutputPath = path
        self.outputPathInIexecOut = try path.map { (path) throws(ResultError) in try Self.pathInIexecOut(path) }
        self.callbackData = callback
        self.errorMessage = errorMessage
        self.taskId = taskId
        self.resultDigest = resultDigest
        self.enclaveSignature = enclaveSignature
    }

    /// Reads `computed.json`'s bytes.
    ///
    /// Refuses (``ResultError``) text that is not a JSON object, a key given in both spellings, a value that is
    /// neither a string nor `null`, a computed file with neither `deterministic-output-path` nor `callback-data`
    /// (iExec's worker digests the first without a callback and the second with one; an app that writes neither has
    /// no result), a path outside `/iexec_out` or with a `..` segment, and hex that does not decode: `callback-data`
    /// to bytes, `task-id` and `result-digest` to 32 bytes, `enclave-signature` to a 65-byte signature.
    public init(parsing bytes: [UInt8]) throws(ResultError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw ResultError(
                .malformedComputedFile, at: "computed.json",
                "computed.json is not valid JSON (\(error.message)); have the app write a JSON object such as {\"deterministic-output-path\": \"/iexec_out/result.txt\"}."
            )
        }
        guard let object = value.objectValue else {
            throw ResultError(
                .malformedComputedFile, at: "computed.json",
                "computed.json must be a JSON object such as {\"deterministic-output-path\": \"/iexec_out/result.txt\"}, not \(value); have the app write an object."
            )
        }
        var strings: [Field: String] = [:]
        for field in Field.allCases {
            strings[field] = try Self.string(field, in: object)
        }
        try self.init(
            deterministicOutputPath: strings[.deterministicOutputPath],
            callbackData: try strings[.callbackData].map { (text) throws(ResultError) in
                try Self.hex(text, field: .callbackData, count: nil, what: "callback data")
            },
            errorMessage: strings[.errorMessage],
            taskId: try strings[.taskId].map { (text) throws(ResultError) in
                try Self.bytes32(text, field: .taskId, what: "task id")
            },
            resultDigest: try strings[.resultDigest].map { (text) throws(ResultError) in
                try Self.bytes32(text, field: .resultDigest, what: "result digest")
            },
            enclaveSignature: try strings[.enclaveSignature].map { (text) throws(ResultError) in
                let bytes = try Self.hex(text, field: .enclaveSignature, count: 65, what: "signature")
                do throws(CryptoError) {
                    return try Signature(bytes: bytes)
                } catch {
                    throw Self.invalidHex(.enclaveSignature, text, error)
                }
            })
    }

    /// This computed file with the worker's fields filled in.
    public func completed(taskId: Bytes32, resultDigest: Bytes32, enclaveSignature: Signature?) -> ComputedFile {
        // The output checks passed when self was made, and they do not depend on these fields.
        try! ComputedFile(
            deterministicOutputPath: deterministicOutputPath, callbackData: callbackData, errorMessage: errorMessage,
            taskId: taskId, resultDigest: resultDigest, enclaveSignature: enclaveSignature)
    }

    /// The JSON object the worker writes back: all six kebab-case keys, `null` for an absent value (as serde writes
    /// an `Option`), bytes as lowercase `0x` hex, the path as the app wrote it.
    public var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object(
            JSONValue.Object([
                Field.deterministicOutputPath.key: text(deterministicOutputPath),
                Field.callbackData.key: text(callbackData.map { Hex.encode($0) }),
                Field.taskId.key: text(taskId?.description),
                Field.resultDigest.key: text(resultDigest?.description),
                Field.enclaveSignature.key: text(enclaveSignature?.description),
                Field.errorMessage.key: text(errorMessage),
            ]))
    }

    /// ``json`` in its canonical form (RFC 8785): the bytes of the `computed.json` the worker writes back.
    public var canonicalBytes: [UInt8] { CanonicalJSON.encode(json) }

    // MARK: Reading fields

    /// The field's string, from its kebab-case or its camelCase key; `nil` when absent or `null`.
    static func string(_ field: Field, in object: JSONValue.Object) throws(ResultError) -> String? {
        var values: [(key: String, value: JSONValue)] = []
        for key in [field.key, field.legacyKey] {
            if let value = object[key], !value.isNull { values.append((key, value)) }
        }
        guard let (key, value) = values.first else { return nil }
        guard values.count == 1 else {
            throw ResultError(
                .malformedComputedFile, at: field.key,
                "computed.json gives both \"\(field.key)\" and \"\(field.legacyKey)\"; write the field once, as \"\(field.key)\"."
            )
        }
        guard let text = value.stringValue else {
            throw ResultError(
                .notAString, at: key,
                "\"\(key)\" in computed.json must be a string, not \(value); write it as a JSON string.")
        }
        return text
    }

    static func hex(_ text: String, field: Field, count: Int?, what: String) throws(ResultError) -> [UInt8] {
        do {
            return try Hex.decode(text, expectedCount: count, what: what)
        } catch {
            throw invalidHex(field, text, error)
        }
    }

    static func bytes32(_ text: String, field: Field, what: String) throws(ResultError) -> Bytes32 {
        let bytes = try hex(text, field: field, count: 32, what: what)
        // 32 bytes always make a Bytes32.
        return try! Bytes32(bytes)
    }

    static func invalidHex(_ field: Field, _ text: String, _ error: CryptoError) -> ResultError {
        ResultError(
            .invalidHex, at: field.key,
            "\"\(field.key)\" in computed.json is not valid: \(error.message) Write it as 0x-prefixed hex.")
    }

    /// The path's segments inside `$IEXEC_OUT`, joined with `/`; refuses a path that leaves it.
    static func pathInIexecOut(_ path: String) throws(ResultError) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if path.hasPrefix("/") {
            guard segments.first == "iexec_out" else {
                throw ResultError(
                    .outputOutsideIexecOut, at: Field.deterministicOutputPath.key,
                    "The deterministic output path \"\(path)\" is outside $IEXEC_OUT; write the result under /iexec_out (e.g. /iexec_out/result.txt) and give that path, or a path relative to /iexec_out."
                )
            }
            segments.removeFirst()
        }
        segments.removeAll { $0 == "." }
        guard !segments.contains("..") else {
            throw ResultError(
                .outputOutsideIexecOut, at: Field.deterministicOutputPath.key,
                "The deterministic output path \"\(path)\" has a \"..\" segment, which could leave $IEXEC_OUT; give the path under /iexec_out without \"..\"."
            )
        }
        return segments.joined(separator: "/")
    }
}
