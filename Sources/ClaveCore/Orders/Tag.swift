public import ClaveCrypto

/// The bits of a `bytes32` order tag, as iExec numbers them from the least significant bit.
///
/// A deal's tag is `app.tag | (dataset.tag with bits 1-3 cleared) | request.tag`; the workerpool order's tag must
/// offer every bit of it, and its TEE bit must agree with the app's.
public enum Tag {
    /// Bit 0: the task runs in a trusted execution environment.
    public static let tee = 0
    /// Bit 1: the Scone TEE framework.
    public static let scone = 1
    /// Bit 2: the Gramine TEE framework.
    public static let gramine = 2
    /// Bit 3: Intel TDX.
    public static let tdx = 3
    /// Bit 8: a GPU.
    public static let gpu = 8

    /// Whether bit `bit` (0 = least significant) of `tag` is set.
    public static func isSet(_ bit: Int, in tag: Bytes32) -> Bool {
        guard (0..<256).contains(bit) else { return false }
        return tag.bytes[31 - bit / 8] & (1 << UInt8(bit % 8)) != 0
    }

    /// `tag` with the bits in `bits` set.
    public static func with(_ bits: Int..., in tag: Bytes32 = .zero) -> Bytes32 {
        var bytes = tag.bytes
        for bit in bits where (0..<256).contains(bit) {
            bytes[31 - bit / 8] |= 1 << UInt8(bit % 8)
        }
        // The bytes of a Bytes32 are 32 long.
        return try! Bytes32(bytes)
    }

    /// The numbers of the bits set in `tag`, lowest first.
    public static func bits(of tag: Bytes32) -> [Int] {
        (0..<256).filter { isSet($0, in: tag) }
    }

    /// The tag a deal gets: `app | (dataset & ~0b1110) | request`. A dataset can ask for a TEE (bit 0) or a GPU, but
    /// not choose the TEE framework (bits 1-3), which is the app's to say.
    public static func dealTag(app: Bytes32, dataset: Bytes32, request: Bytes32) -> Bytes32 {
        var datasetBytes = dataset.bytes
        datasetBytes[31] &= ~0b1110
        // The bytes of a Bytes32 are 32 long.
        let maskedDataset = try! Bytes32(datasetBytes)
        return Hashing.combine(Hashing.combine(app, maskedDataset, |), request, |)
    }
}
