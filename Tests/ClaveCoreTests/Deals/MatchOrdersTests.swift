import ClaveCore
import ClaveCrypto
import Testing

@Suite struct MatchOrdersTests {
    // MARK: Matches

    @Test func matchLocksThePriceAndTheSchedulerStake() throws {
        var fixture = try Fixture()
        let orders = fixture.orders(volume: 3, trust: 0)
        let requestHash = orders.request.hash(in: fixture.domain)
        let events = try fixture.send(fixture.requester, fixture.matchBody(orders))
        let dealId = Deal.id(requestOrderHash: requestHash, consumedBefore: 0)
        let deal = try #require(fixture.state.deal(dealId))

        #expect(deal.app == Deal.Resource(address: fixture.app, owner: fixture.appOwner.address, price: 5_000))
        #expect(
            deal.dataset == Deal.Resource(address: fixture.dataset, owner: fixture.datasetOwner.address, price: 3_000))
        #expect(
            deal.workerpool
                == Deal.Resource(address: fixture.workerpool, owner: fixture.scheduler.address, price: 100_000))
        #expect(deal.trust == 1)
        #expect(deal.botFirst == 0 && deal.botSize == 3)
        #expect(deal.startTime == fixture.time)
        #expect(deal.workerStake == 30_000 && deal.schedulerStake == 30_000)
        #expect(deal.schedulerRewardRatio == 1)
        #expect(deal.sponsor == fixture.requester.address && deal.requester == fixture.requester.address)
        #expect(deal.beneficiary == fixture.requester.address)
        #expect(deal.params == "{\"iexec_args\":\"hello\"}")

        let requester = fixture.account(fixture.requester)
        #expect(requester.frozen == 3 * 108_000)
        #expect(requester.balance == Fixture.escrowFunds - 3 * 108_000)
        #expect(fixture.account(fixture.scheduler).frozen == 3 * 30_000)
        for order in [AnyOrder.app(orders.app), .workerpool(orders.workerpool), .request(orders.request)] {
            #expect(fixture.state.consumed(order.hash(in: fixture.domain)) == 3)
        }
        #expect(fixture.state.consumed(try #require(orders.dataset).hash(in: fixture.domain)) == 3)
        #expect(
            events == [
                .lock(account: fixture.requester.address, amount: 324_000, reference: dealId),
                .lock(account: fixture.scheduler.address, amount: 90_000, reference: dealId),
                .schedulerNotice(workerpool: fixture.workerpool, dealId: dealId),
                .ordersMatched(
                    dealId: dealId, appOrderHash: orders.app.hash(in: fixture.domain),
                    datasetOrderHash: try #require(orders.dataset).hash(in: fixture.domain),
                    workerpoolOrderHash: orders.workerpool.hash(in: fixture.domain), requestOrderHash: requestHash,
                    volume: 3),
            ])
    }

    @Test func theSmallestRemainingVolumeIsMatchedAndTheNextDealContinuesTheBag() throws {
        var fixture = try Fixture()
        var orders = fixture.orders(volume: 5)
        orders.app.volume = 2
        let first = try fixture.match(orders)
        #expect(first.botFirst == 0 && first.botSize == 2)
        // A fresh app order: the request's remaining 3 tasks continue at index 2, with a new deal id.
        orders.app.volume = 10
        orders.app.salt = Bytes32(uint64: 99)
        let second = try fixture.match(orders)
        #expect(second.botFirst == 2 && second.botSize == 3)
        #expect(
            second.id == Deal.id(requestOrderHash: orders.request.hash(in: fixture.domain), consumedBefore: 2))
    }

    @Test func sponsorPays() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(volume: 2), sponsored: true)
        #expect(deal.sponsor == fixture.sponsor.address)
        #expect(deal.requester == fixture.requester.address)
        #expect(fixture.account(fixture.sponsor).frozen == 216_000)
        #expect(fixture.account(fixture.requester).frozen == 0)
    }

    @Test func presignedOrdersNeedNoSignature() throws {
        var fixture = try Fixture()
        var orders = fixture.orders()
        try fixture.send(fixture.appOwner, .presign(.app(orders.app)))
        try fixture.send(fixture.datasetOwner, .presign(.dataset(try #require(orders.dataset))))
        try fixture.send(fixture.scheduler, .presign(.workerpool(orders.workerpool)))
        try fixture.send(fixture.requester, .presign(.request(orders.request)))
        orders.appSigner = nil
        orders.datasetSigner = nil
        orders.workerpoolSigner = nil
        orders.requestSigner = nil
        try fixture.match(orders)
    }

    @Test func aDealWithoutDataset() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders(withDataset: false))
        #expect(deal.dataset == Deal.Resource(address: .zero, owner: .zero, price: 0))
        #expect(fixture.account(fixture.requester).frozen == 105_000)
    }

    @Test func theDatasetCannotChooseTheTeeFramework() throws {
        // Bits 1-3 of the dataset tag are cleared: a Scone dataset tag does not ask the workerpool for Scone.
        var fixture = try Fixture()
        var orders = fixture.orders()
        orders.dataset?.tag = Tag.with(Tag.scone)
        let deal = try fixture.match(orders)
        #expect(deal.tag == .zero)
    }

    @Test func aTeeDealCarriesTheTag() throws {
        var fixture = try Fixture()
        var orders = fixture.orders()
        orders.app.tag = Tag.with(Tag.tee, Tag.tdx)
        orders.workerpool.tag = Tag.with(Tag.tee, Tag.tdx, Tag.gpu)
        let deal = try fixture.match(orders)
        #expect(deal.tag == Tag.with(Tag.tee, Tag.tdx))
        #expect(deal.isTEE)
    }

    // MARK: Refusals: one per PoCo check

    /// Expects the orders, after `change`, refused with `code` and a message mentioning `mentions`.
    private func expectRefused(
        _ code: Rejection.Code, mentioning mentions: [String] = [], fixture: Fixture? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ change: (Fixture, inout Orders) throws -> Void
    ) throws {
        let fixture = try fixture ?? Fixture()
        var orders = fixture.orders()
        try change(fixture, &orders)
        fixture.expectRejected(
            code, mentioning: mentions, fixture.requester, fixture.matchBody(orders), sourceLocation: sourceLocation)
    }

    @Test func unknownCategory() throws {
        try expectRefused(.unknownCategory, mentioning: ["category 9", "0 XS", "5 DEV"]) { _, orders in
            orders.request.category = 9
            orders.workerpool.category = 9
        }
    }

    @Test func categoryMismatch() throws {
        try expectRefused(.categoryMismatch, mentioning: ["category 0", "category 1"]) { _, orders in
            orders.workerpool.category = 1
        }
    }

    @Test func trustAboveTheWorkerpoolOrders() throws {
        try expectRefused(.trustMismatch, mentioning: ["trust 5", "trust 3"]) { _, orders in
            orders.request.trust = 5
            orders.workerpool.trust = 3
        }
    }

    @Test func appPriceAboveMax() throws {
        try expectRefused(.appPriceTooHigh, mentioning: ["5001", "appmaxprice 5000"]) { _, orders in
            orders.app.appprice = 5_001
        }
    }

    @Test func datasetPriceAboveMax() throws {
        try expectRefused(.datasetPriceTooHigh, mentioning: ["3001", "datasetmaxprice 3000"]) { _, orders in
            orders.dataset?.datasetprice = 3_001
        }
    }

    @Test func workerpoolPriceAboveMax() throws {
        try expectRefused(.workerpoolPriceTooHigh, mentioning: ["100001", "workerpoolmaxprice 100000"]) { _, orders in
            orders.workerpool.workerpoolprice = 100_001
        }
    }

    @Test func tagBitTheWorkerpoolDoesNotOffer() throws {
        try expectRefused(.tagNotSupported, mentioning: ["[8]"]) { _, orders in
            orders.request.tag = Tag.with(Tag.gpu)
        }
    }

    @Test func teeRequestOnAStandardApp() throws {
        try expectRefused(.teeMismatch, mentioning: ["TEE"]) { _, orders in
            orders.request.tag = Tag.with(Tag.tee)
            orders.workerpool.tag = Tag.with(Tag.tee)
        }
    }

    @Test func teeDatasetOnAStandardApp() throws {
        try expectRefused(.teeMismatch, mentioning: ["TEE"]) { _, orders in
            orders.dataset?.tag = Tag.with(Tag.tee)
            orders.workerpool.tag = Tag.with(Tag.tee)
        }
    }

    @Test func requestForAnotherApp() throws {
        let fixture = try Fixture()
        try expectRefused(
            .appMismatch, mentioning: [fixture.teeApp.description, fixture.app.description], fixture: fixture
        ) {
            fixture, orders in
            orders.request.app = fixture.teeApp
        }
    }

    @Test func requestForAnotherDataset() throws {
        try expectRefused(.datasetMismatch, mentioning: ["0x0000000000000000000000000000000000000000"]) { _, orders in
            orders.request.dataset = .zero
        }
    }

    @Test func requestForADatasetWithoutDatasetOrder() throws {
        try expectRefused(.datasetMismatch, mentioning: ["no dataset order"]) { _, orders in
            orders.dataset = nil
        }
    }

    @Test func requestForAnotherWorkerpool() throws {
        let fixture = try Fixture()
        try expectRefused(.workerpoolMismatch, mentioning: [fixture.stranger.address.description], fixture: fixture) {
            fixture, orders in
            orders.request.workerpool = fixture.stranger.address
        }
    }

    @Test func anyWorkerpoolIsZero() throws {
        var fixture = try Fixture()
        var orders = fixture.orders()
        orders.request.workerpool = .zero
        try fixture.match(orders)
    }

    @Test func appOrderRestrictsDataset() throws {
        try expectRefused(.appOrderRestrictsDataset, mentioning: ["datasetrestrict"]) { fixture, orders in
            orders.app.datasetrestrict = fixture.stranger.address
        }
    }

    @Test func appOrderRestrictsDatasetWhenThereIsNone() throws {
        try expectRefused(.appOrderRestrictsDataset, mentioning: ["no dataset"]) { fixture, orders in
            orders.app.datasetrestrict = fixture.dataset
            orders.dataset = nil
            orders.request.dataset = .zero
            orders.request.datasetmaxprice = 0
        }
    }

    @Test func appOrderRestrictsWorkerpool() throws {
        try expectRefused(.appOrderRestrictsWorkerpool, mentioning: ["workerpoolrestrict"]) { fixture, orders in
            orders.app.workerpoolrestrict = fixture.stranger.address
        }
    }

    @Test func appOrderRestrictsRequester() throws {
        try expectRefused(.appOrderRestrictsRequester, mentioning: ["requesterrestrict"]) { fixture, orders in
            orders.app.requesterrestrict = fixture.stranger.address
        }
    }

    @Test func datasetOrderRestrictsApp() throws {
        try expectRefused(.datasetOrderRestrictsApp, mentioning: ["apprestrict"]) { fixture, orders in
            orders.dataset?.apprestrict = fixture.teeApp
        }
    }

    @Test func datasetOrderRestrictsWorkerpool() throws {
        try expectRefused(.datasetOrderRestrictsWorkerpool, mentioning: ["workerpoolrestrict"]) { fixture, orders in
            orders.dataset?.workerpoolrestrict = fixture.stranger.address
        }
    }

    @Test func datasetOrderRestrictsRequester() throws {
        try expectRefused(.datasetOrderRestrictsRequester, mentioning: ["requesterrestrict"]) { fixture, orders in
            orders.dataset?.requesterrestrict = fixture.stranger.address
        }
    }

    @Test func workerpoolOrderRestrictsApp() throws {
        try expectRefused(.workerpoolOrderRestrictsApp, mentioning: ["apprestrict"]) { fixture, orders in
            orders.workerpool.apprestrict = fixture.teeApp
        }
    }

    @Test func workerpoolOrderRestrictsDataset() throws {
        try expectRefused(.workerpoolOrderRestrictsDataset, mentioning: ["datasetrestrict"]) { fixture, orders in
            orders.workerpool.datasetrestrict = fixture.stranger.address
        }
    }

    @Test func workerpoolOrderRestrictsRequester() throws {
        try expectRefused(.workerpoolOrderRestrictsRequester, mentioning: ["requesterrestrict"]) { fixture, orders in
            orders.workerpool.requesterrestrict = fixture.stranger.address
        }
    }

    @Test func restrictionsNamingTheRightPartiesPass() throws {
        var fixture = try Fixture()
        var orders = fixture.orders()
        orders.app.datasetrestrict = fixture.dataset
        orders.app.workerpoolrestrict = fixture.workerpool
        orders.app.requesterrestrict = fixture.requester.address
        orders.dataset?.apprestrict = fixture.app
        orders.dataset?.workerpoolrestrict = fixture.workerpool
        orders.dataset?.requesterrestrict = fixture.requester.address
        orders.workerpool.apprestrict = fixture.app
        orders.workerpool.datasetrestrict = fixture.dataset
        orders.workerpool.requesterrestrict = fixture.requester.address
        try fixture.match(orders)
    }

    @Test func unregisteredApp() throws {
        let nowhere = try Address("0x00000000000000000000000000000000000000aa")
        try expectRefused(.unknownApp, mentioning: [nowhere.description]) { _, orders in
            orders.app.app = nowhere
            orders.request.app = nowhere
        }
    }

    @Test func unregisteredDataset() throws {
        let nowhere = try Address("0x00000000000000000000000000000000000000bb")
        try expectRefused(.unknownDataset, mentioning: [nowhere.description]) { _, orders in
            orders.dataset?.dataset = nowhere
            orders.request.dataset = nowhere
        }
    }

    @Test func unregisteredWorkerpool() throws {
        let nowhere = try Address("0x00000000000000000000000000000000000000cc")
        try expectRefused(.unknownWorkerpool, mentioning: [nowhere.description]) { _, orders in
            orders.workerpool.workerpool = nowhere
            orders.request.workerpool = nowhere
        }
    }

    @Test func appOrderSignedBySomeoneElse() throws {
        try expectRefused(.invalidAppOrderSignature, mentioning: ["signed by"]) { fixture, orders in
            orders.appSigner = fixture.stranger
        }
    }

    @Test func datasetOrderNeitherSignedNorPresigned() throws {
        try expectRefused(.invalidDatasetOrderSignature, mentioning: ["no signature", "presign"]) { _, orders in
            orders.datasetSigner = nil
        }
    }

    @Test func workerpoolOrderSignedBySomeoneElse() throws {
        try expectRefused(.invalidWorkerpoolOrderSignature, mentioning: ["signed by"]) { fixture, orders in
            orders.workerpoolSigner = fixture.requester
        }
    }

    @Test func requestOrderSignedBySomeoneElse() throws {
        try expectRefused(.invalidRequestOrderSignature, mentioning: ["signed by"]) { fixture, orders in
            orders.requestSigner = fixture.stranger
        }
    }

    @Test func orderSignedForAnotherChain() throws {
        let fixture = try Fixture()
        var orders = fixture.orders()
        orders.requestSigner = nil
        let other = OrderDomain(chainId: 1, verifyingContract: Fixture.hub)
        guard
            case .matchOrders(let app, let dataset, let pool, _) = fixture.matchBody(orders)
        else { throw FixtureError("not a match") }
        let request = SignedOrder(
            order: orders.request, signature: orders.request.sign(with: fixture.requester.key, in: other))
        fixture.expectRejected(
            .invalidRequestOrderSignature, mentioning: ["chain 1337"], fixture.requester,
            .matchOrders(app: app, dataset: dataset, workerpool: pool, request: request))
    }

    @Test func fullyConsumedOrder() throws {
        var fixture = try Fixture()
        let orders = fixture.orders()
        try fixture.match(orders)
        fixture.expectRejected(
            .orderConsumed, mentioning: ["request order 0 left"], fixture.requester, fixture.matchBody(orders))
    }

    @Test func closedOrder() throws {
        var fixture = try Fixture()
        let orders = fixture.orders(volume: 4)
        try fixture.send(fixture.scheduler, .closeOrder(.workerpool(orders.workerpool)))
        #expect(fixture.state.consumed(orders.workerpool.hash(in: fixture.domain)) == 4)
        fixture.expectRejected(
            .orderClosed, mentioning: ["workerpool order", "revoked"], fixture.requester, fixture.matchBody(orders))
    }

    @Test func aRevokedDatasetOrderIsNeverMatchedAgain() throws {
        var fixture = try Fixture()
        let orders = fixture.orders(volume: 4)
        try fixture.match(orders)
        let datasetOrder = try #require(orders.dataset)
        let hash = datasetOrder.hash(in: fixture.domain)
        #expect(!fixture.state.isClosed(hash))
        try fixture.send(fixture.datasetOwner, .closeOrder(.dataset(datasetOrder)))
        #expect(fixture.state.isClosed(hash))
        fixture.expectRejected(
            .orderClosed, mentioning: ["dataset order \(hash)"], fixture.requester, fixture.matchBody(orders))
    }

    @Test func requesterCannotPay() throws {
        try expectRefused(.insufficientBalance, mentioning: ["108000 per task", "volume 100"]) { fixture, orders in
            orders = fixture.orders(volume: 100)
        }
    }

    @Test func sponsorCannotPay() throws {
        var fixture = try Fixture()
        try fixture.send(fixture.sponsor, .withdraw(amount: Fixture.escrowFunds))
        fixture.expectRejected(
            .insufficientBalance, mentioning: ["sponsor", fixture.sponsor.address.description], fixture.sponsor,
            fixture.matchBody(fixture.orders(), sponsored: true))
    }

    @Test func schedulerCannotStake() throws {
        var fixture = try Fixture()
        try fixture.send(fixture.scheduler, .withdraw(amount: Fixture.escrowFunds - 10_000))
        fixture.expectRejected(
            .insufficientSchedulerStake, mentioning: ["scheduler stake", "30000 per task"], fixture.requester,
            fixture.matchBody(fixture.orders()))
    }

    @Test func pricesThatOverflow() throws {
        try expectRefused(.arithmeticOverflow, mentioning: ["price"]) { _, orders in
            orders.app.appprice = .max
            orders.request.appmaxprice = .max
        }
    }
}
