/// `--format csv`: FORMAT.md §5 exactly: UTF-8, `,`, `.` as decimal point, full precision.
public struct CSVScoresWriter: ScoresWriter {
    public var name: String { "csv" }
    public init() {}

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        try output.write(ScoreRow.columnNames.joined(separator: ",") + "\n")
        for row in result.rows {
            let fields = row.columnValues.map { value -> String in
                switch value {
                case .text(let text): return CSVText.field(text)
                case .integer(let integer): return String(integer)
                case .number(let number): return fullPrecision(number)
                case .boolean(let flag): return flag ? "true" : "false"
                case .empty: return ""
                }
            }
            try output.write(fields.joined(separator: ",") + "\n")
        }
    }
}
