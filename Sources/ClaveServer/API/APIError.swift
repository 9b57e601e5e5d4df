import ClaveCore
public import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveSMS
import ClaveWorkerpool
import ClaveStorage
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An error as the API answers it: an HTTP status and the JSON body `{"code", "message", "kind", "path"?}`.
///
/// `kind` says which family `code` belongs to (`rejection`, `transaction`, `ledger`, `market`, `storage`, `sms`,
/// `request`, `server`), so that a client can rebuild the error its local counterpart would have thrown.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var kind: String
    public var code: String
    public var message: String
    /// Where in the request document the problem is, for documents that could not be read.
    public var path: String?
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, kind: String = "request", code: String, _ message: String, path: String? = nil,
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.kind = kind
        self.code = code
        self.message = message
        self.path = path
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON body.
    public var json: JSONValue {
        var object: JSONValue.Object = ["code": .string(code), "message": .string(message), "kind": .string(kind)]
        if let path { object["path"] = .string(path) }
        return .object(object)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    // MARK: Request errors of the API itself

    static func invalidParameter(_ name: String, _ value: some StringProtocol, expected: String) -> APIError {
        APIError(.badRequest, code: "invalidParameter", "\(name)='\(value.prefix(100))' is not \(expected).")
    }

    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "notFound", message)
    }
}

extension APIError {
    /// The API's answer to `error`, thrown by a service or while reading a request. Errors of the client's making
    /// get a 4xx status and their own code; anything else is a 500 whose details stay in the server's log.
    init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as TransactionFormatError:
            self.init(.badRequest, kind: "transaction", code: error.code.description, error.message, path: error.path)
        case let error as Rejection:
            let status: HTTPResponse.Status = error.code == .wrongNonce ? .conflict : .unprocessableContent
            self.init(status, kind: "rejection", code: error.code.description, error.message)
        case let error as LedgerError:
            self.init(Self.status(of: error.code), kind: "ledger", code: error.code.description, error.message)
        case let error as MarketError:
            self.init(Self.status(of: error.code), kind: "market", code: error.code.description, error.message)
        case let error as StorageError:
            self.init(Self.status(of: error.code), kind: "storage", code: error.code.description, error.message)
        case let error as SMSError:
            self.init(Self.status(of: error.code), kind: "sms", code: error.code.description, error.message)
        case let error as SchedulerError:
            self.init(Self.status(of: error.code), kind: "scheduler", code: error.code.description, error.message)
        case is NIOTooManyBytesError:
            self.init(
                .contentTooLarge, code: "bodyTooLarge",
                "The request body is larger than the \(JSONRequest.maximumBodySize) bytes the API accepts.")
        case let error as HTTPError:
            self.init(error.status, code: "http\(error.status.code)", error.body ?? error.status.reasonPhrase)
        default:
            self.init(
                .internalServerError, kind: "server", code: "internal",
                "The server failed while answering; the request may be retried. Its log has the details.")
        }
    }

    private static func status(of code: LedgerError.Code) -> HTTPResponse.Status {
        switch code {
        case .duplicateNonce, .nonceGapTimeout, .earlierInBatchRefused: .conflict
        case .malformedBatch: .badRequest
        case .tooManyWaiting: .tooManyRequests
        case .shuttingDown: .serviceUnavailable
        default: .internalServerError
        }
    }

    private static func status(of code: StorageError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidCID, .sizeMismatch, .sourceFailed: .badRequest
        case .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .digestMismatch: .unprocessableContent
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }

    private static func status(of code: MarketError.Code) -> HTTPResponse.Status {
        switch code {
        case .unknownOrder: .notFound
        case .invalidQuery, .invalidCursor: .badRequest
        case .ledgerUnavailable, .unavailable: .serviceUnavailable
        case .storage: .internalServerError
        default: .unprocessableContent
        }
    }
}

/// Turns every error into the API's JSON error body, and an unknown route into a 404 (or a 405 when the path exists
/// with other methods).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: [Route]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let methods = routes.filter { $0.matches(path: path) }.map(\.method)
            if methods.isEmpty {
                throw APIError.notFound(
                    "No route is \(request.method) \(path); the API's routes are listed in docs/openapi.yaml.")
            }
            throw APIError(
                .methodNotAllowed, code: "methodNotAllowed",
                "\(path) takes \(methods.map(\.rawValue).joined(separator: ", ")), not \(request.method).",
                headers: [.allow: methods.map(\.rawValue).joined(separator: ", ")])
        } catch {
            let answer = APIError(error)
            if answer.status == .internalServerError {
                context.logger.error(
                    "request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            throw answer
        }
    }
}
