public import ClaveAttestation
import ClaveCore
import ClaveCrypto
public import ClaveLedger
public import ClaveRuntime
public import ClaveSMS
public import ClaveStorage
public import Foundation
public import Logging

/// Runs a replicate in an enclave, as iExec's TEE workers do: pre-compute, compute, post-compute
/// (docs/worker.md).
///
/// 1. **The app**: fetches the bundle the app's `multiaddr` names from the blob store and measures it.
/// 2. **The keys**: starts an enclave session for the task and that measurement, and asks the SMS to open it with
///    the scheduler's authorization. The SMS releases the task's secrets only when the measurement is the app's
///    registered one, the evidence is of a kind the deal accepts and binds this session's key, and the grant stands.
/// 3. **The inputs**: fetches the dataset's encrypted payload, checks it against the ledger's checksum and decrypts it
///    into `$IEXEC_IN/$IEXEC_DATASET_FILENAME` (the dataset's address, as iExec names it); fetches each input file and
///    checks it against its CID.
/// 4. **The run**: the bundle's runtime (`wasm` or `process`) with iExec's environment and the manifest's limits.
/// 5. **The result**: reads `computed.json`, computes the result digest, zips `$IEXEC_OUT` deterministically,
///    encrypts it to the beneficiary when the deal asks for it, stores it, signs resultHash ‖ resultSeal with the
///    task's enclave challenge key, and stores the result receipt.
///
/// Every failure becomes a ``ReplicateFailure`` that says why, for the requester.
public struct TaskExecutor: TaskExecuting {
    public struct Configuration: Sendable {
        /// Where each run gets a folder of its own (removed when the run ends); by default in memory when the machine
        /// has a memory file system (``ScratchFolder``).
        public var workDirectory: URL
        /// The runtime of `process` apps; nil when this worker takes only WebAssembly apps.
        public var processRuntime: ProcessRuntime?

        public init(
            workDirectory: URL = ScratchFolder.default(named: "clave-worker"),
            processRuntime: ProcessRuntime? = ProcessRuntime()
        ) {
            self.workDirectory = workDirectory
            self.processRuntime = processRuntime
        }
    }

    public let configuration: Configuration
    private let ledger: any LedgerService
    private let blobs: any BlobStore
    private let sms: any SecretService
    private let enclave: any Enclave
    private let wasmRuntime: WasmRuntime
    private let bundles: BundleCache
    private let deals = DealCache()
    /// A result whose files hold up to this many bytes is archived, sealed and stored in memory; a larger one
    /// through files.
    static let inMemoryResultSize: UInt64 = 4 << 20
    private let logger: Logger

    public init(
        configuration: Configuration = Configuration(), ledger: any LedgerService, blobs: any BlobStore,
        sms: any SecretService, enclave: any Enclave, logger: Logger
    ) {
        self.configuration = configuration
        self.ledger = ledger
        self.blobs = blobs
        self.sms = sms
        self.enclave = enclave
        self.wasmRuntime = WasmRuntime(logger: logger)
        self.bundles = BundleCache(directory: configuration.workDirectory.appendingPathComponent("bundles"))
        self.logger = logger
    }

    public func execute(
        _ assignment: WorkAssignment, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async -> Result<ReplicateResult, ReplicateFailure> {
        let folder = configuration.workDirectory.appendingPathComponent(
            "task-\(Hex.encode(assignment.taskId.bytes.prefix(8)))-\(UUID().uuidString)", isDirectory: true)
        defer { FileTree.remove(folder) }
        let outcome: Result<ReplicateResult, ReplicateFailure>
        do throws(ReplicateFailure) {
            let run = try await TaskRun.prepare(
                assignment, folder: folder, ledger: ledger, blobs: blobs, bundles: bundles, deals: deals,
                progress: progress)
            outcome = await execute(run, progress: progress)
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let result):
            logger.info(
                "replicate computed",
                metadata: .replicate(
                    task: assignment.taskId, worker: assignment.worker, ["resultDigest": "\(result.resultDigest)"]))
        case .failure(let failure):
            logger.info(
                "replicate failed",
                metadata: .replicate(
                    task: assignment.taskId, worker: assignment.worker,
                    ["cause": "\(failure.cause)", "reason": "\(failure.message)"]))
        }
        return outcome
    }

    /// Pre-compute, compute and post-compute of a prepared run. Once the app ran (or failed), its logs are stored:
    /// with the result and its receipt when there is one (one flush of the blob store for the three), alone when
    /// there is not.
    private func execute(
        _ run: TaskRun, progress: @escaping @Sendable (ReplicateStatus) async -> Void
    ) async -> Result<ReplicateResult, ReplicateFailure> {
        let secrets: SessionSecrets
        let inputs: TaskInputs
        let sealing: ResultEncryption.Sealing?
        do throws(ReplicateFailure) {
            secrets = try await openSession(run)
            await progress(.dataDownloading)
            inputs = try await fetchInputs(run, secrets: secrets)
            sealing = try Self.sealing(for: run)
        } catch {
            return .failure(error)
        }
        await progress(.dataDownloaded)
        await progress(.computing)
        do throws(ReplicateFailure) {
            try await compute(run, secrets: secrets, inputs: inputs)
        } catch {
            var failure = error
            failure.logs = await storeLogs(sealedLogs(run, sealing))
            return .failure(failure)
        }
        await progress(.computed)
        await progress(.resultUploading)
        let outcome = await postCompute(
            run, secrets: secrets, inputs: inputs, sealing: sealing, logs: sealedLogs(run, sealing))
        if case .success = outcome { await progress(.resultUploaded) }
        return outcome
    }

    /// The task's sealing to the beneficiary, when the deal asks for its results encrypted: one content key, wrapped
    /// once, for the result and the logs both.
    private static func sealing(for run: TaskRun) throws(ReplicateFailure) -> ResultEncryption.Sealing? {
        guard let recipient = run.resultRecipient else { return nil }
        do {
            return try ResultEncryption.Sealing(recipient: recipient, taskId: run.assignment.taskId)
        } catch {
            throw ReplicateFailure(
                .workerError, "The result key could not be sealed to the beneficiary: \(error.message)",
                isDeterministic: false)
        }
    }

    /// A result archive ready to store: sealed in memory, or in a file.
    private enum SealedResult {
        case inMemory([UInt8])
        case file(URL)
    }

    /// The result archive, `bytes` or else the file at `file`, sealed with `sealing` when there is one.
    private func sealedResult(_ bytes: [UInt8]?, orFileAt file: URL, sealing: ResultEncryption.Sealing?)
        throws(ReplicateFailure) -> SealedResult
    {
        do {
            if let archive = bytes {
                guard let sealing else { return .inMemory(archive) }
                return .inMemory(try sealing.seal(archive))
            }
            guard let sealing else { return .file(file) }
            let sealed = file.deletingLastPathComponent().appendingPathComponent("result.sealed")
            try sealing.seal(fileAt: file, to: sealed)
            return .file(sealed)
        } catch {
            throw ReplicateFailure(
                .workerError, "The result could not be encrypted: \(error.message)", isDeterministic: false)
        }
    }

    /// Runs `put`, a put of the result (or of its receipt, `what`), with its failure worded for the requester.
    private static func store(_ what: String, _ put: () async throws(StorageError) -> StoredBlob) async
        -> Result<StoredBlob, ReplicateFailure>
    {
        do {
            return .success(try await put())
        } catch {
            return .failure(
                ReplicateFailure(
                    .resultUploadFailed, "The \(what) could not be stored: \(error.message)", isDeterministic: false))
        }
    }

    /// The app's standard output and error, sealed with the task's `sealing`; nil when the deal does not ask for its
    /// results to be encrypted (logs can hold what the app read, so they are never stored in the clear) or they
    /// cannot be sealed (the logs are then lost, not the task).
    private func sealedLogs(_ run: TaskRun, _ sealing: ResultEncryption.Sealing?) -> [UInt8]? {
        guard let sealing else { return nil }
        func read(_ url: URL) -> [UInt8] { (try? FileTree.readFile(url)) ?? [] }
        let text =
            Array("== stdout ==\n".utf8) + read(run.standardOutput) + Array("\n== stderr ==\n".utf8)
            + read(run.standardError)
        do {
            return try sealing.seal(text)
        } catch {
            logger.warning("the app's logs could not be sealed", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    /// Stores the sealed logs and returns where; nil when there are none or the store fails (the logs are then lost,
    /// not the task).
    private func storeLogs(_ sealed: [UInt8]?) async -> String? {
        guard let sealed else { return nil }
        do {
            return try await blobs.put(bytes: sealed).cid.locator
        } catch {
            logger.warning("the app's logs could not be stored", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    // MARK: Keys

    /// Opens the task's SMS session in this worker's enclave.
    private func openSession(_ run: TaskRun) async throws(ReplicateFailure) -> SessionSecrets {
        let session: EnclaveSession
        do {
            session = try enclave.startSession(taskId: run.assignment.taskId, measurement: run.bundle.measurement)
        } catch {
            throw ReplicateFailure(
                .workerError, "The enclave could not start a session: \(error.message)", isDeterministic: false)
        }
        do {
            let sealed = try await sms.openSession(
                SessionRequest(authorization: run.assignment.authorization, session: session))
            return try session.open(sealed)
        } catch {
            let transient: Set<SMSError.Code> = [.ledgerUnavailable, .unavailable, .storage, .taskNotActive]
            throw ReplicateFailure(
                .keyReleaseRefused, "The SMS released no keys for this task: \(error.message)",
                isDeterministic: !transient.contains(error.code))
        }
    }

    // MARK: Inputs

    /// The dataset and input files, written into the run's input folder.
    private func fetchInputs(_ run: TaskRun, secrets: SessionSecrets) async throws(ReplicateFailure) -> TaskInputs {
        var inputs = TaskInputs()
        let deal = run.deal
        if deal.dataset.address != .zero {
            inputs.dataset = try await fetchDataset(run, secrets: secrets)
        }
        for file in run.params.inputFiles {
            guard !inputs.files.contains(where: { $0.name == file.name }) else {
                throw ReplicateFailure(
                    .inputUnavailable,
                    "Two input files of the deal are both named '\(file.name)'; the requester must name each file once.",
                    isDeterministic: true)
            }
            inputs.files.append(try await fetchInputFile(file, into: run.input))
        }
        return inputs
    }

    private func fetchDataset(_ run: TaskRun, secrets: SessionSecrets) async throws(ReplicateFailure) -> DatasetInput {
        let address = run.deal.dataset.address
        let dataset: Dataset
        do {
            guard let found = try await ledger.dataset(address) else {
                throw ReplicateFailure(
                    .inputUnavailable, "The ledger has no dataset \(address), which deal \(run.deal.id) names.",
                    isDeterministic: true)
            }
            dataset = found
        } catch let error as ReplicateFailure {
            throw error
        } catch {
            throw ReplicateFailure(.inputUnavailable, "The ledger could not be read: \(error)", isDeterministic: false)
        }
        guard let keyBytes = secrets.datasetKey else {
            throw ReplicateFailure(
                .keyReleaseRefused, "The SMS released no key for dataset \(address).", isDeterministic: true)
        }
        let key: DatasetKey
        do {
            key = try DatasetKey(bytes: keyBytes)
        } catch {
            throw ReplicateFailure(
                .inputUnavailable, "The key of dataset \(address) is not a dataset key: \(error.message)",
                isDeterministic: true)
        }
        let filename = address.checksummed
        do {
            try await ProtectedPayload.decrypt(
                dataset, key: key, blobs: blobs, to: run.input.appendingPathComponent(filename, isDirectory: false),
                permissions: 0o644,
                synced: false)
        } catch let error as RuntimeError {
            throw ReplicateFailure(
                error.code == .io ? .workerError : .inputUnavailable, error.message,
                isDeterministic: error.code != .io)
        } catch let error as StorageError {
            throw ReplicateFailure(
                .inputUnavailable, "The payload of dataset \(address) could not be fetched: \(error.message)",
                isDeterministic: error.code == .notFound || error.code == .corrupted)
        } catch {
            throw ReplicateFailure(
                .inputUnavailable,
                "The payload of dataset \(address) does not decrypt with its key (\(error)): it was altered, or the key pushed is another dataset's.",
                isDeterministic: true)
        }
        return DatasetInput(address: address, checksum: dataset.checksum, filename: filename)
    }

    private func fetchInputFile(_ file: DealParams.InputFile, into folder: URL) async throws(ReplicateFailure)
        -> InputFileRecord
    {
        guard let locator = file.cid else {
            throw ReplicateFailure(
                .inputUnavailable,
                "Input file \(file.url) is not in the network's blob store (clave://<CID>/<name>); workers fetch nothing from outside. Upload it with `clave app run --input-file`.",
                isDeterministic: true)
        }
        let cid = try Self.cid(locator, of: "input file \(file.name)", cause: .inputUnavailable)
        do {
            try await blobs.get(cid, toFileAt: folder.appendingPathComponent(file.name))
        } catch {
            throw ReplicateFailure(
                .inputUnavailable, "Input file \(file.url) could not be fetched: \(error.message)",
                isDeterministic: error.code == .notFound)
        }
        return InputFileRecord(url: file.url, name: file.name, sha256: cid.sha256Digest)
    }

    /// The CID the locator `multiaddr` names (``ClaveStorage/CID/init(locator:)``); a failure of `cause` when it
    /// names none.
    static func cid(_ multiaddr: String, of what: String, cause: ReplicateFailure.Cause) throws(ReplicateFailure)
        -> CID
    {
        do {
            return try CID(locator: multiaddr)
        } catch {
            throw ReplicateFailure(
                cause, "\(what) is at '\(multiaddr.prefix(120))', which names no blob: \(error.message)",
                isDeterministic: true)
        }
    }

    // MARK: Compute

    private func compute(_ run: TaskRun, secrets: SessionSecrets, inputs: TaskInputs)
        async throws(ReplicateFailure)
    {
        let manifest = run.bundle.manifest
        let runtime: any AppRuntime
        switch manifest.runtime {
        case .wasm: runtime = wasmRuntime
        case .process:
            guard let process = configuration.processRuntime else {
                throw ReplicateFailure(
                    .workerError, "This worker runs no `process` apps; the scheduler must give the task to another.",
                    isDeterministic: false)
            }
            runtime = process
        }
        let execution = Execution(
            bundle: run.bundleFolder, entrypoint: manifest.entrypoint, arguments: run.params.arguments,
            environment: Self.environment(run, secrets: secrets, inputs: inputs), input: run.input, output: run.output,
            limits: manifest.limits, standardOutput: run.standardOutput, standardError: run.standardError,
            // The bundle cache's folders are checked against the measurement when made, and never written after.
            bundleMeasurement: run.bundle.measurement)
        let result: ExecutionResult
        do {
            result = try await runtime.run(execution)
        } catch {
            throw ReplicateFailure(
                error.code == .sandboxUnavailable ? .workerError : .appFailed,
                "The app could not be started: \(error.message)",
                isDeterministic: error.code != .sandboxUnavailable && error.code != .io)
        }
        logger.debug(
            "app ran",
            metadata: .replicate(
                task: run.assignment.taskId, worker: run.assignment.worker,
                ["termination": "\(result.termination)", "wallTime": "\(result.wallTime)"]))
        switch result.termination {
        case .exited(0):
            return
        case .timedOut, .outOfFuel:
            throw ReplicateFailure(.timedOut, "The app \(result.termination).", isDeterministic: true)
        case .outOfMemory, .outputTooLarge:
            throw ReplicateFailure(.limitExceeded, "The app \(result.termination).", isDeterministic: true)
        case .exited, .signaled, .trapped:
            let said = OutputDigest.errorMessage(in: run.output).map { " Its error-message: \($0)" }
            throw ReplicateFailure(.appFailed, "The app \(result.termination).\(said ?? "")", isDeterministic: true)
        }
    }

    /// iExec's environment of an app (its I/O contract): the task, the dataset, the input files, the secrets.
    static func environment(_ run: TaskRun, secrets: SessionSecrets, inputs: TaskInputs) -> [String: String] {
        let deal = run.deal
        return AppEnvironment(
            taskId: run.assignment.taskId.description, dealId: deal.id.description, botSize: deal.botSize,
            botFirstIndex: deal.botFirst, taskIndex: run.assignment.index,
            dataset: inputs.dataset.map {
                AppEnvironment.Dataset(
                    address: $0.address.checksummed, filename: $0.filename, checksum: $0.checksum.description)
            },
            inputFiles: inputs.files.map(\.name),
            appDeveloperSecret: secrets.appDeveloperSecret.map { String(decoding: $0, as: UTF8.self) },
            requesterSecrets: secrets.requesterSecrets.mapValues { String(decoding: $0, as: UTF8.self) }
        ).variables
    }

    static func computedFile(in output: URL) throws(ReplicateFailure) -> ComputedFile {
        do {
            return try OutputDigest.computedFile(in: output)
        } catch {
            throw ReplicateFailure(.appFailed, error.message, isDeterministic: true)
        }
    }

    // MARK: Result

    /// Post-compute: the result's digest, archive, sealing and receipt, stored with the app's `logs` (sealed with the
    /// same `sealing`) at once, so that one flush of the blob store takes the three. Whatever the outcome, it names
    /// where the logs went.
    private func postCompute(
        _ run: TaskRun, secrets: SessionSecrets, inputs: TaskInputs, sealing: ResultEncryption.Sealing?,
        logs: [UInt8]?
    ) async -> Result<ReplicateResult, ReplicateFailure> {
        let prepared: PreparedResult
        do throws(ReplicateFailure) {
            prepared = try prepareResult(run, secrets: secrets, inputs: inputs, sealing: sealing)
        } catch {
            var failure = error
            failure.logs = await storeLogs(logs)
            return .failure(failure)
        }
        let stored: Result<(result: StoredBlob, receipt: ResultReceipt, receiptBlob: StoredBlob), ReplicateFailure>
        let logsAt: String?
        switch prepared.sealed {
        case .inMemory(let bytes):
            // Named before it is stored, so that the result and its receipt are stored together: one flush of the
            // store for both (and the logs) instead of one after the other.
            let cid = CID(hashing: bytes)
            let receipt = prepared.receipt(cid, bytes.count)
            async let storedResult = Self.store("result") { () async throws(StorageError) in
                try await blobs.put(bytes: bytes, expected: cid)
            }
            async let storedReceipt = Self.store("result receipt") { () async throws(StorageError) in
                try await blobs.put(bytes: receipt.canonicalBytes)
            }
            async let storedLogs = storeLogs(logs)
            let (resultBlob, receiptBlob) = await (storedResult, storedReceipt)
            logsAt = await storedLogs
            stored = resultBlob.flatMap { result in receiptBlob.map { (result, receipt, $0) } }
        case .file(let file):
            async let storedLogs = storeLogs(logs)
            switch await Self.store("result", { () async throws(StorageError) in try await blobs.put(fileAt: file) }) {
            case .success(let resultBlob):
                let receipt = prepared.receipt(resultBlob.cid, resultBlob.size)
                stored = await Self.store("result receipt") { () async throws(StorageError) in
                    try await blobs.put(bytes: receipt.canonicalBytes)
                }.map { (resultBlob, receipt, $0) }
            case .failure(let failure):
                stored = .failure(failure)
            }
            logsAt = await storedLogs
        }
        switch stored {
        case .success(let (resultBlob, receipt, receiptBlob)):
            let location = ResultLocation(
                location: resultBlob.cid.description, receipt: receiptBlob.cid.description,
                encrypted: sealing != nil)
            // The receipt's enclave signature is PoCo's enclaveSign over resultHash ‖ resultSeal: the contribution's.
            var result = ReplicateResult(
                resultDigest: prepared.digest, enclaveChallenge: secrets.enclaveChallengeKey.address,
                enclaveSignature: receipt.enclaveSignature, results: location.bytes,
                resultsCallback: prepared.callbackData ?? [])
            result.logs = logsAt
            return .success(result)
        case .failure(var failure):
            failure.logs = logsAt
            return .failure(failure)
        }
    }

    /// A computed result, archived and sealed, ready to store; `receipt` signs the receipt for the CID and size it
    /// is stored under.
    private struct PreparedResult {
        let digest: Bytes32
        let callbackData: [UInt8]?
        let sealed: SealedResult
        let receipt: (CID, Int) -> ResultReceipt
    }

    /// Reads `computed.json`, computes the result digest, zips `$IEXEC_OUT` and seals it: in memory when small,
    /// through files when large, so that a result of any size is stored in constant memory.
    private func prepareResult(
        _ run: TaskRun, secrets: SessionSecrets, inputs: TaskInputs, sealing: ResultEncryption.Sealing?
    ) throws(ReplicateFailure) -> PreparedResult {
        guard let evidence = ResultReceipt.EvidenceKind(label: enclave.kind.rawValue) else {
            throw ReplicateFailure(
                .workerError, "This worker's enclave kind `\(enclave.kind)` has no name in result receipts.",
                isDeterministic: false)
        }
        if let message = OutputDigest.errorMessage(in: run.output) {
            throw ReplicateFailure(.appFailed, "The app reported an error: \(message)", isDeterministic: true)
        }
        // An error-message was looked for above, so the computed file holds none.
        let computed = try Self.computedFile(in: run.output)
        let digest: Bytes32
        do {
            digest = try OutputDigest.compute(output: run.output, computed: computed)
        } catch {
            throw ReplicateFailure(
                .appFailed, "The app's result has no digest: \(error.message)", isDeterministic: true)
        }
        let archiveFile = run.folder.appendingPathComponent("result.zip", isDirectory: false)
        let small: [UInt8]?
        do {
            small = try ResultArchive.make(
                directory: run.output, inMemoryUpTo: Self.inMemoryResultSize, orAt: archiveFile)
        } catch {
            throw ReplicateFailure(.appFailed, "$IEXEC_OUT cannot be archived: \(error.message)", isDeterministic: true)
        }
        let sealed = try sealedResult(small, orFileAt: archiveFile, sealing: sealing)
        let challengeKey = secrets.enclaveChallengeKey
        let isEncrypted = sealing != nil
        return PreparedResult(digest: digest, callbackData: computed.callbackData, sealed: sealed) { cid, size in
            ResultReceipt.signed(
                chainId: run.chainId, taskId: run.assignment.taskId, dealId: run.deal.id, app: run.deal.app.address,
                appMeasurement: run.bundle.measurement,
                dataset: inputs.dataset?.address, datasetChecksum: inputs.dataset?.checksum,
                inputFiles: inputs.files.map { ResultReceipt.InputFile(url: $0.url, sha256: $0.sha256) },
                worker: run.assignment.worker, resultDigest: digest, callbackData: computed.callbackData,
                deterministicOutputPath: computed.outputPathInIexecOut,
                result: ResultReceipt.StoredResult(
                    cid: cid.description, sha256: cid.sha256Digest, size: UInt64(size), isEncrypted: isEncrypted),
                evidence: evidence, enclaveChallengeKey: challengeKey)
        }
    }
}
