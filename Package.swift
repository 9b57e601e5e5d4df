// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Clave",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ClaveCrypto", targets: ["ClaveCrypto"]),
        .library(name: "ClaveCore", targets: ["ClaveCore"]),
        .library(name: "ClaveLedger", targets: ["ClaveLedger"]),
        .library(name: "ClaveMarket", targets: ["ClaveMarket"]),
        .library(name: "ClaveStorage", targets: ["ClaveStorage"]),
        .library(name: "ClaveAttestation", targets: ["ClaveAttestation"]),
        .library(name: "ClaveSMS", targets: ["ClaveSMS"]),
        .library(name: "ClaveRuntime", targets: ["ClaveRuntime"]),
        .library(name: "ClaveWorkerpool", targets: ["ClaveWorkerpool"]),
        .library(name: "ClaveClient", targets: ["ClaveClient"]),
        .library(name: "ClaveServer", targets: ["ClaveServer"]),
        .library(name: "ClaveCLI", targets: ["ClaveCLI"]),
        .executable(name: "clave", targets: ["clave"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", from: "0.4.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]
        ),
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // MARK: C code of our own
        // scrypt's ROMix for the parameters BoringSSL refuses (Sources/ClaveCrypto/Scrypt/Scrypt.swift).
        .target(name: "CClaveScrypt"),
        // sync_file_range, which Swift's Glibc module does not expose (Sources/ClaveStorage/Support/FileIO.swift).
        .target(name: "CClaveFileIO"),
        // CRC-32 by carry-less multiplication (PCLMULQDQ) for zip entries (Sources/ClaveCore/ProtectedData/CRC32.swift).
        .target(name: "CClaveCRC32"),
        // fork/exec of a sandboxed app with its resource limits, in its own process group
        // (Sources/ClaveRuntime/Process/ProcessRuntime.swift).
        .target(name: "CClaveSpawn"),

        // MARK: Modules, bottom to top (shared/DESIGN.md)
        .target(
            name: "ClaveCrypto",
            dependencies: [
                "CSecp256k1",
                "CLibcrypto",
                "CClaveScrypt",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveCore",
            dependencies: [
                "ClaveCrypto", "CClaveCRC32", .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveLedger",
            dependencies: [
                "ClaveCore",
                "ClaveCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveMarket",
            dependencies: [
                "ClaveCore",
                "ClaveCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // The child process of ClaveLedgerTests' durability test: submits, acknowledges, gets killed.
        .executableTarget(
            name: "clave-ledger-stress",
            dependencies: ["ClaveLedger", "ClaveCore", "ClaveCrypto"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveStorage",
            dependencies: [
                "ClaveCrypto",
                "CClaveFileIO",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveAttestation",
            dependencies: [
                "ClaveCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveSMS",
            dependencies: [
                "ClaveCore",
                "ClaveCrypto",
                "ClaveAttestation",
                "ClaveLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveRuntime",
            dependencies: [
                "ClaveCore",
                "ClaveCrypto",
                "ClaveStorage",
                "ClaveAttestation",
                "CClaveSpawn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmKitWASI", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveWorkerpool",
            dependencies: [
                "ClaveCore",
                "ClaveCrypto",
                "ClaveLedger",
                "ClaveMarket",
                "ClaveStorage",
                "ClaveAttestation",
                "ClaveSMS",
                "ClaveRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveClient",
            dependencies: [
                "ClaveCore",
                "ClaveRuntime",
                "ClaveWorkerpool",
                "ClaveCrypto",
                "ClaveLedger",
                "ClaveMarket",
                "ClaveStorage",
                "ClaveAttestation",
                "ClaveSMS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveServer",
            dependencies: [
                "ClaveCore",
                "ClaveWorkerpool",
                "ClaveCrypto",
                "ClaveLedger",
                "ClaveMarket",
                "ClaveStorage",
                "ClaveAttestation",
                "ClaveSMS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ClaveCLI",
            dependencies: [
                "ClaveCrypto",
                "ClaveWorkerpool",
                "ClaveRuntime",
                "ClaveCore",
                "ClaveLedger",
                "ClaveMarket",
                "ClaveClient",
                "ClaveServer",
                "ClaveStorage",
                "ClaveAttestation",
                "ClaveSMS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "clave",
            dependencies: ["ClaveCLI"],
            swiftSettings: strictSwift
        ),

        // MARK: Tests
        // Helpers shared by the test targets (seeded randomness, deterministic accounts, enclave contributions).
        .target(
            name: "ClaveTestSupport",
            dependencies: [
                "ClaveCrypto", "ClaveCore", "ClaveAttestation", "ClaveLedger", "ClaveSMS", "ClaveWorkerpool",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ClaveTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveCryptoTests",
            dependencies: [
                "ClaveTestSupport",
                "ClaveCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveCoreTests",
            dependencies: [
                "ClaveTestSupport", "ClaveCore", "ClaveCrypto",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveLedgerTests",
            dependencies: [
                "ClaveTestSupport", "ClaveLedger", "ClaveCore", "ClaveCrypto", "clave-ledger-stress",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveCLITests",
            dependencies: [
                "ClaveTestSupport", "ClaveCLI", "ClaveRuntime", "ClaveWorkerpool", "ClaveCrypto", "ClaveCore",
                "ClaveLedger", "ClaveClient",
                "ClaveServer", "ClaveMarket", "ClaveStorage", "ClaveAttestation", "ClaveSMS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveServerTests",
            dependencies: [
                "ClaveTestSupport", "ClaveWorkerpool",
                "ClaveServer", "ClaveClient", "ClaveLedger", "ClaveMarket", "ClaveCore", "ClaveCrypto",
                "ClaveStorage", "ClaveAttestation", "ClaveSMS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveStorageTests",
            dependencies: [
                "ClaveTestSupport", "ClaveStorage", "ClaveCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveSMSTests",
            dependencies: [
                "ClaveTestSupport", "ClaveSMS", "ClaveAttestation", "ClaveLedger", "ClaveCore", "ClaveCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveRuntimeTests",
            dependencies: [
                "ClaveTestSupport", "ClaveRuntime", "ClaveCore", "ClaveCrypto", "ClaveStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveWorkerpoolTests",
            dependencies: [
                "ClaveTestSupport", "ClaveWorkerpool", "ClaveRuntime", "ClaveSMS", "ClaveLedger", "ClaveStorage",
                "ClaveAttestation", "ClaveCore", "ClaveCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ClaveMarketTests",
            dependencies: [
                "ClaveTestSupport",
                "ClaveMarket", "ClaveCore", "ClaveCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
