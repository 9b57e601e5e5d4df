import ClaveCore
import ClaveCrypto
import Foundation
import Testing

@Suite struct AssetTests {
    @Test func assetAddressesAreDerivedFromOwnerAndNonce() throws {
        let owner = try Address("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        for (kind, prefix) in [
            (AssetKind.app, "clave.app"), (.dataset, "clave.dataset"), (.workerpool, "clave.workerpool"),
        ] {
            let hash = Keccak256.hash(Array(prefix.utf8) + owner.bytes + Bytes32(uint64: 7).bytes)
            #expect(kind.address(owner: owner, nonce: 7) == (try Address(bytes: hash.bytes.suffix(20))))
        }
    }

    @Test func createApp() throws {
        var fixture = try Fixture()
        let nonce = fixture.account(fixture.appOwner).nonce
        let address = AssetKind.app.address(owner: fixture.appOwner.address, nonce: nonce)
        let events = try fixture.send(
            fixture.appOwner,
            .createApp(name: "n", type: "DOCKER", multiaddr: "docker.io/x", checksum: .zero, mrenclave: ""))
        #expect(events == [.appCreated(app: address, owner: fixture.appOwner.address)])
        #expect(
            fixture.state.app(address)
                == App(
                    address: address, owner: fixture.appOwner.address, name: "n", type: "DOCKER",
                    multiaddr: "docker.io/x", checksum: .zero, mrenclave: ""))
    }

    @Test func createAppOfAnUnknownType() throws {
        let fixture = try Fixture()
        fixture.expectRejected(
            .invalidAppType, mentioning: ["'JAR'", "DOCKER, PROCESS, WASM"], fixture.appOwner,
            .createApp(name: "n", type: "JAR", multiaddr: "", checksum: .zero, mrenclave: ""))
    }

    @Test func workerpoolsStartWithTheChainsRatios() throws {
        let fixture = try Fixture()
        let pool = try #require(fixture.state.workerpool(fixture.workerpool))
        #expect(pool.owner == fixture.scheduler.address)
        #expect(pool.workerStakeRatio == 30 && pool.schedulerRewardRatio == 1)
        #expect(fixture.state.dataset(fixture.dataset)?.schema == "email:string")
    }

    @Test func transferOwnership() throws {
        var fixture = try Fixture()
        let events = try fixture.send(
            fixture.appOwner, .transferAppOwnership(app: fixture.app, newOwner: fixture.stranger.address))
        #expect(
            events == [
                .ownershipTransferred(
                    kind: .app, asset: fixture.app, from: fixture.appOwner.address, to: fixture.stranger.address)
            ])
        #expect(fixture.state.app(fixture.app)?.owner == fixture.stranger.address)
        try fixture.send(
            fixture.datasetOwner,
            .transferDatasetOwnership(dataset: fixture.dataset, newOwner: fixture.stranger.address))
        try fixture.send(
            fixture.scheduler,
            .transferWorkerpoolOwnership(workerpool: fixture.workerpool, newOwner: fixture.stranger.address))
        #expect(fixture.state.dataset(fixture.dataset)?.owner == fixture.stranger.address)
        #expect(fixture.state.workerpool(fixture.workerpool)?.owner == fixture.stranger.address)
    }

    @Test func transferByANonOwner() throws {
        let fixture = try Fixture()
        fixture.expectRejected(
            .notOwner, mentioning: [fixture.appOwner.address.description, fixture.stranger.address.description],
            fixture.stranger, .transferAppOwnership(app: fixture.app, newOwner: fixture.stranger.address))
        fixture.expectRejected(
            .notOwner, fixture.stranger,
            .transferDatasetOwnership(dataset: fixture.dataset, newOwner: fixture.stranger.address))
        fixture.expectRejected(
            .notOwner, fixture.stranger,
            .transferWorkerpoolOwnership(workerpool: fixture.workerpool, newOwner: fixture.stranger.address))
        fixture.expectRejected(
            .unknownApp, fixture.stranger,
            .transferAppOwnership(app: fixture.dataset, newOwner: fixture.stranger.address))
        fixture.expectRejected(
            .invalidOwner, fixture.appOwner, .transferAppOwnership(app: fixture.app, newOwner: .zero))
    }

    @Test func configureWorkerpool() throws {
        var fixture = try Fixture()
        try fixture.send(
            fixture.scheduler,
            .configureWorkerpool(workerpool: fixture.workerpool, workerStakeRatio: 50, schedulerRewardRatio: 10))
        let deal = try fixture.match(fixture.orders(trust: 2))
        #expect(deal.workerStake == 50_000 && deal.schedulerRewardRatio == 10)
        fixture.expectRejected(
            .invalidRatio, mentioning: ["101"], fixture.scheduler,
            .configureWorkerpool(workerpool: fixture.workerpool, workerStakeRatio: 101, schedulerRewardRatio: 0))
        fixture.expectRejected(
            .notOwner, fixture.stranger,
            .configureWorkerpool(workerpool: fixture.workerpool, workerStakeRatio: 0, schedulerRewardRatio: 0))
    }

    @Test func theDealKeepsTheOwnersOfMatchTime() throws {
        var fixture = try Fixture()
        let deal = try fixture.match(fixture.orders())
        let taskId = try fixture.initialize(deal)
        try fixture.send(
            fixture.appOwner, .transferAppOwnership(app: fixture.app, newOwner: fixture.stranger.address))
        let worker = fixture.workers[0]
        try fixture.send(
            worker, fixture.contributeAndFinalizeBody(worker, taskId, digest: Keccak256.hash(utf8: "r")))
        #expect(fixture.account(fixture.appOwner).balance == Fixture.escrowFunds + Fixture.appPrice)
    }
}
