/// The figures of one score row before suppression.
struct RowFigures: Equatable {
    var n: Int
    var mean: Double?
    var sd: Double?
    var ciLow: Double?
    var ciHigh: Double?
    var positiveShare: Double?
    var dontKnow: Int
    var unanswered: Int
}

/// t(0.975, df) per degrees of freedom, computed once each.
struct TQuantiles {
    private var cache: [Int: Double] = [:]

    mutating func t975(_ degreesOfFreedom: Int) -> Double {
        if let known = cache[degreesOfFreedom] { return known }
        let value = StudentT(degreesOfFreedom: Double(degreesOfFreedom)).quantile(0.975)
        cache[degreesOfFreedom] = value
        return value
    }
}

extension Tally {
    /// Item row: valid answers after reversing (FORMAT.md §5).
    func itemFigures(_ item: Int, set: CompiledSet, t: inout TQuantiles) -> RowFigures {
        var n = 0
        var sum: Int128 = 0
        var sumOfSquares: Int128 = 0
        var positives = 0
        for code in 0..<set.codeCount {
            let index = item * set.codeCount + code
            let count = codeCounts[index]
            guard count > 0 else { continue }
            let value = Int128(set.values[index])
            n += count
            sum += Int128(count) * value
            sumOfSquares += Int128(count) * value * value
            if set.positive[index] { positives += count }
        }
        var figures = Self.moments(n: n, sum: sum, sumOfSquares: sumOfSquares, scale: 1, t: &t)
        figures.positiveShare = n > 0 ? Double(positives) / Double(n) : nil
        figures.dontKnow = dontKnow[item]
        figures.unanswered = unanswered[item]
        return figures
    }

    /// Dimension row: respondents' dimension scores; shares and counts pooled over its items.
    func dimensionFigures(_ dimension: Int, set: CompiledSet, t: inout TQuantiles) -> RowFigures {
        let k = set.dimensionItems[dimension].count
        let offset = set.dimensionBucketOffsets[dimension]
        var figures: RowFigures
        // Scores s/c scaled by L = lcm(1…k) are integers: sums stay exact while they fit.
        if let exact = exactScaledSums(offset: offset, k: k) {
            figures = Self.moments(n: exact.n, sum: exact.sum, sumOfSquares: exact.sumOfSquares, scale: exact.scale, t: &t)
        } else {
            figures = approximateFigures(offset: offset, k: k, t: &t)
        }
        let pooled = pooledCounts(set.dimensionItems[dimension], set: set)
        figures.positiveShare = pooled.valid > 0 ? Double(pooled.positive) / Double(pooled.valid) : nil
        figures.dontKnow = pooled.dontKnow
        figures.unanswered = pooled.unanswered
        return figures
    }

    /// Each row kind's `n` without its other figures, in row order within a group: the total,
    /// then each dimension followed by its items (items only when the set reports them).
    func rowCounts(set: CompiledSet) -> [Int] {
        var counts = [scored]
        var flatItem = 0
        for d in set.set.dimensions.indices {
            let offset = set.dimensionBucketOffsets[d]
            var n = 0
            for c in 0..<set.dimensionItems[d].count { n += bucketCount[offset + c] }
            counts.append(n)
            for _ in set.dimensionItems[d] {
                if set.set.reportItems {
                    var valid = 0
                    for code in 0..<set.codeCount { valid += codeCounts[flatItem * set.codeCount + code] }
                    counts.append(valid)
                }
                flatItem += 1
            }
        }
        return counts
    }

    /// Total row: unweighted mean of the given dimension means (the published ones: see
    /// ScoreBuilder); shares and counts pooled over all items.
    func totalFigures(set: CompiledSet, dimensionMeans means: [Double]) -> RowFigures {
        let pooled = pooledCounts(0..<set.itemCount, set: set)
        return RowFigures(
            n: scored,
            mean: means.isEmpty ? nil : means.reduce(0, +) / Double(means.count),
            positiveShare: pooled.valid > 0 ? Double(pooled.positive) / Double(pooled.valid) : nil,
            dontKnow: pooled.dontKnow, unanswered: pooled.unanswered)
    }

    private func pooledCounts(
        _ items: Range<Int>, set: CompiledSet
    ) -> (valid: Int, positive: Int, dontKnow: Int, unanswered: Int) {
        var valid = 0
        var positive = 0
        var dontKnowSum = 0
        var unansweredSum = 0
        for item in items {
            for code in 0..<set.codeCount {
                let index = item * set.codeCount + code
                valid += codeCounts[index]
                if set.positive[index] { positive += codeCounts[index] }
            }
            dontKnowSum += dontKnow[item]
            unansweredSum += unanswered[item]
        }
        return (valid, positive, dontKnowSum, unansweredSum)
    }

    private func exactScaledSums(offset: Int, k: Int) -> (n: Int, sum: Int128, sumOfSquares: Int128, scale: Int128)? {
        guard let scale = Self.lcmUpTo(k) else { return nil }
        var n = 0
        var sum: Int128 = 0
        var sumOfSquares: Int128 = 0
        for c in 1...k {
            let bucket = offset + c - 1
            guard bucketCount[bucket] > 0 else { continue }
            let factor = scale / Int128(c)
            let (square, o1) = factor.multipliedReportingOverflow(by: factor)
            let (scaledSquares, o2) = Int128(bucketSumOfSquares[bucket]).multipliedReportingOverflow(by: square)
            let (next, o3) = sumOfSquares.addingReportingOverflow(scaledSquares)
            if o1 || o2 || o3 { return nil }
            n += bucketCount[bucket]
            sum += Int128(bucketSum[bucket]) * factor
            sumOfSquares = next
        }
        // n·Σx² must fit too (see `moments`).
        if Int128(n).multipliedReportingOverflow(by: sumOfSquares).overflow
            || sum.multipliedReportingOverflow(by: sum).overflow
        {
            return nil
        }
        return (n, sum, sumOfSquares, scale)
    }

    /// For very long dimensions (lcm(1…k) too large): the same figures in floating point.
    private func approximateFigures(offset: Int, k: Int, t: inout TQuantiles) -> RowFigures {
        var n = 0
        var sum = 0.0
        var sumOfSquares = 0.0
        for c in 1...k {
            let bucket = offset + c - 1
            let divisor = Double(c)
            n += bucketCount[bucket]
            sum += Double(bucketSum[bucket]) / divisor
            sumOfSquares += Double(bucketSumOfSquares[bucket]) / (divisor * divisor)
        }
        guard n > 0 else { return RowFigures(n: 0, dontKnow: 0, unanswered: 0) }
        let mean = sum / Double(n)
        var figures = RowFigures(n: n, mean: mean, dontKnow: 0, unanswered: 0)
        if n >= 2 {
            let variance = Swift.max(0, (sumOfSquares - Double(n) * mean * mean) / Double(n - 1))
            Self.addSpread(&figures, sd: variance.squareRoot(), t: &t)
        }
        return figures
    }

    /// Mean, sample sd (n − 1) and t interval from exact sums of values scaled by `scale`.
    static func moments(n: Int, sum: Int128, sumOfSquares: Int128, scale: Int128, t: inout TQuantiles) -> RowFigures {
        guard n > 0 else { return RowFigures(n: 0, dontKnow: 0, unanswered: 0) }
        var figures = RowFigures(
            n: n, mean: Double(rounding: sum) / Double(rounding: Int128(n) * scale), dontKnow: 0, unanswered: 0)
        if n >= 2 {
            // Σ(x − x̄)² · n = n·Σx² − (Σx)², exactly in integers.
            let numerator = Int128(n) * sumOfSquares - sum * sum
            let denominator = Double(rounding: Int128(n) * Int128(n - 1)) * Double(rounding: scale) * Double(rounding: scale)
            addSpread(&figures, sd: (Double(rounding: numerator) / denominator).squareRoot(), t: &t)
        }
        return figures
    }

    private static func addSpread(_ figures: inout RowFigures, sd: Double, t: inout TQuantiles) {
        guard let mean = figures.mean else { return }
        let half = t.t975(figures.n - 1) * sd / Double(figures.n).squareRoot()
        figures.sd = sd
        figures.ciLow = mean - half
        figures.ciHigh = mean + half
    }

    /// lcm(1, 2, …, k) when it stays below 2^31.
    static func lcmUpTo(_ k: Int) -> Int128? {
        var value: Int128 = 1
        for c in 1...Swift.max(1, k) {
            var a = value
            var b = Int128(c)
            while b != 0 { (a, b) = (b, a % b) }
            value = value / a * Int128(c)
            if value >= (1 << 31) { return nil }
        }
        return value
    }
}

extension Double {
    /// `Double(value)`, the nearest double. The standard library converts an `Int128` through
    /// generic code that took a fifth of the time of scoring a national file's 15,000 rows; a
    /// value within 64 bits (nearly all sums here) converts as an `Int64` instead, which rounds
    /// to the same double since the value is the same.
    @inline(__always)
    init(rounding value: Int128) {
        if value >= Int128(Int64.min) && value <= Int128(Int64.max) {
            self.init(Int64(truncatingIfNeeded: value))
        } else {
            self.init(value)
        }
    }
}
