import ClaveCore
import ClaveCrypto
import Testing

@Suite struct DatasetKeyTests {
    @Test(arguments: PayloadFormat.allCases)
    func aKeyRoundTripsThroughItsEscrowedBytesAndOpensWhatItSealed(_ format: PayloadFormat) throws {
        let key = DatasetKey.generate(format)
        let escrowed = key.bytes
        #expect(String(decoding: escrowed, as: UTF8.self).hasPrefix("{\"format\":\"\(format.rawValue)\",\"key\":\"0x"))
        let read = try DatasetKey(bytes: escrowed)
        #expect(read == key)

        let plaintext = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var sealed: [UInt8] = []
        let encryptor = try key.encryptor()
        try plaintext.withUnsafeBytes { try encryptor.update($0) { sealed.append(contentsOf: $0) } }
        try encryptor.finish { sealed.append(contentsOf: $0) }
        var opened: [UInt8] = []
        let decryptor = try read.decryptor()
        try sealed.withUnsafeBytes { try decryptor.update($0) { opened.append(contentsOf: $0) } }
        try decryptor.finish { opened.append(contentsOf: $0) }
        #expect(opened == plaintext)

        // Another key of the same format does not open it.
        let other = try DatasetKey.generate(format).decryptor()
        #expect(throws: (any Error).self) {
            try sealed.withUnsafeBytes { try other.update($0) { _ in } }
            try other.finish { _ in }
        }
    }

    @Test func malformedEscrowedKeysAreRefused() {
        for text in [
            "", "{}", "{\"format\":\"clave\"}", "{\"format\":\"zip\",\"key\":\"0x00\"}",
            "{\"format\":\"clave\",\"key\":\"0x0102\"}",
            "{\"format\":\"clave\",\"key\":\"0x\(String(repeating: "ab", count: 32))\",\"extra\":1}",
        ] {
            #expect(throws: ProtectedDataError.self) { try DatasetKey(bytes: Array(text.utf8)) }
        }
    }
}
