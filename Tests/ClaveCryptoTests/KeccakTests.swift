import ClaveCrypto
import Foundation
import Testing

@Suite struct KeccakTests {
    /// Published Keccak-256 (original padding) answers, as Ethereum's own tests and the Keccak team list them.
    @Test(arguments: [
        ("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (
            "The quick brown fox jumps over the lazy dog",
            "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"
        ),
        (
            "The quick brown fox jumps over the lazy dog.",
            "0x578951e24efd62a3d63a86f7cd19aaa53c898fe287d2552133220370240b572d"
        ),
        ("testing", "0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02"),
    ])
    func knownAnswers(input: String, expected: String) {
        #expect(Keccak256.hash(utf8: input).description == expected)
    }

    @Test func emptyIsNotSHA3() {
        // SHA3-256("") is a7ffc6f8…; Ethereum's Keccak-256 must not be it.
        #expect(
            Keccak256.hash(utf8: "").description != "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
        )
    }

    /// A million 'a' (the Keccak team's long-message answer for Keccak-256).
    @Test func millionA() {
        let input = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(
            Keccak256.hash(input).description
                == "0xfadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96"
        )
    }

    /// Streaming in every chunk size around the 136-byte rate gives the one-shot digest.
    @Test(arguments: [1, 7, 135, 136, 137, 272, 1000])
    func streamingMatchesOneShot(chunk: Int) {
        let input = (0..<2_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = Keccak256()
        var offset = 0
        while offset < input.count {
            hasher.update(input[offset..<min(offset + chunk, input.count)])
            offset += chunk
        }
        #expect(hasher.finalize() == Keccak256.hash(input))
    }

    /// Inputs at and around the rate boundary, checked against vectors from eth-hash (Scripts/vectors).
    @Test func independentVectors() throws {
        let fixture = try Fixtures.load([KeccakVector].self, "keccak.json")
        #expect(fixture.count >= 10)
        for vector in fixture {
            #expect(Keccak256.hash(try Hex.decode(vector.input)).description == vector.hash, "input \(vector.input)")
        }
    }
}

struct KeccakVector: Decodable {
    let input: String
    let hash: String
}
