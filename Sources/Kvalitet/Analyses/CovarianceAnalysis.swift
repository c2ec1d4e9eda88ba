/// Per set and period, each dimension's pairwise covariances of item values and the respondents
/// with at least one valid answer in it: what `validate`'s reliability figures need (FORMAT.md §6).
struct CovarianceAnalysis: ResponseAnalysis {
    struct DimensionCovariances {
        var matrices: [PairwiseCovariance]
        var respondents: [Int]

        init(_ set: CompiledSet) {
            matrices = set.dimensionItems.map { PairwiseCovariance(k: $0.count) }
            respondents = Array(repeating: 0, count: set.dimensionItems.count)
        }

        mutating func merge(_ other: DimensionCovariances) {
            for d in matrices.indices {
                matrices[d].merge(other.matrices[d])
                respondents[d] += other.respondents[d]
            }
        }

        mutating func add(cells: [Int], set: CompiledSet, sign: Int = 1) {
            for (d, range) in set.dimensionItems.enumerated() {
                let values: [Int?] = range.map { item in
                    cells[item] >= 0 ? set.values[item * set.codeCount + cells[item]] : nil
                }
                guard values.contains(where: { $0 != nil }) else { continue }
                respondents[d] += sign
                matrices[d].add(values, weight: sign)
            }
        }
    }

    private(set) var slices: [RespondentRegistry.SlicedKey: DimensionCovariances] = [:]

    mutating func add(_ response: CountedResponse, sign: Int) {
        slices[
            RespondentRegistry.SlicedKey(set: response.set.id, period: response.period),
            default: DimensionCovariances(response.set)
        ]
        .add(cells: response.cells, set: response.set, sign: sign)
    }

    mutating func absorb(_ other: any ResponseAnalysis) {
        guard let other = other as? CovarianceAnalysis else { return }
        for (slice, matrices) in other.slices {
            if var mine = slices[slice] {
                mine.merge(matrices)
                slices[slice] = mine
            } else {
                slices[slice] = matrices
            }
        }
    }
}
