/// Reliability and item statistics of one dimension, from its pairwise-complete covariance
/// matrix C (FORMAT.md §6). These match pingouin's `cronbach_alpha(nan_policy="pairwise")` and
/// R's `psych::alpha(use = "pairwise")`. Every function returns nil where the figure is undefined
/// (too few items, a zero variance, a zero total).
public enum Reliability {
    /// Cronbach's alpha: k/(k − 1)·(1 − trace(C)/sum(C)); nil when k < 2.
    public static func alpha(_ c: [[Double]]) -> Double? {
        let k = c.count
        guard k >= 2 else { return nil }
        let total = sum(c)
        guard total != 0 else { return nil }
        let trace = (0..<k).reduce(0.0) { $0 + c[$1][$1] }
        return Double(k) / Double(k - 1) * (1 - trace / total)
    }

    /// Alpha of C without item i; nil when fewer than 3 items (two would remain… one would remain).
    public static func alphaIfDeleted(_ c: [[Double]], item i: Int) -> Double? {
        guard c.count >= 3 else { return nil }
        return alpha(without(c, i))
    }

    /// Corrected item-total correlation (psych's r.drop): the correlation of item i with the sum of
    /// the other items, (Σⱼ Cᵢⱼ − Cᵢᵢ)/√(Cᵢᵢ·Σ_{j,l≠i} Cⱼₗ).
    public static func itemRestCorrelation(_ c: [[Double]], item i: Int) -> Double? {
        guard c.count >= 2 else { return nil }
        let covarianceWithRest = c[i].reduce(0, +) - c[i][i]
        let restVariance = sum(without(c, i))
        let denominator = c[i][i] * restVariance
        guard denominator > 0 else { return nil }
        return covarianceWithRest / denominator.squareRoot()
    }

    /// The correlation matrix of C (R's cov2cor); nil when a variance is zero.
    public static func correlation(_ c: [[Double]]) -> [[Double]]? {
        let k = c.count
        let sd = (0..<k).map { c[$0][$0].squareRoot() }
        guard sd.allSatisfy({ $0 > 0 }) else { return nil }
        return (0..<k).map { i in (0..<k).map { j in i == j ? 1 : c[i][j] / (sd[i] * sd[j]) } }
    }

    /// The mean of R's off-diagonal cells; nil when k < 2.
    public static func meanInterItemCorrelation(_ r: [[Double]]) -> Double? {
        let k = r.count
        guard k >= 2 else { return nil }
        var total = 0.0
        for i in 0..<k { for j in 0..<k where i != j { total += r[i][j] } }
        return total / Double(k * (k - 1))
    }

    /// Standardized alpha: k·r̄/(1 + (k − 1)·r̄).
    public static func standardizedAlpha(k: Int, meanCorrelation r: Double) -> Double? {
        guard k >= 2 else { return nil }
        let denominator = 1 + Double(k - 1) * r
        guard denominator != 0 else { return nil }
        return Double(k) * r / denominator
    }

    /// Feldt's 95 % interval: 1 − (1 − α)·F⁻¹(0.975 and 0.025; n − 1, (n − 1)(k − 1)).
    public static func feldtInterval(alpha: Double, n: Int, k: Int) -> (low: Double, high: Double)? {
        guard n >= 2, k >= 2 else { return nil }
        let f = FDistribution(numerator: Double(n - 1), denominator: Double((n - 1) * (k - 1)))
        return (1 - (1 - alpha) * f.quantile(0.975), 1 - (1 - alpha) * f.quantile(0.025))
    }

    /// McDonald's omega (total) from a one-factor model fitted to R by iterated principal axes
    /// (the unweighted least squares / minres solution): ω = 1 − Σ(1 − λᵢ²)/ΣR, as psych's omega.
    /// Only for a proper fit: k ≥ 3 (with two items the model is not identified), converged, and
    /// every loading above 0 and at most 1 (no Heywood case, no item against the factor);
    /// otherwise nil, since any number would mislead.
    public static func omegaTotal(_ r: [[Double]]) -> Double? {
        guard r.count >= 3, let loadings = oneFactorLoadings(r),
            loadings.allSatisfy({ $0 > 1e-6 && $0 <= 1 + 1e-9 })
        else { return nil }
        let uniqueness = loadings.reduce(0) { $0 + (1 - $1 * $1) }
        let total = sum(r)
        guard total > 0 else { return nil }
        return 1 - uniqueness / total
    }

    /// Loadings of one factor on R by iterated principal axes, starting from squared multiple
    /// correlations approximated by each item's largest absolute correlation.
    public static func oneFactorLoadings(_ r: [[Double]]) -> [Double]? {
        let k = r.count
        guard k >= 2 else { return nil }
        var communality = (0..<k).map { i in (0..<k).filter { $0 != i }.map { abs(r[i][$0]) }.max() ?? 0 }
        var loadings = Array(repeating: 0.0, count: k)
        for _ in 0..<10_000 {
            var reduced = r
            for i in 0..<k { reduced[i][i] = communality[i] }
            guard let (value, vector) = leadingEigenpair(reduced), value > 0 else { return nil }
            loadings = vector.map { $0 * value.squareRoot() }
            if loadings.reduce(0, +) < 0 { loadings = loadings.map { -$0 } }
            let next = loadings.map { $0 * $0 }
            let change = zip(next, communality).map { abs($0 - $1) }.max() ?? 0
            communality = next
            if change < 1e-13 { return loadings }
        }
        return nil
    }

    /// The largest eigenvalue of a symmetric matrix and its unit eigenvector (Jacobi rotations:
    /// small matrices, exact enough, no LAPACK).
    static func leadingEigenpair(_ matrix: [[Double]]) -> (Double, [Double])? {
        let k = matrix.count
        var a = matrix
        var v = (0..<k).map { i in (0..<k).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<k { for j in (i + 1)..<k { off += a[i][j] * a[i][j] } }
            if off < 1e-30 { break }
            for p in 0..<k {
                for q in (p + 1)..<k where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for r in 0..<k {
                        let (arp, arq) = (a[r][p], a[r][q])
                        a[r][p] = c * arp - s * arq
                        a[r][q] = s * arp + c * arq
                    }
                    for r in 0..<k {
                        let (apr, aqr) = (a[p][r], a[q][r])
                        a[p][r] = c * apr - s * aqr
                        a[q][r] = s * apr + c * aqr
                    }
                    for r in 0..<k {
                        let (vrp, vrq) = (v[r][p], v[r][q])
                        v[r][p] = c * vrp - s * vrq
                        v[r][q] = s * vrp + c * vrq
                    }
                }
            }
        }
        guard let best = (0..<k).max(by: { a[$0][$0] < a[$1][$1] }) else { return nil }
        return (a[best][best], (0..<k).map { v[$0][best] })
    }

    /// ICC(1) from a one-way ANOVA of scores grouped in units, (MSB − MSW)/(MSB + (n₀ − 1)·MSW),
    /// n₀ = (N − Σnᵍ²/N)/(G − 1). Groups are (count, sum, sum of squares). Nil when G < 2, when
    /// every group has one score, or when there is no variation at all. A negative estimate (less
    /// variation between units than chance alone gives) is reported as 0.
    public static func icc1(_ groups: [(n: Int, sum: Double, sumOfSquares: Double)]) -> Double? {
        let groups = groups.filter { $0.n > 0 }
        let g = groups.count
        let n = groups.reduce(0) { $0 + $1.n }
        guard g >= 2, n > g else { return nil }
        let grand = groups.reduce(0.0) { $0 + $1.sum } / Double(n)
        var between = 0.0
        var within = 0.0
        for group in groups {
            let mean = group.sum / Double(group.n)
            between += Double(group.n) * (mean - grand) * (mean - grand)
            within += max(0, group.sumOfSquares - group.sum * mean)
        }
        let msb = between / Double(g - 1)
        let msw = within / Double(n - g)
        let n0 = (Double(n) - groups.reduce(0.0) { $0 + Double($1.n * $1.n) } / Double(n)) / Double(g - 1)
        let denominator = msb + (n0 - 1) * msw
        guard denominator > 0 else { return nil }
        return max(0, (msb - msw) / denominator)
    }

    static func sum(_ m: [[Double]]) -> Double {
        m.reduce(0) { $0 + $1.reduce(0, +) }
    }

    static func without(_ m: [[Double]], _ i: Int) -> [[Double]] {
        m.enumerated().filter { $0.offset != i }.map { row in row.element.enumerated().filter { $0.offset != i }.map(\.element) }
    }
}
