/// A writer whose output is bytes, not text (a workbook): the command line does not write it
/// on a terminal.
public protocol BinaryFormat {}

/// `--format xlsx` for `score`: a first sheet with FORMAT.md §5's rows and column names, numbers
/// as numbers at full precision (shown with one decimal; counts as whole numbers), a suppressed
/// row's figures empty (never a number), `suppressed` as TRUE/FALSE; a second sheet of the same
/// rows for people ("Oversikt"): labels in the run's language (the level, the group as the
/// table names it, the set's, dimension's and item's titles), shares as percentages, and for a
/// suppressed row no figure but its reason ("færre enn 5 svar"). Both with the header frozen and
/// filtered.
public struct XLSXScoresWriter: ScoresWriter, BinaryFormat {
    public var name: String { "xlsx" }
    /// The `min_n` to name in "færre enn N svar", per set (the run's `--min-n` when given).
    public var minNOverride: Int?

    public init(minNOverride: Int? = nil) {
        self.minNOverride = minNOverride
    }

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        var workbook = XLSXWorkbook()
        try workbook.beginSheet(
            language == .nb ? "Resultater" : "Scores", header: ScoreRow.columnNames,
            widths: XLSXWorkbook.widths(ScoreRow.columnNames, texts: 11), to: &output)
        var values: [ColumnValue] = []
        try result.forEachRow { (row) throws(KvalitetError) in
            row.columnValues(into: &values)
            try workbook.add(values, to: &output)
        }
        let labels = Labels(language: language)
        let header = labels.overviewColumns
        try workbook.beginSheet(
            labels.overviewSheet, header: header,
            widths: XLSXWorkbook.widths(header, texts: 6).enumerated().map {
                [1, 3, 4, 5].contains($0.offset) ? 32 : $0.element
            }, percent: [8, 13], to: &output)
        var titles = OverviewTitles()
        try result.forEachRow { (row) throws(KvalitetError) in
            let set = result.sets[row.set]
            let minN = minNOverride ?? set?.minN ?? 5
            let hide = row.suppressed
            func int(_ value: Int?) -> ColumnValue { hide ? .empty : .of(value) }
            func number(_ value: Double?) -> ColumnValue { hide ? .empty : .of(value) }
            let (setTitle, dimension, item) = titles.of(row, set: set, labels: labels)
            try workbook.add(
                [
                    .text(labels.levelName(row.group.level)), .text(labels.level(row.group, names: result.names)),
                    .text(row.period), .text(setTitle), .text(dimension), .text(item), .integer(row.respondents),
                    .of(row.invited), .of(row.responseRate), int(row.n), number(row.mean), number(row.ciLow),
                    number(row.ciHigh), number(row.positiveShare), int(row.dontKnow), int(row.unanswered),
                    .text(hide ? labels.hiddenNote(row, minN: minN) : ""),
                ], to: &output)
        }
        try workbook.finish(to: &output)
    }
}

/// The titles of a row's set, dimension and item in the language, looked up once per set.
private struct OverviewTitles {
    private var cached: [String: (set: String, dimensions: [String: String], items: [String: String])] = [:]

    mutating func of(_ row: ScoreRow, set: (any IndicatorSet)?, labels: Labels) -> (String, String, String) {
        let language = labels.language
        if cached[row.set] == nil {
            var dimensions: [String: String] = [:]
            var items: [String: String] = [:]
            for dimension in set?.dimensions ?? [] {
                dimensions[dimension.id] = dimension.title.text(language)
                for item in dimension.items { items[item.id] = item.text.text(language) }
            }
            cached[row.set] = (set?.title.text(language) ?? row.set, dimensions, items)
        }
        let titles = cached[row.set]!
        let dimension = row.kind == .total ? labels.total : titles.dimensions[row.dimension] ?? row.dimension
        let item = row.item.isEmpty ? "" : titles.items[row.item].map { "\(row.item): \($0)" } ?? row.item
        return (titles.set, dimension, item)
    }
}

/// `--format xlsx` for `validate`: FORMAT.md §6's rows, as the CSV has them.
public struct XLSXValidationWriter: ValidationWriter, BinaryFormat {
    public var name: String { "xlsx" }
    public init() {}

    public func write(_ result: ValidationResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        var workbook = XLSXWorkbook()
        try workbook.beginSheet(
            language == .nb ? "Validering" : "Validation", header: ValidationRow.columnNames,
            widths: XLSXWorkbook.widths(ValidationRow.columnNames, texts: 4), to: &output)
        for row in result.rows { try workbook.add(row.columnValues, to: &output) }
        try workbook.finish(to: &output)
    }
}

/// `--format xlsx` for `absence`: FORMAT.md §8's rows (with the cost columns under `--costs`),
/// a suppressed row's figures empty; a second sheet of the same rows for people ("Oversikt",
/// as for scores, with presence beside the rates); with `--costs` a sheet of the parameters.
public struct XLSXAbsenceWriter: AbsenceWriter, BinaryFormat {
    public var name: String { "xlsx" }
    public init() {}

    public func write(_ result: AbsenceResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let costs = result.costs != nil
        let header = AbsenceRow.columnNames + (costs ? AbsenceRow.costColumnNames : [])
        var workbook = XLSXWorkbook()
        try workbook.beginSheet(
            language == .nb ? "Fravær" : "Absence", header: header, widths: XLSXWorkbook.widths(header, texts: 7),
            to: &output)
        try result.forEachRow { (row) throws(KvalitetError) in try workbook.add(row.columnValues(costs: costs), to: &output) }
        // The same rows for people: the level and group in words, the rates and days as numbers,
        // a suppressed row's reason instead of its figures (its head count is published).
        let texts = AbsenceTexts(language: language, minEmployees: result.minEmployees)
        let labels = Labels(language: language)
        let people = labels.absenceOverviewColumns(costs: costs)
        try workbook.beginSheet(
            labels.overviewSheet, header: people,
            widths: XLSXWorkbook.widths(people, texts: 3).enumerated().map { $0.offset == 1 ? 40 : $0.element },
            to: &output)
        try result.forEachRow { (row) throws(KvalitetError) in
            let hide = row.suppressed
            func number(_ value: Double?) -> ColumnValue { hide ? .empty : .of(value) }
            var values: [ColumnValue] = [
                .text(texts.level(row.group.level)),
                .text(row.group.level == .all ? texts.level(.all) : labels.level(row.group, names: result.names)),
                .text(row.period.description), .integer(row.employees), number(row.possibleDays),
                number(row.selfCertifiedDays), number(row.doctorCertifiedDays), number(row.absenceDays),
                number(row.absencePct), number(row.selfCertifiedPct), number(row.doctorCertifiedPct),
                number(row.presencePct), number(row.employerPeriodDays), number(row.sickChildDays),
                number(row.previousAbsencePct), number(row.changePP),
            ]
            if costs {
                values += [
                    number(row.costs?.cost), number(row.costs?.employerCost), number(row.costs?.savingPer01pp),
                    number(row.costs?.breakEvenPP),
                ]
            }
            values.append(.text(hide ? texts.suppressedText(row) : ""))
            try workbook.add(values, to: &output)
        }
        if let parameters = result.costs?.parameters {
            let names = language == .nb ? ["parameter", "verdi"] : ["parameter", "value"]
            try workbook.beginSheet(language == .nb ? "Kostnader" : "Costs", header: names, widths: [28, 14], to: &output)
            for parameter in parameters { try workbook.add([.text(parameter.name), .number(parameter.value)], to: &output) }
        }
        try workbook.finish(to: &output)
    }
}

extension XLSXWorkbook {
    /// Column widths: the first `texts` columns hold names (18 characters), the others figures
    /// (10); none narrower than its header.
    static func widths(_ header: [String], texts: Int) -> [Int] {
        header.enumerated().map { index, name in max(name.count + 3, index < texts ? 18 : 10) }
    }
}
