public import ClaveCrypto

/// A beneficiary's result key: the X25519 key results are sealed to (docs/formats/result-encryption.md), derived
/// from their secp256k1 account key.
///
/// `resultKey = HKDF-SHA256(IKM = the 32-byte account private key, salt = empty, info = "clave-result-key-v1", L = 32)`,
/// taken as an X25519 private scalar.
///
/// Why derived: a wallet alone can then decrypt its results, on any machine, with nothing more to back up or lose;
/// the account key never leaves the wallet and is never used for X25519 itself (the label separates the two uses, and
/// HKDF makes the result key reveal nothing about the account key). The public half cannot be computed from the
/// address, so the beneficiary publishes it in the deal's params (`clave_result_public_key`, ``DealParams``). Anyone
/// holding the account key can open every result sealed to it: protect it as the wallet it is.
public enum ResultKey {
    /// The HKDF `info`: ASCII `clave-result-key-v1`.
    public static let label = "clave-result-key-v1"

    /// The result key of the account whose private key is `accountKey`.
    public static func derive(from accountKey: PrivateKey) -> X25519PrivateKey {
        X25519PrivateKey.derived(fromSecret: accountKey.rawRepresentation, label: Array(label.utf8))
    }
}
