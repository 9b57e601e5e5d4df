public import ClaveCrypto

/// One task of a deal (PoCo's task; `ComputeTask` so that Swift's `Task` is not shadowed).
public struct ComputeTask: Sendable, Hashable {
    /// PoCo's task statuses.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Not initialized.
        case unset = "UNSET"
        /// Initialized; workers contribute.
        case active = "ACTIVE"
        /// Consensus reached; the winners reveal.
        case revealing = "REVEALING"
        /// Finalized: results stored, everyone paid.
        case completed = "COMPLETED"
        /// Claimed after the final deadline: the sponsor refunded.
        case failed = "FAILED"
    }

    public var id: Bytes32
    public var dealId: Bytes32
    public var index: UInt64
    public var status: Status
    /// The category's time reference (seconds).
    public var timeref: UInt64
    /// deal start + 7 × timeref: contributions are accepted before it.
    public var contributionDeadline: UInt64
    /// Set at consensus to consensus time + 2 × timeref: reveals are accepted before it.
    public var revealDeadline: UInt64
    /// deal start + 10 × timeref: finalize before it, claim from it on.
    public var finalDeadline: UInt64
    /// The result hash of the group that reached consensus.
    public var consensusValue: Bytes32
    public var revealCounter: UInt64
    public var winnerCounter: UInt64
    /// The workers in the order they contributed.
    public var contributors: [Address]
    public var contributions: [Address: Contribution]
    /// The weight of each group of contributions with the same result hash.
    public var groupWeights: [Bytes32: UInt64]
    /// The sum of the group weights.
    public var totalWeight: UInt64
    /// The digest revealed by the winners.
    public var resultDigest: Bytes32
    /// What the scheduler stored at finalize (for example the result's location).
    public var results: [UInt8]
    /// The data delivered to the deal's callback; keccak256 of it is the result digest.
    public var resultsCallback: [UInt8]

    public init(
        id: Bytes32, dealId: Bytes32, index: UInt64, status: Status, timeref: UInt64, contributionDeadline: UInt64,
        finalDeadline: UInt64
    ) {
        self.id = id
        self.dealId = dealId
        self.index = index
        self.status = status
        self.timeref = timeref
        self.contributionDeadline = contributionDeadline
        self.revealDeadline = 0
        self.finalDeadline = finalDeadline
        self.consensusValue = .zero
        self.revealCounter = 0
        self.winnerCounter = 0
        self.contributors = []
        self.contributions = [:]
        self.groupWeights = [:]
        self.totalWeight = 0
        self.resultDigest = .zero
        self.results = []
        self.resultsCallback = []
    }

    /// The task id, as PoCo derives it: keccak256(dealId ‖ uint256(index)).
    public static func id(dealId: Bytes32, index: UInt64) -> Bytes32 {
        Hashing.keccak(dealId.bytes, Hashing.uint256(index))
    }

    /// The result hash a worker commits to: keccak256(taskId ‖ resultDigest). The same for every honest worker.
    public static func resultHash(taskId: Bytes32, resultDigest: Bytes32) -> Bytes32 {
        Hashing.keccak(taskId.bytes, resultDigest.bytes)
    }

    /// The result seal a worker commits to: keccak256(worker ‖ taskId ‖ resultDigest). Different for each worker, so
    /// a worker cannot copy another's contribution without knowing the digest.
    public static func resultSeal(worker: Address, taskId: Bytes32, resultDigest: Bytes32) -> Bytes32 {
        Hashing.keccak(worker.bytes, taskId.bytes, resultDigest.bytes)
    }

    /// The 32-byte message the scheduler signs (EIP-191 personal message) to let `worker` contribute:
    /// keccak256(worker ‖ taskId ‖ enclaveChallenge).
    public static func authorizationMessage(worker: Address, taskId: Bytes32, enclaveChallenge: Address) -> Bytes32 {
        Hashing.keccak(worker.bytes, taskId.bytes, enclaveChallenge.bytes)
    }

    /// The 32-byte message the enclave signs (EIP-191 personal message) over its result:
    /// keccak256(resultHash ‖ resultSeal).
    public static func enclaveMessage(resultHash: Bytes32, resultSeal: Bytes32) -> Bytes32 {
        Hashing.keccak(resultHash.bytes, resultSeal.bytes)
    }

    /// The digest a signature over a 32-byte `message` as an EIP-191 personal message signs.
    public static func personalMessageDigest(_ message: Bytes32) -> Bytes32 {
        Hashing.personalMessage(message)
    }

    /// A worker's weight from its score: max(score / 3, 3) − 1, so at least 2.
    public static func weight(score: UInt64) -> UInt64 {
        max(score / 3, 3) - 1
    }
}

/// A worker's contribution to a task.
public struct Contribution: Sendable, Hashable {
    /// PoCo's contribution statuses.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case unset = "UNSET"
        /// Committed to a result hash and seal.
        case contributed = "CONTRIBUTED"
        /// Revealed the digest behind a winning contribution.
        case proved = "PROVED"
        /// Its group won a consensus nobody revealed; the task was reopened without it.
        case rejected = "REJECTED"
    }

    public var status: Status
    public var resultHash: Bytes32
    public var resultSeal: Bytes32
    public var enclaveChallenge: Address
    /// The worker's weight when it contributed.
    public var weight: UInt64
    /// What the worker locked to contribute (the deal's worker stake; 0 for contributeAndFinalize).
    public var stake: UInt64

    public init(
        status: Status, resultHash: Bytes32, resultSeal: Bytes32, enclaveChallenge: Address, weight: UInt64,
        stake: UInt64
    ) {
        self.status = status
        self.resultHash = resultHash
        self.resultSeal = resultSeal
        self.enclaveChallenge = enclaveChallenge
        self.weight = weight
        self.stake = stake
    }
}
