/// Codable support for values written as one string in JSON (hex bytes, addresses, signatures).
enum TextCoding {
    /// Decodes a string and parses it; a parse failure becomes a `DecodingError` carrying the parser's message.
    static func decode<Value>(
        from decoder: any Decoder,
        _ parse: (String) throws(CryptoError) -> Value
    ) throws -> Value {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            return try parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    static func encode(_ text: String, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
