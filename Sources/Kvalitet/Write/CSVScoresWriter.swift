/// `--format csv`: FORMAT.md §5 exactly: UTF-8, `,`, `.` as decimal point, full precision.
public struct CSVScoresWriter: ScoresWriter {
    public var name: String { "csv" }
    /// `--excel-safe`: texts a spreadsheet would run as a formula get a leading `'`.
    public var excelSafe: Bool

    public init(excelSafe: Bool = false) {
        self.excelSafe = excelSafe
    }

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        var table = TableText.CSVTable(header: ScoreRow.columnNames, excelSafe: excelSafe)
        var values: [ColumnValue] = []
        try result.forEachRow { (row) throws(KvalitetError) in
            row.columnValues(into: &values)
            try table.add(values, to: &output)
        }
        try table.finish(to: &output)
    }
}
