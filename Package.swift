// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "VetDesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vetdesk", targets: ["vetdesk"]),
        .executable(name: "vetcentral", targets: ["vetcentral"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        // Build-time embedding of schema/, themes/ and catalogs/ into the binaries.
        .executableTarget(name: "EmbedResources", path: "Sources/EmbedResources"),
        .plugin(
            name: "EmbedResourcesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedResources"],
            path: "Sources/EmbedResourcesPlugin"
        ),

        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // libharu and libqrencode (Debian: libhpdf-dev, libqrencode-dev) for the A4 PDF.
        .systemLibrary(name: "CHaru", path: "Sources/CHaru"),
        .systemLibrary(name: "CQREncode", path: "Sources/CQREncode"),
        // The system zlib: ZIP entries for SUNAT are deflated.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        .target(name: "VetCore", plugins: ["EmbedResourcesPlugin"]),
        .target(
            name: "VetStore",
            dependencies: [
                "VetCore", "VetFiscal",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            plugins: ["EmbedResourcesPlugin"]
        ),
        // The A4 PDF of SUNAT electronic documents.
        .target(name: "VetPrint", dependencies: ["VetCore", "CHaru", "CQREncode"]),
        // Optimised in debug builds too: the all-sizes render test draws every screen at ~10,000
        // sizes, and unoptimised drawing made it the longest part of `make test`.
        .target(
            name: "VetTUI",
            dependencies: ["VetCore", "VetStore", "CNcursesw"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))],
            plugins: ["EmbedResourcesPlugin"]
        ),
        // Synthetic data: the demo sede (`vetdesk demo`) and the write load of `vetdesk load`.
        .target(
            name: "VetDemo",
            dependencies: ["VetCore", "VetStore", "VetFiscal", .product(name: "GRDB", package: "GRDB.swift")],
            plugins: ["EmbedResourcesPlugin"]
        ),
        .target(
            name: "VetBench",
            dependencies: ["VetCore", "VetStore", "VetProtocol", "VetDemo", "VetSync", "VetTUI", "VetFiscal", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // libcurl with typed setters (curl_easy_setopt is variadic, which Swift cannot call).
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // XMLDSig for SUNAT's documents: libxmlsec1 over OpenSSL, which reads the company's .pfx.
        .target(
            name: "CXMLSec",
            path: "Sources/CXMLSec",
            cSettings: [
                .unsafeFlags(["-I/usr/include/xmlsec1", "-I/usr/include/libxml2"]),
                .define("XMLSEC_CRYPTO_OPENSSL", to: "1"),
                .define("XMLSEC_NO_CRYPTO_DYNAMIC_LOADING", to: "1"),
                .define("XMLSEC_NO_SIZE_T"),
                .define("XMLSEC_NO_GOST", to: "1"),
                .define("XMLSEC_NO_GOST2012", to: "1"),
                .define("__XMLSEC_FUNCTION__", to: "__func__"),
            ],
            linkerSettings: [.linkedLibrary("xmlsec1-openssl"), .linkedLibrary("xmlsec1"), .linkedLibrary("ssl"),
                             .linkedLibrary("crypto"), .linkedLibrary("xslt"), .linkedLibrary("xml2")]
        ),
        // SUNAT electronic documents: signing and the company's certificate.
        .target(name: "VetFiscal", dependencies: ["VetCore", "CXMLSec"]),
        // The sync wire types and their hand-written codecs, shared by the sede (VetSync) and central.
        .target(name: "VetProtocol"),
        .target(
            name: "VetSync",
            dependencies: ["VetCore", "VetStore", "VetProtocol", "CCurl", "CZlib", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "VetCentral",
            dependencies: [
                "VetCore", "VetProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            plugins: ["EmbedResourcesPlugin"]
        ),
        .executableTarget(
            name: "vetcentral",
            dependencies: ["VetCentral", "VetCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "vetdesk",
            dependencies: [
                "VetCore", "VetStore", "VetDemo", "VetTUI", "VetBench", "VetSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Tools the tests run as separate processes (`vettools race`); built with the rest, never installed.
        .executableTarget(
            name: "vettools",
            dependencies: ["VetCore", "VetStore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .target(name: "VetTestSupport", path: "Tests/VetTestSupport"),
        .testTarget(name: "VetCoreTests", dependencies: ["VetCore"]),
        .testTarget(name: "VetStoreTests", dependencies: ["VetStore", "VetCore", "VetDemo", "VetTestSupport", "VetFiscal",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "VetTUITests", dependencies: ["VetTUI", "VetStore", "VetCore", "VetDemo", "VetTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["VetStore", "VetCore", "VetTestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "VetSyncTests", dependencies: ["VetSync", "VetCentral", "VetProtocol", "VetStore", "VetCore", "VetTestSupport", "VetTUI",
                                                         .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "VetProtocolTests", dependencies: ["VetProtocol"]),
        .testTarget(name: "VetFiscalTests", dependencies: ["VetFiscal", "VetCore", "VetTestSupport"]),
        // Printed electronic documents end to end: ticket bytes and PDF, their QR codes read back.
        .testTarget(name: "VetPrintTests", dependencies: ["VetPrint", "VetCore", "VetTestSupport"]),
        // Central alone: no sede store, no VetSync.
        .testTarget(name: "VetCentralTests", dependencies: ["VetCentral", "VetProtocol", "VetCore", "VetTestSupport",
                                                            .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
