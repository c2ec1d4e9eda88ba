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
        return AbsenceSection(
            anchor: anchor, municipality: municipality, period: latest.period.description, at: at, facts: facts,
            charts: charts, goals: goals, costs: costs)
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
