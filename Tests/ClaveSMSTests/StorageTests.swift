import ClaveCore
import ClaveCrypto
@testable import ClaveSMS
import ClaveTestSupport
import Foundation
import GRDB
import Testing

/// Secrets at rest: the master key file, its permissions, rotation, and rows that cannot stand in for each other.
@Suite struct StorageTests {
    func permissions(_ url: URL) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? -1
    }

    func fileText(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func theMasterKeyFileIsCreatedOwnerOnlyAndValuesAreNotStoredInClear() async throws {
        let f = try await SMSFixture()
        #expect(try permissions(f.masterKeyFile) == 0o600)
        #expect(try fileText(f.masterKeyFile).count == 65)
        let secret = Array("a very recognizable secret value".utf8)
        _ = try await f.sms.push(
            f.push(secret, into: .requesterSecret(f.requester.address, name: "x"), by: f.requester))
        let database = try DatabaseQueue(path: f.databasePath)
        let sealed = try await database.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM secrets") }
        #expect(sealed.count == 1)
        #expect(sealed[0].count == secret.count + 28)
        #expect(sealed[0].range(of: Data(secret)) == nil)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func aKeyFileOthersMayReadIsRefused(mode: Int) async throws {
        let f = try await SMSFixture()
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: f.masterKeyFile.path)
        let error = await expectRefusal(.masterKey) { try f.reopened() }
        #expect(error?.message.contains("chmod 600") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: f.masterKeyFile.path)
        _ = try f.reopened()
    }

    @Test func aMissingOrForeignKeyFileIsRefusedAndNoNewKeyIsMade() async throws {
        let f = try await SMSFixture()
        let apiKey = try SecretIdentifier.requesterSecret(f.requester.address, name: "api-key")
        _ = try await f.sms.push(f.push([7], into: apiKey, by: f.requester))
        let original = try fileText(f.masterKeyFile)

        try FileManager.default.removeItem(at: f.masterKeyFile)
        let missing = await expectRefusal(.masterKey) { try f.reopened() }
        #expect(missing?.message.contains("backup") == true)
        #expect(!FileManager.default.fileExists(atPath: f.masterKeyFile.path))

        try MasterKey.generate().create(at: f.masterKeyFile)
        await expectRefusal(.masterKey) { try f.reopened() }

        try FileManager.default.removeItem(at: f.masterKeyFile)
        try Data(original.utf8).write(to: f.masterKeyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: f.masterKeyFile.path)
        #expect(try await f.reopened().storedValue(apiKey) == [7])
    }

    @Test func rotationReencryptsEverythingUnderANewKey() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let taskId = try await f.activeTask()
        let challenge = try await f.sms.enclaveChallenge(for: taskId)
        let oldKey = try fileText(f.masterKeyFile)

        try await f.sms.rotateMasterKey()
        let newKey = try fileText(f.masterKeyFile)
        #expect(newKey != oldKey)
        #expect(try permissions(f.masterKeyFile) == 0o600)
        #expect(
            !FileManager.default.fileExists(atPath: SecretManagementService.pendingKeyFile(for: f.masterKeyFile).path))

        // The running service and a restarted one read every secret, and release the same challenge key.
        for sms in [f.sms, try f.reopened()] {
            #expect(try await sms.storedValue(.datasetKey(f.dataset)) == SMSFixture.datasetKey)
            #expect(try await sms.enclaveChallenge(for: taskId) == challenge)
            let session = try f.session(taskId)
            let sealed = try await sms.openSession(
                SessionRequest(authorization: f.authorization(taskId), session: session))
            #expect(try session.open(sealed).enclaveChallengeKey.address == challenge)
        }

        // The old key no longer opens the database.
        try FileManager.default.removeItem(at: f.masterKeyFile)
        try MasterKey(rawRepresentation: Hex.decode(oldKey.trimmingCharacters(in: .newlines))).create(
            at: f.masterKeyFile)
        await expectRefusal(.masterKey) { try f.reopened() }
    }

    @Test func aRotationInterruptedAfterItsCommitIsFinishedOnTheNextStart() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let oldKey = try fileText(f.masterKeyFile)
        try await f.sms.rotateMasterKey()
        let newKey = try fileText(f.masterKeyFile)
        // As if the process died between the commit and the rename: the old key in place, the new one pending.
        let pending = SecretManagementService.pendingKeyFile(for: f.masterKeyFile)
        try FileManager.default.moveItem(at: f.masterKeyFile, to: pending)
        try MasterKey(rawRepresentation: Hex.decode(oldKey.trimmingCharacters(in: .newlines))).create(
            at: f.masterKeyFile)

        let restarted = try f.reopened()
        #expect(try fileText(f.masterKeyFile) == newKey)
        #expect(!FileManager.default.fileExists(atPath: pending.path))
        #expect(try await restarted.storedValue(.datasetKey(f.dataset)) == SMSFixture.datasetKey)
    }

    @Test func aRotationThatDidNotCommitIsDiscardedOnTheNextStart() async throws {
        let f = try await SMSFixture()
        try await f.pushAllSecrets()
        let key = try fileText(f.masterKeyFile)
        let pending = SecretManagementService.pendingKeyFile(for: f.masterKeyFile)
        try MasterKey.generate().create(at: pending)
        let restarted = try f.reopened()
        #expect(!FileManager.default.fileExists(atPath: pending.path))
        #expect(try fileText(f.masterKeyFile) == key)
        #expect(try await restarted.storedValue(.datasetKey(f.dataset)) == SMSFixture.datasetKey)
    }

    @Test func aRowCopiedOntoAnotherSecretNoLongerOpens() async throws {
        let f = try await SMSFixture()
        let first = try SecretIdentifier.requesterSecret(f.requester.address, name: "first")
        let second = try SecretIdentifier.requesterSecret(f.requester.address, name: "second")
        _ = try await f.sms.push(f.push([1], into: first, by: f.requester))
        _ = try await f.sms.push(f.push([2], into: second, by: f.requester))
        let database = try DatabaseQueue(path: f.databasePath)
        try await database.write { db in
            try db.execute(
                sql:
                    "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE name = 'first') WHERE name = 'second'"
            )
        }
        #expect(try await f.sms.storedValue(first) == [1])
        await expectRefusal(.storage) { try await f.sms.storedValue(second) }
    }

    /// A task's enclave challenge key is derived from the database's seed: the same across restarts, another for
    /// each task, and nothing is written per task. The seed is stored sealed, not in clear.
    @Test func challengeKeysAreDerivedFromASealedSeedWithoutAWritePerTask() async throws {
        let f = try await SMSFixture()
        let (first, second) = (try await f.activeTask(salt: 1), try await f.activeTask(salt: 2))
        let challenge = try await f.sms.enclaveChallenge(for: first)
        #expect(try await f.sms.enclaveChallenge(for: first) == challenge)
        #expect(try await f.sms.enclaveChallenge(for: second) != challenge)
        #expect(try await f.reopened().enclaveChallenge(for: first) == challenge)
        let database = try DatabaseQueue(path: f.databasePath)
        let (rows, seeds) = try await database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM enclaveChallenges"),
                try Data.fetchAll(db, sql: "SELECT sealed FROM challengeSeed")
            )
        }
        #expect(rows == 0)
        #expect(seeds.count == 1)
        #expect(seeds.first?.count == 32 + 28)
        // An altered seed would give other keys: the SMS refuses to start on it.
        try await database.write { db in
            try db.execute(sql: "UPDATE challengeSeed SET sealed = ?", arguments: [Data(repeating: 1, count: 60)])
        }
        let refusal = await expectRefusal(.storage) { try f.reopened() }
        #expect(refusal?.message.contains("challenge seed") == true)
    }

    /// The SMS keeps the challenge keys it derived last, so that a task's key is derived once for its challenge and
    /// its session; past the capacity the oldest is forgotten, and asking again does not count a task twice.
    @Test func recentChallengeKeysForgetTheOldestPastTheirCapacity() throws {
        let seed = ChallengeSeed.generate()
        let capacity = 1024
        let tasks = (0...capacity).map { Keccak256.hash(utf8: "task \($0)") }
        var recent = RecentValues<Bytes32, PrivateKey>(capacity: capacity)
        let firstKey = seed.challengeKey(of: tasks[0])
        recent.remember(firstKey, for: tasks[0])
        recent.remember(firstKey, for: tasks[0])
        #expect(recent[tasks[0]]?.address == firstKey.address)
        let anyKey = try PrivateKey(rawRepresentation: Array(repeating: 7, count: 32))
        for task in tasks.dropFirst().dropLast() { recent.remember(anyKey, for: task) }
        #expect(recent.count == capacity)
        #expect(recent[tasks[0]] != nil)
        recent.remember(anyKey, for: tasks[capacity])
        #expect(recent.count == capacity)
        #expect(recent[tasks[0]] == nil)
        #expect(recent[tasks[1]] != nil)
        #expect(recent[tasks[capacity]] != nil)
        // A forgotten key derives again, the same.
        #expect(seed.challengeKey(of: tasks[0]).address == firstKey.address)
    }

    /// A task given a random, stored challenge key by an SMS of before the seed keeps it: asked again, and in its
    /// session.
    @Test func aChallengeKeyStoredBeforeTheSeedIsStillTheTasks() async throws {
        let f = try await SMSFixture()
        let taskId = try await f.activeTask()
        let stored = PrivateKey.generate()
        let masterKey = try MasterKey(
            rawRepresentation: Hex.decode(try fileText(f.masterKeyFile).trimmingCharacters(in: .newlines)))
        let sealed = try masterKey.seal(
            stored.rawRepresentation, associatedData: SecretStore.associatedData(challengeOf: taskId))
        let database = try DatabaseQueue(path: f.databasePath)
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO enclaveChallenges (taskId, address, sealedKey, createdAt) VALUES (?, ?, ?, 0)",
                arguments: [Data(taskId.bytes), Data(stored.address.bytes), Data(sealed)])
        }
        try await f.pushAllSecrets()
        let restarted = try f.reopened()
        #expect(try await restarted.enclaveChallenge(for: taskId) == stored.address)
        let session = try f.session(taskId)
        let opened = try await restarted.openSession(
            SessionRequest(
                authorization: WorkerAuthorization(
                    worker: f.worker.address, taskId: taskId, enclaveChallenge: stored.address,
                    signedWith: f.scheduler.key),
                session: session))
        #expect(try session.open(opened).enclaveChallengeKey.address == stored.address)
        // Its row gone, the task has no key the SMS could stand behind: refused, not replaced with a derived one.
        try await database.write { db in try db.execute(sql: "DELETE FROM enclaveChallenges") }
        let refusal = await expectRefusal(.storage) { try await restarted.enclaveChallenge(for: taskId) }
        #expect(refusal?.message.contains("Restore it from a backup") == true)
    }
}
