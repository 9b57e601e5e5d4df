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

        // Another key of the same format does not open it. An authenticated format refuses it; iExec's AES-CBC cannot
        // tell (a wrong key's last block has valid PKCS#7 padding about once in 256 tries), but gives other bytes.
        let other = try DatasetKey.generate(format).decryptor()
        var wrong: [UInt8] = []
        var refused = false
        do {
            try sealed.withUnsafeBytes { try other.update($0) { wrong.append(contentsOf: $0) } }
            try other.finish { wrong.append(contentsOf: $0) }
        } catch {
            refused = true
        }
        if format.isAuthenticated {
            #expect(refused)
        } else {
            #expect(refused || wrong != plaintext)
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

extension DatasetKeyTests {
    /// docs/formats/dataset-key.md's vector.
    @Test func theDocumentedVector() throws {
        let key = try DatasetKey(format: .clave, key: Array(0..<32))
        let text = #"{"format":"clave","key":"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}"#
        #expect(key.bytes == Array(text.utf8))
        #expect(key.bytes.count == 93)
        // sha-256, which IexecAESCBC.checksum computes.
        #expect(
            IexecAESCBC.checksum(key.bytes) == "0x4e0685030250a8fafe9eafbd48852908a19faaf57a7f6670e550d4157884dad1")
    }
}
