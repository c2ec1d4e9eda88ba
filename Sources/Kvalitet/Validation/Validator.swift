/// Computes FORMAT.md §6 from what the collector gathered: per set and period, all counted
/// respondents pooled, no suppression (the analyst's view, not a publication).
struct Validator {
    let collector: ResponseCollector

    func result() -> ValidationResult {
        var slices: [[String]: [Int]] = [:]
        for (index, key) in collector.cellKeys.enumerated() {
            slices[[key.period, key.set], default: []].append(index)
        }
        var rows: [ValidationRow] = []
        var respondents: [String: Int] = [:]
        for sliceKey in slices.keys.sorted(by: ScoreBuilder.textOrder) {
            let (period, setID) = (sliceKey[0], sliceKey[1])
            guard let set = collector.compiled[setID],
                let covariances = collector.analysis(CovarianceAnalysis.self)?.slices[.init(set: setID, period: period)]
            else { continue }
            var total = Tally(set)
            var units: [[String]: Tally] = [:]
            for cell in slices[sliceKey]! {
                let key = collector.cellKeys[cell]
                total.merge(collector.tallies[cell])
                units[[key.municipality, key.unit], default: Tally(set)].merge(collector.tallies[cell])
            }
            respondents["\(setID)\u{1F}\(period)"] = total.respondents
            // In a fixed order: ICC sums over the units in floating point, and the same input must
            // give the same figures to the last digit (dictionary order varies per process).
            let ordered = units.keys.sorted(by: ScoreBuilder.textOrder).map { units[$0]! }
            rows += sliceRows(set: set, period: period, total: total, units: ordered, covariances: covariances)
        }
        var sets: [String: any IndicatorSet] = [:]
        for (id, compiled) in collector.compiled { sets[id] = compiled.set }
        return ValidationResult(rows: rows, sets: sets, summary: collector.summary, respondents: respondents)
    }

    private func sliceRows(
        set: CompiledSet, period: String, total: Tally, units: [Tally],
        covariances: CovarianceAnalysis.DimensionCovariances
    ) -> [ValidationRow] {
        var rows: [ValidationRow] = []
        for (d, dimension) in set.set.dimensions.enumerated() {
            let k = dimension.items.count
            let c = covariances.matrices[d].matrix()
            let r = c.flatMap(Reliability.correlation)
            let alpha = c.flatMap(Reliability.alpha)
            let interval = alpha.flatMap { Reliability.feldtInterval(alpha: $0, n: covariances.respondents[d], k: k) }
            let meanR = r.flatMap(Reliability.meanInterItemCorrelation)
            let scoreGroups = units.map { $0.dimensionScoreSums(d, set: set) }
            var row = ValidationRow(
                set: set.set.id, period: period, dimension: dimension.id, item: "", k: k, n: covariances.respondents[d],
                alpha: alpha, alphaCILow: interval?.low, alphaCIHigh: interval?.high,
                alphaStandardized: meanR.flatMap { Reliability.standardizedAlpha(k: k, meanCorrelation: $0) },
                meanInterItemR: meanR, unitICC: Reliability.icc1(scoreGroups), flags: [],
                omega: r.flatMap(Reliability.omegaTotal), units: scoreGroups.filter { $0.n > 0 }.count)
            if let alpha {
                if alpha < ValidationThresholds.alphaLow { row.flags.append("alpha-low") }
                if alpha > ValidationThresholds.alphaHigh { row.flags.append("alpha-high") }
            }
            rows.append(row)

            for (offset, item) in dimension.items.enumerated() {
                let flat = set.dimensionItems[d].lowerBound + offset
                let counts = (0..<set.codeCount).map { total.codeCounts[flat * set.codeCount + $0] }
                let valid = counts.reduce(0, +)
                let people = Double(total.respondents)
                var itemRow = ValidationRow(
                    set: set.set.id, period: period, dimension: dimension.id, item: item.id, k: k, n: valid,
                    alphaIfDeleted: c.flatMap { Reliability.alphaIfDeleted($0, item: offset) },
                    itemTotalR: c.flatMap { Reliability.itemRestCorrelation($0, item: offset) },
                    floor: valid > 0 ? Double(counts.first!) / Double(valid) : nil,
                    ceiling: valid > 0 ? Double(counts.last!) / Double(valid) : nil,
                    dontKnowShare: total.respondents > 0 ? Double(total.dontKnow[flat]) / people : nil,
                    unansweredShare: total.respondents > 0 ? Double(total.unanswered[flat]) / people : nil,
                    flags: [], distribution: counts, dontKnow: total.dontKnow[flat], unanswered: total.unanswered[flat])
                itemRow.flags = Self.itemFlags(itemRow)
                rows.append(itemRow)
            }
        }
        return rows
    }

    static func itemFlags(_ row: ValidationRow) -> [String] {
        var flags: [String] = []
        if let r = row.itemTotalR {
            if r < ValidationThresholds.itemTotalLow { flags.append("item-total-low") }
            if r < 0 { flags.append("item-negative") }
        }
        if let floor = row.floor, floor > ValidationThresholds.share { flags.append("floor") }
        if let ceiling = row.ceiling, ceiling > ValidationThresholds.share { flags.append("ceiling") }
        if let share = row.dontKnowShare, share > ValidationThresholds.share { flags.append("dont-know-high") }
        if let share = row.unansweredShare, share > ValidationThresholds.share { flags.append("unanswered-high") }
        return flags
    }
}

extension Tally {
    /// Count, sum and sum of squares of the respondents' scores on a dimension (for ICC).
    func dimensionScoreSums(_ dimension: Int, set: CompiledSet) -> (n: Int, sum: Double, sumOfSquares: Double) {
        let k = set.dimensionItems[dimension].count
        let offset = set.dimensionBucketOffsets[dimension]
        var n = 0
        var sum = 0.0
        var sumOfSquares = 0.0
        for c in 1...k {
            let bucket = offset + c - 1
            n += bucketCount[bucket]
            sum += Double(bucketSum[bucket]) / Double(c)
            sumOfSquares += Double(bucketSumOfSquares[bucket]) / Double(c * c)
        }
        return (n, sum, sumOfSquares)
    }
}
