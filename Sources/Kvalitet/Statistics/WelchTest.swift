/// Welch's two-sample t test from summary figures (means, sample standard deviations, sizes):
/// whether two groups' means differ, without assuming equal variances. The report uses it for
/// "has this dimension changed since the previous period" on the published rows, so it needs
/// nothing but what the scores CSV holds.
public struct WelchTest: Sendable, Hashable {
    public var t: Double
    public var degreesOfFreedom: Double
    /// Two-sided p-value.
    public var p: Double

    /// Nil when a group has fewer than 2 values or both have no spread (no test possible).
    public init?(mean1: Double, sd1: Double, n1: Int, mean2: Double, sd2: Double, n2: Int) {
        guard n1 >= 2, n2 >= 2 else { return nil }
        let v1 = sd1 * sd1 / Double(n1)
        let v2 = sd2 * sd2 / Double(n2)
        let se2 = v1 + v2
        guard se2 > 0, se2.isFinite else { return nil }
        t = (mean1 - mean2) / se2.squareRoot()
        degreesOfFreedom = se2 * se2 / (v1 * v1 / Double(n1 - 1) + v2 * v2 / Double(n2 - 1))
        p = min(1, 2 * StudentT(degreesOfFreedom: degreesOfFreedom).upperTail(abs(t)))
    }
}
