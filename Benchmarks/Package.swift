// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the main build stays fast (shared/STYLE.md, rule 13).
// Run: swift run -c release clave-benchmarks [all|stream|secp256k1|keccak|ledger] [--quick] [--json]

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
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
