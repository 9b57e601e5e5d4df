public import ClaveCrypto
public import Foundation

/// The development chain a node creates with a new data directory: its identity, and the funded accounts whose keys
/// it writes into the directory's keystore folder.
///
/// Used only when the data directory is created; afterwards the directory's `genesis.json` is the chain.
public struct DevelopmentChain: Sendable, Hashable {
    /// The chain id of development chains: 65535.
    public static let defaultChainId: UInt64 = 65535
    /// The hub address of development chains (the EIP-712 `verifyingContract` of their orders): iExec's hub address,
    /// as in the ledger's test vector (docs/ledger.md).
    public static let defaultHub = try! Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")
    /// The password of the development accounts' keystores. It is published: these keys protect nothing.
    public static let password = "clave-development"
    /// What each development account's wallet holds at genesis: 1,000,000 RLC in nano-units.
    public static let defaultFunds: UInt64 = 1_000_000_000_000_000

    /// The chain id.
    public var chainId: UInt64
    /// The hub address.
    public var hub: Address
    /// How many funded accounts to create (1 to 100).
    public var accounts: Int
    /// Each account's wallet at genesis, in nano-units.
    public var funds: UInt64
    /// The keystores' password.
    public var password: String
    /// The keystores' key derivation: light (fast), since the password is published anyway.
    public var kdf: Keystore.KDF

    public init(
        chainId: UInt64 = DevelopmentChain.defaultChainId, hub: Address = DevelopmentChain.defaultHub,
        accounts: Int = 8, funds: UInt64 = DevelopmentChain.defaultFunds,
        password: String = DevelopmentChain.password, kdf: Keystore.KDF = .light
    ) {
        self.chainId = chainId
        self.hub = hub
        self.accounts = accounts
        self.funds = funds
        self.password = password
        self.kdf = kdf
    }
}

/// A funded development account created with a data directory: its key is printed once, at creation.
public struct DevelopmentAccount: Sendable, Hashable {
    public var address: Address
    public var privateKey: PrivateKey
    /// Its keystore file, under the data directory's `keystore` folder.
    public var keystoreFile: URL
    /// Its wallet at genesis, in nano-units.
    public var funds: UInt64

    public init(address: Address, privateKey: PrivateKey, keystoreFile: URL, funds: UInt64) {
        self.address = address
        self.privateKey = privateKey
        self.keystoreFile = keystoreFile
        self.funds = funds
    }
}
