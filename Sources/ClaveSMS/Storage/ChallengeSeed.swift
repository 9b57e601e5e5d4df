import ClaveCrypto
import Crypto
import Foundation

/// The secret each task's enclave challenge key is derived from (docs/sms.md, "Enclave challenges").
///
/// 32 random bytes, made once per database and stored sealed under the master key (`challengeSeed`, associated data
/// `clave-sms/challenge-seed/v1`). A task's key is the first valid secp256k1 scalar among
/// HMAC-SHA256(seed, `clave-sms/enclave-challenge/v1` 0x00 taskId counter) for counter = 0, 1, …: the same key every
/// time it is asked, across restarts and master key rotations, without a database write per task. Whoever reads
/// the seed can make every task's challenge key, as whoever read the master key could open every stored one before.
struct ChallengeSeed: Sendable {
    private let key: SymmetricKey

    /// A new seed from the system's secure random generator.
    static func generate() -> ChallengeSeed { ChallengeSeed(key: SymmetricKey(size: .bits256)) }

    private init(key: SymmetricKey) { self.key = key }

    /// The seed of 32 secret bytes; nil for another length.
    init?(rawBytes: [UInt8]) {
        guard rawBytes.count == 32 else { return nil }
        key = SymmetricKey(data: rawBytes)
    }

    var rawBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    /// The associated data the seed is sealed with.
    static let associatedData = Array("clave-sms/challenge-seed/v1".utf8)

    /// The enclave challenge key of task `taskId`.
    func challengeKey(of taskId: Bytes32) -> PrivateKey {
        let label = Array("clave-sms/enclave-challenge/v1".utf8) + [0] + taskId.bytes
        for counter in UInt8.min...UInt8.max {
            let mac = HMAC<SHA256>.authenticationCode(for: label + [counter], using: key)
            // A digest is a valid scalar unless it is zero or at least the group order: odds of 2^-127 per try.
            if let key = try? PrivateKey(rawRepresentation: Array(mac)) { return key }
        }
        preconditionFailure("256 HMAC-SHA256 outputs in a row were not secp256k1 scalars")
    }
}
