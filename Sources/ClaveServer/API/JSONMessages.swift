import ClaveCore
import ClaveCrypto
import ClaveStorage
import Foundation
public import HTTPTypes
import Hummingbird
import NIOCore

/// JSON response bodies.
enum JSONResponse {
    static func make(_ json: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes = json.serialized()
        bytes.append(0x0A)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// JSON request bodies, read strictly: at most ``maximumBodySize`` bytes, RFC 8259 JSON, no member twice.
public enum JSONRequest {
    /// The largest body the API reads (1 MiB).
    public static let maximumBodySize = 1 << 20

    static func body(of request: inout Request) async throws -> JSONValue {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(
                .unsupportedMediaType, code: "unsupportedMediaType",
                "The body is \(type); send JSON with Content-Type: application/json.")
        }
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        do {
            return try JSONValue(parsing: Array(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, code: "invalidJSON", "The body is not valid JSON: \(error.message)", path: "$")
        }
    }
}

/// One route of the API: a method and a path pattern whose `{name}` segments are parameters.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public var method: HTTPRequest.Method
    /// As the OpenAPI spec writes it: `/v1/ledger/accounts/{address}`.
    public var path: String

    public init(_ method: HTTPRequest.Method, _ path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }

    /// The path as Hummingbird writes it: `/v1/ledger/accounts/:address`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }

    /// Whether a request path fits the pattern.
    func matches(path requested: String) -> Bool {
        let pattern = path.split(separator: "/", omittingEmptySubsequences: false)
        let segments = requested.split(separator: "/", omittingEmptySubsequences: false)
        guard pattern.count == segments.count else { return false }
        return zip(pattern, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}

/// Reading request parameters: path parameters and query parameters, each a clear 400 when malformed.
struct Parameters {
    private let query: [(name: String, value: String)]

    init(_ request: Request) {
        query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    static func address(_ context: some RequestContext, _ name: String) throws -> Address {
        try parseAddress(name, context.parameters.require(name))
    }

    static func bytes32(_ context: some RequestContext, _ name: String) throws -> Bytes32 {
        try parseBytes32(name, context.parameters.require(name))
    }

    static func number(_ context: some RequestContext, _ name: String) throws -> UInt64 {
        try parseNumber(name, context.parameters.require(name))
    }

    static func cid(_ context: some RequestContext, _ name: String) throws -> CID {
        try parseCID(context.parameters.require(name))
    }

    // One parser per kind of value, for path and query parameters alike.

    private static func parseAddress(_ name: String, _ text: String) throws -> Address {
        guard let address = try? Address(text) else {
            throw APIError.invalidParameter(name, text, expected: "an address (0x and 40 hex digits)")
        }
        return address
    }

    private static func parseBytes32(_ name: String, _ text: String) throws -> Bytes32 {
        guard let value = try? Bytes32(hex: text) else {
            throw APIError.invalidParameter(name, text, expected: "a 32-byte hash (0x and 64 hex digits)")
        }
        return value
    }

    /// A CID, refused with the store's own message (it says what the text is and what to give).
    private static func parseCID(_ text: String) throws -> CID {
        do {
            return try CID(text)
        } catch {
            throw APIError(.badRequest, kind: "storage", code: error.code.description, error.message)
        }
    }

    private static func parseNumber(_ name: String, _ text: String, range: ClosedRange<UInt64> = 0...UInt64.max)
        throws -> UInt64
    {
        guard let value = UInt64(text), text.allSatisfy(\.isASCII), range.contains(value) else {
            throw APIError.invalidParameter(
                name, text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The query parameters as pairs, refusing any name outside `allowed`.
    func all(allowed: [String]) throws -> [(name: String, value: String)] {
        if let unknown = query.first(where: { !allowed.contains($0.name) }) {
            throw APIError(
                .badRequest, code: "invalidParameter",
                "'\(unknown.name.prefix(60))' is not a parameter here; use \(allowed.joined(separator: ", ")).")
        }
        return query
    }

    /// The one value of the query parameter `name`, if given.
    func value(_ name: String) throws -> String? {
        let values = query.filter { $0.name == name }
        guard values.count <= 1 else {
            throw APIError(.badRequest, code: "invalidParameter", "'\(name)' is given twice; give it once.")
        }
        return values.first?.value
    }

    func address(_ name: String) throws -> Address? {
        try value(name).map { try Self.parseAddress(name, $0) }
    }

    func bytes32(_ name: String) throws -> Bytes32? {
        try value(name).map { try Self.parseBytes32(name, $0) }
    }

    func cid(_ name: String) throws -> CID? {
        try value(name).map { try Self.parseCID($0) }
    }

    func number(_ name: String, range: ClosedRange<UInt64> = 0...UInt64.max) throws -> UInt64? {
        try value(name).map { try Self.parseNumber(name, $0, range: range) }
    }

    /// Task statuses separated by commas (`UNSET,ACTIVE`).
    func statuses(_ name: String) throws -> Set<ComputeTask.Status>? {
        guard let text = try value(name) else { return nil }
        var statuses: Set<ComputeTask.Status> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let status = ComputeTask.Status(rawValue: String(part)) else {
                throw APIError.invalidParameter(
                    name, text,
                    expected:
                        "a task status, or several separated by commas (\(ComputeTask.Status.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            statuses.insert(status)
        }
        return statuses
    }
}
