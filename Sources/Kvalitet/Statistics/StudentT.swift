#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Student's t distribution with `degreesOfFreedom` (> 0).
public struct StudentT: Sendable, Hashable {
    public var degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "a t distribution needs degrees of freedom > 0")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T > t) for t ≥ 0: ½·I_{ν/(ν+t²)}(ν/2, ½).
    public func upperTail(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        if t < 0 { return 1 - upperTail(-t) }
        // ν/(ν+t²) is close to 1 when t² ≪ ν and loses digits; there use
        // I_{ν/(ν+t²)}(ν/2, ½) = 1 − I_{t²/(ν+t²)}(½, ν/2), where the subtracted value is small.
        let t2 = t * t
        if t2 < nu {
            return 0.5 * (1 - IncompleteBeta.regularized(t2 / (nu + t2), a: 0.5, b: nu / 2))
        }
        return 0.5 * IncompleteBeta.regularized(nu / (nu + t2), a: nu / 2, b: 0.5)
    }

    /// The density at t.
    public func density(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        return exp(-(nu + 1) / 2 * log1p(t * t / nu) - 0.5 * log(nu) - IncompleteBeta.logBeta(nu / 2, 0.5))
    }

    /// The p-quantile, 0 < p < 1: bisection to bracket, then Newton steps on the tail, so the
    /// result is as accurate as the tail itself (about 1e-15 relative).
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p) }
        let tail = 1 - p
        if degreesOfFreedom == 1 { return tan(Double.pi * (p - 0.5)) }
        if degreesOfFreedom == 2 { return (2 * p - 1) * (2 / (4 * p * (1 - p))).squareRoot() }
        var low = 0.0
        var high = 1.0
        while upperTail(high) > tail {
            low = high
            high *= 2
        }
        var t = (low + high) / 2
        for _ in 0..<200 {
            let value = upperTail(t) - tail
            if value > 0 { low = t } else { high = t }
            // Newton: d/dt upperTail = −density.
            let step = value / density(t)
            var next = t + step
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - t) <= 1e-15 * max(1, abs(t)) {
                t = next
                break
            }
            t = next
        }
        return t
    }
}
