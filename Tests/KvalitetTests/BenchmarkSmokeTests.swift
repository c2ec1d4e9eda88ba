import BenchmarkWorkloads
import Foundation
import Testing

/// The Swift benchmarks' workloads (Benchmarks/Swift) run once, small, so a benchmark that breaks
/// shows in the tests. No time is measured or asserted here.
@Suite struct BenchmarkSmokeTests {
    @Test func everyWorkloadRuns() throws {
        let workloads = try Workloads(responses: 300)
        defer { workloads.cleanUp() }
        let bytes = try workloads.score(workloads.csv, parts: 1)
        #expect(bytes > 10_000)
        #expect(try workloads.score(workloads.csv, parts: 4) == bytes)
        // The XML file holds the same responses, so the same scores.
        #expect(try workloads.score(workloads.xml) == bytes)
        #expect(try workloads.validate() > 0)
        #expect(try workloads.report() > 10_000)
    }
}
