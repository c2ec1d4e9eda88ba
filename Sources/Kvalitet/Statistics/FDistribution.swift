/// The F distribution with `numerator` and `denominator` degrees of freedom (both > 0).
public struct FDistribution: Sendable, Hashable {
    public var numerator: Double
    public var denominator: Double

    public init(numerator: Double, denominator: Double) {
        precondition(numerator > 0 && denominator > 0, "an F distribution needs degrees of freedom > 0")
        self.numerator = numerator
        self.denominator = denominator
    }

    /// P(F ≤ x) = I_{d₁x/(d₁x + d₂)}(d₁/2, d₂/2).
    public func cdf(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let (d1, d2) = (numerator, denominator)
        return IncompleteBeta.regularized(d1 * x / (d1 * x + d2), a: d1 / 2, b: d2 / 2)
    }

    /// The p-quantile, 0 < p < 1. Above the median it solves the upper tail,
    /// 1 − p = I_{d₂/(d₂ + d₁x)}(d₂/2, d₁/2), so large quantiles keep their digits.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1")
        let (d1, d2) = (numerator, denominator)
        if p <= 0.5 {
            let y = IncompleteBeta.inverse(p, a: d1 / 2, b: d2 / 2)
            return d2 * y / (d1 * (1 - y))
        }
        let z = IncompleteBeta.inverse(1 - p, a: d2 / 2, b: d1 / 2)
        return d2 * (1 - z) / (d1 * z)
    }
}
