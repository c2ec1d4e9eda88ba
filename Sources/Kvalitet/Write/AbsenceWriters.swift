import Foundation

/// Writes the rows of `kvalitet absence` in one format.
public protocol AbsenceWriter: Sendable {
    /// The format's name after `--format`.
    var name: String { get }
    func write(_ result: AbsenceResult, language: Language, to output: inout some TextOutput) throws(KvalitetError)
}

extension AbsenceRow {
    /// FORMAT.md §8's header, in order.
    public static let columnNames = [
        "level", "municipality", "service", "unit", "subproject", "period", "period_kind", "employees", "possible_days",
        "self_certified_days", "doctor_certified_days", "absence_days", "absence_pct", "self_certified_pct",
        "doctor_certified_pct", "employer_period_days", "sick_child_days", "previous_absence_pct", "change_pp",
        "suppressed",
    ]
    /// The columns that follow `suppressed` with `--costs`, in order.
    public static let costColumnNames = ["cost", "employer_cost", "saving_per_0_1_pp", "break_even_pp"]

    /// The row's values in ``columnNames`` order, and the cost columns' with `costs`.
    func columnValues(costs: Bool) -> [ColumnValue] {
        [
            .text(group.level.rawValue), .text(group.municipality), .text(group.service), .text(group.unit),
            .text(group.subproject),
        ] + figureValues(costs: costs)
    }

    /// The values after the key columns, from `employees` on, in column order, one at a time
    /// (no array per row: a national run writes 1.4 million rows).
    func forEachFigureValue(costs: Bool, _ body: (ColumnValue) -> Void) {
        // A suppressed row keeps its head count only, whatever it holds.
        let hide = suppressed
        func number(_ value: Double?) { body(hide ? .empty : .of(value)) }
        body(.integer(employees))
        number(possibleDays)
        number(selfCertifiedDays)
        number(doctorCertifiedDays)
        number(absenceDays)
        number(absencePct)
        number(selfCertifiedPct)
        number(doctorCertifiedPct)
        number(employerPeriodDays)
        number(sickChildDays)
        number(previousAbsencePct)
        number(changePP)
        body(.boolean(suppressed))
        if costs {
            number(self.costs?.cost)
            number(self.costs?.employerCost)
            number(self.costs?.savingPer01pp)
            number(self.costs?.breakEvenPP)
        }
    }

    /// The values after the key columns (from `period` on).
    func figureValues(costs: Bool) -> [ColumnValue] {
        var values: [ColumnValue] = [.text(period.description), .text(period.kind.rawValue)]
        forEachFigureValue(costs: costs) { values.append($0) }
        return values
    }
}

/// `--format csv`: FORMAT.md §8 exactly (full precision, `.` as decimal point); with `--costs`
/// the cost columns after `suppressed` (the parameters go to standard error: a CSV has no place
/// for them that its readers expect).
public struct CSVAbsenceWriter: AbsenceWriter {
    public var name: String { "csv" }
    public var style: CSVStyle

    public init(style: CSVStyle = .standard) { self.style = style }

    public func write(_ result: AbsenceResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let (costs, style) = (result.costs != nil, self.style)
        let separator = String(UnicodeScalar(style.separator))
        var table = TableText.CSVTable(
            header: AbsenceRow.columnNames + (costs ? AbsenceRow.costColumnNames : []), style: style)
        try table.finish(to: &output)
        // The key columns of a group are the same in each of its rows: their bytes are made once.
        let keys = result.groups.map { key in
            var prefix: [UInt8] = []
            for text in [key.level.rawValue, key.municipality, key.service, key.unit, key.subproject] {
                ColumnValue.text(text).appendCSV(to: &prefix, style: style)
                prefix.append(style.separator)
            }
            return prefix
        }
        // Rows are made into text on both cores, a few chunks at a time, and written in order: a
        // national run has over a million rows, and their numbers' text is most of the work.
        var chunks: [(period: Int, rows: Range<Int>)] = []
        for (period, count) in result.rowCounts.enumerated() {
            for start in stride(from: 0, to: count, by: 8192) { chunks.append((period, start..<min(start + 8192, count))) }
        }
        var next = 0
        while next < chunks.count {
            let batch = Array(chunks[next..<min(next + 4, chunks.count)])
            let texts = PartResults<[UInt8]>(batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { part in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(batch[part].rows.count * 160)
                let period = result.periods[batch[part].period]
                let periodText = Array("\(period)\(separator)\(period.kind.rawValue)\(separator)".utf8)
                for index in batch[part].rows {
                    let (group, row) = result.indexedRow(period: batch[part].period, index)
                    bytes.append(contentsOf: keys[Int(group)])
                    bytes.append(contentsOf: periodText)
                    var first = true
                    row.forEachFigureValue(costs: costs) { value in
                        if !first { bytes.append(style.separator) }
                        first = false
                        value.appendCSV(to: &bytes, style: style.numbersOnly)  // numbers only: nothing to neutralise
                    }
                    bytes.append(contentsOf: style.lineEnd)
                }
                texts.parts[part] = bytes
            }
            for part in batch.indices { try output.write(String(decoding: texts.parts[part]!, as: UTF8.self)) }
            next += batch.count
        }
    }
}

/// `--format json`: an object with `rows` (the CSV's columns as keys, `null` where a cell is
/// empty), the sub-projects' `goals`, `min_employees`, and with `--costs` the `costs` parameters.
public struct JSONAbsenceWriter: AbsenceWriter {
    public var name: String { "json" }

    public init() {}

    public func write(_ result: AbsenceResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let costs = result.costs != nil
        try output.write("{\"min_employees\":\(result.minEmployees),\n")
        if let parameters = result.costs?.parameters {
            let members = parameters.map { "\"\($0.name)\":\(ColumnValue.number($0.value).json)" }
            try output.write("\"costs\":{" + members.joined(separator: ",") + "},\n")
        }
        try output.write("\"goals\":")
        var goals = TableText.JSONTable(header: [
            "municipality", "subproject", "measure", "target", "by", "baseline", "baseline_absence_pct", "current_period",
            "current_absence_pct", "status",
        ])
        for goal in result.goals {
            try goals.add(
                [
                    .text(goal.municipality), .text(goal.subproject), .text(goal.goal.measure), .number(goal.goal.target),
                    .text(goal.goal.by.description), goal.goal.baseline.map { .text($0.description) } ?? .empty,
                    .of(goal.baseline?.absencePct), goal.currentPeriod.map { .text($0.description) } ?? .empty,
                    .of(goal.currentPct), .text(goal.status.rawValue),
                ], to: &output)
        }
        try goals.finish(to: &output)
        try output.write(",\"rows\":")
        var table = TableText.JSONTable(header: AbsenceRow.columnNames + (costs ? AbsenceRow.costColumnNames : []))
        try result.forEachRow { (row) throws(KvalitetError) in try table.add(row.columnValues(costs: costs), to: &output) }
        try table.finish(to: &output)
        try output.write("}\n")
    }
}

/// `--format table`: for people, one section per municipality: its quarters with the same
/// quarter a year earlier, the latest complete quarter per service, unit and sub-project (small
/// groups as "færre enn 5 ansatte"), the sub-projects' goals, and with `--costs` the latest
/// complete year's costs with their parameters. One decimal, decimal comma in Norwegian.
public struct TableAbsenceWriter: AbsenceWriter {
    public var name: String { "table" }

    public init() {}

    public func write(_ result: AbsenceResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let texts = AbsenceTexts(language: language, minEmployees: result.minEmployees)
        let rows = result.rowsOfQuartersAndYears
        let municipalities = rows.filter { $0.group.level == .municipality }.map(\.group.municipality)
        var seen: Set<String> = []
        var text = ""
        for municipality in municipalities where seen.insert(municipality).inserted {
            let own = rows.filter { $0.group.municipality == municipality }
            text += texts.section(municipality: municipality, rows: own, result: result)
        }
        if seen.isEmpty { text += texts.noCompleteQuarter + "\n" }
        if seen.count > 1, let latest = rows.last(where: { $0.group.level == .all && $0.period.kind == .quarter }) {
            text += "\n" + texts.level(.all) + " · " + texts.headline(latest) + "\n"
        }
        try output.write(TerminalText.escaped(text))
    }
}

/// The words and figures of the sick-leave table and report section, in bokmål or English.
struct AbsenceTexts {
    let language: Language
    let minEmployees: Int
    private var labels: Labels { Labels(language: language) }

    private func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }

    /// One decimal with the language's decimal mark, and " %".
    func pct(_ value: Double?) -> String { value.map { labels.decimal($0) + " %" } ?? "–" }

    /// A change in percentage points with its sign (−0,7).
    func pp(_ value: Double?) -> String {
        guard let value else { return "–" }
        let text = labels.decimal(value)
        return text.hasPrefix("-") ? "−" + text.dropFirst() : (text == labels.decimal(0) ? text : "+" + text)
    }

    /// NOK, whole kroner with thin grouping (560 000 kr).
    func kroner(_ value: Double) -> String {
        let whole = DecimalText.rounded(value, places: 0)
        var grouped = ""
        for (offset, character) in whole.reversed().enumerated() {
            if offset > 0 && offset % 3 == 0 && character != "-" { grouped.append(" ") }
            grouped.append(character)
        }
        return String(grouped.reversed()) + " kr"
    }

    var noCompleteQuarter: String {
        pick(
            "Ingen hele kvartaler i dataene (et kvartal vises når alle enhetene har alle tre månedene).",
            "No complete quarters in the data (a quarter is shown when every unit has all three months).")
    }

    func fewerThan() -> String { pick("færre enn \(minEmployees) ansatte", "fewer than \(minEmployees) employees") }
    var hidden: String { pick("skjult for å verne en mindre gruppe", "hidden to protect a smaller group") }

    func level(_ level: ScoreLevel) -> String {
        switch level {
        case .all: pick("Alle kommuner", "All municipalities")
        case .municipality: pick("Kommune", "Municipality")
        case .service: pick("Tjeneste", "Service")
        case .unit: pick("Enhet", "Unit")
        case .subproject: pick("Delprosjekt", "Sub-project")
        }
    }

    /// "Sykefravær 7,4 % (egenmeldt 1,5 %, legemeldt 5,9 %), nærvær 92,6 %" and the year-on-year change.
    func headline(_ row: AbsenceRow) -> String {
        guard !row.suppressed else { return "\(row.period): " + suppressedText(row) }
        var line =
            "\(row.period): " + pick("Sykefravær", "Sick leave") + " \(pct(row.absencePct)) ("
            + pick("egenmeldt", "self-certified") + " \(pct(row.selfCertifiedPct)), "
            + pick("legemeldt", "doctor-certified") + " \(pct(row.doctorCertifiedPct))), "
            + pick("nærvær", "presence") + " \(pct(row.presencePct))"
        if let previous = row.previousAbsencePct {
            line +=
                "; " + pick("samme \(kindWord(row.period.kind)) i fjor", "the same \(kindWord(row.period.kind)) a year earlier")
                + " \(pct(previous)) (\(pp(row.changePP)) " + pick("prosentpoeng", "percentage points") + ")"
        }
        return line
    }

    private func kindWord(_ kind: PeriodKind) -> String {
        switch kind {
        case .month: pick("måned", "month")
        case .quarter: pick("kvartal", "quarter")
        case .year: pick("år", "year")
        }
    }

    func suppressedText(_ row: AbsenceRow) -> String { row.employees < minEmployees ? fewerThan() : hidden }

    /// A municipality's part of the table.
    func section(municipality: String, rows: [AbsenceRow], result: AbsenceResult) -> String {
        let heading = pick("Sykefravær", "Sick leave") + " – " + municipality
        var text = "\n" + heading + "\n" + String(repeating: "═", count: heading.count) + "\n"
        let quarters = rows.filter { $0.group.level == .municipality && $0.period.kind == .quarter }
        if let latest = quarters.last { text += headline(latest) + "\n" }
        // The municipality's quarters and years.
        let header = [
            pick("Periode", "Period"), pick("Ansatte", "Employees"), pick("Sykefravær", "Sick leave"),
            pick("Egenmeldt", "Self-cert."), pick("Legemeldt", "Doctor-cert."), pick("Nærvær", "Presence"),
            pick("I fjor", "Year before"), pick("Endring", "Change"),
        ]
        let series = rows.filter { $0.group.level == .municipality }
        if !series.isEmpty {
            text += "\n" + table(header: header, series.map { ($0, $0.period.description) }) + "\n"
        }
        // The latest complete quarter per service, unit and sub-project.
        if let latest = quarters.last?.period {
            text +=
                "\n" + pick("Per tjeneste, enhet og delprosjekt, \(latest)", "Per service, unit and sub-project, \(latest)")
                + "\n"
            let groups = rows.filter { $0.period == latest }
            // Each service with its units under it, then the sub-projects.
            var lines: [(AbsenceRow, String)] = []
            for service in groups where service.group.level == .service {
                lines.append((service, groupName(service, names: result.names)))
                for unit in groups where unit.group.level == .unit && unit.group.service == service.group.service {
                    lines.append((unit, groupName(unit, names: result.names)))
                }
            }
            for subproject in groups where subproject.group.level == .subproject {
                lines.append((subproject, groupName(subproject, names: result.names)))
            }
            text += table(header: [pick("Gruppe", "Group")] + header.dropFirst(), lines) + "\n"
        }
        let goals = result.goals.filter { RegisterIndex.sameMunicipality($0.municipality, municipality) }
        if !goals.isEmpty {
            text += "\n" + pick("Mål for delprosjektene", "Sub-project goals") + "\n"
            for goal in goals { text += "  " + goalLine(goal, names: result.names) + "\n" }
        }
        if let costs = result.costs,
            let year = rows.last(where: { $0.group.level == .municipality && $0.period.kind == .year && !$0.suppressed })
        {
            text += "\n" + costLines(year, costs: costs)
        }
        return text
    }

    func groupName(_ row: AbsenceRow, names: GroupNames) -> String {
        let key = row.group
        switch key.level {
        case .service: return key.service
        case .unit: return "  " + (names.unit(municipality: key.municipality, id: key.unit) ?? key.unit)
        case .subproject:
            return level(.subproject) + " "
                + (names.subproject(municipality: key.municipality, id: key.subproject) ?? key.subproject)
        default: return level(key.level)
        }
    }

    /// Aligned figures, a suppressed row's reason in a last column (only when a row has one).
    private func table(header: [String], _ rows: [(AbsenceRow, String)]) -> String {
        let noted = rows.contains { $0.0.suppressed }
        var lines = [header + (noted ? [pick("Merknad", "Note")] : [])]
        for (row, first) in rows {
            var line =
                row.suppressed
                ? [first, String(row.employees), "", "", "", "", "", ""]
                : [
                    first, String(row.employees), pct(row.absencePct), pct(row.selfCertifiedPct),
                    pct(row.doctorCertifiedPct), pct(row.presencePct), pct(row.previousAbsencePct), pp(row.changePP),
                ]
            if noted { line.append(row.suppressed ? suppressedText(row) : "") }
            lines.append(line)
        }
        return TableScoresWriter.align(lines, left: noted ? [0, header.count] : [0])
    }

    func goalStatus(_ status: GoalStatus) -> String {
        switch status {
        case .reached: pick("nådd", "reached")
        case .underway: pick("på vei", "on the way")
        case .notReached: pick("ikke nådd", "not reached")
        case .missingData: pick("mangler data", "no data")
        }
    }

    func goalLine(_ goal: AbsenceGoalStatus, names: GroupNames) -> String {
        let name = names.subproject(municipality: goal.municipality, id: goal.subproject) ?? goal.subproject
        var line =
            "\(name): " + pick("sykefravær", "sick leave") + " ≤ \(pct(goal.goal.target)) " + pick("innen", "by")
            + " \(goal.goal.by)"
        if let baseline = goal.goal.baseline {
            let value = goal.baseline.map { $0.suppressed ? suppressedText($0) : pct($0.absencePct) } ?? "–"
            line += " (" + pick("utgangspunkt", "baseline") + " \(baseline): \(value))"
        }
        if let period = goal.currentPeriod, let current = goal.currentPct {
            line += "; " + pick("nå", "now") + " \(pct(current)) (\(period))"
        }
        return line + " — " + goalStatus(goal.status)
    }

    /// The year's costs with every parameter, and the caveat.
    func costLines(_ row: AbsenceRow, costs: AbsenceCosts) -> String {
        guard let figures = row.costs else { return "" }
        var text =
            pick(
                "Kostnader \(row.period) (anslått verdi av tapte dagsverk, ikke en budsjettbesparelse)",
                "Costs \(row.period) (estimated value of the lost days, not a budget saving)") + "\n"
        text +=
            "  " + pick("Sykefraværet", "The absence") + ": \(kroner(figures.cost)); "
            + pick("arbeidsgiverens del", "the employer's part") + ": \(kroner(figures.employerCost))\n"
        text +=
            "  " + pick("0,1 prosentpoeng lavere fravær er verdt", "0.1 percentage points less absence is worth")
            + " \(kroner(figures.savingPer01pp))\n"
        if let breakEven = figures.breakEvenPP, let position = costs.projectPosition {
            text +=
                "  "
                + pick(
                    "En prosjektstilling (\(kroner(position)) i året) er tjent inn ved \(labels.decimal(breakEven)) prosentpoeng lavere fravær",
                    "A project position (\(kroner(position)) a year) pays for itself at \(labels.decimal(breakEven)) percentage points less absence"
                ) + "\n"
        }
        text +=
            "  " + pick("Parametre", "Parameters") + ": "
            + pick("årslønn", "annual pay") + " \(kroner(costs.annualPay)), "
            + pick("feriepenger", "holiday pay") + " \(labels.decimal(costs.holidayPayPct)) %, "
            + pick("pensjon", "pension") + " \(labels.decimal(costs.pensionPct)) %, "
            + pick("arbeidsgiveravgift", "employer's tax") + " \(labels.decimal(costs.employerTaxPct)) %, "
            + "\(costs.daysPerYear == costs.daysPerYear.rounded() ? String(Int(costs.daysPerYear)) : labels.decimal(costs.daysPerYear)) "
            + pick("dagsverk i året", "working days a year") + " → "
            + pick("et dagsverk koster", "a day costs") + " \(kroner(costs.dayCost))\n"
        return text
    }
}
