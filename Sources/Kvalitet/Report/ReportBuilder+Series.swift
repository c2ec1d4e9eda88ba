/// The report's dimensions across periods (issue #10): SPC charts with enough periods, else the
/// means with their intervals; for the municipality, and under it for each sub-project and unit.
extension ReportBuilder {
    /// One group whose dimensions are followed across periods.
    private struct SeriesGroup {
        var level: ScoreLevel
        var unit = ""
        var subproject = ""
        var name: String
    }

    /// The dimensions across every period of the input (FORMAT.md §9, issue #10), for the
    /// municipality and then each of its sub-projects and units (Docs/Report.md): a group with
    /// at least ``SPCChart/minimumUsefulPoints`` periods whose total is published gets an I
    /// chart per dimension of its published means (a hidden period is no point, and nothing is
    /// computed from it); one with fewer gets the means and their 95 % intervals per period and
    /// no SPC verdict, which so few points cannot support. Nothing with a single period.
    func dimensionSeries(
        set: any IndicatorSet, municipality: String, periods: [String], anchor: String
    ) -> DimensionSeries? {
        guard periods.count >= 2 else { return nil }
        let nb = language == .nb
        var series = groupSeries(
            SeriesGroup(level: .municipality, name: municipality), set: set, municipality: municipality,
            periods: periods, anchor: anchor + "-serie")
        series.title = nb ? "Utvikling over perioder" : "Across periods"
        series.groups = subgroups(set: set, municipality: municipality).enumerated().compactMap { index, group in
            groupSeries(group, set: set, municipality: municipality, periods: periods, anchor: "\(anchor)-g\(index + 1)")
        }
        if !series.groups.isEmpty {
            series.groupsHeading = nb ? "Delprosjekter og enheter over perioder" : "Sub-projects and units across periods"
        }
        return series
    }

    /// The municipality's sub-projects, then its units (each in text order of their names),
    /// that have rows of the set in at least two periods.
    private func subgroups(set: any IndicatorSet, municipality: String) -> [SeriesGroup] {
        struct Key: Hashable {
            var level: ScoreLevel
            var id: String
        }
        var periodsOf: [Key: Set<String>] = [:]
        for row in result.rows
        where row.group.municipality == municipality && row.set == set.id && row.kind == .total
            && row.group.breakdown.isEmpty && (row.group.level == .subproject || row.group.level == .unit)
        {
            let id = row.group.level == .subproject ? row.group.subproject : row.group.unit
            periodsOf[Key(level: row.group.level, id: id), default: []].insert(row.period)
        }
        let nb = language == .nb
        let groups = periodsOf.filter { $0.value.count >= 2 }.keys.map { key -> SeriesGroup in
            if key.level == .subproject {
                let name = result.names.subproject(municipality: municipality, id: key.id) ?? key.id
                return SeriesGroup(level: .subproject, subproject: key.id, name: (nb ? "Delprosjekt " : "Sub-project ") + name)
            }
            let name = result.names.unit(municipality: municipality, id: key.id) ?? key.id
            return SeriesGroup(level: .unit, unit: key.id, name: (nb ? "Enhet " : "Unit ") + name)
        }
        return groups.sorted {
            $0.level != $1.level ? $0.level == .subproject : ScoreBuilder.textOrder([$0.name], [$1.name])
        }
    }

    private func groupSeries(
        _ group: SeriesGroup, set: any IndicatorSet, municipality: String, periods: [String], anchor: String
    ) -> DimensionSeries {
        let nb = language == .nb
        func row(_ period: String, _ dimension: String) -> ScoreRow? {
            self.row(
                group.level, municipality, unit: group.unit, subproject: group.subproject, period: period, set: set.id,
                dimension: dimension)
        }
        let dimensions = set.dimensions.map { ($0.id, $0.title.text(language)) } + [("", texts.total)]
        let published = periods.filter { row($0, "").map { !$0.suppressed } ?? false }.count
        let whose =
            group.level == .municipality ? (nb ? "kommunens snitt" : "the municipality's mean") : (nb ? "snittet" : "the mean")
        if published >= SPCChart.minimumUsefulPoints {
            var charts: [SPCChartView] = []
            for (id, title) in dimensions {
                let observations = periods.compactMap { period -> SPCObservation? in
                    guard let row = row(period, id), !row.suppressed, let mean = row.mean else { return nil }
                    return SPCObservation(x: period, y: isShare(set) ? mean * 100 : mean)
                }
                guard observations.count >= 2, let chart = try? SPCChart(.i, observations) else { continue }
                let document = SPCDocument(
                    chart: chart, title: title,
                    valueLabel: isShare(set) ? (nb ? "andel positive %" : "positive share %") : (nb ? "snitt" : "mean"))
                charts.append(SPCChartView(document, id: "\(anchor)-\(charts.count + 1)", language: language))
            }
            return DimensionSeries(
                title: group.name,
                note: nb
                    ? "I-diagram (enkeltverdier) av \(whose) i hver periode, med Anhøjs regler: senterlinjen er snittet av periodene, grensene viser hvor mye snittet varierer av seg selv. Perioder med for få svar er ikke med."
                    : "I chart (individuals) of \(whose) in each period, with Anhøj's rules: the centre line is the mean of the periods, the limits show how much the mean varies by itself. Periods with too few responses are left out.",
                charts: charts, headings: [], rows: [])
        }
        let rows = dimensions.map { id, title in
            SeriesRow(
                title: title,
                cells: periods.map { period in
                    guard let row = row(period, id) else { return "–" }
                    if row.suppressed { return texts.fewerThanOrHidden(row, minN: minN(set)) }
                    let interval = interval(row, set)
                    return figure(row.mean, set) + (interval.isEmpty ? "" : " (\(interval))")
                })
        }
        let few =
            published == periods.count
            ? (nb ? "\(periods.count) perioder er" : "\(periods.count) periods are")
            : (nb
                ? "\(published) av \(periods.count) perioder med tall er"
                : "\(published) of \(periods.count) periods with figures are")
        // A group hidden in every period has nothing to follow: said so, not "0 of N".
        let note =
            published == 0
            ? (nb
                ? "Ingen av de \(periods.count) periodene har tall: for få svar, eller skjult for å verne en mindre gruppe."
                : "None of the \(periods.count) periods has figures: too few responses, or hidden to protect a smaller group.")
            : nil
        return DimensionSeries(
            title: group.name,
            note: note
                ?? (nb
                    ? "Snitt med 95 % konfidensintervall i hver periode. \(few) for få for statistisk prosesskontroll (minst \(SPCChart.minimumUsefulPoints)); derfor ingen vurdering av om endringen er mer enn tilfeldig variasjon her."
                    : "Means with 95% confidence intervals per period. \(few) too few for statistical process control (at least \(SPCChart.minimumUsefulPoints)), so no verdict here on whether the change is more than chance variation."),
            charts: [], headings: periods, rows: rows)
    }
}
