import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveMarket
import ClaveServer
import ClaveTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// grantAccess, getGrantedAccess, revokeOneAccess, revokeAllAccess and transferOwnership, through a live node.
@Suite struct AccessTests {
    /// Runs `body` with the dataset owner's DataProtector talking to the fixture's node over HTTP.
    private func withNode(
        _ body: @Sendable (ServerFixture, DataProtector, TestAccount) async throws -> Void
    ) async throws {
        let fixture = try await ServerFixture()
        try await fixture.application().test(.live) { client in
            let connection = try NodeConnection(url: "http://127.0.0.1:\(client.port!)")
            let protector = DataProtector(
                ledger: LedgerClient(connection: connection), orderbook: OrderbookClient(connection: connection),
                owner: fixture.datasetOwner.key)
            try await body(fixture, protector, fixture.datasetOwner)
        }
    }

    @Test func aGrantIsListedWithItsRemainingAccessesAndFilters() async throws {
        try await withNode { fixture, protector, _ in
            let forRequester = try await protector.grantAccess(
                AccessGrant(
                    protectedData: fixture.dataset, authorizedApp: fixture.app,
                    authorizedUser: fixture.requester.address, pricePerAccess: 3_000, numberOfAccess: 5))
            let forAnyone = try await protector.grantAccess(
                AccessGrant(protectedData: fixture.dataset, authorizedApp: fixture.app, numberOfAccess: 2))
            #expect(forRequester.remainingAccess == 5)
            #expect(forRequester.order.apprestrict == fixture.app)
            #expect(forRequester.order.requesterrestrict == fixture.requester.address)
            #expect(forRequester.entry.signer == fixture.datasetOwner.address)

            let all = try await protector.grantedAccess(GrantedAccessQuery(protectedData: fixture.dataset))
            #expect(Set(all.grants.map(\.orderHash)) == [forRequester.orderHash, forAnyone.orderHash])
            let requesters = try await protector.grantedAccess(
                GrantedAccessQuery(authorizedUser: fixture.requester.address))
            #expect(requesters.grants.count == 2)
            let strict = try await protector.grantedAccess(
                GrantedAccessQuery(authorizedUser: fixture.requester.address, isUserStrict: true))
            #expect(strict.grants.map(\.orderHash) == [forRequester.orderHash])
            let stranger = try await protector.grantedAccess(
                GrantedAccessQuery(authorizedUser: fixture.stranger.address))
            #expect(stranger.grants.map(\.orderHash) == [forAnyone.orderHash])
            let otherApp = try await protector.grantedAccess(GrantedAccessQuery(authorizedApp: fixture.workerpool))
            #expect(otherApp.grants.isEmpty)
            let paged = try await protector.grantedAccess(
                GrantedAccessQuery(protectedData: fixture.dataset, pageSize: 1))
            #expect(paged.grants.count == 1)
            let next = try await protector.grantedAccess(
                GrantedAccessQuery(protectedData: fixture.dataset, pageSize: 1, cursor: paged.nextCursor))
            #expect(next.grants.count == 1 && next.grants[0].orderHash != paged.grants[0].orderHash)
        }
    }

    @Test func aRevokedGrantIsClosedOnTheLedgerAndNeverMatched() async throws {
        try await withNode { fixture, protector, _ in
            let grant = try await protector.grantAccess(
                AccessGrant(protectedData: fixture.dataset, authorizedApp: fixture.app, numberOfAccess: 3))
            let receipt = try await protector.revokeOneAccess(grant.orderHash)
            #expect(receipt.events == [.orderClosed(kind: .dataset, orderHash: grant.orderHash)])
            #expect(await fixture.ledger.isClosed(grant.orderHash))
            let listed = try await protector.grantedAccess(GrantedAccessQuery(protectedData: fixture.dataset))
            #expect(listed.grants.isEmpty)

            // The requester tries to use the revoked grant anyway.
            let (app, _, pool, _) = fixture.orders()
            let request = RequestOrder(
                app: fixture.app, appmaxprice: 5_000, dataset: fixture.dataset, datasetmaxprice: 0,
                workerpool: fixture.workerpool, workerpoolmaxprice: 100_000, requester: fixture.requester.address,
                volume: 1, category: 0, trust: 1, beneficiary: fixture.requester.address, callback: .zero,
                params: "{}", salt: .zero)
            let domain = fixture.domain
            let match = TransactionBody.matchOrders(
                app: SignedOrder(order: app, signature: app.sign(with: fixture.appOwner.key, in: domain)),
                dataset: SignedOrder(order: grant.order, signature: grant.entry.signature),
                workerpool: SignedOrder(order: pool, signature: pool.sign(with: fixture.scheduler.key, in: domain)),
                request: SignedOrder(order: request, signature: request.sign(with: fixture.requester.key, in: domain)))
            let refusal = await #expect(throws: Rejection.self) {
                try await fixture.submit(fixture.requester, match)
            }
            #expect(refusal?.code == .orderClosed)
        }
    }

    @Test func revokeAllClosesEveryOpenGrantAndOnlyThose() async throws {
        try await withNode { fixture, protector, _ in
            var hashes: Set<Bytes32> = []
            for count in 1...3 {
                let grant = try await protector.grantAccess(
                    AccessGrant(
                        protectedData: fixture.dataset, authorizedApp: fixture.app, numberOfAccess: UInt64(count)))
                hashes.insert(grant.orderHash)
            }
            let revoked = try await protector.revokeAllAccess(protectedData: fixture.dataset)
            #expect(Set(revoked) == hashes)
            for hash in hashes { #expect(await fixture.ledger.isClosed(hash)) }
            #expect(try await protector.revokeAllAccess(protectedData: fixture.dataset).isEmpty)
        }
    }

    @Test func transferHandsTheDataOverAndOnlyTheOwnerMayGrant() async throws {
        try await withNode { fixture, protector, _ in
            try await protector.transferOwnership(fixture.dataset, to: fixture.stranger.address)
            #expect(await fixture.ledger.dataset(fixture.dataset)?.owner == fixture.stranger.address)
            // The former owner is refused, by name, before anything is signed.
            let refusal = await #expect(throws: DataProtectorError.self) {
                try await protector.grantAccess(
                    AccessGrant(protectedData: fixture.dataset, authorizedApp: fixture.app))
            }
            #expect(refusal?.code == .notOwner)
            #expect(refusal?.message.contains(fixture.stranger.address.description) == true)
            // Nor may the former owner revoke or hand it over again.
            let grant = try await DataProtector(
                ledger: protector.ledger, orderbook: protector.orderbook, owner: fixture.stranger.key
            ).grantAccess(AccessGrant(protectedData: fixture.dataset, authorizedApp: fixture.app))
            let revoke = await #expect(throws: DataProtectorError.self) {
                try await protector.revokeOneAccess(grant.orderHash)
            }
            #expect(revoke?.code == .notOwner)
            #expect(await !fixture.ledger.isClosed(grant.orderHash))
            let transfer = await #expect(throws: DataProtectorError.self) {
                try await protector.transferOwnership(fixture.dataset, to: fixture.datasetOwner.address)
            }
            #expect(transfer?.code == .notOwner)
        }
    }

    @Test func badGrantsAreRefusedAndPublishNothing() async throws {
        try await withNode { fixture, protector, _ in
            let cases: [(AccessGrant, DataProtectorError.Code)] = [
                (AccessGrant(protectedData: fixture.app, authorizedApp: fixture.app), .unknownProtectedData),
                (AccessGrant(protectedData: fixture.dataset, authorizedApp: .zero), .invalidArgument),
                (AccessGrant(protectedData: fixture.dataset, authorizedApp: fixture.workerpool), .unknownApp),
                (
                    AccessGrant(protectedData: fixture.dataset, authorizedApp: fixture.app, numberOfAccess: 0),
                    .invalidArgument
                ),
            ]
            for (grant, code) in cases {
                let refusal = await #expect(throws: DataProtectorError.self) { try await protector.grantAccess(grant) }
                #expect(refusal?.code == code)
            }
            let listed = try await protector.grantedAccess(GrantedAccessQuery(protectedData: fixture.dataset))
            #expect(listed.grants.isEmpty)
            let unknown = await #expect(throws: DataProtectorError.self) {
                try await protector.revokeOneAccess(Bytes32(uint64: 42))
            }
            #expect(unknown?.code == .invalidArgument)
            let zeroOwner = await #expect(throws: DataProtectorError.self) {
                try await protector.transferOwnership(fixture.dataset, to: .zero)
            }
            #expect(zeroOwner?.message.contains("zero address") == true)
            #expect(await fixture.ledger.dataset(fixture.dataset)?.owner == fixture.datasetOwner.address)
        }
    }
}
