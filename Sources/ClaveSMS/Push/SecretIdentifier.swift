public import ClaveCrypto

/// The three kinds of secret the SMS keeps, and who may push each.
public enum SecretKind: String, Sendable, Hashable, CaseIterable {
    /// A dataset's key: pushed once by the dataset's owner, released to the tasks of deals that use the dataset.
    case dataset
    /// An app's developer secret: pushed (and replaced) by the app's current owner, released to the app's tasks.
    case appDeveloper = "app-developer"
    /// A requester's named secret: pushed (and replaced) by the requester, released to the tasks of the requester's
    /// deals whose params name it in `iexec_secrets`.
    case requester

    /// The one name a secret of this kind has, for the kinds that have only one.
    public var fixedName: String? {
        switch self {
        case .dataset: "dataset-key"
        case .appDeveloper: "app-developer-secret"
        case .requester: nil
        }
    }
}

/// Which secret: its kind, whose it is (the dataset's address, the app's address, or the requester's address) and its
/// name. The identity is also the associated data of the secret's encryption at rest, so no row can stand in for
/// another.
public struct SecretIdentifier: Sendable, Hashable, CustomStringConvertible {
    public let kind: SecretKind
    /// The dataset's, the app's or the requester's address.
    public let target: Address
    /// ``SecretKind/fixedName`` for datasets and apps; for requesters `^[A-Za-z0-9-_]{1,64}$`.
    public let name: String

    /// Checks that `name` is one the kind allows.
    ///
    /// - Throws: ``SMSError/Code/invalidPush`` naming the rule `name` breaks.
    public init(kind: SecretKind, target: Address, name: String) throws(SMSError) {
        if let fixed = kind.fixedName {
            guard name == fixed else {
                throw SMSError(
                    .invalidPush, "A secret of kind '\(kind.rawValue)' is named '\(fixed)', not '\(name.prefix(80))'.")
            }
        } else {
            guard Self.isRequesterName(name) else {
                throw SMSError(
                    .invalidPush,
                    "'\(name.prefix(80))' is not a requester secret name: use 1 to 64 characters from A-Z, a-z, 0-9, '-' and '_'."
                )
            }
        }
        self.kind = kind
        self.target = target
        self.name = name
    }

    /// The dataset key of `dataset`.
    public static func datasetKey(_ dataset: Address) -> SecretIdentifier {
        SecretIdentifier(checked: .dataset, dataset, "dataset-key")
    }

    /// The developer secret of `app`.
    public static func appDeveloperSecret(_ app: Address) -> SecretIdentifier {
        SecretIdentifier(checked: .appDeveloper, app, "app-developer-secret")
    }

    /// The secret `name` of `requester`.
    public static func requesterSecret(_ requester: Address, name: String) throws(SMSError) -> SecretIdentifier {
        try SecretIdentifier(kind: .requester, target: requester, name: name)
    }

    private init(checked kind: SecretKind, _ target: Address, _ name: String) {
        self.kind = kind
        self.target = target
        self.name = name
    }

    /// Whether `name` matches `^[A-Za-z0-9-_]{1,64}$`.
    public static func isRequesterName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x5F
            }
    }

    /// `kind/target/name`.
    public var description: String { "\(kind.rawValue)/\(target.checksummed)/\(name)" }
}
