import ClaveCore
public import ClaveCrypto
public import ClaveStorage

/// A replicate's app logs as workers store them: standard output then standard error, sealed to the deal's
/// beneficiary like a result (docs/worker.md, "Logs"), at `clave://<CID>`.
public enum TaskLogs {
    /// Fetches and decrypts the logs stored at `reference` for `taskId` with the beneficiary's result `key`.
    public static func fetch(_ reference: String, taskId: Bytes32, key: X25519PrivateKey, blobs: any BlobStore)
        async throws -> String
    {
        let sealed = try await blobs.get(try CID(locator: reference)).collect()
        do {
            return String(decoding: try ResultEncryption.open(sealed, key: key, taskId: taskId), as: UTF8.self)
        } catch {
            throw RequesterError(
                .resultInvalid,
                "The logs of task \(taskId) do not decrypt with this wallet's result key (\(error.message)); only the deal's beneficiary can read them."
            )
        }
    }
}
