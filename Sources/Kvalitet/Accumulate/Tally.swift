/// What a group of counted respondents answered to one set, kept as integer counts and sums so
/// that adding respondents in any order, or merging tallies of parts, gives exactly the same
/// result (and so the same figures to the last digit).
struct Tally: Sendable, Equatable {
    /// Counted respondents.
    var respondents = 0
    /// Respondents with at least one dimension score.
    var scored = 0
    /// Valid answers per item and code: `codeCounts[item * codeCount + code − min]`.
    var codeCounts: [Int]
    var dontKnow: [Int]
    /// Unanswered cells per item, invalid ones included.
    var unanswered: [Int]
    var invalid: [Int]
    /// Per dimension and number c of valid answers (bucket `offset + c − 1`): respondents, sum and
    /// sum of squares of their answer sums s, so the score s/c is kept exactly.
    var bucketCount: [Int]
    var bucketSum: [Int]
    var bucketSumOfSquares: [Int]

    init(_ set: CompiledSet) {
        codeCounts = Array(repeating: 0, count: set.itemCount * set.codeCount)
        dontKnow = Array(repeating: 0, count: set.itemCount)
        unanswered = Array(repeating: 0, count: set.itemCount)
        invalid = Array(repeating: 0, count: set.itemCount)
        bucketCount = Array(repeating: 0, count: set.bucketCount)
        bucketSum = Array(repeating: 0, count: set.bucketCount)
        bucketSumOfSquares = Array(repeating: 0, count: set.bucketCount)
    }

    /// Sentinels in a respondent's cells besides codes (`code − min`, ≥ 0).
    static let unansweredCell = -1
    static let dontKnowCell = -2
    static let invalidCell = -3

    /// Adds one counted respondent whose cells are `code − min` or a sentinel, per flat item;
    /// `sign` −1 takes one back (exact, since everything is an integer count or sum).
    mutating func add(cells: [Int], set: CompiledSet, sign: Int = 1) {
        respondents += sign
        var anyScore = false
        let codeCount = set.codeCount
        // The cells, the values and the code counts (most writes) through buffers borrowed once
        // per respondent: no uniqueness or bounds check per cell on the hot path (the indices
        // come from the compiled set). The rarer cells without a valid answer, and one bucket
        // per dimension, are written as usual.
        cells.withUnsafeBufferPointer { cells in
            set.values.withUnsafeBufferPointer { values in
                codeCounts.withUnsafeMutableBufferPointer { counts in
                    for (d, range) in set.dimensionItems.enumerated() {
                        var answered = 0
                        var sum = 0
                        for item in range {
                            let cell = cells[item]
                            if cell >= 0 {
                                let index = item * codeCount + cell
                                counts[index] += sign
                                answered += 1
                                sum += values[index]
                            } else if cell == Self.dontKnowCell {
                                dontKnow[item] += sign
                            } else {
                                unanswered[item] += sign
                                if cell == Self.invalidCell { invalid[item] += sign }
                            }
                        }
                        if answered >= set.minAnsweredCount[d] {
                            let bucket = set.dimensionBucketOffsets[d] + answered - 1
                            bucketCount[bucket] += sign
                            bucketSum[bucket] += sign * sum
                            bucketSumOfSquares[bucket] += sign * sum * sum
                            anyScore = true
                        }
                    }
                }
            }
        }
        if anyScore { scored += sign }
    }

    mutating func merge(_ other: Tally) {
        respondents += other.respondents
        scored += other.scored
        Self.add(&codeCounts, other.codeCounts)
        Self.add(&dontKnow, other.dontKnow)
        Self.add(&unanswered, other.unanswered)
        Self.add(&invalid, other.invalid)
        Self.add(&bucketCount, other.bucketCount)
        Self.add(&bucketSum, other.bucketSum)
        Self.add(&bucketSumOfSquares, other.bucketSumOfSquares)
    }

    private static func add(_ target: inout [Int], _ source: [Int]) {
        for index in target.indices { target[index] += source[index] }
    }
}
