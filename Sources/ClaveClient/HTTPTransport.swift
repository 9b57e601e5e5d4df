public import AsyncHTTPClient
import ClaveCrypto
import Foundation
import NIOCore
import NIOHTTP1

/// Why a request to a Clave node failed before the service could answer: the node could not be reached, or it
/// answered something that is not Clave's API. (Errors the service gives are rethrown as the service's own error
/// types: ``ClaveCore/Rejection``, ``ClaveLedger/LedgerError``, ``ClaveMarket/MarketError``, ...)
public struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The node could not be reached (connection refused, timeout, name not resolved).
        public static let unreachable = Code("unreachable")
        /// The node's answer is not what the API specifies.
        public static let invalidResponse = Code("invalidResponse")
        /// The node refused the request with an error the client does not map to a service error.
        public static let refused = Code("refused")
    }

    public let code: Code
    public let message: String
    /// The HTTP status, when the node answered.
    public let status: Int?
    /// The API's error code, when the node answered with one.
    public let remoteCode: String?

    public init(_ code: Code, _ message: String, status: Int? = nil, remoteCode: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.remoteCode = remoteCode
    }

    public var description: String { "\(message) [\(remoteCode ?? code.description)]" }
}

/// An error body the API answered with: `{"code", "message", "kind", "path"?}` and its HTTP status.
struct RemoteError: Error {
    var status: Int
    var kind: String
    var code: String
    var message: String
    var path: String?

    /// The API's error body `json`; nil when it is not one.
    init?(json: JSONValue, status: Int) {
        guard let code = json["code"]?.stringValue, let message = json["message"]?.stringValue else { return nil }
        self.init(
            status: status, kind: json["kind"]?.stringValue ?? "request", code: code, message: message,
            path: json["path"]?.stringValue)
    }

    init(status: Int, kind: String, code: String, message: String, path: String?) {
        self.status = status
        self.kind = kind
        self.code = code
        self.message = message
        self.path = path
    }
}

/// How the clients reach a node: its base URL, an AsyncHTTPClient and a timeout.
public struct NodeConnection: Sendable {
    public struct Configuration: Sendable {
        /// Requests that take longer fail with ``ClientError/Code/unreachable``.
        public var timeout: Duration
        /// The largest response body read.
        public var maximumResponseSize: Int

        public init(timeout: Duration = .seconds(30), maximumResponseSize: Int = 64 << 20) {
            self.timeout = timeout
            self.maximumResponseSize = maximumResponseSize
        }
    }

    /// The node's URL, without a trailing slash: `http://127.0.0.1:8545`.
    public let baseURL: String
    public let configuration: Configuration
    private let client: HTTPClient

    /// The HTTP client connections use unless given another: AsyncHTTPClient's defaults, except that a connection
    /// that cannot be established fails the request at once (a node that is down is reported in milliseconds, not
    /// after the request's whole timeout of retries), and connecting gives up after 5 seconds. It lives as long as
    /// the process, as AsyncHTTPClient's own shared client does.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A connection to the node at `url` (`http://host:port`), through `client` (``sharedClient`` by default).
    public init(url: String, configuration: Configuration = Configuration(), client: HTTPClient = sharedClient)
        throws(ClientError)
    {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
            parsed.host != nil, parsed.query == nil
        else {
            throw ClientError(
                .unreachable, "'\(url)' is not a node URL; give one such as http://127.0.0.1:8545.")
        }
        baseURL = trimmed
        self.configuration = configuration
        self.client = client
    }

    /// GETs `path`; nil when the node answers 404 with the API's `notFound` code.
    func get(_ path: String, query: [(name: String, value: String)] = [], timeout: Duration? = nil) async throws
        -> JSONValue?
    {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        do {
            return try await send(request, timeout: timeout)
        } catch let error as RemoteError where error.status == 404 && error.code == "notFound" {
            return nil
        }
    }

    /// POSTs `body` as JSON to `path`; `timeout` adds to the configured one (for a long poll).
    func post(_ path: String, body: JSONValue, timeout: Duration? = nil) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        guard let answer = try await send(request, timeout: timeout) else {
            throw ClientError(.invalidResponse, "\(baseURL)\(path) answered with no body.")
        }
        return answer
    }

    private func send(_ request: HTTPClientRequest, timeout: Duration?) async throws -> JSONValue? {
        let limit = timeout.map { $0 + configuration.timeout } ?? configuration.timeout
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .nanoseconds(Int64(limit.nanoseconds)))
            bytes = try await response.body.collect(upTo: configuration.maximumResponseSize)
        } catch {
            throw ClientError(
                .unreachable,
                "\(request.method) \(request.url) failed: \(error)")
        }
        return try Self.json(bytes, status: Int(response.status.code), url: request.url)
    }

    /// Sends `request` and returns as soon as the response head is in, its body still to read: for bodies that
    /// stream (blobs). `timeout` bounds the whole request, including a body that is streamed up. Errors are
    /// AsyncHTTPClient's, and those the request body's stream throws, as they are.
    func execute(_ request: HTTPClientRequest, timeout: Duration) async throws -> HTTPClientResponse {
        try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
    }

    /// The error a response that is not 2xx stands for: the API's error body as a ``RemoteError``, or a
    /// ``ClientError`` when the body is not one.
    func error(of response: HTTPClientResponse, url: String) async -> any Error {
        let status = Int(response.status.code)
        do {
            let bytes = try await response.body.collect(upTo: configuration.maximumResponseSize)
            _ = try Self.json(bytes, status: status, url: url)
            return ClientError(
                .invalidResponse, "\(url) answered \(status) where an error was expected.", status: status)
        } catch {
            return error
        }
    }

    /// The JSON body of an answer with `status`; an error body becomes a thrown ``RemoteError``.
    private static func json(_ bytes: ByteBuffer, status: Int, url: String) throws -> JSONValue {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: Array(bytes.readableBytesView))
        } catch {
            throw ClientError(
                .invalidResponse,
                "\(url) answered \(status) with a body that is not JSON (\(error.message)); is it a Clave node?",
                status: status)
        }
        guard (200..<300).contains(status) else {
            guard let error = RemoteError(json: json, status: status) else {
                throw ClientError(
                    .invalidResponse, "\(url) answered \(status) without the API's error body.", status: status)
            }
            throw error
        }
        return json
    }

    /// The JSON body of a 2xx answer whose head is already in.
    func json(of response: HTTPClientResponse, url: String) async throws -> JSONValue {
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: configuration.maximumResponseSize)
        } catch {
            throw ClientError(.unreachable, "Reading the answer of \(url) failed: \(error)")
        }
        return try Self.json(bytes, status: Int(response.status.code), url: url)
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a query component (RFC 3986 unreserved characters stay).
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
