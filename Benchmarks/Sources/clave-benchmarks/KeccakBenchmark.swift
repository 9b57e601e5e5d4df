import ClaveCrypto
import Crypto

/// ClaveCrypto's Keccak-256 (pure Swift) against swift-crypto's SHA-256 on the same input, alternating; the median
/// run of each.
struct KeccakBenchmark {
    let bytes: Int
    let rounds: Int
    let progress: Progress

    init(options: Options, progress: Progress) {
        bytes = options.quick ? 8 << 20 : 64 << 20
        rounds = options.rounds ?? 3
        self.progress = progress
    }

    func run() -> [Measurement] {
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
        defer { input.deallocate() }
        fillPseudoRandom(input, seed: 7)
        let data = UnsafeRawBufferPointer(input)
        let clock = ContinuousClock()
        progress.say("Keccak-256 and SHA-256 over \(bytes >> 20) MiB, \(rounds) rounds")
        var keccak: [Double] = []
        var sha256: [Double] = []
        var sink: UInt8 = 0
        for _ in 0..<rounds {
            keccak.append(clock.measure { sink ^= Keccak256.hash(data).bytes[0] }.seconds)
            sha256.append(clock.measure { sink ^= SHA256.hash(data: data).withUnsafeBytes { $0[0] } }.seconds)
        }
        _ = sink
        let megabytes = Double(bytes) / 1e6
        return [
            .ratio(
                "keccak-256 \(bytes >> 20) MiB", value: megabytes / median(keccak), unit: "MB/s",
                reference: megabytes / median(sha256),
                referenceName: "swift-crypto SHA-256",
                note: "median of \(rounds) alternating rounds; no target: Keccak-256 is pure Swift, "
                    + "SHA-256 is BoringSSL assembly (SHA-NI where the CPU has it)")
        ]
    }
}
