/// `--format csv`: FORMAT.md §5 exactly: UTF-8, `,`, `.` as decimal point, full precision.
public struct CSVScoresWriter: ScoresWriter {
    public var name: String { "csv" }
    public init() {}

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        try TableText.csv(header: ScoreRow.columnNames, rows: result.rows.map(\.columnValues), to: &output)
    }
}
