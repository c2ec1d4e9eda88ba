/// `--format csv`: FORMAT.md §5 exactly: UTF-8, `,`, `.` as decimal point, full precision.
public struct CSVScoresWriter: ScoresWriter {
    public var name: String { "csv" }
    /// `--excel-safe`: texts a spreadsheet would run as a formula get a leading `'`.
    public var excelSafe: Bool

    public init(excelSafe: Bool = false) {
        self.excelSafe = excelSafe
    }

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        try TableText.csv(header: ScoreRow.columnNames, rows: result.rows.lazy.map(\.columnValues), excelSafe: excelSafe, to: &output)
    }
}
