public import ClaveCore
public import ClaveCrypto
import ClaveLedger
import Crypto
import ClaveSMS
import ClaveRuntime
import ClaveStorage
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What to protect, and under which name.
public struct ProtectRequest: Sendable {
    public enum Source: Sendable {
        /// An object: zipped in iExec's dataprotector layout, in memory.
        case value(ProtectedValue)
        /// A file of any size: the zip holds it under `key` and is streamed, never held in memory.
        case file(URL, key: String)
    }

    public var source: Source
    public var name: String
    public var format: PayloadFormat

    public init(_ source: Source, name: String, format: PayloadFormat = .clave) {
        self.source = source
        self.name = name
        self.format = format
    }
}

/// Where a protect is: the stage, and for the upload the bytes done so far.
public struct ProtectProgress: Sendable, Hashable {
    public var stage: ProtectStage
    /// Plaintext bytes encrypted and sent (ENCRYPT_FILE and UPLOAD_ENCRYPTED_FILE run as one stream).
    public var bytes: Int64
    /// The plaintext's size, when known.
    public var totalBytes: Int64?
    /// Whether this stage was already done by an earlier, interrupted protect of the same data.
    public var resumed: Bool
}

/// Protected data, once registered and its key escrowed (iExec's protectData result).
public struct ProtectedData: Sendable {
    public var address: Address
    public var name: String
    public var owner: Address
    public var schema: ProtectedDataSchema
    /// The encrypted payload's CID in the blob store.
    public var multiaddr: String
    /// sha-256 of the encrypted payload.
    public var checksum: Bytes32
    public var format: PayloadFormat
    /// The payload's key, which the SMS escrows too. Keep it to decrypt the payload yourself.
    public var encryptionKey: DatasetKey
}

extension DataProtector {
    /// Protects data: extracts its schema, zips it in iExec's layout, encrypts it under a new key, uploads the
    /// ciphertext, registers the dataset on the ledger, and pushes the key to the SMS, reporting each stage.
    ///
    /// With a `journal` folder, what must survive an interruption is written there first (docs/data-protector.md):
    /// running the same protect again after a failure resumes at the stage that failed, registers no second dataset
    /// and loses no key.
    ///
    /// - Throws: ``DataProtectorError`` with ``DataProtectorError/Code/stageFailed``, naming the stage and why.
    public func protectData(
        _ request: ProtectRequest, journal folder: URL? = nil,
        onStatusUpdate: @escaping @Sendable (ProtectProgress) -> Void = { _ in }
    ) async throws -> ProtectedData {
        guard let blobs, let sms else {
            throw DataProtectorError(
                .invalidArgument, "This DataProtector has no blob store or SMS; make it with both to protect data.")
        }
        var stage = ProtectStage.extractDataSchema
        func report(_ next: ProtectStage, resumed: Bool = false, bytes: Int64 = 0, total: Int64? = nil) {
            stage = next
            onStatusUpdate(ProtectProgress(stage: next, bytes: bytes, totalBytes: total, resumed: resumed))
        }
        do {
            report(.extractDataSchema)
            let source = try PreparedSource(request.source)
            let journals = folder.map(ProtectJournal.Folder.init)
            let id = source.journalId(owner: owner.address, name: request.name, format: request.format)
            var journal: ProtectJournal
            if let saved = try journals?.load(id), saved.cid != nil {
                journal = saved
                for skipped in [ProtectStage.createZipFile, .createEncryptionKey, .encryptFile, .uploadEncryptedFile] {
                    report(skipped, resumed: true)
                }
            } else {
                report(.createZipFile)
                report(.createEncryptionKey)
                // A new key for every upload attempt: a stream is never sealed twice under one key and salt. An
                // attempt that did not store its upload registered nothing, so its journal is replaced whole.
                journal = ProtectJournal(
                    id: id, owner: owner.address, name: request.name, schema: source.schema.canonicalText,
                    key: .generate(request.format))
                try journals?.save(journal)
                // Encryption and upload run as one stream: the bytes reported are encrypted and sent.
                report(.encryptFile, total: source.size)
                report(.uploadEncryptedFile, total: source.size)
                do {
                    journal.cid = try await upload(source, key: journal.key, to: blobs) { bytes in
                        onStatusUpdate(
                            ProtectProgress(
                                stage: .uploadEncryptedFile, bytes: bytes, totalBytes: source.size, resumed: false))
                    }.cid
                } catch let error as StorageError where error.code == .sourceFailed {
                    stage = .encryptFile
                    throw error
                }
                try journals?.save(journal)
            }

            report(.deployProtectedData, resumed: journal.dataset != nil)
            let address = try await deploy(&journal, journals: journals)

            report(.pushSecretToSMS)
            let secret = SecretIdentifier.datasetKey(address)
            if try await !sms.exists(secret) {
                let domain = PushDomain(try await ledger.chainInfo().configuration)
                let expiry = now() + 300
                _ = try await sms.push(
                    SecretPush(journal.key.bytes, into: secret, domain: domain, expiry: expiry, signedWith: owner))
            }
            journals?.remove(id)
            return ProtectedData(
                address: address, name: request.name, owner: owner.address, schema: source.schema,
                multiaddr: journal.cid!.description, checksum: journal.checksum!, format: request.format,
                encryptionKey: journal.key)
        } catch let error as DataProtectorError where error.code == .stageFailed {
            throw error
        } catch {
            let again =
                stage.position < ProtectStage.uploadEncryptedFile.position
                ? "Fix what it says and protect again."
                : "Run the same protect again: it resumes at this stage, without a second dataset or a new key."
            throw DataProtectorError(
                .stageFailed, "Protecting '\(request.name)' failed at \(stage.rawValue): \(error). \(again)",
                stage: stage)
        }
    }

    /// Zips and encrypts `source` on a thread of its own while the ciphertext streams to `blobs`.
    private func upload(
        _ source: PreparedSource, key: DatasetKey, to blobs: any BlobStore,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> StoredBlob {
        let pipe = ChunkPipe()
        defer { pipe.close() }
        pipe.run { pipe in
            let encryptor = try key.encryptor()
            var done: Int64 = 0
            var reported: Int64 = 0
            func encrypt(_ plaintext: UnsafeRawBufferPointer) throws {
                try encryptor.update(plaintext) { try pipe.write($0) }
                done += Int64(plaintext.count)
                if done - reported >= 8 << 20 {
                    reported = done
                    progress(done)
                }
            }
            try source.writeZip(to: encrypt)
            try encryptor.finish { try pipe.write($0) }
            progress(done)
        }
        // An authenticated payload (clave-stream-v1) is safe under whatever CID the node answers: a wrong one could
        // only make the dataset unreadable. iExec's AES-CBC is not, so what is sent is hashed here too.
        let check: AnswerCheck = key.format.isAuthenticated ? .trustStoreAnswer : .hashSentContent
        return try await blobs.put(pipe, size: nil, expected: nil, maximumSize: nil, check: check)
    }

    /// Registers the dataset, or finds the registration an earlier attempt made.
    private func deploy(_ journal: inout ProtectJournal, journals: ProtectJournal.Folder?) async throws -> Address {
        let checksum = journal.checksum!
        if let address = journal.dataset {
            if let existing = try await ledger.dataset(address), existing.checksum == checksum {
                return address
            }
            if let transaction = journal.transaction {
                do {
                    _ = try await ledger.submit(transaction)
                    return address
                } catch {
                    // Applied by an earlier attempt whose receipt was lost, or its nonce was taken by another
                    // transaction: the ledger tells which.
                    if let existing = try await ledger.dataset(address), existing.checksum == checksum {
                        return address
                    }
                    guard try await ledger.account(owner.address).nonce > transaction.transaction.nonce else {
                        throw error
                    }
                }
            }
        }
        let chainId = try await ledger.chainInfo().configuration.chainId
        let nonce = try await ledger.account(owner.address).nonce
        let address = AssetKind.dataset.address(owner: owner.address, nonce: nonce)
        let transaction = try SignedTransaction(
            Transaction(
                chainId: chainId, from: owner.address, nonce: nonce,
                body: .createDataset(
                    name: journal.name, multiaddr: journal.cid!.description, checksum: checksum,
                    schema: journal.schema)),
            signedWith: owner)
        journal.dataset = address
        journal.transaction = transaction
        try journals?.save(journal)
        _ = try await ledger.submit(transaction)
        return address
    }
}

/// The source of a protect, read far enough to know its schema and size.
private struct PreparedSource: Sendable {
    enum Content: Sendable {
        case zip([UInt8])
        case file(path: String, key: String, size: UInt64, identity: String)
    }

    let content: Content
    let schema: ProtectedDataSchema

    init(_ source: ProtectRequest.Source) throws {
        switch source {
        case .value(let value):
            schema = try ProtectedDataSchema(of: value)
            content = .zip(try ProtectedDataZip.bytes(of: value))
        case .file(let url, let key):
            let path = url.path
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw DataProtectorError(
                    .invalidArgument, "\(path) is not a readable file; check the path.")
            }
            let head = try Self.head(of: path, count: MIMESniffer.prefixLength)
            try ProtectedValue.checkKey(key, in: ProtectedValue.rootPath)
            schema = try ProtectedDataSchema(fields: [key: .type(MIMESniffer.mimeType(of: head))])
            let identity = "\(path)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)|\(info.st_ino)"
            content = .file(path: path, key: key, size: UInt64(info.st_size), identity: identity)
        }
    }

    /// The plaintext's size for progress: the zip's, or the file's.
    var size: Int64 {
        switch content {
        case .zip(let bytes): Int64(bytes.count)
        case .file(_, _, let size, _): Int64(size)
        }
    }

    /// Names the protect of this source by this owner under this name in this format.
    func journalId(owner: Address, name: String, format: PayloadFormat) -> String {
        var hash = SHA256()
        hash.update(data: Array("clave-protect-v1|\(owner)|\(name)|\(format.rawValue)|".utf8))
        switch content {
        case .zip(let bytes): hash.update(data: bytes)
        case .file(_, _, _, let identity): hash.update(data: Array(identity.utf8))
        }
        return Hex.encode(Array(hash.finalize()).prefix(16), prefix: false)
    }

    /// Writes the zip, in iExec's layout, to `sink`.
    func writeZip(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch content {
        case .zip(let bytes):
            try bytes.withUnsafeBytes { try sink($0) }
        case .file(let path, let key, let size, _):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw DataProtectorError(.io, "Cannot open \(path) to read it; check its permissions.")
            }
            defer { close(descriptor) }
            _ = try ProtectedDataZip.writeFile(
                key: key, size: size,
                read: { buffer in
                    while true {
                        let count = read(descriptor, buffer.baseAddress!, buffer.count)
                        if count >= 0 { return count }
                        if errno != EINTR {
                            throw DataProtectorError(
                                .io,
                                "Reading \(path) failed: \(String(cString: strerror(errno))); check that it is still readable, then protect it again."
                            )
                        }
                    }
                }, to: sink)
        }
    }

    private static func head(of path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataProtectorError(.io, "Cannot open \(path) to read it; check its permissions.")
        }
        defer { try? handle.close() }
        return Array(try handle.read(upToCount: count) ?? Data())
    }
}

extension DataProtector {
    /// Fetches the encrypted payload of `protectedData` from the blob store, checks it against the ledger's checksum,
    /// and decrypts it with `key` into the file at `destination`: the zip an app reads at
    /// `$IEXEC_IN/$IEXEC_DATASET_FILENAME`. Constant memory; the file appears only once the whole payload decrypted
    /// and authenticated. Returns the plaintext's size.
    @discardableResult
    public func decryptPayload(of protectedData: Address, key: DatasetKey, to destination: URL) async throws -> Int64 {
        guard let blobs else {
            throw DataProtectorError(
                .invalidArgument, "This DataProtector has no blob store to fetch the payload from.")
        }
        guard let dataset = try await ledger.dataset(protectedData) else {
            throw DataProtectorError(
                .unknownProtectedData, "No protected data is registered at \(protectedData); check the address.")
        }
        do {
            return try await ProtectedPayload.decrypt(dataset, key: key, blobs: blobs, to: destination)
        } catch let error as RuntimeError {
            throw DataProtectorError(error.code == .io ? .io : .invalidArgument, error.message)
        }
    }
}
