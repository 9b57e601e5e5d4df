public import ClaveCrypto
import Foundation

/// A deal's `params`: the JSON text of the request order's `params`, as iExec's SDK writes it and its worker reads
/// it, plus the member Clave adds for result encryption (docs/formats/deal-params.md).
///
/// | member | type | meaning |
/// |---|---|---|
/// | `iexec_args` | string | the app's arguments, split into ``arguments`` |
/// | `iexec_input_files` | array of URL strings | files downloaded into `$IEXEC_IN` before the app starts |
/// | `iexec_secrets` | object `"1"`, `"2"`, … → name | the requester secrets given as `IEXEC_REQUESTER_SECRET_<n>` |
/// | `iexec_result_encryption` | bool | seal the result to the beneficiary |
/// | `iexec_result_storage_provider` | string | where iExec stores results; read and ignored (Clave stores results in its blob store) |
/// | `clave_result_public_key` | 0x-hex, 32 bytes | the beneficiary's X25519 result key (``ResultKey``); required when `iexec_result_encryption` is true |
///
/// Reading is strict about the known members (each is type-checked, and a refusal names the member and the fix) and
/// tolerant of others: iExec apps and tools may add members of their own, which are kept in ``otherMembers`` and
/// written back unchanged. `null` counts as absent. Writing (``canonicalText``) is RFC 8785 canonical JSON, with the
/// known members that hold something (`iexec_result_encryption` only when true).
public struct DealParams: Sendable, Hashable {
    /// One of `iexec_input_files`: its URL, and the name of the file the app finds in `$IEXEC_IN`.
    public struct InputFile: Sendable, Hashable {
        /// The URL as the params give it.
        public let url: String
        /// The last path component of the URL, percent-decoded: not empty, not `.` or `..`, without `/` or NUL.
        public let name: String
        /// For a `clave://` URL, the blob's CIDv1 as text (its shape checked, not its digest); `nil` for http(s).
        public let cid: String?

        /// Reads `url`: `clave://<CID>/<file name>`, where CID is the blob store's CIDv1 (raw codec, sha2-256,
        /// base32: `bafkrei` and 52 more base32 letters), or an `http://` or `https://` URL with a host and a file
        /// name as its last path component.
        public init(url: String) throws(DealParamsError) {
            try self.init(url: url, at: DealParams.Member.inputFiles.rawValue)
        }

        init(url: String, at path: String) throws(DealParamsError) {
            self.url = url
            func refuse(_ why: String) -> DealParamsError {
                DealParamsError(
                    .invalidInputFile, at: path,
                    "The input file URL \"\(url)\" \(why); give clave://<CID>/<file name> (the blob store's CID, then the name the app reads it under) or an http(s) URL ending with the file name."
                )
            }
            let encodedName: Substring
            if url.hasPrefix(DealParams.claveScheme) {
                let rest = url.dropFirst(DealParams.claveScheme.count)
                guard let slash = rest.firstIndex(of: "/") else { throw refuse("has no file name after the CID") }
                let cid = rest[..<slash]
                guard DealParams.isBlobCID(cid) else {
                    throw refuse(
                        "does not name a blob: \"\(cid)\" is not a CIDv1 of the raw codec and sha2-256 in base32 (bafkrei…, 59 characters)"
                    )
                }
                self.cid = String(cid)
                encodedName = rest[rest.index(after: slash)...]
                guard !encodedName.contains("/") else { throw refuse("has more than one path segment after the CID") }
            } else {
                guard let components = URLComponents(string: url),
                    let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                    let host = components.host, !host.isEmpty
                else {
                    throw refuse("is neither a clave:// URL nor an http(s) URL with a host")
                }
                self.cid = nil
                encodedName =
                    components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
                    .last ?? ""
            }
            guard let name = encodedName.removingPercentEncoding else {
                throw refuse("has a file name that is not valid percent-encoded UTF-8")
            }
            guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
                throw refuse(
                    "does not end with a file name the app can be given (\"\(name)\": empty, \".\", \"..\", or holding / or NUL)"
                )
            }
            self.name = name
        }
    }

    /// The members Clave reads.
    enum Member: String, CaseIterable {
        case args = "iexec_args"
        case inputFiles = "iexec_input_files"
        case secrets = "iexec_secrets"
        case resultEncryption = "iexec_result_encryption"
        case resultStorageProvider = "iexec_result_storage_provider"
        case resultPublicKey = "clave_result_public_key"
    }

    static let claveScheme = "clave://"

    /// `iexec_args` as written ("" when absent).
    public let args: String
    /// ``args`` split into words (see ``split(arguments:)``).
    public let arguments: [String]
    public let inputFiles: [InputFile]
    /// `iexec_secrets`: requester secret index → the name of the requester's secret.
    public let secrets: [Int: String]
    public let resultEncryption: Bool
    /// `iexec_result_storage_provider`, kept for writing back; Clave ignores it.
    public let resultStorageProvider: String?
    /// `clave_result_public_key`: set whenever ``resultEncryption`` is true.
    public let resultPublicKey: X25519PublicKey?
    /// Members Clave does not know, kept as they are.
    public let otherMembers: JSONValue.Object

    /// Params from their values; checks them as reading does.
    public init(
        args: String = "", inputFiles: [InputFile] = [], secrets: [Int: String] = [:], resultEncryption: Bool = false,
        resultStorageProvider: String? = nil, resultPublicKey: X25519PublicKey? = nil,
        otherMembers: JSONValue.Object = [:]
    ) throws(DealParamsError) {
        self.args = args
        self.arguments = try Self.split(arguments: args)
        var names: Set<String> = []
        for (index, file) in inputFiles.enumerated() where !names.insert(file.name).inserted {
            throw DealParamsError(
                .invalidInputFile, at: "\(Member.inputFiles.rawValue)[\(index)]",
                "Two input files are named \"\(file.name)\", so one would overwrite the other in $IEXEC_IN; give each input file a URL with a different file name."
            )
        }
        self.inputFiles = inputFiles
        for (index, name) in secrets {
            guard index > 0, !name.isEmpty else {
                throw DealParamsError(
                    .invalidSecret, at: "\(Member.secrets.rawValue).\(index)",
                    "iexec_secrets: requester secrets are numbered from 1 and each names a secret; give {\"1\": \"my-secret\"}."
                )
            }
        }
        self.secrets = secrets
        self.resultEncryption = resultEncryption
        self.resultStorageProvider = resultStorageProvider
        guard !resultEncryption || resultPublicKey != nil else {
            throw DealParamsError(
                .missingResultKey, at: Member.resultPublicKey.rawValue,
                "iexec_result_encryption is true, but the params give no clave_result_public_key to seal the result to; add the beneficiary's result public key (`clave result key`, 0x + 64 hex digits), or set iexec_result_encryption to false."
            )
        }
        self.resultPublicKey = resultPublicKey
        var others = otherMembers
        for member in Member.allCases { _ = others.removeValue(forKey: member.rawValue) }
        self.otherMembers = others
    }

    /// Reads params from their JSON text (a request order's `params`); empty text is empty params.
    public init(json text: String) throws(DealParamsError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Reads params from the UTF-8 bytes of their JSON text; no bytes (or only whitespace) is empty params.
    public init(parsing bytes: [UInt8]) throws(DealParamsError) {
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            try self.init()
            return
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw DealParamsError(
                .malformedParams, at: "params",
                "The deal params are not valid JSON (\(error.message)); write a JSON object such as {\"iexec_args\": \"hello\"}."
            )
        }
        guard let object = value.objectValue else {
            throw DealParamsError(
                .malformedParams, at: "params",
                "The deal params must be a JSON object such as {\"iexec_args\": \"hello\"}, not \(value).")
        }
        func present(_ member: Member) -> JSONValue? {
            object[member.rawValue].flatMap { $0.isNull ? nil : $0 }
        }
        func wrongType(_ member: Member, _ expected: String, _ example: String, _ found: JSONValue) -> DealParamsError {
            DealParamsError(
                .wrongType, at: member.rawValue,
                "\"\(member.rawValue)\" must be \(expected), not \(found); write it as \(example).")
        }
        func string(_ member: Member, _ example: String) throws(DealParamsError) -> String? {
            guard let value = present(member) else { return nil }
            guard let text = value.stringValue else { throw wrongType(member, "a string", example, value) }
            return text
        }

        let args = try string(.args, "\"iexec_args\": \"--name 'Jane Doe' 42\"") ?? ""

        var inputFiles: [InputFile] = []
        if let value = present(.inputFiles) {
            let example = "\"iexec_input_files\": [\"clave://bafkrei…/data.csv\"]"
            guard let array = value.arrayValue else {
                throw wrongType(.inputFiles, "an array of URL strings", example, value)
            }
            for (index, element) in array.enumerated() {
                let path = "\(Member.inputFiles.rawValue)[\(index)]"
                guard let url = element.stringValue else {
                    throw DealParamsError(
                        .wrongType, at: path, "Each input file must be a URL string, not \(element); write \(example).")
                }
                inputFiles.append(try InputFile(url: url, at: path))
            }
        }

        var secrets: [Int: String] = [:]
        if let value = present(.secrets) {
            guard let entries = value.objectValue else {
                throw wrongType(.secrets, "an object of indices to secret names", "{\"1\": \"my-secret\"}", value)
            }
            for (key, name) in entries {
                let path = "\(Member.secrets.rawValue).\(key)"
                guard let index = Int(key), index > 0, String(index) == key else {
                    throw DealParamsError(
                        .invalidSecret, at: path,
                        "iexec_secrets: \"\(key)\" is not a requester secret index; number secrets \"1\", \"2\", … as in {\"1\": \"my-secret\"}."
                    )
                }
                guard let text = name.stringValue, !text.isEmpty else {
                    throw DealParamsError(
                        .invalidSecret, at: path,
                        "iexec_secrets: requester secret \(key) must name a secret (a non-empty string), not \(name); write {\"\(key)\": \"my-secret\"}."
                    )
                }
                secrets[index] = text
            }
        }

        var resultEncryption = false
        if let value = present(.resultEncryption) {
            guard let flag = value.boolValue else {
                throw wrongType(.resultEncryption, "true or false", "\"iexec_result_encryption\": true", value)
            }
            resultEncryption = flag
        }

        let provider = try string(.resultStorageProvider, "\"iexec_result_storage_provider\": \"ipfs\"")

        var resultPublicKey: X25519PublicKey?
        if let text = try string(.resultPublicKey, "\"clave_result_public_key\": \"0x\" followed by 64 hex digits") {
            do {
                resultPublicKey = try X25519PublicKey(hex: text)
            } catch {
                throw DealParamsError(
                    .invalidResultKey, at: Member.resultPublicKey.rawValue,
                    "\"clave_result_public_key\" is not a usable X25519 public key: \(error.message) Give the beneficiary's result public key as 0x followed by 64 hex digits."
                )
            }
        }

        try self.init(
            args: args, inputFiles: inputFiles, secrets: secrets, resultEncryption: resultEncryption,
            resultStorageProvider: provider, resultPublicKey: resultPublicKey, otherMembers: object)
    }

    /// The params as a JSON object: the known members that hold something, and the other members.
    public var json: JSONValue {
        var members = otherMembers
        if !args.isEmpty { members[Member.args.rawValue] = .string(args) }
        if !inputFiles.isEmpty { members[Member.inputFiles.rawValue] = .array(inputFiles.map { .string($0.url) }) }
        if !secrets.isEmpty {
            members[Member.secrets.rawValue] = .object(
                JSONValue.Object(Dictionary(uniqueKeysWithValues: secrets.map { (String($0.key), .string($0.value)) })))
        }
        if resultEncryption { members[Member.resultEncryption.rawValue] = .bool(true) }
        if let resultStorageProvider {
            members[Member.resultStorageProvider.rawValue] = .string(resultStorageProvider)
        }
        if let resultPublicKey { members[Member.resultPublicKey.rawValue] = .string(resultPublicKey.hex) }
        return .object(members)
    }

    /// ``json`` as RFC 8785 canonical JSON text: what to put in a request order's `params`.
    public var canonicalText: String { String(decoding: CanonicalJSON.encode(json), as: UTF8.self) }

    // MARK: Arguments

    /// Splits `iexec_args` into words as a POSIX shell does for plain words and quotes, with no expansion.
    ///
    /// - Unquoted spaces, tabs and newlines separate words; runs of them count as one.
    /// - `'…'` keeps everything inside as it is (no escapes).
    /// - `"…"` keeps everything inside, except that a backslash before `"`, `\`, `$` or `` ` `` stands for that
    ///   character (other backslashes stay).
    /// - Outside quotes a backslash makes the next character literal (a backslash-newline is dropped).
    /// - Quotes join with adjacent text into one word, and `''` or `""` alone is an empty word.
    /// - `$`, `` ` ``, `*`, `~`, `;`, `|`, `&`, `<`, `>` and the like have no special meaning: no variables, command
    ///   substitution, globbing or redirection.
    ///
    /// Refuses (`invalidArguments`) an unclosed quote and a trailing lone backslash.
    public static func split(arguments text: String) throws(DealParamsError) -> [String] {
        enum Quote { case none, single, double }
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote = Quote.none
        var characters = text.makeIterator()
        while let character = characters.next() {
            switch quote {
            case .single:
                if character == "'" { quote = .none } else { word.append(character) }
            case .double:
                if character == "\"" {
                    quote = .none
                } else if character == "\\" {
                    guard let next = characters.next() else { break }
                    if ["\"", "\\", "$", "`"].contains(next) {
                        word.append(next)
                    } else if next != "\n" {
                        word.append(character)
                        word.append(next)
                    }
                } else {
                    word.append(character)
                }
            case .none:
                switch character {
                case " ", "\t", "\n", "\r\n", "\r":
                    if inWord {
                        words.append(word)
                        word = ""
                        inWord = false
                    }
                case "'":
                    quote = .single
                    inWord = true
                case "\"":
                    quote = .double
                    inWord = true
                case "\\":
                    guard let next = characters.next() else {
                        throw DealParamsError(
                            .invalidArguments, at: Member.args.rawValue,
                            "iexec_args ends with a lone backslash; remove it, or write \\\\ for a backslash.")
                    }
                    if next != "\n" {
                        word.append(next)
                        inWord = true
                    }
                default:
                    word.append(character)
                    inWord = true
                }
            }
        }
        guard quote == .none else {
            let mark = quote == .single ? "'" : "\""
            throw DealParamsError(
                .invalidArguments, at: Member.args.rawValue,
                "iexec_args has a \(mark) that is never closed; close it, or escape it with a backslash to pass it as it is."
            )
        }
        if inWord { words.append(word) }
        return words
    }

    /// Whether `text` has the shape of the blob store's CIDv1: multibase `b` (base32, lowercase), version 1, the raw
    /// codec and sha2-256 (`bafkrei`), 59 characters in all. The digest itself is not checked here (ClaveStorage
    /// checks it against the blob).
    static func isBlobCID(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 59 && text.hasPrefix("bafkrei")
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x32...0x37).contains($0) }
    }
}
