/// A value of a scores column, so the CSV and JSON writers share one definition of the columns.
enum ColumnValue {
    case text(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    /// Already JSON (an array); not used in CSV.
    case raw(String)
    case empty
}

extension ScoreRow {
    /// The header of FORMAT.md §5, in order.
    static let columnNames = [
        "level", "municipality", "service", "unit", "subproject", "breakdown", "breakdown_value", "period", "set",
        "dimension", "item", "respondents", "invited", "response_rate", "n", "mean", "sd", "ci_low", "ci_high",
        "positive_share", "dont_know", "unanswered", "suppressed",
    ]

    /// The row's values in ``columnNames`` order.
    var columnValues: [ColumnValue] {
        func int(_ value: Int?) -> ColumnValue { .of(value) }
        func number(_ value: Double?) -> ColumnValue { .of(value) }
        return [
            .text(group.level.rawValue), .text(group.municipality), .text(group.service), .text(group.unit),
            .text(group.subproject), .text(group.breakdown), .text(group.breakdownValue), .text(period), .text(set),
            .text(dimension), .text(item), .integer(respondents), int(invited), number(responseRate), int(n),
            number(mean), number(sd), number(ciLow), number(ciHigh), number(positiveShare), int(dontKnow),
            int(unanswered), .boolean(suppressed),
        ]
    }
}

/// Full precision: the shortest text that reads back as the same double (`0.1`, `4.5`, `5.0`).
func fullPrecision(_ value: Double) -> String {
    value.description
}

extension ColumnValue {
    /// The CSV cell: empty for no value, full precision for numbers.
    var csv: String { csv(excelSafe: false) }

    /// The CSV cell; `excelSafe` neutralises texts a spreadsheet would take for a formula.
    func csv(excelSafe: Bool) -> String {
        var text = ""
        appendCSV(to: &text, excelSafe: excelSafe)
        return text
    }

    /// Appends the CSV cell to `text`.
    func appendCSV(to text: inout String, excelSafe: Bool) {
        switch self {
        case .text(let value), .raw(let value): text.append(CSVText.field(value, excelSafe: excelSafe))
        case .integer(let integer): text.append(String(integer))
        case .number(let number): if number.isFinite { text.append(fullPrecision(number)) }
        case .boolean(let flag): text.append(flag ? "true" : "false")
        case .empty: break
        }
    }

    /// The JSON value: `null` for no value.
    var json: String {
        switch self {
        case .text(let text): return JSONScoresWriter.quoted(text)
        case .integer(let integer): return String(integer)
        case .number(let number): return number.isFinite ? fullPrecision(number) : "null"
        case .boolean(let flag): return flag ? "true" : "false"
        case .raw(let json): return json
        case .empty: return "null"
        }
    }

    /// The value, or empty.
    static func of(_ value: Int?) -> ColumnValue { value.map(ColumnValue.integer) ?? .empty }
    static func of(_ value: Double?) -> ColumnValue { value.map(ColumnValue.number) ?? .empty }
}

/// Writes rows of column values as CSV or as a JSON array of objects.
enum TableText {
    static func csv(header: [String], rows: some Sequence<[ColumnValue]>, excelSafe: Bool = false, to output: inout some TextOutput)
        throws(KvalitetError)
    {
        // Rows are appended to one buffer, written every 64 KiB (a national file has tens of
        // thousands of rows; a string per cell and row, joined, was most of the writing time).
        var text = header.joined(separator: ",") + "\n"
        text.reserveCapacity(1 << 17)
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { text.append(",") }
                value.appendCSV(to: &text, excelSafe: excelSafe)
            }
            text.append("\n")
            if text.utf8.count >= 1 << 16 {
                try output.write(text)
                text.removeAll(keepingCapacity: true)
            }
        }
        if !text.isEmpty { try output.write(text) }
    }

    static func json(header: [String], rows: [[ColumnValue]], to output: inout some TextOutput) throws(KvalitetError) {
        try output.write("[")
        for (index, row) in rows.enumerated() {
            let members = zip(header, row).map { "\"\($0)\":\($1.json)" }
            try output.write((index == 0 ? "\n  {" : ",\n  {") + members.joined(separator: ",") + "}")
        }
        try output.write(rows.isEmpty ? "]\n" : "\n]\n")
    }
}
