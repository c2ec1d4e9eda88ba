// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "kvalitet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kvalitet", targets: ["Kvalitet"]),
        .library(name: "KvalitetStore", targets: ["KvalitetStore"]),
        .executable(name: "kvalitet", targets: ["kvalitet"]),
        // What every reader and writer must do, for plug-ins' own tests (Docs/Architecture.md).
        .library(name: "KvalitetTesting", targets: ["KvalitetTesting"]),
        // For the benchmark package in Benchmarks/Swift.
        .library(name: "BenchmarkWorkloads", targets: ["BenchmarkWorkloads"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // libxml2 from the system (Debian: libxml2-dev); see shim.h for the ICU workaround.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // zlib from the system (Debian: zlib1g-dev): the zip
        // container of Excel workbooks, read and written (Sources/Kvalitet/Zip).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // ReadStat from the system (Debian: libreadstat-dev; no pkg-config file): SPSS files in.
        .systemLibrary(name: "CReadStat", providers: [.apt(["libreadstat-dev"])]),
        .target(
            name: "Kvalitet",
            dependencies: [
                "CLibXML2", "CZlib", "CReadStat",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The templates are compiled in (Scripts/embed-resources.py): no resources to find at run time.
            exclude: ["Report/Templates"]
        ),
        // libpq, PostgreSQL's client library (Debian: libpq-dev), and OpenSSL's libcrypto for
        // SHA-256 (Debian: libssl-dev, a dependency of libpq-dev): system libraries, built in no time.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The results store (issue #5): SQLite through GRDB, PostgreSQL through libpq.
        .target(
            name: "KvalitetStore",
            dependencies: [
                "Kvalitet", "CLibPQ", "CLibCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(name: "KvalitetTesting", dependencies: ["Kvalitet"]),
        .executableTarget(
            name: "kvalitet",
            dependencies: [
                "Kvalitet", "KvalitetStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the Swift benchmarks run (Benchmarks/Swift); the tests run each once (smoke).
        .target(name: "BenchmarkWorkloads", dependencies: ["Kvalitet"], path: "Benchmarks/Workloads"),
        // What the fuzz targets do per input; the tests replay the corpus and crashes through it.
        .target(name: "FuzzSupport", dependencies: ["Kvalitet"], path: "Fuzz/Support"),
        .testTarget(
            name: "KvalitetTests",
            dependencies: [
                "Kvalitet", "KvalitetStore", "KvalitetTesting", "FuzzSupport", "BenchmarkWorkloads",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Resources")]
        ),
    ]
)

// libFuzzer targets, one per reader (Fuzz/run.sh builds them with KVALITET_FUZZ=1 and
// -sanitize=fuzzer,address; libFuzzer supplies main, so they are not part of a normal build).
if ProcessInfo.processInfo.environment["KVALITET_FUZZ"] == "1" {
    package.targets.append(.target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"))
    package.targets.append(.target(name: "FuzzDriver", dependencies: ["CFuzzDriver"], path: "Fuzz/Driver"))
    for name in ["FuzzCSV", "FuzzXML", "FuzzSetYAML", "FuzzRegisterYAML", "FuzzXLSX", "FuzzSAV", "FuzzTripleS"] {
        package.targets.append(.executableTarget(
            name: name, dependencies: ["FuzzSupport", "FuzzDriver"], path: "Fuzz/Targets/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}

// One set of Swift settings for every target of ours (the language mode is Swift 6 for all):
// `any` spelled out for every existential, so the cost of a protocol type is visible where it is paid.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("ExistentialAny")]
}
