import ClaveCore
import ClaveCrypto
import ClaveSMS
import HTTPTypes
import Hummingbird

// The SMS's routes under /v1/sms (docs/sms.md, docs/api.md): pushes, existence, enclave challenges, sessions.

extension ClaveAPI {
    /// Adds the handlers of the `/v1/sms` routes of ``routes`` through `on`.
    func addSMSRoutes<Context: RequestContext>(
        _ on: (Route, @escaping @Sendable (inout Request, Context) async throws -> Response) -> Void
    ) {
        let sms = sms
        on(Route(.post, "/v1/sms/secrets")) { request, _ in
            let push = try SecretPush(json: try await JSONRequest.body(of: &request))
            return JSONResponse.make(try await sms.push(push).json)
        }
        on(Route(.get, "/v1/sms/secrets/{kind}/{target}/{name}")) { _, context in
            let kindText = try context.parameters.require("kind")
            guard let kind = SecretKind(rawValue: kindText) else {
                throw APIError.invalidParameter("kind", kindText, expected: "dataset, app-developer or requester")
            }
            let secret = try SecretIdentifier(
                kind: kind, target: try Parameters.address(context, "target"),
                name: try context.parameters.require("name"))
            let exists = try await sms.exists(secret)
            return JSONResponse.make([
                "kind": .string(kind.rawValue), "target": .string(secret.target.checksummed),
                "name": .string(secret.name), "exists": .bool(exists),
            ])
        }
        on(Route(.post, "/v1/sms/tasks/{taskId}/enclave-challenge")) { _, context in
            let taskId = try Parameters.bytes32(context, "taskId")
            let challenge = try await sms.enclaveChallenge(for: taskId)
            return JSONResponse.make([
                "taskId": .string(taskId.description), "enclaveChallenge": .string(challenge.checksummed),
            ])
        }
        on(Route(.post, "/v1/sms/sessions")) { request, _ in
            let session = try SessionRequest(json: try await JSONRequest.body(of: &request))
            return JSONResponse.make(try await sms.openSession(session).json)
        }
    }
}

extension APIError {
    /// The status of an SMS refusal: 400 for a request that cannot be read, 403 when a signature or authorization
    /// does not allow it, 409 for a second dataset key, 413 for a value too large, 422 when the evidence or the
    /// ledger's state refuses it, 503 when the ledger cannot be read, 500 for the SMS's own failures.
    static func status(of code: SMSError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidRequest, .invalidPush, .wrongDomain: .badRequest
        case .invalidSignature, .notOwner, .expired, .expiryTooFar, .replayed, .invalidAuthorization, .notPoolOwner:
            .forbidden
        case .alreadyExists: .conflict
        case .tooLarge: .contentTooLarge
        case .ledgerUnavailable, .unavailable: .serviceUnavailable
        case .storage, .masterKey: .internalServerError
        default: .unprocessableContent
        }
    }
}
