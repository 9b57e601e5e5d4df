/// iExec's environment of an app, its I/O contract (docs/worker.md): the task, its dataset, its input files, its
/// secrets. A worker makes it for a task; `clave app test` makes it for a local run, so an app sees the same
/// variables in both.
public struct AppEnvironment: Sendable, Hashable {
    /// The protected data of the task, as the app finds it in `$IEXEC_IN`.
    public struct Dataset: Sendable, Hashable {
        public var address: String
        /// The file's name in `$IEXEC_IN` (iExec names it by the dataset's address).
        public var filename: String
        public var checksum: String

        public init(address: String, filename: String, checksum: String) {
            self.address = address
            self.filename = filename
            self.checksum = checksum
        }
    }

    public var taskId: String
    public var dealId: String
    public var botSize: UInt64
    public var botFirstIndex: UInt64
    public var taskIndex: UInt64
    public var dataset: Dataset?
    /// The input files' names in `$IEXEC_IN`, in the order the deal lists them.
    public var inputFiles: [String]
    public var appDeveloperSecret: String?
    /// The requester's secrets by their index (1 or more).
    public var requesterSecrets: [UInt64: String]

    public init(
        taskId: String, dealId: String, botSize: UInt64 = 1, botFirstIndex: UInt64 = 0, taskIndex: UInt64 = 0,
        dataset: Dataset? = nil, inputFiles: [String] = [], appDeveloperSecret: String? = nil,
        requesterSecrets: [UInt64: String] = [:]
    ) {
        self.taskId = taskId
        self.dealId = dealId
        self.botSize = botSize
        self.botFirstIndex = botFirstIndex
        self.taskIndex = taskIndex
        self.dataset = dataset
        self.inputFiles = inputFiles
        self.appDeveloperSecret = appDeveloperSecret
        self.requesterSecrets = requesterSecrets
    }

    /// The variables, as ``Execution/environment`` takes them.
    public var variables: [String: String] {
        var variables = [
            "IEXEC_TASK_ID": taskId,
            "IEXEC_DEAL_ID": dealId,
            "IEXEC_BOT_SIZE": String(botSize),
            "IEXEC_BOT_FIRST_INDEX": String(botFirstIndex),
            "IEXEC_BOT_TASK_INDEX": String(taskIndex),
            "IEXEC_INPUT_FILES_FOLDER": Execution.inputPath,
            "IEXEC_INPUT_FILES_NUMBER": String(inputFiles.count),
        ]
        if let dataset {
            variables["IEXEC_DATASET_ADDRESS"] = dataset.address
            variables["IEXEC_DATASET_FILENAME"] = dataset.filename
            variables["IEXEC_DATASET_CHECKSUM"] = dataset.checksum
        }
        for (offset, name) in inputFiles.enumerated() {
            variables["IEXEC_INPUT_FILE_NAME_\(offset + 1)"] = name
        }
        if let appDeveloperSecret {
            variables["IEXEC_APP_DEVELOPER_SECRET"] = appDeveloperSecret
        }
        for (index, secret) in requesterSecrets {
            variables["IEXEC_REQUESTER_SECRET_\(index)"] = secret
        }
        return variables
    }
}
