// swift-tools-version: 6.1
import PackageDescription

// The benchmark package (ordo-one/benchmark) is heavy; it is only resolved when
// ORGANIC_BENCHMARKS=1 so that normal builds and CI stay fast.
let includeBenchmarks = Context.environment["ORGANIC_BENCHMARKS"] == "1"

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

var package = Package(
    name: "Organic",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "OrganicPluginAPI", targets: ["OrganicPluginAPI"]),
        .library(name: "OrganicFramework", targets: ["OrganicFramework"]),
        .library(name: "OrganicMinerKit", targets: ["OrganicMinerKit"]),
        .library(name: "OrganicTestKit", targets: ["OrganicTestKit"]),
        .library(name: "VisionPlugin", targets: ["VisionPlugin"]),
        .library(name: "TextEmbeddingPlugin", targets: ["TextEmbeddingPlugin"]),
        .library(name: "TextGenerationPlugin", targets: ["TextGenerationPlugin"]),
        .executable(name: "organic", targets: ["OrganicCommand"]),
        .executable(name: "organic-miner", targets: ["OrganicMinerCommand"]),
        .executable(name: "organic-bench", targets: ["OrganicBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        // The server's and the miner client's event loops and byte buffers (Hummingbird's and
        // AsyncHTTPClient's own foundation, named here because the runtime uses them directly).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Metrics: swift-metrics is the API the runtime records through; swift-prometheus the
        // backend each node exposes at /metrics (one registry per node, never bootstrapped globally).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Tracing's API (AsyncHTTPClient's own dependency): the miner client records spans only when
        // a node composer bootstraps a tracer.
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The operator console's server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Child processes with captured output (the SDK weights bridge).
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        // FilePath for the SDK bridge's interpreter (swift-subprocess's own dependency, named here
        // because the runtime imports it).
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
    ],
    targets: [
        // MARK: Plugin API: protocols and value types only, no dependencies.
        .target(
            name: "OrganicPluginAPI",
            path: "Sources/OrganicFramework/PluginAPI",
            swiftSettings: strict
        ),
        // MARK: Crypto: sr25519/ed25519 keys, SS58, btauth/1 (libsodium for ristretto255 and hashes).
        .systemLibrary(
            name: "CSodium",
            path: "Sources/CSystem/CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "OrganicCrypto",
            // SHA-256 from swift-crypto, the one the runtime uses (HMAC, fiber); libsodium for the rest.
            dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/OrganicFramework/Crypto",
            swiftSettings: strict
        ),
        // MARK: Runtime: HTTP server, miner client, storage, services.
        .target(
            name: "OrganicFramework",
            dependencies: [
                "OrganicPluginAPI", "OrganicCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API for the credit ledger's per-line statements.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "DequeModule", package: "swift-collections"),
                // The scheduler's queue deadlines.
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                // AES-CBC and RSA-OAEP for fiber's miner protocol (same name in swift-crypto 3.x and 4.x).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // Optional shared database for several nodes (`database.url: postgres://…`).
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "Sources/OrganicFramework/Runtime",
            swiftSettings: strict
        ),
        // MARK: Miner side: the reference miner server and the checks a miner makes on who is asking,
        // kept out of the node's module so that a validator never carries them by accident.
        .target(
            name: "OrganicMinerKit",
            dependencies: [
                "OrganicFramework", "OrganicPluginAPI", "OrganicCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/OrganicFramework/MinerKit",
            swiftSettings: strict
        ),
        // MARK: Test kit for plugin authors: conformance suite and in-process harness.
        .target(
            name: "OrganicTestKit",
            dependencies: [
                "OrganicFramework", "OrganicMinerKit", "OrganicPluginAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/OrganicFramework/TestKit",
            swiftSettings: strict
        ),
        // MARK: Plugins
        .systemLibrary(
            name: "CLibDeflate",
            path: "Sources/CSystem/CLibDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        .systemLibrary(
            name: "CLibPNG",
            path: "Sources/CSystem/CLibPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CTurboJPEG",
            path: "Sources/CSystem/CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .target(
            name: "PromptCorpus",
            dependencies: ["OrganicPluginAPI"],
            path: "Sources/Plugins/PromptCorpus",
            // The caption corpus as data, not code (6,000 lines compiled as a string literal were slow to build).
            resources: [.copy("Resources/captions.txt")],
            swiftSettings: strict
        ),
        .target(
            name: "VisionPlugin",
            dependencies: ["OrganicPluginAPI", "PromptCorpus", "CLibPNG", "CLibDeflate", "CTurboJPEG"],
            path: "Sources/Plugins/Vision",
            swiftSettings: strict
        ),
        .target(
            name: "TextGenerationPlugin",
            dependencies: ["OrganicPluginAPI", "PromptCorpus"],
            path: "Sources/Plugins/TextGeneration",
            swiftSettings: strict
        ),
        .target(
            name: "TextEmbeddingPlugin",
            dependencies: ["OrganicPluginAPI"],
            path: "Examples/TextEmbeddingPlugin",
            swiftSettings: strict
        ),
        // MARK: Executables
        .target(
            name: "OrganicBundledPlugins",
            dependencies: ["OrganicFramework", "VisionPlugin", "TextEmbeddingPlugin", "TextGenerationPlugin"],
            path: "Sources/Executables/BundledPlugins",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "OrganicCommand",
            dependencies: [
                "OrganicFramework", "OrganicPluginAPI", "OrganicMinerKit", "OrganicBundledPlugins", "VisionPlugin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Executables/Organic",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "OrganicMinerCommand",
            dependencies: [
                "OrganicFramework", "OrganicMinerKit", "OrganicBundledPlugins",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Executables/OrganicMiner",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "OrganicBench",
            dependencies: [
                "OrganicFramework", "OrganicPluginAPI", "OrganicMinerKit", "OrganicBundledPlugins", "TextEmbeddingPlugin",
                "TextGenerationPlugin", "VisionPlugin",
                // ManualNodeClock for `scoring-sim`.
                "OrganicTestKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                // `keys` runs the node's settlement service as the node does.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                // `forwarder`: the bare SwiftNIO floor under the node in proxy-compare.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/OrganicBench",
            swiftSettings: strict
        ),
        // MARK: Tests
        .testTarget(
            name: "OrganicPluginAPITests",
            dependencies: [
                "OrganicPluginAPI",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrganicFrameworkTests",
            dependencies: [
                "OrganicFramework", "OrganicPluginAPI", "OrganicMinerKit", "OrganicTestKit", "TextEmbeddingPlugin", "VisionPlugin",
                "TextGenerationPlugin",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // A client that does not follow redirects, for the console's sign-in and forms.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrganicCryptoTests",
            dependencies: [
                "OrganicCrypto", "OrganicTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TextEmbeddingPluginTests",
            dependencies: ["TextEmbeddingPlugin", "OrganicPluginAPI", "OrganicTestKit"],
            path: "Examples/TextEmbeddingPluginTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "VisionPluginTests",
            dependencies: [
                "VisionPlugin", "PromptCorpus", "OrganicTestKit", "CTurboJPEG", "OrganicFramework", "OrganicPluginAPI",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TextGenerationPluginTests",
            dependencies: [
                "TextGenerationPlugin", "OrganicMinerKit", "OrganicTestKit", "OrganicFramework", "OrganicPluginAPI",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // A client with more connections than the shared one, for load tests.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/TextGenerationPluginTests",
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
