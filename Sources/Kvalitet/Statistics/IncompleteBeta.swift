#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The regularized incomplete beta function I_x(a, b), the base of the t and F distributions.
///
/// Written here rather than taken from a package: none of the available Swift packages has it
/// (swift-numerics stops at elementary functions), and pulling in Python or LAPACK for three
/// quantiles is not worth it. Accuracy is checked against scipy in `StatisticsTests`.
public enum IncompleteBeta {
    /// I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1, by the continued fraction (modified Lentz), using
    /// the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    public static func regularized(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "I_x(a, b) needs a, b > 0")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = a * log(x) + b * log1p(-x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    /// The x with I_x(a, b) = p, 0 < p < 1: bisection to keep a bracket, Newton steps on the
    /// density for speed, to the precision of I itself.
    public static func inverse(_ p: Double, a: Double, b: Double) -> Double {
        precondition(p > 0 && p < 1, "inverse needs 0 < p < 1")
        var low = 0.0
        var high = 1.0
        var x = a / (a + b)
        let logB = logBeta(a, b)
        for _ in 0..<300 {
            let value = regularized(x, a: a, b: b) - p
            if value < 0 { low = x } else { high = x }
            let density = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logB)
            var next = density > 0 && density.isFinite ? x - value / density : (low + high) / 2
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - x) <= 4 * Double.ulpOfOne * x || high - low <= 4 * Double.ulpOfOne * high { return next }
            x = next
        }
        return x
    }

    /// log B(a, b). When one argument is large, lgamma(b) − lgamma(a + b) would subtract two
    /// nearly equal large numbers (losing ~10 digits at b = 10⁵); there the difference comes from
    /// Stirling's series with the large terms cancelled analytically.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let (small, large) = a < b ? (a, b) : (b, a)
        guard large >= 20 else { return lgamma(a) + lgamma(b) - lgamma(a + b) }
        // lnΓ(z) = (z − ½)ln z − z + ½ln 2π + s(z), so with L = large, S = small:
        // lnΓ(L) − lnΓ(L + S) = −(L − ½)·log1p(S/L) − S·ln(L + S) + S + s(L) − s(L + S).
        func s(_ z: Double) -> Double {
            let z2 = z * z
            return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * z2)) / z2) / z2) / z
        }
        let ratio = -(large - 0.5) * log1p(small / large) - small * log(large + small) + small + s(large) - s(large + small)
        return lgamma(small) + ratio
    }

    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            let m2 = 2 * m
            // Even step.
            var numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            // Odd step.
            numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
