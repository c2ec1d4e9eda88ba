import Benchmark
import BenchmarkWorkloads
import Foundation

/// The hot loops of `kvalitet score`, `validate` and `report` on 100,000 synthetic responses of
/// the SFO parents' set (26 items): time, allocations and peak memory per run. Compare against
/// a saved baseline in review: `swift package benchmark baseline update main` on main, then
/// `swift package benchmark baseline compare main` on a branch.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .throughput],
        warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)
    let responses = Int(ProcessInfo.processInfo.environment["KVALITET_BENCH_RESPONSES"] ?? "") ?? 100_000
    nonisolated(unsafe) var workloads: Workloads!

    Benchmark("score CSV, one core", configuration: .init(setup: { workloads = try Workloads(responses: responses) },
        teardown: { workloads.cleanUp() }))
    { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try workloads.score(workloads.csv, parts: 1)) }
    }
    Benchmark("score CSV, all cores", configuration: .init(setup: { workloads = try Workloads(responses: responses) },
        teardown: { workloads.cleanUp() }))
    { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try workloads.score(workloads.csv, parts: 8)) }
    }
    Benchmark("score XML", configuration: .init(setup: { workloads = try Workloads(responses: responses) },
        teardown: { workloads.cleanUp() }))
    { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try workloads.score(workloads.xml)) }
    }
    Benchmark("validate CSV", configuration: .init(setup: { workloads = try Workloads(responses: responses) },
        teardown: { workloads.cleanUp() }))
    { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try workloads.validate()) }
    }
    Benchmark("report", configuration: .init(setup: { workloads = try Workloads(responses: responses) },
        teardown: { workloads.cleanUp() }))
    { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try workloads.report()) }
    }
}
