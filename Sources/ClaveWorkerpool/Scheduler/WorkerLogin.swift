public import ClaveCrypto
import ClaveCore

/// A challenge the scheduler issued for one worker's login: sign ``WorkerLogin/message(workerpool:worker:nonce:)``.
///
/// JSON: `{"workerpool", "worker", "nonce"}`.
public struct LoginChallenge: Sendable, Hashable {
    public var workerpool: Address
    public var worker: Address
    /// Random, single use, and valid for a short time (``WorkerpoolScheduler/Configuration/loginChallengeLifetime``).
    public var nonce: Bytes32

    public init(workerpool: Address, worker: Address, nonce: Bytes32) {
        self.workerpool = workerpool
        self.worker = worker
        self.nonce = nonce
    }
}

/// A worker's login: its signed answer to a ``LoginChallenge``, and how many tasks it runs at once.
///
/// The worker signs, as an EIP-191 personal message, the 32 bytes
/// keccak256("clave-worker-login-v1" ‖ workerpool ‖ worker ‖ nonce). The nonce is issued by the scheduler and used
/// once, so a captured login cannot be replayed; the workerpool is in the message, so a login for one pool opens no
/// session in another.
///
/// JSON: `{"workerpool", "worker", "nonce", "capacity": "2", "signature"}`.
public struct WorkerLogin: Sendable, Hashable {
    public var workerpool: Address
    public var worker: Address
    public var nonce: Bytes32
    /// How many tasks the worker runs at once (at least 1).
    public var capacity: UInt64
    public var signature: Signature

    public init(workerpool: Address, worker: Address, nonce: Bytes32, capacity: UInt64, signature: Signature) {
        self.workerpool = workerpool
        self.worker = worker
        self.nonce = nonce
        self.capacity = capacity
        self.signature = signature
    }

    /// The login answering `challenge`, signed with the worker's `key`.
    public init(answering challenge: LoginChallenge, capacity: UInt64, signedWith key: PrivateKey) {
        let message = Self.message(workerpool: challenge.workerpool, worker: key.address, nonce: challenge.nonce)
        self.init(
            workerpool: challenge.workerpool, worker: key.address, nonce: challenge.nonce, capacity: capacity,
            signature: key.signPersonalMessage(message.bytes))
    }

    /// The domain separator of the login message.
    public static let domain = "clave-worker-login-v1"

    /// keccak256("clave-worker-login-v1" ‖ workerpool ‖ worker ‖ nonce): the 32 bytes the worker signs.
    public static func message(workerpool: Address, worker: Address, nonce: Bytes32) -> Bytes32 {
        Keccak256.hash(Array(domain.utf8) + workerpool.bytes + worker.bytes + nonce.bytes)
    }

    /// Who signed the login, or nil when the signature recovers no one.
    public var signer: Address? {
        try? signature.recoverPersonalMessageSigner(
            Self.message(workerpool: workerpool, worker: worker, nonce: nonce).bytes)
    }
}

/// An open session of a worker with the scheduler. The token is a bearer secret: only the worker holds it.
///
/// JSON: `{"token", "workerpool", "worker", "capacity": "1", "heartbeatIntervalMilliseconds": "10000",
/// "leaseMilliseconds": "30000"}`.
public struct WorkerSession: Sendable, Hashable {
    public var token: Bytes32
    public var workerpool: Address
    public var worker: Address
    public var capacity: UInt64
    /// How often the worker must heartbeat.
    public var heartbeatInterval: Duration
    /// How long a replicate's lease lasts without a heartbeat before the worker is deemed lost.
    public var leaseDuration: Duration

    public init(
        token: Bytes32, workerpool: Address, worker: Address, capacity: UInt64, heartbeatInterval: Duration,
        leaseDuration: Duration
    ) {
        self.token = token
        self.workerpool = workerpool
        self.worker = worker
        self.capacity = capacity
        self.heartbeatInterval = heartbeatInterval
        self.leaseDuration = leaseDuration
    }
}
