// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the main build stays fast (shared/STYLE.md, rule 13).
// Run: swift run -c release clave-benchmarks [all|NAME ...] [--quick] [--json]   (--help names the benchmarks)

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ClaveBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Clave", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // libsecp256k1 driven directly from C: the reference the Swift wrappers are compared with.
        .target(
            name: "Secp256k1Reference",
            linkerSettings: [.linkedLibrary("secp256k1")]
        ),
        .executableTarget(
            name: "clave-benchmarks",
            dependencies: [
                "Secp256k1Reference",
                .product(name: "ClaveCrypto", package: "Clave"),
                .product(name: "ClaveCore", package: "Clave"),
                .product(name: "ClaveLedger", package: "Clave"),
                .product(name: "ClaveStorage", package: "Clave"),
                .product(name: "ClaveAttestation", package: "Clave"),
                .product(name: "ClaveSMS", package: "Clave"),
                .product(name: "ClaveClient", package: "Clave"),
                .product(name: "ClaveServer", package: "Clave"),
                .product(name: "ClaveRuntime", package: "Clave"),
                .product(name: "ClaveWorkerpool", package: "Clave"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
