public import ClaveCrypto
public import ClaveSMS

/// The SMS of a node, over HTTP: the same ``ClaveSMS/SecretService`` as the node's own
/// ``ClaveSMS/SecretManagementService``.
///
/// Every failure is an ``ClaveSMS/SMSError``, as the protocol says: the node's refusals keep their code and message,
/// and a node that cannot be reached, or answers something else than the API, is
/// ``ClaveSMS/SMSError/Code/unavailable``.
public struct SecretServiceClient: SecretService {
    public let connection: NodeConnection

    public init(connection: NodeConnection) {
        self.connection = connection
    }

    public func push(_ push: SecretPush) async throws(SMSError) -> PushReceipt {
        let json = try await call { try await connection.post("/v1/sms/secrets", body: push.json) }
        return try PushReceipt(json: json)
    }

    public func exists(_ secret: SecretIdentifier) async throws(SMSError) -> Bool {
        let path = "/v1/sms/secrets/\(secret.kind.rawValue)/\(secret.target.checksummed)/\(secret.name)"
        let json = try await call { try await connection.get(path) }
        guard let exists = json?["exists"]?.boolValue else {
            throw SMSError(.unavailable, "\(connection.baseURL)\(path) did not answer whether the secret exists.")
        }
        return exists
    }

    public func enclaveChallenge(for taskId: Bytes32) async throws(SMSError) -> Address {
        let path = "/v1/sms/tasks/\(taskId)/enclave-challenge"
        let json = try await call { try await connection.post(path, body: [:]) }
        guard let text = json["enclaveChallenge"]?.stringValue, let address = try? Address(text) else {
            throw SMSError(.unavailable, "\(connection.baseURL)\(path) answered without an enclave challenge address.")
        }
        return address
    }

    public func openSession(_ request: SessionRequest) async throws(SMSError) -> SealedSession {
        let json = try await call { try await connection.post("/v1/sms/sessions", body: request.json) }
        return try SealedSession(json: json)
    }

    private func call<Value>(_ request: () async throws -> Value) async throws(SMSError) -> Value {
        do {
            return try await request()
        } catch let error as RemoteError {
            switch error.kind {
            case "sms": throw SMSError(SMSError.Code(error.code), error.message)
            default: throw SMSError(SMSError.Code(error.code), "\(error.message) (HTTP \(error.status))")
            }
        } catch let error as ClientError {
            throw SMSError(.unavailable, error.message)
        } catch {
            throw SMSError(.unavailable, "\(connection.baseURL) could not be asked: \(error).")
        }
    }
}
