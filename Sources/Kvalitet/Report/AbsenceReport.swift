/// The report's sick-leave sections (`kvalitet report --absence FILE`, Docs/Absence.md): per
/// municipality its latest complete quarter, its quarters against the same quarter a year
/// earlier, the units and sub-projects ranked in that quarter (small ones as "færre enn 5
/// ansatte", never a figure), the sub-projects' sick-leave goals and, with `--costs`, the costs
/// with their parameters. Every figure is the absence CSV's, rounded as the table output rounds.
struct AbsenceSection {
    let anchor: String
    let municipality: String
    let period: String
    let at: AbsenceReportTexts
    let facts: [Fact]
    let charts: [AbsenceChart]
    let goals: [GoalRow]
    let costs: [String]
    /// The monthly P′ charts of the sub-projects and units (SPC), and what they leave out.
    let spcTitle: String
    let spcNote: String
    let spcCharts: [SPCChartView]
    /// "Uten diagram …: Bryn SFO, …", or nil.
    let spcWithout: String?
}

/// A table of rates with a bar per row (the bar is the table's figure drawn).
struct AbsenceChart {
    let title: String
    let note: String
    let labelHeading: String
    let ticks: [AxisTick]
    let rows: [AbsenceChartRow]
}

struct AbsenceChartRow {
    let label: String
    let employees: String
    let pct: String
    let previous: String
    let change: String
    let hidden: String?
    let bar: BarShape?
}

/// Fixed texts of the sick-leave sections (stored: the templates read them by reflection).
struct AbsenceReportTexts {
    let title: String
    let employees: String
    let absence: String
    let previous: String
    let change: String
    let costsTitle: String

    init(language: Language) {
        func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }
        title = pick("Sykefravær", "Sick leave")
        employees = pick("Ansatte", "Employees")
        absence = pick("Sykefravær", "Sick leave")
        previous = pick("Samme periode i fjor", "A year earlier")
        change = pick("Endring (prosentpoeng)", "Change (percentage points)")
        costsTitle = pick(
            "Kostnader (anslått verdi av tapte dagsverk, ikke en budsjettbesparelse)",
            "Costs (estimated value of the lost days, not a budget saving)")
    }
}

extension AbsenceSection {
    /// One section per municipality with a complete quarter, municipalities in text order.
    static func sections(_ result: AbsenceResult, language: Language) -> [AbsenceSection] {
        let texts = AbsenceTexts(language: language, minEmployees: result.minEmployees)
        let rows = result.rowsOfQuartersAndYears
        let municipalities = Set(rows.lazy.filter { $0.group.level == .municipality }.map(\.group.municipality))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return municipalities.enumerated().compactMap { index, municipality in
            section(
                rows.filter { $0.group.municipality == municipality && $0.group.level != .all }, municipality: municipality,
                anchor: "sykefravaer-\(index + 1)", result: result, texts: texts, language: language)
        }
    }

    private static func section(
        _ rows: [AbsenceRow], municipality: String, anchor: String, result: AbsenceResult, texts: AbsenceTexts,
        language: Language
    ) -> AbsenceSection? {
        let at = AbsenceReportTexts(language: language)
        func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }
        let quarters = rows.filter { $0.group.level == .municipality && $0.period.kind == .quarter }
        guard let latest = quarters.last else { return nil }
        var facts: [Fact] = []
        if latest.suppressed {
            facts.append(Fact(label: at.absence, value: texts.suppressedText(latest), note: nil))
        } else {
            facts.append(Fact(label: at.absence, value: texts.pct(latest.absencePct), note: nil))
            facts.append(Fact(label: pick("Egenmeldt", "Self-certified"), value: texts.pct(latest.selfCertifiedPct), note: nil))
            facts.append(
                Fact(label: pick("Legemeldt", "Doctor-certified"), value: texts.pct(latest.doctorCertifiedPct), note: nil))
            facts.append(Fact(label: pick("Nærvær", "Presence"), value: texts.pct(latest.presencePct), note: nil))
            if let previous = latest.previousAbsencePct {
                facts.append(
                    Fact(
                        label: pick("Samme kvartal i fjor", "Same quarter a year earlier"), value: texts.pct(previous),
                        note: texts.pp(latest.changePP) + " " + pick("prosentpoeng", "percentage points")))
            }
        }
        facts.append(Fact(label: at.employees, value: String(latest.employees), note: nil))

        let shown = quarters + rows.filter { $0.group.level == .municipality && $0.period.kind == .year }
        let inLatest = rows.filter { $0.period == latest.period && [.unit, .subproject].contains($0.group.level) }
        let ranked =
            inLatest.filter { !$0.suppressed && $0.absencePct != nil }.sorted {
                ($0.absencePct!, $0.group.unit) < ($1.absencePct!, $1.group.unit)
            }
            + inLatest.filter { $0.suppressed || $0.absencePct == nil }
        let axis = Self.axis(shown + ranked)
        func chartRow(_ row: AbsenceRow, label: String) -> AbsenceChartRow {
            if row.suppressed {
                return AbsenceChartRow(
                    label: label, employees: String(row.employees), pct: "", previous: "", change: "",
                    hidden: texts.suppressedText(row), bar: nil)
            }
            let bar = row.absencePct.map { pct in
                BarShape(
                    width: svgNumber(axis.x(pct) - axis.x0), whisker: nil,
                    previousWidth: row.previousAbsencePct.map { svgNumber(axis.x($0) - axis.x0) }, referenceX: nil)
            }
            return AbsenceChartRow(
                label: label, employees: String(row.employees), pct: texts.pct(row.absencePct),
                previous: texts.pct(row.previousAbsencePct), change: texts.pp(row.changePP), hidden: nil, bar: bar)
        }
        let ticks = Self.ticks(axis).map { AxisTick(x: svgNumber(axis.x($0)), label: DecimalText.rounded($0, places: 0)) }
        let charts = [
            AbsenceChart(
                title: pick("Kvartaler og år", "Quarters and years"),
                note: pick(
                    "Sammenlignet med samme kvartal året før: sykefraværet er høyest i første kvartal og lavest i tredje.",
                    "Compared with the same quarter a year earlier: sick leave is highest in the first quarter, lowest in the third."
                ), labelHeading: pick("Periode", "Period"), ticks: ticks,
                rows: shown.map { chartRow($0, label: $0.period.description) }),
            AbsenceChart(
                title: pick("Enheter og delprosjekter, \(latest.period)", "Units and sub-projects, \(latest.period)"),
                note: pick(
                    "Rangert etter sykefravær, lavest først. Enheter med færre enn \(result.minEmployees) ansatte vises uten tall, og det samme gjør grupper som ville avsløre dem.",
                    "Ranked by sick leave, lowest first. Units with fewer than \(result.minEmployees) employees are shown without figures, as are groups that would reveal them."
                ), labelHeading: pick("Enhet / delprosjekt", "Unit / sub-project"), ticks: ticks,
                rows: ranked.map { chartRow($0, label: texts.groupName($0, names: result.names).trimmingSpaces) }),
        ]
        let goals = result.goals.filter { RegisterIndex.sameMunicipality($0.municipality, municipality) }.map { goal in
            let baseline = goal.goal.baseline.map { period in
                (goal.baseline.map { $0.suppressed ? texts.suppressedText($0) : texts.pct($0.absencePct) } ?? "–")
                    + " (\(period))"
            }
            return GoalRow(
                subproject: result.names.subproject(municipality: goal.municipality, id: goal.subproject) ?? goal.subproject,
                dimension: at.absence, baseline: baseline ?? "",
                current: goal.currentPct.map { texts.pct($0) + " (\(goal.currentPeriod!))" } ?? "–",
                target: "≤ " + texts.pct(goal.goal.target), deadline: goal.goal.by.description,
                status: texts.goalStatus(goal.status), statusClass: goal.status.rawValue)
        }
        var costs: [String] = []
        if let parameters = result.costs,
            let year = rows.last(where: { $0.group.level == .municipality && $0.period.kind == .year && !$0.suppressed })
        {
            costs = texts.costLines(year, costs: parameters).split(separator: "\n").dropFirst().map {
                String($0).trimmingSpaces
            }
        }
        let spc = monthlyCharts(municipality: municipality, anchor: anchor, result: result, texts: texts, language: language)
        return AbsenceSection(
            anchor: anchor, municipality: municipality, period: latest.period.description, at: at, facts: facts,
            charts: charts, goals: goals, costs: costs,
            spcTitle: pick(
                "Måned for måned: sykefravær i statistisk prosesskontroll",
                "Month by month: sick leave in statistical process control"),
            spcNote: pick(
                "P′-diagram (Laney) av sykefraværet hver måned, med avtalte dagsverk som nevner: senterlinjen er fraværet i delen, grensene viser hvor mye det varierer av seg selv. En ny del begynner måneden tiltakene startet (start i registeret). Måneder med færre enn \(result.minEmployees) ansatte, eller som ville avsløre en slik måned, er ikke med.",
                "P′ chart (Laney) of each month's sick leave, with the possible days as denominators: the centre line is the part's absence, the limits show how much it varies by itself. A new part begins the month the measures started (start in the register). Months with fewer than \(result.minEmployees) employees, or that would reveal one, are left out."
            ), spcCharts: spc.charts,
            spcWithout: spc.without.isEmpty
                ? nil
                : pick(
                    "Uten diagram (for få måneder med tall, fordi gruppen er liten eller ville avsløre en liten gruppe): ",
                    "No chart (too few months with figures, as the group is small or would reveal a small one): ")
                    + spc.without.joined(separator: ", ") + ".")
    }

    /// The monthly sick-leave P′ chart of each sub-project, then each unit, of `municipality`:
    /// the published month rows only (a suppressed month is no point, and nothing is computed
    /// from it), a new part from the month of the sub-project's `start` (a unit's: the earliest
    /// of its sub-projects'), percentages. Groups with fewer than two published months get none.
    static func monthlyCharts(
        municipality: String, anchor: String, result: AbsenceResult, texts: AbsenceTexts, language: Language
    ) -> (charts: [SPCChartView], without: [String]) {
        let months = result.periods.filter { $0.kind == .month }
        let groups = result.groups.filter {
            $0.municipality == municipality && ($0.level == .subproject || $0.level == .unit)
        }.sorted {
            ($0.level == .subproject ? 0 : 1, $0.subproject, $0.unit) < ($1.level == .subproject ? 0 : 1, $1.subproject, $1.unit)
        }
        var views: [SPCChartView] = []
        var without: [String] = []
        let nb = language == .nb
        for group in groups {
            let name =
                group.level == .subproject
                ? (nb ? "Delprosjekt " : "Sub-project ")
                    + (result.names.subproject(municipality: municipality, id: group.subproject) ?? group.subproject)
                : result.names.unit(municipality: municipality, id: group.unit) ?? group.unit
            var observations: [SPCObservation] = []
            var hidden = 0
            var firstMonths: [Month] = []
            for month in months {
                guard let row = result.row(group, month) else { continue }
                guard !row.suppressed, let days = row.absenceDays, let possible = row.possibleDays, possible > 0 else {
                    hidden += 1
                    continue
                }
                observations.append(SPCObservation(x: month.description, y: days, n: possible))
                firstMonths.append(month.first)
            }
            guard observations.count >= 2 else {
                without.append(name)
                continue
            }
            let start =
                group.level == .subproject
                ? result.starts[GroupNames.key(municipality, group.subproject)]
                : result.unitStarts[GroupNames.key(municipality, group.unit)]
            var options = SPCOptions(multiply: 100)
            if let start {
                let before = firstMonths.filter { $0 < start }.count
                if before > 0 && before < observations.count { options.parts = [before] }
            }
            guard let chart = try? SPCChart(.pp, observations, options: options) else {
                without.append(name)
                continue
            }
            var title = name
            if let start { title += nb ? " (tiltak fra \(start))" : " (measures from \(start))" }
            if hidden > 0 {
                title += nb ? " – \(hidden) måneder ikke vist" : " – \(hidden) months not shown"
            }
            let document = SPCDocument(chart: chart, title: title, valueLabel: nb ? "sykefravær %" : "sick leave %")
            var view = SPCChartView(document, id: "\(anchor)-spc-\(views.count + 1)", language: language)
            view.group = group
            views.append(view)
        }
        return (views, without)
    }

    /// From 0 to the next multiple of 5 above the largest rate shown (at least 10 %).
    static func axis(_ rows: [AbsenceRow]) -> ValueAxis {
        let largest = rows.compactMap { $0.suppressed ? nil : max($0.absencePct ?? 0, $0.previousAbsencePct ?? 0) }.max() ?? 0
        let upper = max(10, (largest / 5).rounded(.up) * 5)
        return ValueAxis(lower: 0, upper: upper, x0: ReportBuilder.axisX0, width: ReportBuilder.axisWidth)
    }

    /// Gridlines every 5 percentage points (every 2 up to 10 %).
    static func ticks(_ axis: ValueAxis) -> [Double] {
        let step = axis.upper <= 10 ? 2.0 : 5.0
        return stride(from: 0, through: axis.upper + 1e-9, by: step).map { $0 }
    }
}
