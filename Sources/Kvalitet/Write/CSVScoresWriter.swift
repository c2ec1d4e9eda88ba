/// `--format csv`: FORMAT.md §5 exactly: UTF-8, `,`, `.` as decimal point, full precision.
public struct CSVScoresWriter: ScoresWriter {
    public var name: String { "csv" }
    /// `--csv-style` and `--excel-safe`.
    public var style: CSVStyle

    public init(style: CSVStyle = .standard) {
        self.style = style
    }

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        var table = TableText.CSVTable(header: ScoreRow.columnNames, style: style)
        var values: [ColumnValue] = []
        try result.forEachRow { (row) throws(KvalitetError) in
            row.columnValues(into: &values)
            try table.add(values, to: &output)
        }
        try table.finish(to: &output)
    }
}
