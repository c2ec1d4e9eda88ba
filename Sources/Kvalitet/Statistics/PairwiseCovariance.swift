/// Sample covariances of k variables from pairwise-complete observations, accumulated in one
/// streaming pass as exact integer sums (no list of observations is kept): for every pair (i, j),
/// the count, Σxᵢ, Σxⱼ and Σxᵢxⱼ over the observations where both are present. This is what
/// pandas' `DataFrame.cov()` and R's `cov(use = "pairwise")` compute.
public struct PairwiseCovariance: Sendable, Equatable {
    /// The number of variables.
    public let k: Int
    private var count: [Int]
    private var sumX: [Int]
    private var sumY: [Int]
    private var sumXY: [Int]

    public init(k: Int) {
        self.k = k
        count = Array(repeating: 0, count: k * k)
        sumX = count
        sumY = count
        sumXY = count
    }

    /// Adds one observation (`weight` −1 takes one back); `nil` marks a missing value.
    public mutating func add(_ values: [Int?], weight: Int = 1) {
        precondition(values.count == k)
        for i in 0..<k {
            guard let x = values[i] else { continue }
            for j in 0..<k {
                guard let y = values[j] else { continue }
                let index = i * k + j
                count[index] += weight
                sumX[index] += weight * x
                sumY[index] += weight * y
                sumXY[index] += weight * x * y
            }
        }
    }

    /// Adds the counts and sums of another accumulator of the same k.
    public mutating func merge(_ other: PairwiseCovariance) {
        precondition(other.k == k)
        for index in count.indices {
            count[index] += other.count[index]
            sumX[index] += other.sumX[index]
            sumY[index] += other.sumY[index]
            sumXY[index] += other.sumXY[index]
        }
    }

    /// Observations where both i and j are present.
    public func pairCount(_ i: Int, _ j: Int) -> Int { count[i * k + j] }

    /// The sample covariance (n − 1) of i and j over their complete pairs; nil below two pairs.
    public func covariance(_ i: Int, _ j: Int) -> Double? {
        let index = i * k + j
        let n = count[index]
        guard n >= 2 else { return nil }
        // (n·Σxy − Σx·Σy) / (n(n − 1)), the numerator exact in integers.
        let numerator = Int128(n) * Int128(sumXY[index]) - Int128(sumX[index]) * Int128(sumY[index])
        return Double(rounding: numerator) / Double(rounding: Int128(n) * Int128(n - 1))
    }

    /// The k × k matrix, or nil when some pair has fewer than two complete observations.
    public func matrix() -> [[Double]]? {
        var rows: [[Double]] = []
        for i in 0..<k {
            var row: [Double] = []
            for j in 0..<k {
                guard let value = covariance(i, j) else { return nil }
                row.append(value)
            }
            rows.append(row)
        }
        return rows
    }
}
