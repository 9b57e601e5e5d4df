import ClaveCore
import ClaveCrypto
import Testing

/// Reading the app's `computed.json` as iExec's worker reads it, refusing what it cannot digest, and writing back
/// the worker's copy.
@Suite struct ComputedFileTests {
    private static func parse(_ text: String) throws(ResultError) -> ComputedFile {
        try ComputedFile(parsing: Array(text.utf8))
    }

    private static func refusal(_ text: String) -> ResultError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsKebabCaseKeys() throws {
        let file = try Self.parse(
            """
            {"deterministic-output-path": "/iexec_out/result.txt", "callback-data": "0x0001ff",
             "error-message": "none", "task-id": "0x\(String(repeating: "11", count: 32))",
             "result-digest": "0x\(String(repeating: "ab", count: 32))", "something-else": 1}
            """)
        #expect(file.deterministicOutputPath == "/iexec_out/result.txt")
        #expect(file.outputPathInIexecOut == "result.txt")
        #expect(file.callbackData == [0x00, 0x01, 0xFF])
        #expect(file.errorMessage == "none")
        #expect(file.taskId?.description == "0x" + String(repeating: "11", count: 32))
        #expect(file.resultDigest?.description == "0x" + String(repeating: "ab", count: 32))
        #expect(file.enclaveSignature == nil)
    }

    @Test func readsTheOlderCamelCaseKeys() throws {
        let signature = PrivateKey.generate().sign(digest: Keccak256.hash(utf8: "x"))
        let file = try Self.parse(
            """
            {"deterministicOutputPath": "/iexec_out/out", "callbackData": "0x02", "errorMessage": "e",
             "taskId": "0x\(String(repeating: "11", count: 32))", "resultDigest": "0x\(String(repeating: "ab", count: 32))",
             "enclaveSignature": "\(signature)"}
            """)
        #expect(file.outputPathInIexecOut == "out")
        #expect(file.callbackData == [0x02])
        #expect(file.errorMessage == "e")
        #expect(file.enclaveSignature == signature)
        #expect(file.taskId != nil && file.resultDigest != nil)
    }

    @Test func nullIsAbsent() throws {
        let file = try Self.parse(
            #"{"deterministic-output-path": "/iexec_out/r", "callback-data": null, "error-message": null, "callbackData": null}"#
        )
        #expect(file.callbackData == nil)
        #expect(file.errorMessage == nil)
    }

    /// Without a deterministic output path, callback data alone is a result (web3 mode: iExec digests only the
    /// callback data, tee-worker-post-compute-rust `compute_web3_result_digest`).
    @Test func callbackDataAloneIsAResult() throws {
        let file = try Self.parse(
            #"{"callback-data": "0x0000000000000000000000000000000000000000000000000000000000000001"}"#)
        #expect(file.deterministicOutputPath == nil)
        #expect(file.outputPathInIexecOut == nil)
        #expect(
            try ResultDigest.callback(file.callbackData ?? []).description
                == "0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6")
    }

    @Test(arguments: [
        ("/iexec_out/result.txt", "result.txt"), ("/iexec_out", ""), ("/iexec_out/", ""),
        ("/iexec_out/./dir//file", "dir/file"), ("result.txt", "result.txt"), ("./out/a.txt", "out/a.txt"),
        ("//iexec_out/x", "x"),
    ])
    func pathsInsideIexecOut(path: String, inside: String) throws {
        let file = try Self.parse(#"{"deterministic-output-path": "\#(path)"}"#)
        #expect(file.deterministicOutputPath == path)
        #expect(file.outputPathInIexecOut == inside)
    }

    @Test(arguments: [
        ("/tmp/result.txt", "is outside $IEXEC_OUT"), ("/", "is outside $IEXEC_OUT"),
        ("/iexec_outside/x", "is outside $IEXEC_OUT"), ("/iexec_in/dataset", "is outside $IEXEC_OUT"),
        ("/iexec_out/../etc/passwd", "has a \"..\" segment"), ("../x", "has a \"..\" segment"),
        ("a/../../x", "has a \"..\" segment"), ("/iexec_out/a/../b", "has a \"..\" segment"),
        ("..", "has a \"..\" segment"),
    ])
    func pathsLeavingIexecOutAreRefused(path: String, reason: String) {
        let error = Self.refusal(#"{"deterministic-output-path": "\#(path)"}"#)
        #expect(error?.code == .outputOutsideIexecOut)
        #expect(error?.path == "deterministic-output-path")
        #expect(error?.message.hasPrefix("The deterministic output path \"\(path)\" \(reason)") == true)
    }

    @Test func malformedJSONIsRefused() {
        let error = Self.refusal(#"{"deterministic-output-path": }"#)
        #expect(error?.code == .malformedComputedFile)
        #expect(error?.path == "computed.json")
        #expect(error?.message.hasPrefix("computed.json is not valid JSON (") == true)
        #expect(
            error?.message.hasSuffix(
                "have the app write a JSON object such as {\"deterministic-output-path\": \"/iexec_out/result.txt\"}.")
                == true)

        let repeated = Self.refusal(
            #"{"deterministic-output-path": "/iexec_out/a", "deterministic-output-path": "/iexec_out/b"}"#)
        #expect(repeated?.code == .malformedComputedFile)
        #expect(repeated?.message.contains("twice") == true)

        #expect(Self.refusal("")?.code == .malformedComputedFile)
    }

    @Test(arguments: [#"["/iexec_out/result.txt"]"#, #""/iexec_out/result.txt""#, "null", "42"])
    func otherJSONValuesAreRefused(text: String) {
        let error = Self.refusal(text)
        #expect(error?.code == .malformedComputedFile)
        #expect(error?.message.hasPrefix("computed.json must be a JSON object such as") == true)
    }

    @Test func bothSpellingsOfOneKeyAreRefused() {
        let error = Self.refusal(
            #"{"deterministic-output-path": "/iexec_out/a", "deterministicOutputPath": "/iexec_out/b"}"#)
        #expect(error?.code == .malformedComputedFile)
        #expect(error?.path == "deterministic-output-path")
        #expect(
            error?.message
                == "computed.json gives both \"deterministic-output-path\" and \"deterministicOutputPath\"; write the field once, as \"deterministic-output-path\"."
        )
    }

    @Test(arguments: [
        "deterministic-output-path", "deterministicOutputPath", "callback-data", "task-id", "result-digest",
        "enclave-signature", "error-message", "errorMessage",
    ])
    func nonStringValuesAreRefused(key: String) {
        for value in ["1", "true", "[\"/iexec_out/a\"]", "{\"path\": \"/iexec_out/a\"}"] {
            let other =
                key.lowercased().contains("output")
                ? "\"callback-data\": \"0x01\"" : "\"deterministic-output-path\": \"/iexec_out/a\""
            let error = Self.refusal("{\(other), \"\(key)\": \(value)}")
            #expect(error?.code == .notAString)
            #expect(error?.path == key)
            #expect(error?.message.hasPrefix("\"\(key)\" in computed.json must be a string, not ") == true)
            #expect(error?.message.hasSuffix("; write it as a JSON string.") == true)
        }
    }

    @Test func noOutputIsRefused() {
        for text in ["{}", #"{"deterministic-output-path": ""}"#, #"{"callback-data": "0x"}"#, #"{"task-id": null}"#] {
            let error = Self.refusal(text)
            #expect(error?.code == .missingOutput)
            #expect(error?.path == "deterministic-output-path")
            #expect(
                error?.message
                    == "computed.json names no deterministic-output-path (nor callback-data), so there is no result to digest; the app must write the path of its result file or directory under /iexec_out, e.g. {\"deterministic-output-path\": \"/iexec_out/result.txt\"}."
            )
        }
        let reported = Self.refusal(#"{"error-message": "dataset unreadable"}"#)
        #expect(reported?.code == .missingOutput)
        #expect(reported?.message.hasSuffix(" The app reported: dataset unreadable") == true)
    }

    @Test(arguments: [
        ("callback-data", "0xzz"), ("callback-data", "0x123"), ("task-id", "0x1234"),
        ("task-id", "0x" + String(repeating: "g", count: 64)),
        ("result-digest", "0x" + String(repeating: "1", count: 66)),
        ("enclave-signature", "0x" + String(repeating: "1", count: 128)),
        ("enclave-signature", "0x" + String(repeating: "1", count: 128) + "05"),
    ])
    func invalidHexIsRefused(key: String, value: String) {
        let other = key == "callback-data" ? "" : #""deterministic-output-path": "/iexec_out/a", "#
        let error = Self.refusal("{\(other)\"\(key)\": \"\(value)\"}")
        #expect(error?.code == .invalidHex)
        #expect(error?.path == key)
        #expect(error?.message.hasPrefix("\"\(key)\" in computed.json is not valid: ") == true)
        #expect(error?.message.hasSuffix(" Write it as 0x-prefixed hex.") == true)
    }

    /// The worker's copy: every key in kebab-case, `null` for what is absent, canonical (RFC 8785) bytes.
    @Test func canonicalJSONTheWorkerWritesBack() throws {
        let app = try Self.parse(#"{"deterministicOutputPath": "/iexec_out/result.txt"}"#)
        let vector = try #require(ResultVectors.load().files.first)
        let completed = app.completed(
            taskId: try Bytes32(hex: vector.taskId), resultDigest: try Bytes32(hex: vector.resultDigest),
            enclaveSignature: try Signature(hex: vector.enclaveSignature))
        let expected =
            #"{"callback-data":null,"deterministic-output-path":"/iexec_out/result.txt","enclave-signature":""#
            + vector.enclaveSignature + #"","error-message":null,"result-digest":""# + vector.resultDigest
            + #"","task-id":""# + vector.taskId + #""}"#
        #expect(String(decoding: completed.canonicalBytes, as: UTF8.self) == expected)
        #expect(try ComputedFile(parsing: completed.canonicalBytes) == completed)

        let callback = try Self.parse(#"{"callback-data": "0xABCD", "error-message": "ok"}"#)
            .completed(taskId: .zero, resultDigest: .zero, enclaveSignature: nil)
        #expect(
            String(decoding: callback.canonicalBytes, as: UTF8.self)
                == #"{"callback-data":"0xabcd","deterministic-output-path":null,"enclave-signature":null,"error-message":"ok","result-digest":"0x0000000000000000000000000000000000000000000000000000000000000000","task-id":"0x0000000000000000000000000000000000000000000000000000000000000000"}"#
        )
    }
}
