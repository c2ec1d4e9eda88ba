/// Reads responses from CSV files, one row per respondent (FORMAT.md §2): delimiter `,`, `;` or
/// tab detected from the header, UTF-8 with or without BOM, or Windows-1252 when the file is
/// not valid UTF-8, LF or CRLF line ends, RFC 4180 quoting.
public struct CSVResponseReader: ResponseReader {
    public var name: String { "csv" }
    public var fileExtensions: Set<String> { ["csv", "tsv"] }
    /// Longest field accepted before the file is refused.
    public var maxFieldBytes: Int

    public init(maxFieldBytes: Int = 1 << 20) {
        self.maxFieldBytes = maxFieldBytes
    }

    /// The role of a header column.
    enum Column: Equatable {
        case respondent, municipality, service, unit, period, set, subproject, status
        case background(String)
        case other(String)

        /// Which column a header name is (names are compared ignoring case).
        init(header: String) {
            let name = header.trimmingSpaces
            switch name.lowercased() {
            case "respondent", "besvarelse", "respondent_id", "id": self = .respondent
            case "municipality", "kommune": self = .municipality
            case "service", "tjeneste": self = .service
            case "unit", "enhet": self = .unit
            case "period", "periode", "year", "år": self = .period
            case "set", "skjema": self = .set
            case "subproject", "delprosjekt": self = .subproject
            case "status": self = .status
            case let lower where lower.hasPrefix("bg.") && lower.count > 3:
                self = .background(String(name.dropFirst(3)))
            case let lower where lower.hasPrefix("bakgrunn.") && lower.count > 9:
                self = .background(String(name.dropFirst(9)))
            default:
                self = .other(name)
            }
        }

        var isCore: Bool {
            switch self {
            case .background, .other: return false
            default: return true
            }
        }

        static let required: [(Column, String)] = [
            (.respondent, "respondent"), (.municipality, "municipality"), (.service, "service"),
            (.unit, "unit"), (.period, "period"),
        ]
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        let source = try ByteSource(file)
        let (encoding, bomLength) = try Self.detectEncoding(source)
        try source.rewind()
        guard try source.refill() else { return }  // an empty file holds no responses
        let delimiter = Self.detectDelimiter(source.chunk[bomLength..<source.count])

        var tokenizer = CSVTokenizer(source: source, delimiter: delimiter, encoding: encoding,
            startOffset: bomLength, maxFieldBytes: maxFieldBytes)

        var header: [String] = []
        guard try tokenizer.nextRecord(into: &header) != nil else { return }
        let columns = try Self.mapColumns(header, file: file)

        var fields: [String] = []
        fields.reserveCapacity(columns.count)
        // One record's storage serves every row (the sink only reads it), and every row shares
        // the header's answer names.
        var record = ResponseRecord(line: 0)
        record.answerNames = columns.compactMap { column in
            if case .other(let name) = column { return name } else { return nil }
        }
        record.answerValues.reserveCapacity(record.answerNames.count)
        while let line = try tokenizer.nextRecord(into: &fields) {
            if fields.allSatisfy({ $0.trimmingSpaces.isEmpty }) { continue }  // blank line: no response
            if fields.count > columns.count, fields[columns.count...].contains(where: { !$0.trimmingSpaces.isEmpty }) {
                let problem = Problem(.fieldCount, file: file.name, line: line,
                    respondent: Self.value(of: .respondent, in: fields, columns: columns) ?? "",
                    message: "the row has \(fields.count) fields, the header \(columns.count); the response is not counted")
                try sink.report(problem)
                continue
            }
            record.line = line
            record.answerValues.removeAll(keepingCapacity: true)
            record.background.removeAll(keepingCapacity: true)
            for (index, column) in columns.enumerated() {
                let value = index < fields.count ? fields[index] : ""
                switch column {
                case .respondent: record.respondent = value
                case .municipality: record.municipality = value
                case .service: record.service = value
                case .unit: record.unit = value
                case .period: record.period = value
                case .set: record.set = value
                case .subproject: record.subproject = value
                case .status: record.status = value
                case .background(let name): record.background.append(.init(name: name, value: value))
                case .other: record.answerValues.append(value)
                }
            }
            try sink.receive(record, from: file)
        }
    }

    static func value(of column: Column, in fields: [String], columns: [Column]) -> String? {
        guard let index = columns.firstIndex(of: column), index < fields.count else { return nil }
        return fields[index]
    }

    /// Maps the header; a missing required column or a column named twice refuses the file.
    static func mapColumns(_ header: [String], file: InputFile) throws(KvalitetError) -> [Column] {
        var columns: [Column] = []
        var seen: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            let column = Column(header: name)
            let key: String
            switch column {
            case .background(let variable): key = "bg.\(variable.lowercased())"
            case .other(let other): key = other.lowercased()
            default: key = "\(column)"
            }
            if let earlier = seen[key] {
                throw KvalitetError(.inputRefused,
                    "columns \(earlier + 1) and \(index + 1) (\"\(header[earlier].trimmingSpaces)\", \"\(name.trimmingSpaces)\") mean the same field",
                    at: SourceLocation(file: file.name, line: 1, field: name.trimmingSpaces))
            }
            seen[key] = index
            columns.append(column)
        }
        for (column, name) in Column.required where !columns.contains(column) {
            throw KvalitetError(.inputRefused, "the header has no column \"\(name)\" (required)",
                at: SourceLocation(file: file.name, line: 1, field: name))
        }
        return columns
    }

    /// UTF-8 (BOM or not) when the whole file is valid UTF-8, else Windows-1252; UTF-16 is refused.
    static func detectEncoding(_ source: ByteSource) throws(KvalitetError) -> (TextEncoding, bomLength: Int) {
        guard try source.refill() else { return (.utf8, 0) }
        let head = Array(source.chunk[0..<min(source.count, 3)])
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw KvalitetError(.inputRefused,
                "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" or \"CSV (semikolondelt)\"",
                at: SourceLocation(file: source.file.name, line: 1))
        }
        let bomLength = head == [0xEF, 0xBB, 0xBF] ? 3 : 0
        var validator = UTF8Validator()
        repeat {
            validator.consume(UnsafeBufferPointer(rebasing: source.chunk[0..<source.count]))
            if !validator.isValid { break }
        } while try source.refill()
        return (validator.isCompleteAndValid ? .utf8 : .windows1252, bomLength)
    }

    /// The delimiter that occurs most often outside quotes in the header line (`,` when none does).
    static func detectDelimiter(_ bytes: some Sequence<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t")]
        var counts = [0, 0, 0]
        var quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle(); continue }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else {
            return UInt8(ascii: ",")
        }
        return candidates[best]
    }
}
