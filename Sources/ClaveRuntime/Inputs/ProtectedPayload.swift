public import ClaveCore
import ClaveCrypto
public import ClaveStorage
public import Foundation

/// A protected dataset's encrypted payload, fetched and decrypted: what a worker's pre-compute writes to
/// `$IEXEC_IN/$IEXEC_DATASET_FILENAME`, and what `DataProtector.decryptPayload` gives the data's owner.
public enum ProtectedPayload {
    /// The blob holding `dataset`'s payload: the CID its `multiaddr` names (``ClaveStorage/CID/init(locator:)``),
    /// whose digest must be the ledger's checksum.
    ///
    /// - Throws: ``RuntimeError/Code/invalidInput`` when `multiaddr` names no blob, or a blob whose content cannot
    ///   have the registered checksum.
    public static func cid(of dataset: Dataset) throws(RuntimeError) -> CID {
        let cid: CID
        do {
            cid = try CID(locator: dataset.multiaddr)
        } catch {
            throw RuntimeError(
                .invalidInput,
                "Dataset \(dataset.address) is stored at '\(dataset.multiaddr.prefix(120))', which is not a CID of the network's store (\(error.message)); its owner must register it again with the CID of its payload."
            )
        }
        guard cid.sha256Digest == dataset.checksum else {
            throw RuntimeError(
                .invalidInput,
                "Dataset \(dataset.address) is stored at \(cid), whose content cannot have the registered checksum \(dataset.checksum): the registration is inconsistent; its owner must register it again."
            )
        }
        return cid
    }

    /// Fetches `dataset`'s payload from `blobs` and decrypts it with `key` into the file at `destination`, in
    /// constant memory; returns the plaintext's size.
    ///
    /// The store checks the content against the CID as it streams it, and the CID's digest is the ledger's checksum,
    /// so the payload is the registered one. The file appears only once the whole payload decrypted and
    /// authenticated (for iExec's AES-CBC layout, once it decrypted); on any failure `destination` is left as it was.
    /// With `synced` it is also flushed to disk before it appears; a worker's copy of a task's input is not.
    ///
    /// - Throws: as ``cid(of:)``; the store's ``ClaveStorage/StorageError`` (a missing or corrupted blob); the
    ///   decryptor's error when the payload does not open under `key`; ``RuntimeError/Code/io`` when the file cannot
    ///   be written.
    @discardableResult
    public static func decrypt(
        _ dataset: Dataset, key: DatasetKey, blobs: any BlobStore, to destination: URL, permissions: mode_t = 0o600,
        synced: Bool = true
    ) async throws -> Int64 {
        let cid = try cid(of: dataset)
        let stream = try await blobs.get(cid)
        let output: DurableFile.Writer
        do {
            output = try DurableFile.Writer(replacing: destination, permissions: permissions, synced: synced)
        } catch {
            throw RuntimeError(.io, "Cannot write the decrypted payload: \(error.message)")
        }
        // Uncommitted (any failure below), the writer removes its temporary file.
        let decryptor = try key.decryptor()
        var size: Int64 = 0
        func write(_ plain: UnsafeRawBufferPointer) throws {
            try output.write(plain)
            size += Int64(plain.count)
        }
        for try await chunk in stream {
            try chunk.withUnsafeBytes { try decryptor.update($0, to: write) }
        }
        try decryptor.finish(to: write)
        do {
            try output.commit()
        } catch {
            throw RuntimeError(.io, "Cannot write the decrypted payload: \(error.message)")
        }
        return size
    }
}
