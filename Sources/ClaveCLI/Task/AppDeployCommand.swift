import ArgumentParser
import ClaveClient
import ClaveCore
import ClaveCrypto
import ClaveRuntime
import Foundation

/// `clave app deploy <dir>`: store an iApp bundle, register the app with its measurement, publish an AppOrder.
struct AppDeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy an iApp: store its bundle, register it with its measurement, publish an AppOrder.",
        discussion: """
            The folder holds iapp.json and the app's files (docs/iapp-bundle.md). The app's measurement — sha-256 of \
            the bundle's canonical archive — is registered as its mrenclave: the SMS releases keys only to an \
            enclave that measures exactly this bundle. Deploying the same bundle again finds the app already \
            registered and only publishes a new order.
            Example: clave app deploy Examples/hello-wasm-c --address 0xab12...9f3c
            """
    )

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var signer: SignerOptions

    @Argument(help: "The iApp's folder (with iapp.json).")
    var directory: String

    @Option(help: "The app's name on the ledger (default: the manifest's name).")
    var name: String?

    @Option(help: "What each run costs the requester, in nano-units.")
    var price: UInt64 = 0

    @Option(help: "How many runs the published AppOrder offers (0: publish none).")
    var volume: UInt64 = 1_000_000

    func run() async throws {
        let bundle: AppBundle
        do {
            bundle = try AppBundle(directory: URL(fileURLWithPath: directory))
        } catch {
            throw CLIError(.invalidInput, error.message)
        }
        let key = try signer.key()
        let connection = try remote.connection()
        let deployer = IAppDeployer(
            ledger: LedgerClient(connection: connection), orderbook: OrderbookClient(connection: connection),
            blobs: BlobStoreClient(connection: connection), developer: key)
        let deployment = try await remote.ask {
            try await deployer.deploy(bundle, name: name, price: price, volume: volume)
        }
        remote.emit(
            [
                "app": .string(deployment.app.checksummed), "measurement": .string(deployment.measurement.description),
                "multiaddr": .string(deployment.multiaddr), "registered": .bool(deployment.registered),
                "appOrder": deployment.appOrder.map { .string($0.description) } ?? .null,
            ]
        ) {
            [
                "\(deployment.registered ? "Deployed" : "Already deployed") \(bundle.manifest.name) \(bundle.manifest.version) (\(bundle.manifest.runtime.rawValue)) as app \(deployment.app)",
                "  measurement  \(deployment.measurement)   (registered as mrenclave)",
                "  bundle       \(deployment.multiaddr)   (\(bundle.archive.count) bytes)",
                deployment.appOrder.map { "  app order    \($0)   (\(volume) runs at \(price) each)" }
                    ?? "  no app order published",
                "Next: grant it your protected data (`clave data grant <data> --app \(deployment.app)`), then `clave app run \(deployment.app) --dataset <data>`.",
            ]
        }
    }
}
