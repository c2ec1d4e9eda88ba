/// Turns the scores of a run into the report's content (ReportModel): which figures go where,
/// formatted the way the table writer formats them, with the charts laid out. It reads only
/// the published rows of `ScoreResult`, so a suppressed group cannot reach the report: its
/// figures were never in the rows (ScoreBuilder leaves them empty).
struct ReportBuilder {
    let result: ScoreResult
    let registers: [Register]
    let reference: ReferenceScores?
    let language: Language
    let minNOverride: Int?

    /// Chart width in SVG units; the axis runs from `axisX0` over `axisWidth`.
    static let chartWidth = 300.0
    static let axisX0 = 4.0
    static let axisWidth = 292.0

    var labels: Labels { Labels(language: language) }
    var texts: ReportTexts { ReportTexts(language: language) }

    private struct RowKey: Hashable {
        var level: ScoreLevel
        var municipality: String
        var unit: String
        var subproject: String
        var period: String
        var set: String
        var dimension: String
        var item: String
    }

    private let index: [RowKey: ScoreRow]

    init(result: ScoreResult, registers: [Register], reference: ReferenceScores?, language: Language, minNOverride: Int?) {
        self.result = result
        self.registers = registers
        self.reference = reference
        self.language = language
        self.minNOverride = minNOverride
        var index: [RowKey: ScoreRow] = [:]
        for row in result.rows where row.group.breakdown.isEmpty && row.group.level != .all && row.group.level != .service {
            index[
                RowKey(
                    level: row.group.level, municipality: row.group.municipality, unit: row.group.unit,
                    subproject: row.group.subproject, period: row.period, set: row.set, dimension: row.dimension,
                    item: row.item)] = row
        }
        self.index = index
    }

    func row(
        _ level: ScoreLevel, _ municipality: String, unit: String = "", subproject: String = "",
        period: String, set: String, dimension: String = "", item: String = ""
    ) -> ScoreRow? {
        index[
            RowKey(
                level: level, municipality: municipality, unit: unit, subproject: subproject, period: period,
                set: set, dimension: dimension, item: item)]
    }

    func page() -> ReportPage {
        // One section per set and municipality, municipalities and sets in text order.
        var pairs: Set<[String]> = []
        for row in result.rows where row.group.level == .municipality && row.group.breakdown.isEmpty {
            pairs.insert([row.group.municipality, row.set])
        }
        let ordered = pairs.sorted { ScoreBuilder.textOrder($0, $1) }
        let sections = ordered.enumerated().compactMap { index, pair -> ReportSection? in
            guard let set = result.sets[pair[1]] else { return nil }
            return section(set: set, municipality: pair[0], anchor: "\(pair[1])-\(index + 1)")
        }
        var basis = labels.summary(result.summary)
        if basis.hasPrefix("kvalitet: ") { basis.removeFirst("kvalitet: ".count) }
        let municipalities = ordered.map { $0[0] }.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        let documentTitle =
            municipalities.isEmpty || municipalities.count > 3
            ? texts.title : texts.title + " – " + municipalities.joined(separator: ", ")
        return ReportPage(t: texts, documentTitle: documentTitle, sections: sections, basis: basis)
    }

    // MARK: - Formatting

    /// The axis of a set's scores: from the lowest to the highest value its rule gives a code.
    static func axis(for set: any IndicatorSet) -> ValueAxis {
        let values = set.scale.codes.map { set.scoring.value(of: $0, reversed: false, scale: set.scale) }
        return ValueAxis(lower: Double(values.min() ?? 0), upper: Double(values.max() ?? 1), x0: axisX0, width: axisWidth)
    }

    /// Sets scored 0/1 (shares) show their means as percentages.
    func isShare(_ set: any IndicatorSet) -> Bool {
        let axis = Self.axis(for: set)
        return axis.lower == 0 && axis.upper == 1
    }

    func figure(_ value: Double?, _ set: any IndicatorSet) -> String {
        guard let value else { return "" }
        return isShare(set) ? labels.percent(value) : labels.decimal(value)
    }

    func interval(_ row: ScoreRow, _ set: any IndicatorSet) -> String {
        guard let low = row.ciLow, let high = row.ciHigh else { return "" }
        return figure(low, set) + "–" + figure(high, set)
    }

    func minN(_ set: any IndicatorSet) -> Int { minNOverride ?? set.minN }

    /// Why a suppressed row shows no figures.
    private func hiddenNote(_ row: ScoreRow, groupTotal: ScoreRow?, set: any IndicatorSet) -> String {
        if row.respondents < minN(set) { return texts.fewerThan(minN(set)) }
        if groupTotal?.suppressed == true || row.hiddenToProtect { return texts.protectsSmallGroup }
        return texts.fewerThan(minN(set))
    }

    private func responseRate(_ row: ScoreRow) -> String {
        guard let invited = row.invited else { return "" }
        let rate = row.responseRate.map { " (\(labels.percent($0)))" } ?? ""
        return "\(row.respondents) \(labels.of) \(invited)\(rate)"
    }

    private func bar(_ row: ScoreRow, axis: ValueAxis, previous: Double? = nil, reference: Double? = nil) -> BarShape? {
        guard let mean = row.mean else { return nil }
        let shape = MeanBar(mean: mean, ciLow: row.ciLow, ciHigh: row.ciHigh, axis: axis)
        var whisker: Whisker?
        if let low = shape.whiskerLow, let high = shape.whiskerHigh {
            whisker = Whisker(low: svgNumber(low), high: svgNumber(high))
        }
        return BarShape(
            width: svgNumber(shape.barWidth), whisker: whisker,
            previousWidth: previous.map { svgNumber(axis.x($0) - axis.x0) }, referenceX: reference.map { svgNumber(axis.x($0)) })
    }

    // MARK: - Sections

    private func section(set: any IndicatorSet, municipality: String, anchor: String) -> ReportSection? {
        let periods = Set(
            result.rows.lazy.filter {
                $0.group.level == .municipality && $0.group.municipality == municipality && $0.set == set.id
            }.map(\.period)
        ).sorted { ScoreBuilder.textOrder([$0], [$1]) }
        guard let current = periods.last, let total = row(.municipality, municipality, period: current, set: set.id) else {
            return nil
        }
        let previous = periods.dropLast().last
        let axis = Self.axis(for: set)
        var notes: [String] = []
        if periods.count > 2 {
            notes.append(
                language == .nb
                    ? "Inndataene har også periodene \(periods.dropLast(2).joined(separator: ", ")); rapporten sammenligner de to siste."
                    : "The input also has the periods \(periods.dropLast(2).joined(separator: ", ")); the report compares the last two."
            )
        }
        return ReportSection(
            anchor: anchor, setTitle: set.title.text(language), municipality: municipality, period: current,
            facts: facts(set: set, total: total, municipality: municipality, period: current),
            dimensionTable: dimensionTable(set: set, municipality: municipality, period: current, previous: previous, axis: axis),
            itemGroups: itemGroups(set: set, municipality: municipality, period: current, total: total),
            legend: legend(set),
            unitCharts: unitCharts(set: set, municipality: municipality, period: current, axis: axis),
            goals: goals(set: set, municipality: municipality),
            series: dimensionSeries(set: set, municipality: municipality, periods: periods, anchor: anchor),
            notes: notes)
    }

    private func facts(set: any IndicatorSet, total: ScoreRow, municipality: String, period: String) -> [Fact] {
        var facts = [Fact(label: texts.respondents, value: "\(total.respondents)", note: nil)]
        if total.invited != nil { facts.append(Fact(label: texts.responseRate, value: responseRate(total), note: nil)) }
        facts.append(
            Fact(
                label: texts.total, value: total.suppressed ? "–" : figure(total.mean, set),
                note: total.suppressed ? hiddenNote(total, groupTotal: total, set: set) : nil))
        let published = set.dimensions.compactMap { dimension -> (String, Double)? in
            guard let row = row(.municipality, municipality, period: period, set: set.id, dimension: dimension.id),
                let mean = row.mean
            else { return nil }
            return (dimension.title.text(language), mean)
        }
        if published.count >= 2 {
            // Ties: the first in the set's order.
            let strongest = published.reduce(published[0]) { $1.1 > $0.1 ? $1 : $0 }
            let weakest = published.reduce(published[0]) { $1.1 < $0.1 ? $1 : $0 }
            facts.append(Fact(label: texts.strongest, value: strongest.0, note: figure(strongest.1, set)))
            facts.append(Fact(label: texts.weakest, value: weakest.0, note: figure(weakest.1, set)))
        }
        return facts
    }

    private func dimensionTable(
        set: any IndicatorSet, municipality: String, period: String, previous: String?,
        axis: ValueAxis
    ) -> DimensionTable {
        let groupTotal = row(.municipality, municipality, period: period, set: set.id)
        var referencePeriods: Set<String> = []
        func referenceMean(_ dimension: String) -> Double? {
            guard let found = reference?.mean(set: set.id, dimension: dimension, period: period) else { return nil }
            referencePeriods.insert(found.period)
            return found.value
        }
        func tableRow(id: String, title: String, isTotal: Bool) -> DimensionRow? {
            guard let now = row(.municipality, municipality, period: period, set: set.id, dimension: id) else { return nil }
            let before = previous.flatMap { row(.municipality, municipality, period: $0, set: set.id, dimension: id) }
            let referenceValue = referenceMean(id)
            var change = ""
            var changeClass = ""
            if !isTotal, let a = now.mean, let sa = now.sd, let na = now.n, let b = before?.mean, let sb = before?.sd,
                let nb = before?.n
            {
                if let test = WelchTest(mean1: a, sd1: sa, n1: na, mean2: b, sd2: sb, n2: nb), test.p < 0.05 {
                    (change, changeClass) = a > b ? ("▲ " + texts.up, "up") : ("▼ " + texts.down, "down")
                } else {
                    (change, changeClass) = ("–", "same")
                }
            }
            let hidden = now.suppressed ? hiddenNote(now, groupTotal: groupTotal, set: set) : nil
            let previousText: String
            if let before {
                previousText = before.suppressed ? texts.fewerThanOrHidden(before, minN: minN(set)) : figure(before.mean, set)
            } else {
                previousText = ""
            }
            return DimensionRow(
                id: id, title: title, isTotal: isTotal, n: now.n.map(String.init) ?? "", mean: figure(now.mean, set),
                interval: interval(now, set), previous: previousText, change: change, changeClass: changeClass,
                reference: figure(referenceValue, set), hidden: hidden,
                bar: bar(now, axis: axis, previous: before?.mean, reference: referenceValue))
        }
        var rows = set.dimensions.compactMap { tableRow(id: $0.id, title: $0.title.text(language), isTotal: false) }
        if let total = tableRow(id: "", title: texts.total, isTotal: true) { rows.append(total) }
        let ticks = axis.ticks.map {
            AxisTick(x: svgNumber(axis.x($0)), label: isShare(set) ? labels.percent($0) : tickLabel($0))
        }
        var referenceHeading: String?
        if let reference, !referencePeriods.isEmpty {
            let others = referencePeriods.subtracting([period]).sorted()
            referenceHeading = reference.label + (others.isEmpty ? "" : " (\(others.joined(separator: ", ")))")
        }
        return DimensionTable(
            previousHeading: previous.map { texts.previous($0) }, referenceHeading: referenceHeading, ticks: ticks,
            axisEnd: svgNumber(axis.x0 + axis.width), rows: rows)
    }

    private func tickLabel(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : labels.decimal(value)
    }

    private func legend(_ set: any IndicatorSet) -> [LegendEntry] {
        let colours = CategoryColours.colours(count: set.scale.count)
        var entries = set.scale.codes.enumerated().map { index, code in
            LegendEntry(label: categoryLabel(set, code), colour: colours[index])
        }
        entries.append(LegendEntry(label: texts.dontKnow, colour: CategoryColours.dontKnow))
        return entries
    }

    private func categoryLabel(_ set: any IndicatorSet, _ code: Int) -> String {
        guard let label = set.scale.labels[code]?.text(language), !label.isEmpty else { return "\(code)" }
        return label.hasPrefix("\(code)") ? label : "\(code) \(label)"
    }

    private func itemGroups(set: any IndicatorSet, municipality: String, period: String, total: ScoreRow) -> [ItemGroup] {
        guard set.reportItems else { return [] }
        let colours = CategoryColours.colours(count: set.scale.count)
        let categories = set.scale.codes.map { CategoryHeading(code: "\($0)", label: categoryLabel(set, $0)) }
        // Drawn in a 300-unit box: the diverging part over 240, a gap, "vet ikke" over 48.
        let halfWidth = 120.0
        return set.dimensions.map { dimension in
            let rows = dimension.items.compactMap { item -> ItemRow? in
                guard
                    let row = row(
                        .municipality, municipality, period: period, set: set.id, dimension: dimension.id,
                        item: item.id)
                else { return nil }
                let text = item.text.text(language)
                guard let counts = row.answerCounts, let dontKnow = row.dontKnow, let n = row.n else {
                    return ItemRow(
                        id: item.id, text: text, reversed: item.reverse, n: "", shares: [], dontKnow: "",
                        hidden: hiddenNote(row, groupTotal: total, set: set), segments: [], dontKnowSegment: nil)
                }
                let answered = counts.reduce(0, +) + dontKnow
                func share(_ count: Int) -> String { answered > 0 ? labels.percent(Double(count) / Double(answered)) : "" }
                let shape = DivergingBar(
                    counts: counts, dontKnow: dontKnow, x0: 0, halfWidth: halfWidth,
                    dontKnowX0: 252, dontKnowWidth: 48)
                return ItemRow(
                    id: item.id, text: text, reversed: item.reverse, n: "\(n)",
                    shares: counts.map { ShareCell(value: share($0)) },
                    dontKnow: share(dontKnow), hidden: nil,
                    segments: shape.segments.map {
                        Segment(x: svgNumber($0.x), width: svgNumber($0.width), colour: colours[$0.category])
                    },
                    dontKnowSegment: shape.dontKnow.map {
                        Segment(x: svgNumber($0.x), width: svgNumber($0.width), colour: CategoryColours.dontKnow)
                    })
            }
            return ItemGroup(
                title: dimension.title.text(language), span: "\(set.scale.count + 1)", categories: categories, rows: rows)
        }
    }

    private func unitCharts(set: any IndicatorSet, municipality: String, period: String, axis: ValueAxis) -> [UnitChart] {
        let units = result.rows.filter {
            $0.group.level == .unit && $0.group.municipality == municipality && $0.set == set.id && $0.period == period
                && $0.kind == .total
        }
        guard !units.isEmpty else { return [] }
        func name(_ unit: ScoreRow) -> String {
            result.names.unit(municipality: municipality, id: unit.group.unit) ?? unit.group.unit
        }
        let dimensions = [("", texts.total)] + set.dimensions.map { ($0.id, $0.title.text(language)) }
        return dimensions.map { id, title in
            let rows = units.compactMap { total -> (ScoreRow, ScoreRow)? in
                row(.unit, municipality, unit: total.group.unit, period: period, set: set.id, dimension: id).map { ($0, total) }
            }
            // Published units by mean, best first (ties by name); then the hidden ones by name, so
            // their order says nothing about them.
            let published = rows.filter { $0.0.mean != nil }.sorted { lhs, rhs in
                lhs.0.mean! != rhs.0.mean! ? lhs.0.mean! > rhs.0.mean! : ScoreBuilder.textOrder([name(lhs.0)], [name(rhs.0)])
            }
            let hidden = rows.filter { $0.0.mean == nil }.sorted { ScoreBuilder.textOrder([name($0.0)], [name($1.0)]) }
            var ranked: [UnitRow] = []
            for (index, (row, _)) in published.enumerated() {
                ranked.append(
                    UnitRow(
                        rank: "\(index + 1)", name: name(row), respondents: "\(row.respondents)", responseRate: responseRate(row),
                        mean: figure(row.mean, set), interval: interval(row, set), hidden: nil,
                        bar: bar(row, axis: axis)))
            }
            for (row, total) in hidden {
                ranked.append(
                    UnitRow(
                        rank: "", name: name(row), respondents: "", responseRate: "", mean: "", interval: "",
                        hidden: hiddenNote(row, groupTotal: total, set: set), bar: nil))
            }
            return UnitChart(title: title, showRate: ranked.contains { !$0.responseRate.isEmpty }, rows: ranked)
        }
    }

    // MARK: - Goals

    private func goals(set: any IndicatorSet, municipality: String) -> [GoalRow] {
        var rows: [GoalRow] = []
        for register in registers where RegisterIndex.sameMunicipality(register.municipality, municipality) {
            for subproject in register.subprojects {
                for goal in subproject.goals where goal.set == set.id {
                    rows.append(goalRow(goal, subproject: subproject, set: set, municipality: municipality))
                }
            }
        }
        return rows
    }

    /// Evaluates a goal on the sub-project's published dimension means (Docs/Report.md).
    static func goalStatus(
        _ goal: Register.Goal, values: [(period: String, mean: Double?)]
    ) -> (GoalStatus, current: (String, Double)?) {
        GoalStatus.evaluate(
            values.map { (period: $0.period, value: $0.mean) }, deadline: goal.by,
            notAfter: { !ScoreBuilder.textOrder([goal.by], [$0]) }, meets: { $0 >= goal.target })
    }

    private func goalRow(
        _ goal: Register.Goal, subproject: Register.Subproject, set: any IndicatorSet,
        municipality: String
    ) -> GoalRow {
        let periods = Set(
            result.rows.lazy.filter {
                $0.group.level == .subproject && $0.group.municipality == municipality && $0.group.subproject == subproject.id
                    && $0.set == set.id
            }.map(\.period)
        ).sorted { ScoreBuilder.textOrder([$0], [$1]) }
        let values = periods.map { period in
            (
                period: period,
                mean: row(
                    .subproject, municipality, subproject: subproject.id, period: period, set: set.id,
                    dimension: goal.dimension)?.mean
            )
        }
        let (status, current) = Self.goalStatus(goal, values: values)
        var baseline = ""
        if let period = goal.baseline {
            let row = row(
                .subproject, municipality, subproject: subproject.id, period: period, set: set.id, dimension: goal.dimension)
            if let mean = row?.mean {
                baseline = "\(figure(mean, set)) (\(period))"
            } else if let row {
                baseline = "\(texts.fewerThanOrHidden(row, minN: minN(set))) (\(period))"
            } else {
                baseline = "– (\(period))"
            }
        }
        let dimension = set.dimensions.first { $0.id == goal.dimension }?.title.text(language) ?? goal.dimension
        let name =
            result.names.subproject(municipality: municipality, id: subproject.id)
            ?? (subproject.name.isEmpty ? subproject.id : subproject.name)
        return GoalRow(
            subproject: name, dimension: dimension, baseline: baseline,
            current: current.map { "\(figure($0.1, set)) (\($0.0))" } ?? "–",
            target: figure(goal.target, set), deadline: goal.by, status: texts.goalStatus(status),
            statusClass: status.rawValue)
    }
}

extension ReportTexts {
    /// A suppressed row of another period or group, in a few words.
    func fewerThanOrHidden(_ row: ScoreRow, minN: Int) -> String {
        row.respondents < minN ? fewerThan(minN) : "–"
    }
}
