import Foundation
import Testing

@testable import Kvalitet

/// Student t quantiles and the incomplete beta against scipy (Tests/Reference/make_statistics_fixtures.py).
@Suite struct StatisticsTests {
    static func table(_ name: String) -> [[Double]] {
        let text = try! String(contentsOf: Support.resource("statistics/\(name)"), encoding: .utf8)
        return Support.parseCSV(text).dropFirst().map { $0.map { Double($0)! } }
    }

    /// The fast conversion of exact sums gives the standard library's double, within 64 bits,
    /// at its edges and beyond.
    @Test func int128ConvertsAsTheStandardLibraryDoes() {
        var random = SplitMix64(seed: 3)
        var values: [Int128] = [
            0, 1, -1, Int128(Int64.max), Int128(Int64.min), Int128(Int64.max) + 1, Int128(Int64.min) - 1,
            Int128.max, Int128.min, (1 << 53) + 1, -((1 << 53) + 1),
        ]
        for _ in 0..<10_000 {
            let high = Int128(Int64(bitPattern: random.next())) >> Int(random.next() % 64)
            values.append(high << 64 | Int128(random.next()))
            values.append(Int128(Int64(bitPattern: random.next()) >> Int(random.next() % 63)))
        }
        for value in values { #expect(Double(rounding: value) == Double(value), "\(value)") }
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

    @Test func fQuantilesMatchScipy() {
        for row in Self.table("f-quantiles.csv") {
            let (d1, d2, p, expected) = (row[0], row[1], row[2], row[3])
            let actual = FDistribution(numerator: d1, denominator: d2).quantile(p)
            #expect(
                abs(actual - expected) <= 1e-10 * max(1, abs(expected)), "F(\(p); \(d1), \(d2)) = \(actual), scipy \(expected)")
        }
    }

    /// Up to the median; above it x crowds against 1 (within an ulp for b = ½), which is why
    /// `FDistribution` solves the upper tail through the complement there.
    @Test func inverseIncompleteBetaRoundTrips() {
        for (a, b) in [(0.5, 0.5), (2.0, 3.0), (50.0, 0.5), (5.0, 300.0)] {
            for p in [1e-8, 0.025, 0.3, 0.5] {
                let x = IncompleteBeta.inverse(p, a: a, b: b)
                #expect(abs(IncompleteBeta.regularized(x, a: a, b: b) - p) <= 1e-13, "I⁻¹(\(p); \(a), \(b))")
            }
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
