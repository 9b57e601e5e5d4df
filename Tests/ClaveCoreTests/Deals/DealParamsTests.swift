import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Testing

/// Reading a deal's params as iExec's worker does, strictly for the members Clave knows, and splitting iexec_args.
@Suite struct DealParamsTests {
    static let cid = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    static let resultKey = ResultKey.derive(from: TestAccount(1).key).publicKey

    static func refusal(_ text: String) -> DealParamsError? {
        do {
            _ = try DealParams(json: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsEveryMember() throws {
        let params = try DealParams(
            json: """
                {"iexec_args": "--name 'Jane Doe' 42", "iexec_input_files": ["clave://\(Self.cid)/data%20set.csv",
                 "https://example.com/files/b.json?x=1"], "iexec_secrets": {"1": "api-key", "2": "token"},
                 "iexec_result_encryption": true, "iexec_result_storage_provider": "ipfs",
                 "clave_result_public_key": "\(Self.resultKey.hex)", "iexec_developer_logger": true}
                """)
        #expect(params.arguments == ["--name", "Jane Doe", "42"])
        #expect(params.inputFiles.map(\.name) == ["data set.csv", "b.json"])
        #expect(params.inputFiles.map(\.cid) == [Self.cid, nil])
        #expect(params.secrets == [1: "api-key", 2: "token"])
        #expect(params.resultEncryption)
        #expect(params.resultStorageProvider == "ipfs")
        #expect(params.resultPublicKey == Self.resultKey)
        #expect(params.otherMembers["iexec_developer_logger"] == .bool(true))
        // Written canonically, and read back the same.
        #expect(try DealParams(json: params.canonicalText) == params)
        #expect(params.canonicalText.hasPrefix("{\"clave_result_public_key\":"))
    }

    @Test func emptyParamsAreEmpty() throws {
        for text in ["", "  ", "{}", "{\"iexec_args\": null}"] {
            let params = try DealParams(json: text)
            #expect(params.arguments.isEmpty && params.inputFiles.isEmpty && !params.resultEncryption)
            #expect(params.canonicalText == "{}")
        }
    }

    @Test func refusesWrongTypesNamingTheMember() {
        let cases: [(String, String, DealParamsError.Code)] = [
            ("{\"iexec_args\": 42}", "iexec_args", .wrongType),
            ("{\"iexec_input_files\": \"https://a.b/c\"}", "iexec_input_files", .wrongType),
            ("{\"iexec_input_files\": [1]}", "iexec_input_files[0]", .wrongType),
            ("{\"iexec_secrets\": [\"a\"]}", "iexec_secrets", .wrongType),
            ("{\"iexec_secrets\": {\"0\": \"a\"}}", "iexec_secrets.0", .invalidSecret),
            ("{\"iexec_secrets\": {\"01\": \"a\"}}", "iexec_secrets.01", .invalidSecret),
            ("{\"iexec_secrets\": {\"1\": \"\"}}", "iexec_secrets.1", .invalidSecret),
            ("{\"iexec_result_encryption\": \"true\"}", "iexec_result_encryption", .wrongType),
            ("{\"iexec_result_storage_provider\": 1}", "iexec_result_storage_provider", .wrongType),
            ("{\"iexec_result_encryption\": true}", "clave_result_public_key", .missingResultKey),
            ("{\"clave_result_public_key\": \"0x1234\"}", "clave_result_public_key", .invalidResultKey),
            (
                "{\"clave_result_public_key\": \"0x\(String(repeating: "00", count: 32))\"}", "clave_result_public_key",
                .invalidResultKey
            ),
            ("[]", "params", .malformedParams),
            ("{\"iexec_args\": ", "params", .malformedParams),
            ("{\"iexec_args\": \"'open\"}", "iexec_args", .invalidArguments),
        ]
        for (text, path, code) in cases {
            let error = Self.refusal(text)
            #expect(error?.code == code, "\(text): \(String(describing: error))")
            #expect(error?.path == path, "\(text)")
            let member = String(path.prefix { $0 != "[" && $0 != "." })
            #expect(
                member == "params" || error?.message.contains(member) == true, "\(text): \(String(describing: error))")
        }
    }

    @Test func refusesInputFileURLs() {
        let urls = [
            "clave://\(Self.cid)", "clave://\(Self.cid)/", "clave://\(Self.cid)/a/b", "clave://Qmabc/file",
            "clave://\(Self.cid.uppercased())/file", "clave://\(Self.cid)/..", "clave://\(Self.cid)/%2e%2e",
            "clave://\(Self.cid)/a%2Fb", "ftp://example.com/file", "https:///file", "https://example.com/",
            "https://example.com/dir/.", "not a url", "",
        ]
        for url in urls {
            #expect(Self.refusal("{\"iexec_input_files\": [\"\(url)\"]}")?.code == .invalidInputFile, "\(url)")
        }
        let twice = "{\"iexec_input_files\": [\"https://a.example/x.csv\", \"clave://\(Self.cid)/x.csv\"]}"
        #expect(Self.refusal(twice)?.code == .invalidInputFile)
    }

    @Test(arguments: [
        ("hello world", ["hello", "world"]),
        ("  spaced \t out\n", ["spaced", "out"]),
        ("'single quoted' \"double quoted\"", ["single quoted", "double quoted"]),
        ("a'b'\"c\"d", ["abcd"]),
        ("'' \"\"", ["", ""]),
        ("'$HOME `ls` \\n' \"$HOME\"", ["$HOME `ls` \\n", "$HOME"]),
        ("\"a \\\"quoted\\\" \\\\ \\n word\"", ["a \"quoted\" \\ \\n word"]),
        ("escaped\\ space \\'", ["escaped space", "'"]),
        ("*.txt ~ a;b|c", ["*.txt", "~", "a;b|c"]),
        ("", []),
    ])
    func splitsArgumentsAsAShell(text: String, words: [String]) throws {
        #expect(try DealParams.split(arguments: text) == words)
    }

    @Test func refusesBrokenArguments() {
        for text in ["'unclosed", "\"unclosed", "trailing\\", "\"a\\"] {
            #expect(throws: DealParamsError.self) { try DealParams.split(arguments: text) }
        }
    }
}
