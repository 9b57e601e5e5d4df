import ClaveCrypto
import ClaveServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// docs/openapi.yaml lists exactly the routes the server serves, and the server serves every one of them.
@Suite struct OpenAPITests {
    /// The repository's docs/openapi.yaml.
    static let specURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")

    /// The `METHOD /path` pairs under `paths:`: a path is a two-space-indented key starting with `/`, a method a
    /// four-space-indented `get:`, `post:`, ... below it.
    static func specRoutes() throws -> Set<String> {
        let text = try String(contentsOf: specURL, encoding: .utf8)
        var routes = Set<String>()
        var inPaths = false
        var path: String?
        let methods = ["get", "post", "put", "patch", "delete", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line == "paths:"
                path = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if methods.contains(String(key)) { routes.insert("\(key.uppercased()) \(path)") }
            }
        }
        return routes
    }

    @Test func theSpecListsExactlyTheServedRoutes() throws {
        let spec = try Self.specRoutes()
        let served = Set(ClaveAPI.routes.map(\.description))
        #expect(spec.count >= 21)
        #expect(spec.subtracting(served).isEmpty, "in the spec but not served: \(spec.subtracting(served).sorted())")
        #expect(served.subtracting(spec).isEmpty, "served but not in the spec: \(served.subtracting(spec).sorted())")
    }

    @Test func everyRouteOfTheSpecIsAnsweredByItsHandler() async throws {
        let fixture = try await ServerFixture()
        let samples = [
            "{hash}": Bytes32.zero.description, "{orderHash}": Bytes32.zero.description,
            "{dealId}": Bytes32.zero.description, "{taskId}": Bytes32.zero.description, "{height}": "0",
            "{address}": fixture.requester.address.checksummed,
            "{cid}": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "{kind}": "dataset",
            "{target}": fixture.dataset.checksummed, "{name}": "dataset-key",
        ]
        try await fixture.application().test(.router) { client in
            for route in try Self.specRoutes().sorted() {
                let parts = route.split(separator: " ")
                var path = String(parts[1])
                for (name, value) in samples { path = path.replacingOccurrences(of: name, with: value) }
                let method = HTTPRequest.Method(String(parts[0]))!
                let answer = try await client.call(method, path, body: method == .post ? "{}" : nil)
                #expect(answer.status != .methodNotAllowed, "\(route)")
                #expect(answer.message?.hasPrefix("No route") != true, "\(route)")
                #expect(answer.status.code < 500, "\(route)")
            }
        }
    }
}
