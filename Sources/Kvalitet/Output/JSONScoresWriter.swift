/// `--format json`: an array with one object per row, with the CSV's column names as keys and
/// `null` where the CSV cell is empty.
public struct JSONScoresWriter: ScoresWriter {
    public var name: String { "json" }
    public init() {}

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        try output.write("[")
        for (index, row) in result.rows.enumerated() {
            var members: [String] = []
            for (name, value) in zip(ScoreRow.columnNames, row.columnValues) {
                let json: String
                switch value {
                case .text(let text): json = Self.quoted(text)
                case .integer(let integer): json = String(integer)
                case .number(let number): json = number.isFinite ? fullPrecision(number) : "null"
                case .boolean(let flag): json = flag ? "true" : "false"
                case .empty: json = "null"
                }
                members.append("\"\(name)\":\(json)")
            }
            try output.write((index == 0 ? "\n  {" : ",\n  {") + members.joined(separator: ",") + "}")
        }
        try output.write(result.rows.isEmpty ? "]\n" : "\n]\n")
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
