public import Foundation

/// EIP-712 typed structured data, in the JSON shape of `eth_signTypedData_v4`, with a general encoder:
/// `encodeType` (referenced types sorted by name), `encodeData` for atomic, dynamic, array and struct members,
/// the domain separator and the digest that is signed.
public struct TypedData: Sendable, Hashable, Codable {
    /// One member of a struct type.
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var type: String
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// Struct types by name. `EIP712Domain` may be omitted: it is then derived from the domain's members.
    public var types: [String: [Field]]
    public var primaryType: String
    public var domain: TypedValue
    public var message: TypedValue

    public init(types: [String: [Field]], primaryType: String, domain: TypedValue, message: TypedValue) {
        self.types = types
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
    }

    /// Parses `eth_signTypedData_v4` JSON.
    public init(jsonData: Data) throws(CryptoError) {
        do {
            self = try JSONDecoder().decode(TypedData.self, from: jsonData)
        } catch {
            throw CryptoError(
                .invalidTypedData,
                "The typed data is not valid eth_signTypedData_v4 JSON (types, primaryType, domain, message): \(error)"
            )
        }
    }

    /// The order in which EIP-712 lists the domain's members when `EIP712Domain` is not given.
    static let domainMembers: [Field] = [
        Field(name: "name", type: "string"),
        Field(name: "version", type: "string"),
        Field(name: "chainId", type: "uint256"),
        Field(name: "verifyingContract", type: "address"),
        Field(name: "salt", type: "bytes32"),
    ]

    /// The struct types, with `EIP712Domain` derived from the domain's members when it was not given.
    var resolvedTypes: [String: [Field]] {
        guard types["EIP712Domain"] == nil else { return types }
        var resolved = types
        let present: Set<String> = if case .object(let members) = domain { Set(members.keys) } else { [] }
        resolved["EIP712Domain"] = TypedData.domainMembers.filter { present.contains($0.name) }
        return resolved
    }

    /// keccak256(encodeData(EIP712Domain, domain)).
    public func domainSeparator() throws(CryptoError) -> Bytes32 {
        try TypedDataEncoder(types: resolvedTypes).hashStruct("EIP712Domain", domain, path: "domain")
    }

    /// hashStruct(primaryType, message).
    public func structHash() throws(CryptoError) -> Bytes32 {
        try TypedDataEncoder(types: resolvedTypes).hashStruct(primaryType, message, path: "message")
    }

    /// The digest that is signed: keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).
    /// When the primary type is `EIP712Domain` itself, keccak256(0x19 0x01 ‖ domainSeparator).
    public func digest() throws(CryptoError) -> Bytes32 {
        let separator = try domainSeparator()
        if primaryType == "EIP712Domain" {
            return Keccak256.hash([0x19, 0x01] + separator.bytes)
        }
        return EIP191.hash(domainSeparator: separator, structHash: try structHash())
    }

    /// `encodeType` of the primary type: the type itself then every type it references, sorted by name.
    public func encodeType() throws(CryptoError) -> String {
        try TypedDataEncoder(types: resolvedTypes).encodeType(primaryType)
    }

    /// Signs the digest.
    public func sign(with key: PrivateKey) throws(CryptoError) -> Signature {
        key.sign(digest: try digest())
    }
}

/// The EIP-712 encoding rules over a set of struct types.
struct TypedDataEncoder: Sendable {
    let types: [String: [TypedData.Field]]

    init(types: [String: [TypedData.Field]]) {
        self.types = types
    }

    /// `Name(type1 name1,type2 name2)` for `primary`, followed by every referenced struct type in name order.
    func encodeType(_ primary: String) throws(CryptoError) -> String {
        var found = Set<String>()
        try collectDependencies(of: primary, into: &found)
        found.remove(primary)
        return try ([primary] + found.sorted()).map { (name) throws(CryptoError) -> String in
            let members = try fields(of: name).map { "\($0.type) \($0.name)" }.joined(separator: ",")
            return "\(name)(\(members))"
        }.joined()
    }

    func typeHash(_ name: String) throws(CryptoError) -> Bytes32 {
        Keccak256.hash(utf8: try encodeType(name))
    }

    /// keccak256(typeHash ‖ encodeData(value)).
    func hashStruct(_ name: String, _ value: TypedValue, path: String) throws(CryptoError) -> Bytes32 {
        guard case .object(let members) = value else {
            throw invalid(path, "must be an object of type \(name), but it is \(value.kindName)")
        }
        let fields = try fields(of: name)
        let known = Set(fields.map(\.name))
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid(
                "\(path).\(unknown)",
                "is not a member of \(name) (its members: \(fields.map(\.name).joined(separator: ", ")))")
        }
        var hasher = Keccak256()
        hasher.update(try typeHash(name).bytes)
        for field in fields {
            let fieldPath = "\(path).\(field.name)"
            guard let member = members[field.name] else {
                throw invalid(fieldPath, "is missing; \(name) requires a \(field.type) named \(field.name)")
            }
            hasher.update(try encodeValue(field.type, member, path: fieldPath))
        }
        return hasher.finalize()
    }

    /// The 32-byte encoding of one member value.
    func encodeValue(_ type: String, _ value: TypedValue, path: String) throws(CryptoError) -> [UInt8] {
        if let (element, length) = try arrayType(type, path: path) {
            guard case .array(let items) = value else {
                throw invalid(path, "must be an array of \(element), but it is \(value.kindName)")
            }
            if let length, items.count != length {
                throw invalid(path, "must hold exactly \(length) items of \(element), but it holds \(items.count)")
            }
            var hasher = Keccak256()
            for (index, item) in items.enumerated() {
                hasher.update(try encodeValue(element, item, path: "\(path)[\(index)]"))
            }
            return hasher.finalize().bytes
        }
        if types[type] != nil {
            return try hashStruct(type, value, path: path).bytes
        }
        return try encodeAtomic(type, value, path: path)
    }

    private func encodeAtomic(_ type: String, _ value: TypedValue, path: String) throws(CryptoError) -> [UInt8] {
        switch type {
        case "string":
            guard case .string(let text) = value else {
                throw invalid(path, "must be a string, but it is \(value.kindName)")
            }
            return Keccak256.hash(utf8: text).bytes
        case "bytes":
            return Keccak256.hash(try bytes(value, path: path)).bytes
        case "bool":
            guard case .bool(let flag) = value else {
                throw invalid(path, "must be true or false, but it is \(value.kindName)")
            }
            return [UInt8](repeating: 0, count: 31) + [flag ? 1 : 0]
        case "address":
            guard case .string(let text) = value else {
                throw invalid(path, "must be an address string (0x + 40 hex digits), but it is \(value.kindName)")
            }
            do {
                return try Address(text).word
            } catch {
                throw invalid(path, error.message)
            }
        default:
            if type.hasPrefix("bytes"), let size = Int(type.dropFirst(5)) {
                guard (1...32).contains(size) else { throw unknownType(type, path: path) }
                let raw = try bytes(value, path: path)
                guard raw.count == size else {
                    throw invalid(path, "must be exactly \(size) bytes for \(type), but it has \(raw.count)")
                }
                return raw + [UInt8](repeating: 0, count: 32 - size)
            }
            let signed = type.hasPrefix("int")
            if signed || type.hasPrefix("uint"), let bits = Int(type.dropFirst(signed ? 3 : 4)) {
                guard bits % 8 == 0, (8...256).contains(bits) else { throw unknownType(type, path: path) }
                let text: String
                switch value {
                case .integer(let number): text = number
                case .string(let number): text = number
                default: throw invalid(path, "must be an integer for \(type), but it is \(value.kindName)")
                }
                switch Word256.parse(text, bits: bits, signed: signed) {
                case .success(let word): return word
                case .failure(.notANumber):
                    throw invalid(path, "'\(text)' is not an integer; write it in decimal or as 0x hex")
                case .failure(.outOfRange):
                    throw invalid(path, "\(text) does not fit in \(type)")
                case .failure(.negativeUnsigned):
                    throw invalid(path, "\(text) is negative, but \(type) is unsigned")
                }
            }
            throw unknownType(type, path: path)
        }
    }

    private func bytes(_ value: TypedValue, path: String) throws(CryptoError) -> [UInt8] {
        guard case .string(let text) = value, text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw invalid(
                path,
                "must be 0x-prefixed hex bytes, but it is \(value.kindName == "a string" ? "text without 0x" : value.kindName)"
            )
        }
        do {
            return try Hex.decode(text, what: "bytes value")
        } catch {
            throw invalid(path, error.message)
        }
    }

    /// `T[]` -> (T, nil); `T[n]` -> (T, n); anything else -> nil. The last bracket pair is the outer array.
    private func arrayType(_ type: String, path: String) throws(CryptoError) -> (String, Int?)? {
        guard type.hasSuffix("]"), let open = type.lastIndex(of: "[") else { return nil }
        let element = String(type[..<open])
        let inside = type[type.index(after: open)..<type.index(before: type.endIndex)]
        if inside.isEmpty { return (element, nil) }
        guard let length = Int(inside), length >= 0 else { throw unknownType(type, path: path) }
        return (element, length)
    }

    private func fields(of name: String) throws(CryptoError) -> [TypedData.Field] {
        guard let fields = types[name] else {
            throw CryptoError(
                .invalidTypedData, "The type \(name) is used but not defined in types; add its definition.")
        }
        return fields
    }

    private func collectDependencies(of name: String, into found: inout Set<String>) throws(CryptoError) {
        guard !found.contains(name) else { return }
        found.insert(name)
        for field in try fields(of: name) {
            var base = field.type
            if let bracket = base.firstIndex(of: "[") { base = String(base[..<bracket]) }
            if types[base] != nil { try collectDependencies(of: base, into: &found) }
        }
    }

    private func invalid(_ path: String, _ reason: String) -> CryptoError {
        CryptoError(.invalidTypedData, "Typed data \(path) \(reason).")
    }

    private func unknownType(_ type: String, path: String) -> CryptoError {
        CryptoError(
            .invalidTypedData,
            "Typed data \(path) has the type '\(type)', which is neither an EIP-712 atomic type nor defined in types."
        )
    }
}
