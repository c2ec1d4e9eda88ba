// swift-tools-version:6.1
// Benchmarks of kvalitet's hot loops with ordo-one/benchmark (time, allocations, peak memory),
// so regressions show in review: `swift package benchmark` here (see Benchmarks/README section
// in the top README). A separate package so the library's build and tests do not depend on it.
import PackageDescription

let package = Package(
    name: "kvalitet-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "kvalitet", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Scoring",
            dependencies: [
                .product(name: "BenchmarkWorkloads", package: "kvalitet"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Scoring",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
