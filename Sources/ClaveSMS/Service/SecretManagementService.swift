public import ClaveAttestation
import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import Foundation
public import GRDB
public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SMS in process: secrets in SQLite (GRDB), encrypted at rest under a master key read from a key file, the
/// ledger read through a ``ClaveLedger/LedgerService`` (docs/sms.md).
///
/// Every access to the database goes through its writer, one at a time, and reads the master key inside it, so a
/// master key rotation is never seen half done.
public final class SecretManagementService: SecretService {
    public struct Configuration: Sendable {
        /// The largest value a push may carry, in bytes.
        public var maximumValueSize: Int
        /// How far ahead of now a push's expiry may be, in seconds.
        public var maximumExpiryWindow: UInt64

        public init(maximumValueSize: Int = 4096, maximumExpiryWindow: UInt64 = 600) {
            self.maximumValueSize = maximumValueSize
            self.maximumExpiryWindow = maximumExpiryWindow
        }
    }

    /// Unix seconds now.
    public typealias TimeSource = @Sendable () -> UInt64

    /// The domain pushes must be signed for.
    public let domain: PushDomain
    public let configuration: Configuration
    private let database: any DatabaseWriter
    private let keyFile: URL
    private let masterKey: Mutex<MasterKey>
    private let ledger: any LedgerService
    private let verifiers: [EvidenceKind: any EvidenceVerifier]
    private let logger: Logger
    private let now: TimeSource
    /// What each task's enclave challenge key is derived from (``ChallengeSeed``).
    private let challengeSeed: ChallengeSeed
    /// The tasks whose challenge key an SMS of before the seed made at random and stored (`enclaveChallenges`).
    private let storedChallenges: Set<Bytes32>
    /// The challenge keys derived last, so that a task's is derived once for its challenge and its session.
    private let recentChallengeKeys = Mutex(RecentValues<Bytes32, PrivateKey>(capacity: 1024))
    /// The dataset order of each deal whose tasks asked recently (``datasetOrderHash(of:)``).
    private let datasetOrders = Mutex(RecentValues<Bytes32, Bytes32>(capacity: 4096))

    /// Opens the SMS over `database`, whose schema it migrates, with the master key of the key file `masterKeyFile`.
    ///
    /// A database without secrets and no key file: a new master key is made and written to `masterKeyFile` (mode
    /// 0600). Otherwise the key file must be there, readable by its owner only, and open the database's key check.
    /// A rotation that stopped half way is finished or undone (docs/sms.md, "Rotating the master key").
    ///
    /// - Parameters:
    ///   - domain: the chain whose pushes this SMS takes (``PushDomain/init(_:)`` of the ledger's configuration).
    ///   - verifiers: one per kind of evidence accepted; evidence of another kind is refused.
    ///   - now: Unix seconds now; `nil` for the system clock.
    /// - Throws: ``SMSError/Code/masterKey`` for a missing, exposed or wrong key file; ``SMSError/Code/storage`` for a
    ///   database that cannot be migrated.
    public init(
        database: any DatabaseWriter, masterKeyFile: URL, ledger: any LedgerService, domain: PushDomain,
        verifiers: [any EvidenceVerifier], configuration: Configuration = Configuration(), logger: Logger,
        now: TimeSource? = nil
    ) throws(SMSError) {
        self.database = database
        self.keyFile = masterKeyFile
        self.ledger = ledger
        self.domain = domain
        self.configuration = configuration
        self.logger = logger
        self.now = now ?? { UInt64(Date().timeIntervalSince1970) }
        self.verifiers = Dictionary(verifiers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        let keyCheck: [UInt8]?
        do {
            try SecretStore.migrator.migrate(database)
            keyCheck = try database.read { db in try SecretStore.keyCheck(db) }
        } catch {
            throw SMSError(
                .storage,
                "The SMS's database could not be opened or migrated (\(error)); check that the file is an SMS database and writable."
            )
        }
        let key = try Self.openMasterKey(at: masterKeyFile, keyCheck: keyCheck, logger: logger)
        masterKey = Mutex(key)
        do {
            (challengeSeed, storedChallenges) = try database.write { db in
                if keyCheck == nil {
                    let sealed = try key.seal([], associatedData: SecretStore.keyCheckData)
                    try db.execute(sql: "INSERT INTO keyCheck (id, sealed) VALUES (1, ?)", arguments: [Data(sealed)])
                }
                return (try Self.challengeSeed(db, key), try Self.storedChallengeTasks(db))
            }
        } catch let error as SMSError {
            throw error
        } catch {
            throw SMSError(.storage, "The SMS's database could not be written (\(error)); check the disk.")
        }
    }

    /// The database's challenge seed, made and stored the first time.
    private static func challengeSeed(_ db: Database, _ key: MasterKey) throws -> ChallengeSeed {
        guard let sealed = try SecretStore.sealedChallengeSeed(db) else {
            let seed = ChallengeSeed.generate()
            try db.execute(
                sql: "INSERT INTO challengeSeed (id, sealed) VALUES (1, ?)",
                arguments: [Data(try key.seal(seed.rawBytes, associatedData: ChallengeSeed.associatedData))])
            return seed
        }
        guard let raw = key.open(sealed, associatedData: ChallengeSeed.associatedData),
            let seed = ChallengeSeed(rawBytes: raw)
        else {
            throw SMSError(
                .storage,
                "The enclave challenge seed does not open under the master key: the database was altered. Restore it from a backup."
            )
        }
        return seed
    }

    /// The tasks given a stored, random challenge key by an SMS of before the seed.
    private static func storedChallengeTasks(_ db: Database) throws -> Set<Bytes32> {
        var tasks = Set<Bytes32>()
        for data in try Data.fetchAll(db, sql: "SELECT taskId FROM enclaveChallenges") {
            tasks.insert(try Bytes32(Array(data)))
        }
        return tasks
    }

    /// Opens the SMS on the SQLite file at `path` (created if missing, WAL mode).
    public convenience init(
        path: String, masterKeyFile: URL, ledger: any LedgerService, domain: PushDomain,
        verifiers: [any EvidenceVerifier], configuration: Configuration = Configuration(), logger: Logger,
        now: TimeSource? = nil
    ) throws(SMSError) {
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path)
        } catch {
            throw SMSError(
                .storage,
                "The SMS's database at \(path) could not be opened (\(error)); check the path and its permissions.")
        }
        try self.init(
            database: pool, masterKeyFile: masterKeyFile, ledger: ledger, domain: domain, verifiers: verifiers,
            configuration: configuration, logger: logger, now: now)
    }

    /// The key file a rotation writes the new key to before it re-encrypts: `<key file>.next`.
    public static func pendingKeyFile(for keyFile: URL) -> URL {
        keyFile.deletingLastPathComponent().appendingPathComponent(keyFile.lastPathComponent + ".next")
    }

    // MARK: Pushing

    public func push(_ push: SecretPush) async throws(SMSError) -> PushReceipt {
        let challenge = push.challenge
        let secret = try push.identifier()
        guard challenge.domain == domain else {
            throw SMSError(
                .wrongDomain,
                "The push is signed for the SMS of chain \(challenge.domain.chainId) (hub \(challenge.domain.hub)), but this is the SMS of chain \(domain.chainId) (hub \(domain.hub)); sign it for this SMS."
            )
        }
        guard push.value.count <= configuration.maximumValueSize else {
            throw SMSError(
                .tooLarge,
                "The value of \(secret) is \(push.value.count) bytes, but the SMS keeps at most \(configuration.maximumValueSize); store a larger secret encrypted elsewhere and push its key."
            )
        }
        guard PushChallenge.hash(push.value) == challenge.valueHash else {
            throw SMSError(
                .invalidPush,
                "The value's sha-256 is \(PushChallenge.hash(push.value)), not the challenge's valueHash \(challenge.valueHash); sign a challenge for the value you send."
            )
        }
        let signer = try? push.signature.recoverCanonicalSigner(challenge.json)
        guard let signer, signer == challenge.signer else {
            let actual = signer.map { "by \($0)" } ?? "not a valid signature"
            throw SMSError(
                .invalidSignature,
                "The push's signature must be by its signer \(challenge.signer) over the challenge's canonical JSON, but it is \(actual) (or the challenge was changed after signing); sign the challenge with the signer's key."
            )
        }
        let time = now()
        guard time < challenge.expiry else {
            throw SMSError(
                .expired,
                "The push expired at \(challenge.expiry) and it is \(time); sign a new challenge with a later expiry and a new nonce."
            )
        }
        guard challenge.expiry - time <= configuration.maximumExpiryWindow else {
            throw SMSError(
                .expiryTooFar,
                "The push expires at \(challenge.expiry), \(challenge.expiry - time) s from now, but the SMS accepts at most \(configuration.maximumExpiryWindow) s; sign it with an expiry closer to now."
            )
        }
        try await checkRight(of: signer, toPush: secret)

        let value = push.value
        let nonce = challenge.nonce
        let expiry = challenge.expiry
        let replaced = try await access("storing \(secret)") { db, key in
            try db.execute(sql: "DELETE FROM pushNonces WHERE expiry <= ?", arguments: [Int64(clamping: time)])
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM pushNonces WHERE nonce = ?", arguments: [nonce.data]) == true {
                throw SMSError(
                    .replayed,
                    "This push (nonce \(nonce)) was already received; a push is accepted once. To push again, sign a new challenge with a new nonce."
                )
            }
            let existing = try SecretStore.sealedSecret(db, secret) != nil
            if existing && secret.kind == .dataset {
                throw SMSError(
                    .alreadyExists,
                    "Dataset \(secret.target) has a key in the SMS already; a dataset key is written once. Ask whether it exists before pushing, and protect changed data as a new dataset."
                )
            }
            try db.execute(
                sql: "INSERT INTO pushNonces (nonce, expiry) VALUES (?, ?)",
                arguments: [nonce.data, Int64(clamping: expiry)])
            let sealed = try key.seal(value, associatedData: SecretStore.associatedData(secret))
            try db.execute(
                sql: """
                    INSERT INTO secrets (kind, target, name, sealed, updatedAt) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (kind, target, name) DO UPDATE SET sealed = excluded.sealed, updatedAt = excluded.updatedAt
                    """,
                arguments: [
                    secret.kind.rawValue, Data(secret.target.bytes), secret.name, Data(sealed), Int64(clamping: time),
                ])
            return existing
        }
        logger.info(
            "secret pushed",
            metadata: [
                "kind": "\(secret.kind.rawValue)", "target": "\(secret.target)", "name": "\(secret.name)",
                "signer": "\(signer)", "replaced": "\(replaced)",
            ])
        return PushReceipt(secret: secret, replaced: replaced)
    }

    /// Checks that `signer` may push `secret`: the dataset's or the app's current owner, or the requester.
    private func checkRight(of signer: Address, toPush secret: SecretIdentifier) async throws(SMSError) {
        let owner: Address
        switch secret.kind {
        case .dataset:
            guard let dataset = try await ledgerCall({ try await self.ledger.dataset(secret.target) }) else {
                throw SMSError(
                    .unknownAsset,
                    "No dataset is registered at \(secret.target); register the dataset on the ledger before pushing its key."
                )
            }
            owner = dataset.owner
        case .appDeveloper:
            guard let app = try await ledgerCall({ try await self.ledger.app(secret.target) }) else {
                throw SMSError(
                    .unknownAsset,
                    "No app is registered at \(secret.target); register the app on the ledger before pushing its developer secret."
                )
            }
            owner = app.owner
        case .requester:
            owner = secret.target
        }
        guard signer == owner else {
            let whose =
                switch secret.kind {
                case .dataset: "the dataset's owner \(owner)"
                case .appDeveloper: "the app's owner \(owner)"
                case .requester: "the requester \(owner) themself"
                }
            throw SMSError(
                .notOwner,
                "Only \(whose) may push \(secret), not \(signer); sign the push with that account's key.")
        }
    }

    // MARK: Reading

    public func exists(_ secret: SecretIdentifier) async throws(SMSError) -> Bool {
        try await access("reading \(secret)", readOnly: true) { db, _ in
            try SecretStore.sealedSecret(db, secret) != nil
        }
    }

    public func enclaveChallenge(for taskId: Bytes32) async throws(SMSError) -> Address {
        _ = try await activeTask(taskId)
        return try await challengeKey(of: taskId).address
    }

    /// Task `taskId`'s challenge key: derived from the seed, or, for a task given one before the seed, stored.
    private func challengeKey(of taskId: Bytes32) async throws(SMSError) -> PrivateKey {
        guard storedChallenges.contains(taskId) else {
            if let key = recentChallengeKeys.withLock({ $0[taskId] }) { return key }
            let key = challengeSeed.challengeKey(of: taskId)
            recentChallengeKeys.withLock { $0.remember(key, for: taskId) }
            return key
        }
        return try await access("reading the enclave challenge of task \(taskId)", readOnly: true) { db, key in
            try Self.storedChallengeKey(db, key, taskId)
        }
    }

    // MARK: Sessions

    public func openSession(_ request: SessionRequest) async throws(SMSError) -> SealedSession {
        let taskId = request.taskId
        let authorization = request.authorization
        // 1. The task is ACTIVE.
        let task = try await activeTask(taskId)
        guard let deal = try await ledgerCall({ try await self.ledger.deal(task.dealId) }) else {
            throw SMSError(.ledgerUnavailable, "The ledger has task \(taskId) but not its deal \(task.dealId).")
        }
        // 2. The authorization names the task's enclave challenge, and the deal's workerpool owner signed it.
        let challengeKey = try await challengeKey(of: taskId)
        guard authorization.enclaveChallenge == challengeKey.address else {
            throw SMSError(
                .invalidAuthorization,
                "The authorization names enclave challenge \(authorization.enclaveChallenge), but task \(taskId)'s is \(challengeKey.address); ask the scheduler for an authorization with the task's enclave challenge."
            )
        }
        let pool = try await ledgerCall { try await self.ledger.workerpool(deal.workerpool.address) }
        let poolOwner = pool?.owner ?? deal.workerpool.owner
        guard let signer = authorization.signer, signer == poolOwner else {
            let actual = authorization.signer.map { "signed by \($0)" } ?? "not a valid signature"
            throw SMSError(
                .notPoolOwner,
                "The authorization of worker \(authorization.worker) for task \(taskId) must be signed by the owner of workerpool \(deal.workerpool.address), \(poolOwner), over keccak256(worker ‖ taskId ‖ enclaveChallenge), but it is \(actual); ask that scheduler for an authorization."
            )
        }
        // 3. The evidence is valid, and of a kind the deal's tag accepts.
        guard let verifier = verifiers[request.evidence.kind] else {
            throw SMSError(
                .evidenceInvalid,
                "This SMS checks no evidence of kind `\(request.evidence.kind)` (it checks \(verifiers.keys.map(\.rawValue).sorted().joined(separator: ", "))); run the task in an enclave of a kind it checks."
            )
        }
        let evidence: VerifiedEvidence
        do {
            evidence = try verifier.verify(request.evidence)
        } catch {
            throw SMSError(.evidenceInvalid, "The evidence was refused: \(error.message)")
        }
        try ReleasePolicy.checkKind(evidence.kind, tag: deal.tag)
        // 4. Its measurement is the app's registered fingerprint.
        guard let app = try await ledgerCall({ try await self.ledger.app(deal.app.address) }) else {
            throw SMSError(.ledgerUnavailable, "The ledger has deal \(deal.id) but not its app \(deal.app.address).")
        }
        guard let fingerprint = ReleasePolicy.fingerprint(of: app) else {
            throw SMSError(
                .noMeasurement,
                "App \(app.address) has no measurement registered (its mrenclave is '\(app.mrenclave.prefix(80))'), so no enclave can prove it runs it; its owner must register an app whose mrenclave is the bundle's sha-256 (hex, or iExec's JSON with a fingerprint)."
            )
        }
        guard evidence.measurement == fingerprint else {
            throw SMSError(
                .wrongMeasurement,
                "The enclave runs code measured \(evidence.measurement), but app \(app.address) registered \(fingerprint); run exactly the app's registered bundle."
            )
        }
        // 5. Its report data binds the session key and the task.
        let binding = ReportData.binding(sessionPublicKey: request.sessionKey, taskId: taskId)
        guard evidence.reportData == binding else {
            throw SMSError(
                .evidenceNotBound,
                "The evidence's report data is \(evidence.reportData), not sha-256(session key ‖ task id) = \(binding): it was made for another task or another key. Make the evidence in this task's session."
            )
        }
        // 6. The dataset's owner has not revoked the grant.
        if deal.dataset.address != .zero {
            try await checkGrant(of: deal)
        }
        // 7. Every secret the task needs is there.
        let names = try ReleasePolicy.requesterSecretNames(params: deal.params)
        let secrets = try await access("reading the secrets of task \(taskId)", readOnly: true) { db, key in
            try Self.secrets(db, key, deal: deal, requesterSecrets: names, challengeKey: challengeKey, taskId: taskId)
        }
        let sealed: HPKEEnvelope
        do {
            sealed = try HPKEEnvelope.seal(
                CanonicalJSON.encode(secrets.json), to: request.sessionKey, purpose: .smsSession,
                context: taskId.bytes)
        } catch {
            throw SMSError(.storage, "The secrets could not be sealed to the session key: \(error.message)")
        }
        logger.info(
            "session opened",
            metadata: [
                "taskId": "\(taskId)", "dealId": "\(deal.id)", "worker": "\(authorization.worker)",
                "attestation": "\(evidence.label)",
            ])
        return SealedSession(taskId: taskId, attestation: evidence.kind, envelope: sealed)
    }

    /// Refuses a deal whose dataset order was closed since the match: its owner revoked the grant.
    private func checkGrant(of deal: Deal) async throws(SMSError) {
        let datasetOrderHash = try await datasetOrderHash(of: deal)
        guard datasetOrderHash != .zero else { return }
        if try await ledgerCall({ try await self.ledger.isClosed(datasetOrderHash) }) {
            throw SMSError(
                .grantRevoked,
                "The owner of dataset \(deal.dataset.address) closed its order \(datasetOrderHash) after deal \(deal.id) was made: the grant is revoked, and the dataset's key is no longer released to this deal's tasks."
            )
        }
    }

    /// The hash of the dataset order `deal` was matched with, from its OrdersMatched event: read from the ledger's log
    /// once per deal, since a deal's tasks each ask (it never changes).
    private func datasetOrderHash(of deal: Deal) async throws(SMSError) -> Bytes32 {
        if let known = datasetOrders.withLock({ $0[deal.id] }) { return known }
        let matched = try await ledgerCall {
            try await self.ledger.events(
                matching: EventFilter(deal: deal.id, name: "OrdersMatched"), after: nil, limit: 1, timeout: .zero)
        }
        guard let event = matched.first?.event,
            case .ordersMatched(_, _, let datasetOrderHash, _, _, _) = event
        else {
            throw SMSError(
                .ledgerUnavailable, "The ledger has deal \(deal.id) but not the OrdersMatched event that made it.")
        }
        datasetOrders.withLock { $0.remember(datasetOrderHash, for: deal.id) }
        return datasetOrderHash
    }

    /// The challenge key an SMS of before the seed stored for `taskId`.
    private static func storedChallengeKey(_ db: Database, _ key: MasterKey, _ taskId: Bytes32) throws -> PrivateKey {
        guard
            let sealed = try Data.fetchOne(
                db, sql: "SELECT sealedKey FROM enclaveChallenges WHERE taskId = ?", arguments: [taskId.data])
        else {
            throw SMSError(
                .storage,
                "The enclave challenge key of task \(taskId) was stored, and is gone: the database was altered. Restore it from a backup."
            )
        }
        guard let raw = key.open(Array(sealed), associatedData: SecretStore.associatedData(challengeOf: taskId)),
            let challenge = try? PrivateKey(rawRepresentation: raw)
        else {
            throw SMSError(
                .storage,
                "The enclave challenge key of task \(taskId) does not open under the master key: the database was altered. Restore it from a backup."
            )
        }
        return challenge
    }

    /// What the task's session releases, read and decrypted.
    private static func secrets(
        _ db: Database, _ key: MasterKey, deal: Deal, requesterSecrets names: [UInt64: String],
        challengeKey: PrivateKey, taskId: Bytes32
    ) throws -> SessionSecrets {
        func value(_ secret: SecretIdentifier) throws -> [UInt8]? {
            guard let sealed = try SecretStore.sealedSecret(db, secret) else { return nil }
            guard let plaintext = key.open(sealed, associatedData: SecretStore.associatedData(secret)) else {
                throw SMSError(
                    .storage,
                    "The stored value of \(secret) does not open under the master key: the database was altered. Restore it from a backup."
                )
            }
            return plaintext
        }
        var datasetKey: [UInt8]?
        if deal.dataset.address != .zero {
            guard let stored = try value(.datasetKey(deal.dataset.address)) else {
                throw SMSError(
                    .missingSecret,
                    "Dataset \(deal.dataset.address) has no key in the SMS, so deal \(deal.id)'s tasks cannot read it; its owner must push the dataset key."
                )
            }
            datasetKey = stored
        }
        var requesterSecrets: [UInt64: [UInt8]] = [:]
        for (index, name) in names.sorted(by: { $0.key < $1.key }) {
            let secret = try SecretIdentifier.requesterSecret(deal.requester, name: name)
            guard let stored = try value(secret) else {
                throw SMSError(
                    .missingSecret,
                    "Deal \(deal.id) names requester secret \(index) '\(name)', but requester \(deal.requester) has pushed no secret of that name; push it, then start the task again."
                )
            }
            requesterSecrets[index] = stored
        }
        return SessionSecrets(
            taskId: taskId, datasetKey: datasetKey,
            appDeveloperSecret: try value(.appDeveloperSecret(deal.app.address)),
            requesterSecrets: requesterSecrets, enclaveChallengeKey: challengeKey)
    }

    /// The task, when it is ACTIVE on the ledger.
    private func activeTask(_ taskId: Bytes32) async throws(SMSError) -> ComputeTask {
        let task = try await ledgerCall { try await self.ledger.task(taskId) }
        guard let task, task.status == .active else {
            let status = task.map { "is \($0.status.rawValue)" } ?? "is not initialized"
            throw SMSError(
                .taskNotActive,
                "Task \(taskId) \(status) on the ledger; the SMS serves only ACTIVE tasks. Have the scheduler initialize it, or give the id of a running task."
            )
        }
        return task
    }

    // MARK: Rotating the master key

    /// Replaces the master key with a new one: writes it to ``pendingKeyFile(for:)``, re-encrypts every secret and
    /// challenge key under it in one transaction, then renames the pending file over the key file. A crash at any
    /// point leaves a database and a key file that match, or a pending file the next start finishes the rotation
    /// with (docs/sms.md, "Rotating the master key").
    public func rotateMasterKey() async throws(SMSError) {
        let newKey = MasterKey.generate()
        let pending = Self.pendingKeyFile(for: keyFile)
        if MasterKey.exists(pending) { unlink(pending.path) }
        try newKey.create(at: pending)
        let keyFile = keyFile
        do {
            try await database.writeWithoutTransaction { db in
                let oldKey = self.masterKey.withLock { $0 }
                try db.inTransaction {
                    try Self.reencrypt(db, from: oldKey, to: newKey)
                    return .commit
                }
                // Committed: from now on the database opens only with the new key.
                self.masterKey.withLock { $0 = newKey }
                guard rename(pending.path, keyFile.path) == 0 else {
                    throw SMSError(
                        .masterKey,
                        "The secrets are now encrypted under the new key in \(pending.path), but it could not be renamed to \(keyFile.path) (\(String(cString: strerror(errno)))). Do not delete it: the SMS finishes the rotation on its next start, or rename it yourself."
                    )
                }
                DurableFile.syncFolder(keyFile.deletingLastPathComponent())
            }
        } catch let error as SMSError {
            // Before the commit the pending key is worthless; after it, it is the only copy of the key in use.
            if masterKey.withLock({ $0.rawBytes }) != newKey.rawBytes { unlink(pending.path) }
            throw error
        } catch {
            unlink(pending.path)
            logger.error("master key rotation failed", metadata: ["error": "\(error)"])
            throw SMSError(
                .storage,
                "The master key rotation failed and was rolled back (\(error)); the old key still opens everything. Check the disk, then retry."
            )
        }
        logger.notice("master key rotated", metadata: ["keyFile": "\(keyFile.path)"])
    }

    private static func reencrypt(_ db: Database, from oldKey: MasterKey, to newKey: MasterKey) throws {
        func reseal(_ sealed: Data, _ associatedData: [UInt8], _ what: String) throws -> Data {
            guard let plaintext = oldKey.open(Array(sealed), associatedData: associatedData) else {
                throw SMSError(
                    .storage,
                    "\(what) does not open under the current master key, so it cannot be re-encrypted; nothing was changed. Restore the database from a backup."
                )
            }
            return Data(try newKey.seal(plaintext, associatedData: associatedData))
        }
        for row in try Row.fetchAll(db, sql: "SELECT kind, target, name, sealed FROM secrets") {
            let kindText: String = row["kind"]
            let target: Data = row["target"]
            let name: String = row["name"]
            guard let kind = SecretKind(rawValue: kindText), let address = try? Address(bytes: target),
                let secret = try? SecretIdentifier(kind: kind, target: address, name: name)
            else {
                throw SMSError(.storage, "The SMS's database holds a secret row it cannot read (\(kindText)/\(name)).")
            }
            try db.execute(
                sql: "UPDATE secrets SET sealed = ? WHERE kind = ? AND target = ? AND name = ?",
                arguments: [
                    try reseal(row["sealed"], SecretStore.associatedData(secret), "Secret \(secret)"), kindText, target,
                    name,
                ])
        }
        for row in try Row.fetchAll(db, sql: "SELECT taskId, sealedKey FROM enclaveChallenges") {
            let taskData: Data = row["taskId"]
            let taskId = try Bytes32(Array(taskData))
            try db.execute(
                sql: "UPDATE enclaveChallenges SET sealedKey = ? WHERE taskId = ?",
                arguments: [
                    try reseal(
                        row["sealedKey"], SecretStore.associatedData(challengeOf: taskId),
                        "The enclave challenge key of task \(taskId)"),
                    taskData,
                ])
        }
        if let seed = try SecretStore.sealedChallengeSeed(db) {
            try db.execute(
                sql: "UPDATE challengeSeed SET sealed = ? WHERE id = 1",
                arguments: [
                    try reseal(Data(seed), ChallengeSeed.associatedData, "The enclave challenge seed")
                ])
        }
        try db.execute(
            sql: "UPDATE keyCheck SET sealed = ? WHERE id = 1",
            arguments: [Data(try newKey.seal([], associatedData: SecretStore.keyCheckData))])
    }

    /// Reads (or, for a new database, creates) the master key file, and finishes or undoes a rotation that stopped.
    private static func openMasterKey(at url: URL, keyCheck: [UInt8]?, logger: Logger) throws(SMSError) -> MasterKey {
        let pending = pendingKeyFile(for: url)
        guard MasterKey.exists(url) else {
            guard keyCheck == nil else {
                throw SMSError(
                    .masterKey,
                    "The master key file \(url.path) is missing, but the SMS's database holds secrets encrypted under it; restore the key file from your backup (the secrets cannot be read without it)."
                )
            }
            let key = MasterKey.generate()
            try key.create(at: url)
            logger.notice("created the SMS master key file", metadata: ["keyFile": "\(url.path)"])
            return key
        }
        let key = try MasterKey.read(from: url)
        guard let keyCheck else { return key }
        if key.open(keyCheck, associatedData: SecretStore.keyCheckData) != nil {
            if MasterKey.exists(pending) {
                unlink(pending.path)
                logger.warning(
                    "discarded the key of a master key rotation that did not commit",
                    metadata: ["file": "\(pending.path)"])
            }
            return key
        }
        if MasterKey.exists(pending), let next = try? MasterKey.read(from: pending),
            next.open(keyCheck, associatedData: SecretStore.keyCheckData) != nil
        {
            guard rename(pending.path, url.path) == 0 else {
                throw SMSError(
                    .masterKey,
                    "A master key rotation committed but \(pending.path) could not be renamed to \(url.path) (\(String(cString: strerror(errno)))); rename it yourself, then start again."
                )
            }
            DurableFile.syncFolder(url.deletingLastPathComponent())
            logger.notice("finished a master key rotation", metadata: ["keyFile": "\(url.path)"])
            return next
        }
        throw SMSError(
            .masterKey,
            "The master key in \(url.path) does not open the SMS's database: it is another database's key, or the file was replaced. Restore the key file that goes with this database from your backup."
        )
    }

    // MARK: Inspection (tests and operators' tools)

    /// The decrypted value of `secret`, if stored. Not part of ``SecretService``: nothing reaches it over the API.
    package func storedValue(_ secret: SecretIdentifier) async throws(SMSError) -> [UInt8]? {
        try await access("reading \(secret)", readOnly: true) { db, key in
            guard let sealed = try SecretStore.sealedSecret(db, secret) else { return nil }
            guard let value = key.open(sealed, associatedData: SecretStore.associatedData(secret)) else {
                throw SMSError(.storage, "The stored value of \(secret) does not open under the master key.")
            }
            return value
        }
    }

    /// How many push nonces are kept (those whose push has not expired yet).
    package func storedNonceCount() async throws(SMSError) -> Int {
        try await access("counting push nonces", readOnly: true) { db, _ in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pushNonces") ?? 0
        }
    }

    // MARK: Access

    /// Runs `body` in a write transaction, or in a read transaction when `readOnly` (concurrent with the others and
    /// with the writer, on a pool).
    private func access<T: Sendable>(
        _ action: String, readOnly: Bool = false, _ body: @escaping @Sendable (Database, MasterKey) throws -> T
    ) async throws(SMSError) -> T {
        do {
            if readOnly { return try await database.read { db in try body(db, self.masterKey.withLock { $0 }) } }
            return try await database.write { db in try body(db, self.masterKey.withLock { $0 }) }
        } catch let error as SMSError {
            throw error
        } catch {
            logger.error("SMS database failure", metadata: ["action": "\(action)", "error": "\(error)"])
            throw SMSError(
                .storage,
                "The SMS's database failed while \(action) (\(error)); check the database file and disk, then retry.")
        }
    }

    private func ledgerCall<T>(_ call: () async throws -> T) async throws(SMSError) -> T {
        do {
            return try await call()
        } catch {
            throw SMSError(.ledgerUnavailable, "The ledger could not be read (\(error)); retry when it is reachable.")
        }
    }
}
