import Testing

@testable import ClaveServer

@Suite("Routes")
struct RouteTests {
    @Test func patternsMatchTheirPathsOnly() {
        let route = Route(.get, "/v1/ledger/accounts/{address}")
        #expect(route.routerPath == "/v1/ledger/accounts/:address")
        #expect(route.matches(path: "/v1/ledger/accounts/0xabc"))
        #expect(!route.matches(path: "/v1/ledger/accounts"))
        #expect(!route.matches(path: "/v1/ledger/accounts/0xabc/more"))
        #expect(!route.matches(path: "/v1/ledger/apps/0xabc"))
    }

    @Test func everyRouteIsListedOnce() {
        #expect(Set(ClaveAPI.routes).count == ClaveAPI.routes.count)
        #expect(ClaveAPI.routes.allSatisfy { $0.path.hasPrefix("/v1/") })
    }
}
