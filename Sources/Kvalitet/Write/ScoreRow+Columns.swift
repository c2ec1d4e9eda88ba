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
        var values: [ColumnValue] = []
        columnValues(into: &values)
        return values
    }

    /// The row's values in ``columnNames`` order, in `values` (replacing what it held; a writer
    /// reuses one array for every row).
    func columnValues(into values: inout [ColumnValue]) {
        // A suppressed row's figures are empty whatever the row holds (the builder leaves them
        // out already; a writer never relies on that alone). Invited and the response rate are
        // the register's, not the respondents'.
        let hide = suppressed
        func int(_ value: Int?) -> ColumnValue { hide ? .empty : .of(value) }
        func number(_ value: Double?) -> ColumnValue { hide ? .empty : .of(value) }
        values.removeAll(keepingCapacity: true)
        values.append(.text(group.level.rawValue))
        values.append(.text(group.municipality))
        values.append(.text(group.service))
        values.append(.text(group.unit))
        values.append(.text(group.subproject))
        values.append(.text(group.breakdown))
        values.append(.text(group.breakdownValue))
        values.append(.text(period))
        values.append(.text(set))
        values.append(.text(dimension))
        values.append(.text(item))
        values.append(.integer(respondents))
        values.append(.of(invited))
        values.append(.of(responseRate))
        values.append(int(n))
        values.append(number(mean))
        values.append(number(sd))
        values.append(number(ciLow))
        values.append(number(ciHigh))
        values.append(number(positiveShare))
        values.append(int(dontKnow))
        values.append(int(unanswered))
        values.append(.boolean(suppressed))
    }
}

/// Full precision: the shortest text that reads back as the same double (`0.1`, `4.5`, `5.0`).
func fullPrecision(_ value: Double) -> String {
    value.description
}

extension ColumnValue {
    /// The CSV cell: empty for no value, full precision for numbers.
    var csv: String { csv(style: .standard) }

    /// The CSV cell in `style` (`excelSafe` neutralises texts a spreadsheet would take for a formula).
    func csv(style: CSVStyle) -> String {
        var bytes: [UInt8] = []
        appendCSV(to: &bytes, style: style)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the CSV cell's UTF-8 to `bytes`: as `CSVText.field` quotes a text, and a number
    /// in full precision (the same characters as `description`, with the style's decimal mark).
    func appendCSV(to bytes: inout [UInt8], style: CSVStyle) {
        switch self {
        case .text(let value), .raw(let value):
            if style.excelSafe || CSVText.needsQuotes(value, separator: style.separator) {
                bytes.append(contentsOf: CSVText.field(value, style: style).utf8)
            } else {
                bytes.append(contentsOf: value.utf8)
            }
        case .integer(let integer): Self.appendDecimal(integer, to: &bytes)
        case .number(let number):
            if number.isFinite {
                let start = bytes.count
                var stream = ByteStream(bytes: bytes)
                bytes = []
                number.write(to: &stream)
                bytes = stream.bytes
                if style.decimalMark != 0x2E, let dot = bytes[start...].firstIndex(of: 0x2E) {
                    bytes[dot] = style.decimalMark
                }
            }
        case .boolean(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .empty: break
        }
    }

    /// The decimal digits of `value` (as `String(value)` has them).
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(0x2D) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 20 digits, as bytes
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[index...])
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

/// A number's text written straight into bytes: `Double.write(to:)` hands its digits over as
/// ASCII (`_writeASCII`), so no string is made per number; `write(_:)` takes anything else.
struct ByteStream: TextOutputStream {
    var bytes: [UInt8]

    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}

/// Writes rows of column values as CSV or as a JSON array of objects.
enum TableText {
    static func csv(
        header: [String], rows: some Sequence<[ColumnValue]>, style: CSVStyle = .standard, to output: inout some TextOutput
    )
        throws(KvalitetError)
    {
        var table = CSVTable(header: header, style: style)
        for row in rows { try table.add(row, to: &output) }
        try table.finish(to: &output)
    }

    /// CSV written a row at a time (a national run's rows are streamed, not kept), into a byte
    /// buffer written every 64 KiB: no string per cell (appending strings and numbers' texts was
    /// most of the time of writing a national run's 800,000 rows).
    struct CSVTable {
        let style: CSVStyle
        private var bytes: [UInt8] = []

        init(header: [String], style: CSVStyle) {
            self.style = style
            bytes.reserveCapacity(1 << 17)
            bytes.append(contentsOf: style.header(header).utf8)
        }

        mutating func add(_ row: [ColumnValue], to output: inout some TextOutput) throws(KvalitetError) {
            for (index, value) in row.enumerated() {
                if index > 0 { bytes.append(style.separator) }
                value.appendCSV(to: &bytes, style: style)
            }
            bytes.append(contentsOf: style.lineEnd)
            if bytes.count >= 1 << 16 { try flush(to: &output) }
        }

        mutating func finish(to output: inout some TextOutput) throws(KvalitetError) {
            try flush(to: &output)
        }

        private mutating func flush(to output: inout some TextOutput) throws(KvalitetError) {
            guard !bytes.isEmpty else { return }
            try output.write(String(decoding: bytes, as: UTF8.self))
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// A JSON array of objects written a row at a time.
    struct JSONTable {
        let header: [String]
        private var count = 0

        init(header: [String]) { self.header = header }

        mutating func add(_ row: [ColumnValue], to output: inout some TextOutput) throws(KvalitetError) {
            let members = zip(header, row).map { "\"\($0)\":\($1.json)" }
            try output.write((count == 0 ? "[\n  {" : ",\n  {") + members.joined(separator: ",") + "}")
            count += 1
        }

        mutating func finish(to output: inout some TextOutput) throws(KvalitetError) {
            try output.write(count == 0 ? "[]\n" : "\n]\n")
        }
    }

    static func json(header: [String], rows: some Sequence<[ColumnValue]>, to output: inout some TextOutput) throws(KvalitetError)
    {
        var table = JSONTable(header: header)
        for row in rows { try table.add(row, to: &output) }
        try table.finish(to: &output)
    }
}
