import ClaveCore
import ClaveCrypto
import ClaveTestSupport
import Testing

/// Schemas (iExec's extractDataSchema), their canonical text, MIME sniffing, Borsh scalars and the schema query.
@Suite struct ProtectedDataSchemaTests {
    @Test func mimeSniffingNeedsOnlyThePrefix() throws {
        let vectors = try ProtectedDataVectors.load()
        let binary = try #require(vectors.objects.first { $0.name == "binary data" })
        let value = try ProtectedDataVectors.value(binary.value)
        guard case .object(let files) = try #require(value[["files"]]) else {
            Issue.record("no files")
            return
        }
        #expect(files.count >= 30)
        for (name, file) in files {
            guard case .binary(let bytes) = file else { continue }
            let full = MIMESniffer.mimeType(of: bytes)
            #expect(MIMESniffer.mimeType(of: bytes.prefix(MIMESniffer.prefixLength)) == full, "\(name)")
            #expect(MIMESniffer.supportedTypes.contains(full))
        }
    }

    @Test func sniffsIExecsQuirksToo() {
        #expect(MIMESniffer.mimeType(of: Array("GIF89a...".utf8)) == "image/gif")
        #expect(MIMESniffer.mimeType(of: Array("Gxyz".utf8)) == "video/mpeg")
        #expect(MIMESniffer.mimeType(of: Array("BMxx".utf8)) == "image/bmp")
        #expect(MIMESniffer.mimeType(of: [0, 0, 0, 0x18] + Array("ftypheic".utf8)) == "application/octet-stream")
        #expect(MIMESniffer.mimeType(of: [0, 0, 0, 0x18] + Array("ftypisom".utf8)) == "video/mp4")
        #expect(MIMESniffer.mimeType(of: []) == "application/octet-stream")
    }

    @Test func borshMatchesBorshConstruct() throws {
        let vectors = try ProtectedDataVectors.load().borsh
        #expect(vectors.count >= 20)
        for vector in vectors {
            let expected = try Hex.decode(vector.borsh)
            switch (vector.type, vector.value) {
            case ("bool", .bool(let flag)):
                #expect(Borsh.encode(flag) == expected)
                #expect(try Borsh.decodeBool(expected, at: "v") == flag)
            case ("f64", .string(let text)):
                let number = try #require(Double(text))
                #expect(Borsh.encode(number) == expected, "\(text)")
                #expect(try Borsh.decodeF64(expected, at: "v").bitPattern == number.bitPattern)
            case ("i128", .string(let text)):
                let integer = try #require(Int128(text))
                #expect(Borsh.encode(integer) == expected, "\(text)")
                #expect(try Borsh.decodeI128(expected, at: "v") == integer)
            case ("string", .string(let text)):
                #expect(Borsh.encode(text) == expected)
                #expect(try Borsh.decodeString(expected, at: "v") == text)
            default:
                Issue.record("unexpected vector \(vector.type)")
            }
        }
    }

    @Test func borshRefusals() {
        let cases: [(() throws(ProtectedDataError) -> Void, String)] = [
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeBool([2], at: "p") },
                "a Borsh bool is the byte 0 or 1, found 2."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeBool([], at: "p") },
                "a Borsh bool is 1 byte, found 0."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeF64([0, 0, 0], at: "p") },
                "a Borsh f64 is 8 bytes, found 3."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeF64(Borsh.encode(Double.nan), at: "p") },
                "the f64 is NaN, which Borsh does not encode."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeI128([UInt8](repeating: 0, count: 17), at: "p")
                },
                "a Borsh i128 is 16 bytes, found 17."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeString([1, 0, 0], at: "p") },
                "a Borsh string starts with a 4-byte length; found 3 bytes."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeString([2, 0, 0, 0, 0x61], at: "p") },
                "the Borsh string says it has 2 bytes but 1 follow its length."
            ),
            (
                { () throws(ProtectedDataError) in _ = try Borsh.decodeString([1, 0, 0, 0, 0xFF], at: "p") },
                "the Borsh string is not valid UTF-8."
            ),
        ]
        for (decode, message) in cases {
            do {
                try decode()
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.code == .invalidBorsh)
                #expect(error.path == "p")
                #expect(error.message == message)
            }
        }
    }

    @Test func crc32MatchesTheCheckValueAndAnyChunking() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        var generator = SplitMix64(seed: 7)
        let data = (0..<10_007).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let whole = CRC32.checksum(data)
        // Bit by bit, from the definition.
        var reference: UInt32 = 0xFFFF_FFFF
        for byte in data {
            reference ^= UInt32(byte)
            for _ in 0..<8 { reference = reference & 1 != 0 ? (reference >> 1) ^ 0xEDB8_8320 : reference >> 1 }
        }
        #expect(whole == reference ^ 0xFFFF_FFFF)
        for split in [1, 3, 7, 8, 9, 64, 1000, 5003] {
            var crc = CRC32()
            var start = 0
            while start < data.count {
                crc.update(data[start..<min(data.count, start + split)])
                start += split
            }
            #expect(crc.value == whole, "chunks of \(split)")
        }
    }

    /// Runs of 64 bytes or more are folded by carry-less multiplication where the processor has it, the rest by
    /// tables: every length around the fold's 16- and 64-byte steps, at every alignment, after a prefix that leaves
    /// the register at another value, agrees with the definition.
    @Test func crc32FoldingAgreesWithTheDefinitionAtEveryLengthAndAlignment() {
        var generator = SplitMix64(seed: 11)
        let data = (0..<400).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        func bitwise(_ bytes: ArraySlice<UInt8>, from start: UInt32) -> UInt32 {
            var register = start
            for byte in bytes {
                register ^= UInt32(byte)
                for _ in 0..<8 { register = register & 1 != 0 ? (register >> 1) ^ 0xEDB8_8320 : register >> 1 }
            }
            return register
        }
        for offset in 0..<16 {
            let prefix = data[0..<offset]
            let afterPrefix = bitwise(prefix, from: 0xFFFF_FFFF)
            for length in 0...(data.count - 16) {
                let run = data[offset..<(offset + length)]
                var crc = CRC32()
                crc.update(prefix)
                crc.update(run)
                let expected = bitwise(run, from: afterPrefix) ^ 0xFFFF_FFFF
                if crc.value != expected {
                    Issue.record("offset \(offset), length \(length): \(crc.value) != \(expected)")
                    return
                }
            }
        }
    }

    // MARK: Schema text

    @Test func schemaTextIsCanonicalAndReadsBack() throws {
        let schema = try ProtectedDataSchema(fields: [
            "email": .type("string"), "picture": .type("image/png"),
            "profile": .object(try ProtectedDataSchema(fields: ["balance": .type("i128"), "age": .type("f64")])),
        ])
        let text = #"{"email":"string","picture":"image/png","profile":{"age":"f64","balance":"i128"}}"#
        #expect(schema.canonicalText == text)
        #expect(schema.paths == ["email:string", "picture:image/png", "profile.age:f64", "profile.balance:i128"])
        #expect(
            try ProtectedDataSchema(
                parsing: #"{ "profile": {"balance":"i128", "age":"f64"}, "picture":"image/png", "email":"string" }"#)
                == schema)
    }

    @Test func schemaRefusals() {
        let cases: [(String, String, String)] = [
            ("[]", "data", "a schema is a JSON object, found an array."),
            ("{}", "data", "the schema has no keys; a schema describes some data."),
            (#"{"a":{}}"#, "data.a", "the schema has no keys; a schema describes some data."),
            (#"{"a":1}"#, "data.a", "expected a type name or a nested schema, found a number."),
            (#"{"a":"number"}"#, "data.a", "the type \"number\" is not one iExec's dataprotector writes"),
            (#"{"a":"text/plain"}"#, "data.a", "the type \"text/plain\" is not one"),
            (#"{"a b":"bool"}"#, "data.a b", "the key has a character outside"),
            ("nope", "data", "the schema is not JSON"),
        ]
        for (text, path, message) in cases {
            do {
                _ = try ProtectedDataSchema(parsing: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.code == .invalidSchema, "\(text)")
                #expect(error.path == path, "\(text)")
                #expect(error.message.hasPrefix(message), "\(text): \(error.message)")
            }
        }
    }

    // MARK: Queries

    @Test func queriesMatchEveryRequirement() throws {
        let schema = try ProtectedDataSchema(
            parsing: #"{"email":"string","photo":"image/png","profile":{"age":"f64"}}"#)
        let matching = [
            ["email:string"], ["profile.age:f64"], ["email:string", "photo:image/png", "profile.age:f64"],
        ]
        for texts in matching {
            #expect(try ProtectedDataSchemaQuery(parsing: texts).matches(schema), "\(texts)")
        }
        let failing = [
            ["email:bool"], ["phone:string"], ["profile:string"], ["profile.age:i128"], ["email:string", "x:f64"],
            ["photo:image/jpeg"], ["profile.age.x:f64"],
        ]
        for texts in failing {
            #expect(try !ProtectedDataSchemaQuery(parsing: texts).matches(schema), "\(texts)")
        }
        let joined = try ProtectedDataSchemaQuery(parsing: "email:string,profile.age:f64")
        #expect(joined.requirements.map(\.description) == ["email:string", "profile.age:f64"])
        #expect(joined.matches(schema))
    }

    @Test func malformedQueriesAreRefused() {
        let cases: [([String], String, String)] = [
            (["email"], "query[0]", "\"email\" has no ':' before its type"),
            (["ok:bool", ":string"], "query[1]", "\":string\" has an empty key"),
            (["a..b:string"], "query[0]", "\"a..b:string\" has an empty key"),
            (["a.b$:string"], "query[0]", "\"a.b$:string\" has an empty key or a key with a character outside"),
            (["email:text"], "query[0]", "\"email:text\" asks for the type \"text\", which no protected data has"),
            (["email:"], "query[0]", "\"email:\" asks for the type \"\""),
            (["a:bool", "a:string"], "query[1]", "\"a:string\" names the path a a second time"),
        ]
        for (texts, path, message) in cases {
            do {
                _ = try ProtectedDataSchemaQuery(parsing: texts)
                Issue.record("accepted \(texts)")
            } catch {
                #expect(error.code == .invalidQuery)
                #expect(error.path == path, "\(texts)")
                #expect(error.message.hasPrefix(message), "\(texts): \(error.message)")
            }
        }
    }
}
