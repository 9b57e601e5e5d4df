internal import CSecp256k1

/// One libsecp256k1 context for the process, randomized once for side-channel blinding.
///
/// libsecp256k1 documents that a context may be used from many threads at once by every function
/// that takes it as `const` (signing, verification, recovery, key derivation), which is all we call.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not allocate a context; the process is out of memory.")
        }
        var seed = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in seed.indices { seed[index] = generator.next() }
        _ = secp256k1_context_randomize(context, seed)
        pointer = context
    }
}

/// Constants of the secp256k1 curve.
enum Secp256k1Curve {
    /// n / 2, the largest `s` that Ethereum (EIP-2) accepts.
    static let halfOrder: [UInt8] = try! Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
    /// n, the order of the group.
    static let order: [UInt8] = try! Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
}
