/// `--format json`: an array with one object per row, with the CSV's column names as keys and
/// `null` where the CSV cell is empty.
public struct JSONScoresWriter: ScoresWriter {
    public var name: String { "json" }
    public init() {}

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        var table = TableText.JSONTable(header: ScoreRow.columnNames)
        try result.forEachRow { (row) throws(KvalitetError) in try table.add(row.columnValues, to: &output) }
        try table.finish(to: &output)
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
