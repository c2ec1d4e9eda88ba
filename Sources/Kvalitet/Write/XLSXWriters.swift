/// A writer whose output is bytes, not text (a workbook): the command line does not write it
/// on a terminal.
public protocol BinaryFormat {}

/// `--format xlsx` for `score`: one sheet with FORMAT.md §5's rows and column names, numbers as
/// numbers at full precision (shown with one decimal; counts as whole numbers), a suppressed
/// row's figures empty (never a number), `suppressed` as TRUE/FALSE; the header frozen and
/// filtered.
public struct XLSXScoresWriter: ScoresWriter, BinaryFormat {
    public var name: String { "xlsx" }
    public init() {}

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
        try workbook.finish(to: &output)
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
/// a suppressed row's figures empty; with `--costs` a second sheet of the parameters.
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
