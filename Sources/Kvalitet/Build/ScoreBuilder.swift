/// Turns the tallies of the finest groups into the rows of FORMAT.md §5: merges them into every
/// level, adds invited counts, applies primary and complementary suppression, orders the rows.
struct ScoreBuilder {
    let collector: ResponseCollector
    /// `--breakdown NAME` as the user wrote it.
    let breakdown: String?
    /// `--min-n`, overriding each set's `min_n` when given.
    let minNOverride: Int?

    /// A group being built: its tally and the units (municipality, service, unit) it holds.
    private struct Group {
        var tally: Tally
        var units: Set<[String]> = []
        /// The slice's cells it sums (indices into the slice's cell list).
        var cells: [Int32] = []
    }

    func rows() -> [ScoreRow] {
        var rows: [ScoreRow] = []
        forEachRow { rows.append($0) }
        return rows
    }

    /// Calls `body` with every row, in order, one group's rows at a time: a national run's rows
    /// (hundreds of thousands) need not all be in memory at once.
    func forEachRow<E: Error>(_ body: (ScoreRow) throws(E) -> Void) throws(E) {
        // Cells by (period, set).
        var slices: [[String]: [Int]] = [:]
        // A cell can be left empty when a response read in a later part of a file is retracted
        // as a duplicate; it is no group of anyone (and no unit of it counts for invited).
        for (index, key) in collector.cellKeys.enumerated() where collector.tallies[index].respondents > 0 {
            slices[[key.period, key.set], default: []].append(index)
        }
        var t = TQuantiles()
        for sliceKey in slices.keys.sorted(by: Self.textOrder) {
            let (period, setID) = (sliceKey[0], sliceKey[1])
            guard let set = collector.compiled[setID] else { continue }
            try sliceRows(period: period, set: set, cells: slices[sliceKey]!, t: &t, body)
        }
    }

    private func sliceRows<E: Error>(
        period: String, set: CompiledSet, cells: [Int], t: inout TQuantiles,
        _ body: (ScoreRow) throws(E) -> Void
    ) throws(E) {
        var groups: [GroupKey: Group] = [:]
        func add(_ key: GroupKey, _ cell: Int, _ position: Int) {
            let cellKey = collector.cellKeys[cell]
            if groups[key] == nil {
                // The cell's tally itself (its arrays shared, not copied): most unit groups hold
                // one cell, so a national run keeps their tallies once, not twice.
                groups[key] = Group(tally: collector.tallies[cell])
            } else {
                groups[key]!.tally.merge(collector.tallies[cell])
            }
            groups[key]!.units.insert([cellKey.municipality, cellKey.service, cellKey.unit])
            groups[key]!.cells.append(Int32(position))
        }
        for (position, cell) in cells.enumerated() {
            let key = collector.cellKeys[cell]
            add(GroupKey(level: .all), cell, position)
            add(GroupKey(level: .municipality, municipality: key.municipality), cell, position)
            add(GroupKey(level: .service, municipality: key.municipality, service: key.service), cell, position)
            add(GroupKey(level: .unit, municipality: key.municipality, service: key.service, unit: key.unit), cell, position)
            for subproject in collector.subprojects(municipality: key.municipality, unit: key.unit) {
                add(GroupKey(level: .subproject, municipality: key.municipality, subproject: subproject), cell, position)
            }
            if let breakdown {
                add(
                    GroupKey(
                        level: .municipality, municipality: key.municipality, breakdown: breakdown,
                        breakdownValue: key.breakdownValue), cell, position)
            }
        }

        let minN = minNOverride ?? set.set.minN
        let ordered = groups.keys.sorted { lhs, rhs in
            if lhs.level != rhs.level { return lhs.level < rhs.level }
            return lhs.precedesInRowOrder(rhs)
        }
        let suppressedGroups = Self.suppressedGroups(
            ordered, counts: ordered.map { groups[$0]!.tally.respondents },
            subprojectUnits: ordered.map { groups[$0]!.units }, minN: minN)
        let suppressedRows = Self.auditedSuppression(
            ordered.map { groups[$0]! }, keys: ordered,
            cellMunicipalities: cells.map { collector.cellKeys[$0].municipality }, suppressedGroups: suppressedGroups,
            set: set, minN: minN)
        for (index, key) in ordered.enumerated() {
            let group = groups[key]!
            let invited = invitedCount(group.units, set: set.set, period: period, isBreakdown: !key.breakdown.isEmpty)
            var kind = 0
            func row(dimension: String, item: String, _ figures: RowFigures, answerCounts: [Int]? = nil) -> ScoreRow {
                let suppressed = suppressedRows[kind][index]
                kind += 1
                return ScoreRow(
                    group: key, period: period, set: set.set.id, dimension: dimension, item: item,
                    respondents: group.tally.respondents, invited: invited,
                    responseRate: invited.flatMap { $0 > 0 ? Double(group.tally.respondents) / Double($0) : nil },
                    n: suppressed ? nil : figures.n, mean: suppressed ? nil : figures.mean,
                    sd: suppressed ? nil : figures.sd, ciLow: suppressed ? nil : figures.ciLow,
                    ciHigh: suppressed ? nil : figures.ciHigh,
                    positiveShare: suppressed ? nil : figures.positiveShare,
                    dontKnow: suppressed ? nil : figures.dontKnow, unanswered: suppressed ? nil : figures.unanswered,
                    suppressed: suppressed, answerCounts: suppressed ? nil : answerCounts,
                    hiddenToProtect: suppressed && group.tally.respondents >= minN && figures.n >= minN)
            }
            // The total averages the dimension means that are published: averaging a suppressed
            // one in would let it be derived from the total and the others (Docs/Suppression.md).
            let dimensionFigures = set.set.dimensions.indices.map { group.tally.dimensionFigures($0, set: set, t: &t) }
            let publishedMeans = dimensionFigures.indices.compactMap { d in
                suppressedRows[set.dimensionKinds[d]][index] ? nil : dimensionFigures[d].mean
            }
            try body(row(dimension: "", item: "", group.tally.totalFigures(set: set, dimensionMeans: publishedMeans)))
            var flatItem = 0
            for (d, dimension) in set.set.dimensions.enumerated() {
                try body(row(dimension: dimension.id, item: "", dimensionFigures[d]))
                for item in dimension.items {
                    if set.set.reportItems {
                        let counts = group.tally.codeCounts[(flatItem * set.codeCount)..<((flatItem + 1) * set.codeCount)]
                        try body(
                            row(
                                dimension: dimension.id, item: item.id, group.tally.itemFigures(flatItem, set: set, t: &t),
                                answerCounts: Array(counts)))
                    }
                    flatItem += 1
                }
            }
        }
    }

    /// The suppressed rows per kind (total, then each dimension and its items, as
    /// ``Tally/rowCounts(set:)`` lists them), a flag per group of `groups`: the groups' suppression,
    /// rows with `n` below `minN`, and what the audit adds (``DisclosureAudit``).
    private static func auditedSuppression(
        _ groups: [Group], keys: [GroupKey], cellMunicipalities: [String],
        suppressedGroups: [Bool], set: CompiledSet, minN: Int
    ) -> [[Bool]] {
        let auditGroups = groups.map { AuditGroup(respondents: $0.tally.respondents, cells: $0.cells) }
        var audit = DisclosureAudit(layout: layout(auditGroups, keys: keys, cellMunicipalities: cellMunicipalities))
        let base = suppressedGroups
        let counts = groups.map { $0.tally.rowCounts(set: set) }
        let kinds = counts.first?.count ?? 0
        // Per kind, a flag per group (looked up for every row written); kinds with the same
        // rows suppressed before the audit share its answer.
        var audited: [[Int]: [Bool]] = [:]
        var flags: [[Bool]] = (0..<kinds).map { kind in
            var pattern: [Int] = []
            for index in keys.indices where base[index] || counts[index][kind] < minN { pattern.append(index) }
            if let known = audited[pattern] { return known }
            var flags = [Bool](repeating: false, count: keys.count)
            for index in audit.audit(Set(pattern)) { flags[index] = true }
            audited[pattern] = flags
            return flags
        }
        // Then the kinds together: a dimension's counts are its items' sums (CrossKindAudit).
        if kinds > 1 {
            let crossKind = CrossKindAudit(
                layout: audit.layout,
                structure: .init(
                    dimensionKinds: set.dimensionKinds, itemCounts: set.dimensionItems.map(\.count),
                    reportItems: set.set.reportItems),
                counts: counts, primary: groups.map { $0.tally.respondents < minN })
            crossKind.audit(&flags, perKind: &audit)
        }
        return flags
    }

    /// What the audit needs of a group: its respondents (for the choice) and its cells (indices
    /// into the slice's cells, whose municipalities `layout` is given).
    struct AuditGroup {
        var respondents: Int
        var cells: [Int32]
    }

    /// The audit's view of a slice's groups (`keys` in row order): each municipality a block of cells.
    static func layout(_ groups: [AuditGroup], keys: [GroupKey], cellMunicipalities: [String]) -> DisclosureAudit.Layout {
        var blockOf: [String: Int32] = [:]
        var local: [Int32] = []
        var blockCellCounts: [Int] = []
        for municipality in cellMunicipalities {
            let block =
                blockOf[municipality]
                ?? {
                    let new = Int32(blockCellCounts.count)
                    blockOf[municipality] = new
                    blockCellCounts.append(0)
                    return new
                }()
            local.append(Int32(blockCellCounts[Int(block)]))
            blockCellCounts[Int(block)] += 1
        }
        var layout = DisclosureAudit.Layout(
            cells: [], block: [], allRow: nil, blockCellCounts: blockCellCounts,
            blockRows: Array(repeating: [], count: blockCellCounts.count), choiceRank: [], rowOrder: Array(keys.indices))
        for (index, key) in keys.enumerated() {
            if key.level == .all {
                layout.allRow = index
                layout.cells.append([])
                layout.block.append(-1)
                continue
            }
            let block = blockOf[key.municipality]!
            layout.cells.append(groups[index].cells.map { local[Int($0)] }.sorted())
            layout.block.append(block)
            layout.blockRows[Int(block)].append(index)
        }
        // Fewest respondents first, then level order, then keys (`keys` is in that order).
        let byChoice = keys.indices.sorted { lhs, rhs in
            let (l, r) = (groups[lhs].respondents, groups[rhs].respondents)
            return l != r ? l < r : lhs < rhs
        }
        layout.choiceRank = Array(repeating: 0, count: keys.count)
        for (rank, index) in byChoice.enumerated() { layout.choiceRank[index] = rank }
        return layout
    }

    /// Sum of the units' invited counts when every one is known; never for breakdown values
    /// (forms are not sent out per background variable).
    private func invitedCount(_ units: Set<[String]>, set: any IndicatorSet, period: String, isBreakdown: Bool) -> Int? {
        if isBreakdown { return nil }
        var total = 0
        for unit in units {
            guard let invited = collector.invited(set: set, municipality: unit[0], unit: unit[2], period: period) else {
                return nil
            }
            total += invited
        }
        return total
    }

    /// The groups whose every row is suppressed (``SuppressionRules``): primary (fewer than
    /// `minN` respondents) and complementary (FORMAT.md §5): inside a parent that is published,
    /// when exactly one child is primary-suppressed, the smallest other child (ties: smallest id)
    /// is suppressed too, so the small one cannot be found by subtracting its siblings from the
    /// parent; and a sub-project that holds exactly one suppressed unit (Docs/Suppression.md).
    /// `keys` in row order, `subprojectUnits` each group's units (municipality, service, unit).
    static func suppressedGroups(
        _ keys: [GroupKey], counts: [Int], subprojectUnits: [Set<[String]>], minN: Int
    ) -> [Bool] {
        var index: [GroupKey: Int32] = [:]
        for (position, key) in keys.enumerated() where key.level == .unit { index[key] = Int32(position) }
        var members: [Int: [Int32]] = [:]
        for (position, key) in keys.enumerated() where key.level == .subproject {
            members[position] = subprojectUnits[position].compactMap { unit in
                index[GroupKey(level: .unit, municipality: unit[0], service: unit[1], unit: unit[2])]
            }.sorted()
        }
        return SuppressionRules(keys: keys, subprojectUnits: members).suppressed(counts, minN: minN)
    }

    /// The same, for groups given by their counts (as the tests write them).
    static func suppressedGroups(
        _ respondents: [GroupKey: Int], subprojectUnits: [GroupKey: Set<[String]>] = [:],
        minN: Int
    ) -> Set<GroupKey> {
        let keys = respondents.keys.sorted { lhs, rhs in
            lhs.level != rhs.level ? lhs.level < rhs.level : lhs.precedesInRowOrder(rhs)
        }
        let flags = suppressedGroups(
            keys, counts: keys.map { respondents[$0]! }, subprojectUnits: keys.map { subprojectUnits[$0] ?? [] },
            minN: minN)
        return Set(keys.indices.filter { flags[$0] }.map { keys[$0] })
    }

    /// Orders lists of texts by their UTF-8 bytes, element by element (code point order, the same
    /// in every locale and in Python's `sorted`).
    static func textOrder(_ lhs: [String], _ rhs: [String]) -> Bool {
        for (l, r) in zip(lhs, rhs) where l != r {
            return l.utf8.lexicographicallyPrecedes(r.utf8)
        }
        return lhs.count < rhs.count
    }
}
