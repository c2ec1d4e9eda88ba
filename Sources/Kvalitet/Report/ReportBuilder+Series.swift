/// The report's dimensions across periods (issue #10): SPC charts with enough periods, else the
/// means with their intervals.
extension ReportBuilder {
    /// The dimensions across every period of the input (FORMAT.md §9, issue #10): with at least
    /// ``SPCChart/minimumUsefulPoints`` periods an I chart per dimension of the municipality's
    /// published means (a hidden period is no point, and nothing is computed from it); with fewer,
    /// the means and their 95 % intervals per period and no SPC verdict, which so few points
    /// cannot support. Nothing with a single period.
    func dimensionSeries(
        set: any IndicatorSet, municipality: String, periods: [String], anchor: String
    ) -> DimensionSeries? {
        guard periods.count >= 2 else { return nil }
        let nb = language == .nb
        let dimensions = set.dimensions.map { ($0.id, $0.title.text(language)) } + [("", texts.total)]
        if periods.count >= SPCChart.minimumUsefulPoints {
            var charts: [SPCChartView] = []
            for (id, title) in dimensions {
                let observations = periods.compactMap { period -> SPCObservation? in
                    guard let row = row(.municipality, municipality, period: period, set: set.id, dimension: id),
                        !row.suppressed, let mean = row.mean
                    else { return nil }
                    return SPCObservation(x: period, y: isShare(set) ? mean * 100 : mean)
                }
                guard observations.count >= 2, let chart = try? SPCChart(.i, observations) else { continue }
                let document = SPCDocument(
                    chart: chart, title: title,
                    valueLabel: isShare(set) ? (nb ? "andel positive %" : "positive share %") : (nb ? "snitt" : "mean"))
                charts.append(SPCChartView(document, id: "\(anchor)-serie-\(charts.count + 1)", language: language))
            }
            return DimensionSeries(
                title: nb ? "Utvikling over perioder" : "Across periods",
                note: nb
                    ? "I-diagram (enkeltverdier) av kommunens snitt i hver periode, med Anhøjs regler: senterlinjen er snittet av periodene, grensene viser hvor mye snittet varierer av seg selv. Perioder med for få svar er ikke med."
                    : "I chart (individuals) of the municipality's mean in each period, with Anhøj's rules: the centre line is the mean of the periods, the limits show how much the mean varies by itself. Periods with too few responses are left out.",
                charts: charts, headings: [], rows: [])
        }
        let rows = dimensions.map { id, title in
            SeriesRow(
                title: title,
                cells: periods.map { period in
                    guard let row = row(.municipality, municipality, period: period, set: set.id, dimension: id) else {
                        return "–"
                    }
                    if row.suppressed { return texts.fewerThanOrHidden(row, minN: minN(set)) }
                    let interval = interval(row, set)
                    return figure(row.mean, set) + (interval.isEmpty ? "" : " (\(interval))")
                })
        }
        return DimensionSeries(
            title: nb ? "Utvikling over perioder" : "Across periods",
            note: nb
                ? "Snitt med 95 % konfidensintervall i hver periode. \(periods.count) perioder er for få for statistisk prosesskontroll (minst \(SPCChart.minimumUsefulPoints)); derfor ingen vurdering av om endringen er mer enn tilfeldig variasjon her."
                : "Means with 95% confidence intervals per period. \(periods.count) periods are too few for statistical process control (at least \(SPCChart.minimumUsefulPoints)), so no verdict here on whether the change is more than chance variation.",
            charts: [], headings: periods, rows: rows)
    }
}
