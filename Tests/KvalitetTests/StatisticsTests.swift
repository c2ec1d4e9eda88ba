import Foundation
import Testing

@testable import Kvalitet

/// Student t quantiles and the incomplete beta against scipy (Tests/Reference/make_statistics_fixtures.py).
@Suite struct StatisticsTests {
    static func table(_ name: String) -> [[Double]] {
        let text = try! String(contentsOf: Support.resource("statistics/\(name)"), encoding: .utf8)
        return Support.parseCSV(text).dropFirst().map { $0.map { Double($0)! } }
    }

    @Test func tQuantilesMatchScipy() {
        for row in Self.table("t-quantiles.csv") {
            let (df, p, expected) = (row[0], row[1], row[2])
            let actual = StudentT(degreesOfFreedom: df).quantile(p)
            #expect(abs(actual - expected) <= 1e-12 * max(1, abs(expected)), "t(\(p), \(df)) = \(actual), scipy \(expected)")
        }
    }

    @Test func incompleteBetaMatchesScipy() {
        for row in Self.table("incomplete-beta.csv") {
            let (x, a, b, expected) = (row[0], row[1], row[2], row[3])
            let actual = IncompleteBeta.regularized(x, a: a, b: b)
            #expect(abs(actual - expected) <= 1e-13 + 1e-11 * abs(expected), "I_\(x)(\(a), \(b)) = \(actual), scipy \(expected)")
        }
    }

    /// Textbook values: t(0.975, 1) = tan(0.475π), t(0.975, 2) = 4.30265…, t(0.975, ∞) → 1.95996….
    @Test func knownValues() {
        #expect(abs(StudentT(degreesOfFreedom: 1).quantile(0.975) - 12.706204736174707) < 1e-12)
        #expect(abs(StudentT(degreesOfFreedom: 2).quantile(0.975) - 4.302652729749464) < 1e-12)
        #expect(abs(StudentT(degreesOfFreedom: 1e9).quantile(0.975) - 1.959963984540054) < 1e-6)
        #expect(StudentT(degreesOfFreedom: 7).quantile(0.5) == 0)
    }
}
