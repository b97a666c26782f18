// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "VetDesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vetdesk", targets: ["vetdesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
    ],
    targets: [
        // Build-time embedding of schema/ and themes/ into the binaries.
        .executableTarget(name: "EmbedResources", path: "Sources/EmbedResources"),
        .plugin(
            name: "EmbedResourcesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedResources"],
            path: "Sources/EmbedResourcesPlugin"
        ),

        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),

        .target(name: "VetCore"),
        .target(
            name: "VetStore",
            dependencies: [
                "VetCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            plugins: ["EmbedResourcesPlugin"]
        ),
        .target(
            name: "VetTUI",
            dependencies: ["VetCore", "VetStore", "CNcursesw"],
            plugins: ["EmbedResourcesPlugin"]
        ),
        .target(
            name: "VetBench",
            dependencies: ["VetCore", "VetStore", "VetTUI", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .executableTarget(
            name: "vetdesk",
            dependencies: [
                "VetCore", "VetStore", "VetTUI", "VetBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "VetTestSupport", path: "Tests/VetTestSupport"),
        .testTarget(name: "VetCoreTests", dependencies: ["VetCore"]),
        .testTarget(name: "VetStoreTests", dependencies: ["VetStore", "VetCore", "VetTestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "VetTUITests", dependencies: ["VetTUI", "VetStore", "VetCore", "VetTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["VetStore", "VetCore", "VetTestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
