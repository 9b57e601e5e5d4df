import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import ClaveMarket
public import ClaveRuntime
public import ClaveStorage
import Foundation

/// An iApp developer's side: stores a bundle, registers the app with the bundle's measurement, and publishes an
/// AppOrder so that requesters can run it (docs/iapp-bundle.md, "Deploying").
public struct IAppDeployer: Sendable {
    public let ledger: any LedgerService
    public let orderbook: any Orderbook
    public let blobs: any BlobStore
    /// The developer's account: it owns the app and signs its order.
    public let developer: PrivateKey

    public init(ledger: any LedgerService, orderbook: any Orderbook, blobs: any BlobStore, developer: PrivateKey) {
        self.ledger = ledger
        self.orderbook = orderbook
        self.blobs = blobs
        self.developer = developer
    }

    /// What a deploy made.
    public struct Deployment: Sendable, Hashable {
        public var app: Address
        /// sha-256 of the bundle's canonical archive: the app's registered `mrenclave`.
        public var measurement: Bytes32
        /// Where the bundle is stored: `clave://<CID>`.
        public var multiaddr: String
        /// The AppOrder published for it, or nil when none was asked for.
        public var appOrder: Bytes32?
        /// Whether this deploy registered the app; false when the same bundle was already registered by the same
        /// developer under the same name (a deploy is safe to repeat).
        public var registered: Bool
    }

    /// Deploys `bundle`: stores its archive, registers it (unless this developer already registered this very bundle
    /// under `name`), and publishes an AppOrder of `volume` runs at `price` each (none when `volume` is 0).
    public func deploy(_ bundle: AppBundle, name: String? = nil, price: UInt64 = 0, volume: UInt64 = 1_000_000)
        async throws -> Deployment
    {
        let name = name ?? bundle.manifest.name
        let stored = try await blobs.put(bytes: bundle.archive)
        let multiaddr = stored.cid.locator
        let type = bundle.manifest.runtime == .wasm ? "WASM" : "PROCESS"
        let chain = try await ledger.chainInfo().configuration
        // The address an app gets is a function of its owner and the owner's nonce, so an earlier deploy of the same
        // bundle is found by its creation event; a deploy that stopped after registering is then not repeated.
        var app = try await existingApp(name: name, multiaddr: multiaddr, measurement: bundle.measurement)
        let registered = app == nil
        if app == nil {
            let receipt = try await TransactionSender(key: developer, ledger: ledger, chainId: chain.chainId).send(
                .createApp(
                    name: name, type: type, multiaddr: multiaddr, checksum: bundle.measurement,
                    mrenclave: bundle.measurement.description))
            for event in receipt.events {
                if case .appCreated(let created, _) = event { app = created }
            }
        }
        guard let app else {
            throw RequesterError(.ledger, "The ledger registered the app but reported no AppCreated event.")
        }
        var orderHash: Bytes32?
        if volume > 0 {
            let order = AppOrder(
                app: app, appprice: price, volume: volume, tag: .zero, datasetrestrict: .zero,
                workerpoolrestrict: .zero, requesterrestrict: .zero, salt: .random())
            orderHash = try await orderbook.publish(.signed(order, with: developer, in: chain.orderDomain)).orderHash
        }
        return Deployment(
            app: app, measurement: bundle.measurement, multiaddr: multiaddr, appOrder: orderHash,
            registered: registered)
    }

    /// An app this developer registered with this name, bundle and measurement.
    private func existingApp(name: String, multiaddr: String, measurement: Bytes32) async throws -> Address? {
        let events = try await ledger.events(
            matching: EventFilter(account: developer.address, name: "AppCreated"), after: nil, limit: 1000,
            timeout: .zero)
        for record in events.reversed() {
            guard case .appCreated(let address, let owner) = record.event, owner == developer.address,
                let app = try await ledger.app(address)
            else { continue }
            if app.name == name, app.multiaddr == multiaddr, app.checksum == measurement { return address }
        }
        return nil
    }

}
