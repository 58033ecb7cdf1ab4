// swift-tools-version: 6.1
import PackageDescription

// A subnet plugin in its own package: the plugin module, a node and a miner for it, and tests.
// Copy this folder as the start of your own repository.

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "WordCount",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "WordCountPlugin", targets: ["WordCountPlugin"]),
        .executable(name: "wordcount-node", targets: ["WordCountNodeCommand"]),
        .executable(name: "wordcount-miner", targets: ["WordCountMinerCommand"]),
    ],
    dependencies: [
        // Inside the Organic repository the example uses the checkout it sits in. In your own
        // repository, depend on Organic by its git URL instead:
        //     .package(url: "https://github.com/<your-org>/organic.git", branch: "main"),
        // `name:` gives the local checkout the identity "organic" that the URL form has, so the
        // `package: "organic"` references below work with either line whatever the folder is called.
        .package(name: "organic", path: "../.."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The plugin itself sees only the plugin API, never the node.
        .target(
            name: "WordCountPlugin",
            dependencies: [.product(name: "OrganicPluginAPI", package: "organic")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "WordCountNodeCommand",
            dependencies: [
                "WordCountPlugin",
                .product(name: "OrganicFramework", package: "organic"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "WordCountMinerCommand",
            dependencies: [
                "WordCountPlugin",
                .product(name: "OrganicFramework", package: "organic"),
                .product(name: "OrganicMinerKit", package: "organic"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WordCountPluginTests",
            dependencies: ["WordCountPlugin", .product(name: "OrganicTestKit", package: "organic")],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
