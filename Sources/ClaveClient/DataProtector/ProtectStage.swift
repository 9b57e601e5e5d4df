/// The stages of protecting data, in order, named as iExec's protectData reports them (`onStatusUpdate`).
public enum ProtectStage: String, Sendable, Hashable, CaseIterable {
    case extractDataSchema = "EXTRACT_DATA_SCHEMA"
    case createZipFile = "CREATE_ZIP_FILE"
    case createEncryptionKey = "CREATE_ENCRYPTION_KEY"
    case encryptFile = "ENCRYPT_FILE"
    case uploadEncryptedFile = "UPLOAD_ENCRYPTED_FILE"
    case deployProtectedData = "DEPLOY_PROTECTED_DATA"
    case pushSecretToSMS = "PUSH_SECRET_TO_SMS"

    /// The stage's place in the order, from 0.
    public var position: Int { Self.allCases.firstIndex(of: self)! }
}
