public import ClaveCrypto

/// The three kinds of registered asset.
public enum AssetKind: String, Sendable, Hashable, CaseIterable {
    case app
    case dataset
    case workerpool

    /// The domain-separation prefix of the kind's addresses: `clave.app`, `clave.dataset`, `clave.workerpool`.
    public var addressPrefix: String { "clave.\(rawValue)" }

    /// The address of the asset of this kind that `owner` creates with the transaction of nonce `nonce`:
    /// the last 20 bytes of keccak256(UTF-8 of ``addressPrefix`` ‖ owner's 20 bytes ‖ nonce as a 32-byte big-endian
    /// number).
    ///
    /// An account's nonce is used once, so two assets never share an address, and anyone can compute the address
    /// before the transaction is applied.
    public func address(owner: Address, nonce: UInt64) -> Address {
        Hashing.address(
            lastBytesOf: Hashing.keccak(Array(addressPrefix.utf8), owner.bytes, Hashing.uint256(nonce)))
    }
}

/// An iApp: code whose measurement is registered, run by workers.
public struct App: Sendable, Hashable {
    /// The types of app Clave runs.
    public static let types: Set<String> = ["WASM", "PROCESS", "DOCKER"]

    public var address: Address
    public var owner: Address
    public var name: String
    /// `WASM`, `PROCESS` or `DOCKER`.
    public var type: String
    /// Where the app's code is (a CID, a URL, an image reference).
    public var multiaddr: String
    /// The hash of exactly what runs.
    public var checksum: Bytes32
    /// The enclave measurement or TEE framework description (empty for a standard app).
    public var mrenclave: String

    public init(
        address: Address, owner: Address, name: String, type: String, multiaddr: String, checksum: Bytes32,
        mrenclave: String
    ) {
        self.address = address
        self.owner = owner
        self.name = name
        self.type = type
        self.multiaddr = multiaddr
        self.checksum = checksum
        self.mrenclave = mrenclave
    }
}

/// A protected dataset: ciphertext stored online, its key escrowed in the SMS.
public struct Dataset: Sendable, Hashable {
    public var address: Address
    public var owner: Address
    public var name: String
    /// Where the encrypted dataset is.
    public var multiaddr: String
    /// The checksum of the encrypted dataset.
    public var checksum: Bytes32
    /// The protected data's schema (its fields and their types).
    public var schema: String

    public init(address: Address, owner: Address, name: String, multiaddr: String, checksum: Bytes32, schema: String) {
        self.address = address
        self.owner = owner
        self.name = name
        self.multiaddr = multiaddr
        self.checksum = checksum
        self.schema = schema
    }
}

/// A workerpool: a scheduler (its owner) and the workers it authorizes.
public struct Workerpool: Sendable, Hashable {
    public var address: Address
    /// The scheduler.
    public var owner: Address
    public var description: String
    /// Percent of the workerpool price each worker stakes to contribute (PoCo's `m_workerStakeRatioPolicy`).
    public var workerStakeRatio: UInt64
    /// Percent of the task reward the scheduler keeps before the workers share the rest (PoCo's
    /// `m_schedulerRewardRatioPolicy`).
    public var schedulerRewardRatio: UInt64

    public init(
        address: Address, owner: Address, description: String, workerStakeRatio: UInt64, schedulerRewardRatio: UInt64
    ) {
        self.address = address
        self.owner = owner
        self.description = description
        self.workerStakeRatio = workerStakeRatio
        self.schedulerRewardRatio = schedulerRewardRatio
    }
}
