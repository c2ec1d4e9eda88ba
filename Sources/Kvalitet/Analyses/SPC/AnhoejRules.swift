import Foundation

/// Anhøj's run chart rules (FORMAT.md §9, as qicharts2 computes them): a series shows a shift
/// when its longest run on one side of the median is longer than `round(log2(n) + 3)`, or when it
/// crosses the median fewer times than the 5 % quantile of a binomial(n − 1, ½), where n is the
/// number of useful points (those not on the median). Points on the median neither break nor add
/// to a run. The start of issue #10's engine: the control charts come next.
public struct AnhoejRules: Sendable, Hashable {
    /// Points not on the median.
    public var useful: Int
    public var longestRun: Int
    public var longestRunMax: Int
    public var crossings: Int
    public var crossingsMin: Int

    /// Whether either rule signals.
    public var signal: Bool { longestRun > longestRunMax || crossings < crossingsMin }

    /// The rules applied to `values` around `centre` (the median of a run chart's baseline).
    public init(_ values: [Double], centre: Double) {
        // Each useful point's side: +1 above, −1 below; points on the centre are left out.
        let sides = values.compactMap { $0 > centre ? 1 : $0 < centre ? -1 : nil }
        useful = sides.count
        var (longest, current, crossings) = (0, 0, 0)
        for (index, side) in sides.enumerated() {
            if index > 0 && side != sides[index - 1] {
                crossings += 1
                current = 0
            }
            current += 1
            longest = max(longest, current)
        }
        longestRun = longest
        self.crossings = crossings
        (longestRunMax, crossingsMin) = Self.criticalValues(useful)
    }

    /// The rules' limits for `useful` points: `round(log2(n) + 3)` and `qbinom(0.05, n − 1, 0.5)`.
    public static func criticalValues(_ useful: Int) -> (longestRunMax: Int, crossingsMin: Int) {
        guard useful > 0 else { return (0, 0) }
        return (Int((log2(Double(useful)) + 3).rounded()), binomialQuantile(0.05, trials: useful - 1))
    }

    /// The smallest k with P(X ≤ k) ≥ p for X ~ binomial(trials, ½), as R's `qbinom` (with its
    /// tolerance of 64 machine epsilons on p). The terms are C(trials, k) / 2^trials, built up
    /// by the ratio of consecutive terms from the first in log space (no overflow up to
    /// thousands of trials).
    static func binomialQuantile(_ p: Double, trials: Int) -> Int {
        let target = p * (1 - 64 * Double.ulpOfOne)
        var term = exp(Double(trials) * log(0.5))
        var cumulative = term
        var k = 0
        while cumulative < target && k < trials {
            term *= Double(trials - k) / Double(k + 1)
            k += 1
            cumulative += term
        }
        return k
    }

    /// The median (the mean of the two middle values for an even count); nil for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
