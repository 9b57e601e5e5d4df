import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveSMS
import ClaveServer
import ClaveStorage
import ClaveTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// protectData through a live node: every stage, both formats, records and files, and resuming after a failure at
/// each stage that leaves the machine, without a second dataset or a lost key.
@Suite struct ProtectTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
    static let record: ProtectedValue = .object([
        (key: "email", value: .string("ada@example.com")),
        (key: "profile", value: .object([(key: "age", value: .number(36)), (key: "vip", value: .bool(true))])),
        (key: "photo", value: .binary(png)),
    ])

    /// Runs `body` with the dataset owner's DataProtector talking to the fixture's node over HTTP, wrapped as
    /// `wrap` says (to inject a failure into one service).
    private func withNode(
        blobs wrapBlobs: @escaping @Sendable (any BlobStore) -> any BlobStore = { $0 },
        sms wrapSMS: @escaping @Sendable (any SecretService) -> any SecretService = { $0 },
        ledger wrapLedger: @escaping @Sendable (any LedgerService) -> any LedgerService = { $0 },
        _ body: @Sendable (ServerFixture, _ make: @Sendable (Bool) -> DataProtector) async throws -> Void
    ) async throws {
        let fixture = try await ServerFixture()
        try await fixture.application().test(.live) { client in
            let connection = try NodeConnection(url: "http://127.0.0.1:\(client.port!)")
            try await body(fixture) { faulty in
                let ledger = LedgerClient(connection: connection)
                let blobs = BlobStoreClient(connection: connection)
                let sms = SecretServiceClient(connection: connection)
                return DataProtector(
                    ledger: faulty ? wrapLedger(ledger) : ledger, orderbook: OrderbookClient(connection: connection),
                    blobs: faulty ? wrapBlobs(blobs) : blobs, sms: faulty ? wrapSMS(sms) : sms,
                    owner: fixture.datasetOwner.key, now: { ServerFixture.start + 10 })
            }
        }
    }

    private static func decrypted(
        _ data: ProtectedData, with protector: DataProtector, in folder: TemporaryDirectory
    ) async throws -> [UInt8] {
        let url = folder.url.appendingPathComponent("payload-\(data.address).zip")
        try await protector.decryptPayload(of: data.address, key: data.encryptionKey, to: url)
        return Array(try Data(contentsOf: url))
    }

    @Test(arguments: PayloadFormat.allCases)
    func aRecordIsRegisteredEscrowedAndDecryptsBack(_ format: PayloadFormat) async throws {
        try await withNode { fixture, make in
            let protector = make(false)
            let stages = Mutex<[ProtectStage]>([])
            let data = try await protector.protectData(
                ProtectRequest(.value(Self.record), name: "contact", format: format)
            ) { progress in
                stages.withLock { if $0.last != progress.stage { $0.append(progress.stage) } }
            }
            #expect(stages.withLock { $0 } == ProtectStage.allCases)
            #expect(
                data.schema.canonicalText
                    == "{\"email\":\"string\",\"photo\":\"image/png\",\"profile\":{\"age\":\"f64\",\"vip\":\"bool\"}}")

            let dataset = try #require(await fixture.ledger.dataset(data.address))
            #expect(dataset.owner == fixture.datasetOwner.address)
            #expect(dataset.name == "contact")
            #expect(dataset.schema == data.schema.canonicalText)
            #expect(dataset.multiaddr == data.multiaddr)
            #expect(try CID(dataset.multiaddr).sha256Digest == dataset.checksum)

            // The SMS holds exactly the key the owner got, with its format.
            let escrowed = try #require(try await fixture.sms.storedValue(.datasetKey(data.address)))
            #expect(try DatasetKey(bytes: escrowed) == data.encryptionKey)
            #expect(data.encryptionKey.format == format)

            let folder = try TemporaryDirectory(prefix: "clave-protect")
            let zip = try await Self.decrypted(data, with: protector, in: folder)
            #expect(zip == (try ProtectedDataZip.bytes(of: Self.record)))
            #expect(try ProtectedDataZip.read(zip, schema: data.schema) == Self.record)

            // Another key does not open it. A clave-stream-v1 payload is authenticated, so it is always refused; iExec's
            // AES-CBC is not, and a wrong key is caught only by its padding, which one key in 256 or so happens to
            // make valid: then what comes out must not be the record.
            let wrong = folder.url.appendingPathComponent("wrong.zip")
            do {
                _ = try await protector.decryptPayload(of: data.address, key: .generate(format), to: wrong)
                #expect(format == .iexec, "a clave-stream-v1 payload opened under another key")
                #expect(try Data(contentsOf: wrong) != Data(zip))
            } catch {
                #expect(!FileManager.default.fileExists(atPath: wrong.path))
            }
        }
    }

    @Test func aFileIsStreamedUnderItsKeyWithItsSniffedType() async throws {
        try await withNode { fixture, make in
            let folder = try TemporaryDirectory(prefix: "clave-protect")
            var contents = Self.png
            var random = SplitMix64(seed: 5)
            contents += (0..<(3 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let file = folder.url.appendingPathComponent("scan.png")
            try Data(contents).write(to: file)
            let protector = make(false)
            let data = try await protector.protectData(ProtectRequest(.file(file, key: "scan"), name: "scan.png"))
            #expect(data.schema.canonicalText == "{\"scan\":\"image/png\"}")
            let zip = try ZipReader(bytes: try await Self.decrypted(data, with: protector, in: folder))
            #expect(try zip.contents(of: try #require(zip.entry(named: "scan"))) == contents)
        }
    }

    /// A node that answers an upload with the CID of other content: a clave-stream-v1 payload takes the node's answer
    /// (no second SHA-256 pass on the client) and is protected by its authentication instead, since the content the
    /// dataset then names does not open under its key; an iExec AES-CBC payload, which is not authenticated, is
    /// hashed by the client and the answer refused at UPLOAD_ENCRYPTED_FILE, with nothing registered.
    @Test func aNodeThatAnswersAnotherCIDCannotPassOtherContentForTheDataset() async throws {
        let fixture = try await ServerFixture()
        // What a node would substitute: another record of the same size, sealed under another key.
        let other: ProtectedValue = .object([
            (key: "email", value: .string("eve@example.com")),
            (key: "profile", value: .object([(key: "age", value: .number(36)), (key: "vip", value: .bool(true))])),
            (key: "photo", value: .binary(Self.png)),
        ])
        var decoy: [UInt8] = []
        let encryptor = try DatasetKey.generate(.clave).encryptor()
        try ProtectedDataZip.bytes(of: other).withUnsafeBytes { try encryptor.update($0) { decoy += $0 } }
        try encryptor.finish { decoy += $0 }
        let decoyCID = try await fixture.blobs.put(bytes: decoy).cid
        try await fixture.application(blobs: MisnamingStore(base: fixture.blobs, answer: decoyCID)).test(.live) {
            client in
            let connection = try NodeConnection(url: "http://127.0.0.1:\(client.port!)")
            let protector = DataProtector(
                ledger: LedgerClient(connection: connection), orderbook: OrderbookClient(connection: connection),
                blobs: BlobStoreClient(connection: connection), sms: SecretServiceClient(connection: connection),
                owner: fixture.datasetOwner.key, now: { ServerFixture.start + 10 })

            let refused = await #expect(throws: DataProtectorError.self) {
                try await protector.protectData(ProtectRequest(.value(Self.record), name: "cbc", format: .iexec))
            }
            #expect(refused?.stage == .uploadEncryptedFile)
            #expect(refused?.message.contains("answered that it stored \(decoyCID)") == true)
            #expect(await self.datasets(of: fixture).isEmpty)

            let data = try await protector.protectData(ProtectRequest(.value(Self.record), name: "gcm"))
            #expect(data.multiaddr == decoyCID.description)
            let folder = try TemporaryDirectory(prefix: "clave-misnamed")
            let destination = folder.url.appendingPathComponent("payload.zip")
            await #expect(throws: (any Error).self) {
                try await protector.decryptPayload(of: data.address, key: data.encryptionKey, to: destination)
            }
            #expect(!FileManager.default.fileExists(atPath: destination.path))
        }
    }

    @Test func aFailedUploadResumesWithANewKeyAndRegistersOnce() async throws {
        let failures = Counter(1)
        try await withNode(blobs: { FailingBlobStore(base: $0, failures: failures) }) { fixture, make in
            let folder = try TemporaryDirectory(prefix: "clave-journal")
            let request = ProtectRequest(.value(Self.record), name: "contact")
            let failure = await #expect(throws: DataProtectorError.self) {
                try await make(true).protectData(request, journal: folder.url)
            }
            #expect(failure?.stage == .uploadEncryptedFile)
            #expect(failure?.message.contains("UPLOAD_ENCRYPTED_FILE") == true)
            #expect(failure?.message.contains("Run the same protect again") == true)
            #expect(await self.datasets(of: fixture).isEmpty)
            let journals = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
            #expect(journals.count == 1)
            let attributes = try FileManager.default.attributesOfItem(
                atPath: folder.url.appendingPathComponent(journals[0]).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            let data = try await make(true).protectData(request, journal: folder.url)
            #expect(await self.datasets(of: fixture) == [data.address])
            #expect(
                try DatasetKey(bytes: try #require(try await fixture.sms.storedValue(.datasetKey(data.address))))
                    == data.encryptionKey)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
        }
    }

    @Test func aLostRegistrationReceiptResumesWithoutASecondDataset() async throws {
        let failures = Counter(1)
        try await withNode(ledger: { ReceiptLosingLedger(base: $0, failures: failures) }) { fixture, make in
            let folder = try TemporaryDirectory(prefix: "clave-journal")
            let request = ProtectRequest(.value(Self.record), name: "contact", format: .iexec)
            let failure = await #expect(throws: DataProtectorError.self) {
                try await make(true).protectData(request, journal: folder.url)
            }
            #expect(failure?.stage == .deployProtectedData)
            // The registration went through; only its receipt was lost.
            let registered = await self.datasets(of: fixture)
            #expect(registered.count == 1)

            let resumed = Mutex<[ProtectStage]>([])
            let data = try await make(true).protectData(request, journal: folder.url) { progress in
                if progress.resumed { resumed.withLock { $0.append(progress.stage) } }
            }
            #expect(data.address == registered[0])
            #expect(await self.datasets(of: fixture) == registered)
            #expect(resumed.withLock { $0 }.contains(.uploadEncryptedFile))
            #expect(resumed.withLock { $0 }.contains(.deployProtectedData))
            #expect(try await fixture.sms.storedValue(.datasetKey(data.address)) != nil)
        }
    }

    @Test func aFailedKeyPushResumesAndPushesTheKeyOnce() async throws {
        let failures = Counter(1)
        try await withNode(sms: { FailingSecretService(base: $0, failures: failures) }) { fixture, make in
            let folder = try TemporaryDirectory(prefix: "clave-journal")
            let request = ProtectRequest(.value(Self.record), name: "contact")
            let failure = await #expect(throws: DataProtectorError.self) {
                try await make(true).protectData(request, journal: folder.url)
            }
            #expect(failure?.stage == .pushSecretToSMS)
            let registered = await self.datasets(of: fixture)
            #expect(registered.count == 1)
            #expect(try await fixture.sms.storedValue(.datasetKey(registered[0])) == nil)

            let data = try await make(true).protectData(request, journal: folder.url)
            #expect(data.address == registered[0])
            #expect(await self.datasets(of: fixture) == registered)
            #expect(
                try DatasetKey(bytes: try #require(try await fixture.sms.storedValue(.datasetKey(data.address))))
                    == data.encryptionKey)
        }
    }

    @Test func badSourcesFailAtTheFirstStageAndChangeNothing() async throws {
        try await withNode { fixture, make in
            let missing = await #expect(throws: DataProtectorError.self) {
                try await make(false).protectData(
                    ProtectRequest(.file(URL(fileURLWithPath: "/nonexistent/scan.pdf"), key: "file"), name: "x"))
            }
            #expect(missing?.stage == .extractDataSchema)
            #expect(missing?.message.contains("/nonexistent/scan.pdf") == true)
            let badKey = await #expect(throws: DataProtectorError.self) {
                try await make(false).protectData(
                    ProtectRequest(.value(.object([(key: "e mail", value: .string("x"))])), name: "x"))
            }
            #expect(badKey?.stage == .extractDataSchema)
            #expect(await self.datasets(of: fixture).isEmpty)
        }
    }

    /// The datasets the owner registered besides the fixture's own.
    @Test func refusalsBeforeAnythingIsDoneSayWhatToDo() async throws {
        try await withNode { fixture, make in
            let protector = make(false)
            // A DataProtector made for access only cannot protect.
            let accessOnly = DataProtector(
                ledger: protector.ledger, orderbook: protector.orderbook, owner: fixture.datasetOwner.key)
            let noServices = await #expect(throws: DataProtectorError.self) {
                try await accessOnly.protectData(ProtectRequest(.value(Self.record), name: "x"))
            }
            #expect(noServices?.code == .invalidArgument)
            #expect(noServices?.message.contains("make it with both") == true)

            // A journal that is not one: named, with what to do, and nothing registered.
            let folder = try TemporaryDirectory(prefix: "clave-journal")
            let request = ProtectRequest(.value(Self.record), name: "contact")
            let failing = FailingBlobStore(base: try #require(protector.blobs), failures: Counter(1))
            let journaled = DataProtector(
                ledger: protector.ledger, orderbook: protector.orderbook, blobs: failing, sms: protector.sms,
                owner: fixture.datasetOwner.key, now: protector.now)
            _ = await #expect(throws: DataProtectorError.self) {
                try await journaled.protectData(request, journal: folder.url)
            }
            let journal = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).first)
            try Data("{not json".utf8).write(to: folder.url.appendingPathComponent(journal))
            let unreadable = await #expect(throws: DataProtectorError.self) {
                try await protector.protectData(request, journal: folder.url)
            }
            #expect(unreadable?.stage == .extractDataSchema)
            #expect(unreadable?.message.contains("move it away to start over") == true)

            // decryptPayload: an unknown address, and a dataset whose multiaddr is not a CID.
            let out = folder.url.appendingPathComponent("out.zip")
            let unknown = await #expect(throws: DataProtectorError.self) {
                try await protector.decryptPayload(of: fixture.app, key: .generate(.clave), to: out)
            }
            #expect(unknown?.code == .unknownProtectedData)
            let notCID = await #expect(throws: DataProtectorError.self) {
                try await protector.decryptPayload(of: fixture.dataset, key: .generate(.clave), to: out)
            }
            #expect(notCID?.message.contains("not a CID") == true)
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    private func datasets(of fixture: ServerFixture) async -> [Address] {
        await fixture.ledger.datasets(DatasetQuery(owner: fixture.datasetOwner.address)).datasets.map(\.address)
            .filter { $0 != fixture.dataset }
    }
}

/// How many more times a faulty service fails.
final class Counter: Sendable {
    private let left: Mutex<Int>
    init(_ count: Int) { left = Mutex(count) }
    /// Whether to fail this time (and count it).
    func take() -> Bool {
        left.withLock { count in
            count > 0
                ? {
                    count -= 1; return true
                }() : false
        }
    }
}

/// A real blob store whose next puts fail as a dropped connection would.
struct FailingBlobStore: BlobStore {
    let base: any BlobStore
    let failures: Counter

    func put<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, size: Int?, expected: CID?, maximumSize: Int?, check: AnswerCheck
    ) async throws(StorageError) -> StoredBlob where Chunks.Element: Collection<UInt8> & Sendable {
        if failures.take() { throw StorageError(.unavailable, "the connection to the node was lost (injected)") }
        return try await base.put(chunks, size: size, expected: expected, maximumSize: maximumSize, check: check)
    }
    func get(_ cid: CID) async throws(StorageError) -> BlobStream { try await base.get(cid) }
    func size(of cid: CID) async throws(StorageError) -> Int? { try await base.size(of: cid) }
    func delete(_ cid: CID) async throws(StorageError) -> Bool { try await base.delete(cid) }
}

/// A real SMS whose next pushes fail before they reach it.
struct FailingSecretService: SecretService {
    let base: any SecretService
    let failures: Counter

    func push(_ push: SecretPush) async throws(SMSError) -> PushReceipt {
        if failures.take() { throw SMSError(.unavailable, "the connection to the node was lost (injected)") }
        return try await base.push(push)
    }
    func exists(_ secret: SecretIdentifier) async throws(SMSError) -> Bool { try await base.exists(secret) }
    func enclaveChallenge(for taskId: Bytes32) async throws(SMSError) -> Address {
        try await base.enclaveChallenge(for: taskId)
    }
    func openSession(_ request: SessionRequest) async throws(SMSError) -> SealedSession {
        try await base.openSession(request)
    }
}

/// A real ledger that applies the next submissions but loses their receipts, as a node killed after its write would.
struct ReceiptLosingLedger: ForwardingLedgerService {
    let base: any LedgerService
    let failures: Counter

    func submit(_ transaction: SignedTransaction) async throws -> Receipt {
        let receipt = try await base.submit(transaction)
        if failures.take() { throw ClientError(.unreachable, "the node went away before answering (injected)") }
        return receipt
    }
}
