import ClaveCrypto
import Secp256k1Reference

/// ClaveCrypto's secp256k1 signing and public-key recovery against the same libsecp256k1 calls made directly
/// from C in a tight loop. Both single-threaded, both cycling through the same 256 digests; rounds alternate the two.
struct Secp256k1Benchmark {
    let iterations: Int
    let rounds: Int
    let progress: Progress
    static let slots = 256

    init(options: Options, progress: Progress) {
        iterations = options.quick ? 2_000 : 20_000
        rounds = options.rounds ?? 3
        self.progress = progress
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() throws -> [Measurement] {
        let secret: [UInt8] = (0..<32).map { UInt8($0 + 1) }
        let key = try PrivateKey(rawRepresentation: secret)
        let digests = (0..<Self.slots).map { Keccak256.hash(utf8: "clave benchmark digest \($0)") }
        let flat = digests.flatMap(\.bytes)
        guard let reference = clave_secp256k1_reference_create(secret, flat, Int32(Self.slots)) else {
            throw Failure(description: "libsecp256k1 reference context could not be created")
        }
        defer { clave_secp256k1_reference_destroy(reference) }
        let clock = ContinuousClock()

        // Warm-up of both paths.
        guard clave_secp256k1_reference_sign(reference, Int64(Self.slots)) == 0 else {
            throw Failure(description: "reference signing failed")
        }
        var signatures = digests.map { key.sign(digest: $0) }

        let expected = key.publicKey
        var referenceSign: [Double] = []
        var claveSign: [Double] = []
        var referenceRecover: [Double] = []
        var claveRecover: [Double] = []
        var mismatches = 0
        // Rounds alternate C and Swift; each figure is the median of its rounds.
        for round in 1...rounds {
            progress.say(
                "round \(round)/\(rounds): secp256k1 sign and recover x\(iterations), "
                    + "libsecp256k1 from C then ClaveCrypto"
            )
            referenceSign.append(
                clock.measure {
                    precondition(clave_secp256k1_reference_sign(reference, Int64(iterations)) == 0)
                }.seconds)
            claveSign.append(
                clock.measure {
                    for index in 0..<iterations {
                        let slot = index % Self.slots
                        signatures[slot] = key.sign(digest: digests[slot])
                    }
                }.seconds)
            referenceRecover.append(
                clock.measure {
                    precondition(clave_secp256k1_reference_recover(reference, Int64(iterations)) == 0)
                }.seconds)
            claveRecover.append(
                try clock.measure {
                    for index in 0..<iterations {
                        let slot = index % Self.slots
                        if try signatures[slot].recoverPublicKey(digest: digests[slot]) != expected { mismatches += 1 }
                    }
                }.seconds)
        }
        guard mismatches == 0 else { throw Failure(description: "\(mismatches) recoveries gave the wrong key") }

        let count = Double(iterations)
        let rounds = "median of \(rounds) rounds of \(iterations), single-threaded"
        return [
            .ratio(
                "secp256k1 sign", value: count / median(claveSign), unit: "op/s",
                reference: count / median(referenceSign),
                referenceName: "libsecp256k1 C",
                note: "\(rounds); PrivateKey.sign(digest:) vs secp256k1_ecdsa_sign_recoverable"),
            .ratio(
                "secp256k1 recover", value: count / median(claveRecover), unit: "op/s",
                reference: count / median(referenceRecover),
                referenceName: "libsecp256k1 C",
                note: "\(rounds); Signature.recoverPublicKey(digest:) vs secp256k1_ecdsa_recover, "
                    + "each checked against the signer"),
        ]
    }
}
