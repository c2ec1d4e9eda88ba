/// Reads responses from CSV files, one row per respondent (FORMAT.md §2): delimiter `,`, `;` or
/// tab detected from the header, UTF-8 with or without BOM, or Windows-1252 when the file is
/// not valid UTF-8, LF or CRLF line ends, RFC 4180 quoting.
public struct CSVResponseReader: ResponseReader {
    public var name: String { "csv" }
    public var fileExtensions: Set<String> { ["csv", "tsv"] }
    /// Longest field, longest record (its fields' bytes) and most columns accepted; beyond them
    /// the file is refused with its line (a damaged or hostile file cannot exhaust memory).
    public var maxFieldBytes: Int
    public var maxRecordBytes: Int
    public var maxColumns: Int

    public init(maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 8 << 20, maxColumns: Int = 10_000) {
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = max(maxRecordBytes, maxFieldBytes)
        self.maxColumns = maxColumns
    }

    /// The role of a header column.
    enum Column: Equatable {
        case respondent, municipality, service, unit, period, set, subproject, status
        case background(String)
        case other(String)

        /// The same column with a string of its own (see `Layout.unshared`).
        var unshared: Column {
            switch self {
            case .background(let name): return .background(String(decoding: Array(name.utf8), as: UTF8.self))
            case .other(let name): return .other(String(decoding: Array(name.utf8), as: UTF8.self))
            default: return self
            }
        }

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

        static let required: [(Column, String)] = [
            (.respondent, "respondent"), (.municipality, "municipality"), (.service, "service"),
            (.unit, "unit"), (.period, "period"),
        ]
    }

    /// How a file is laid out, worked out from its first bytes and its header.
    struct Layout: Sendable {
        let encoding: TextEncoding
        let delimiter: UInt8
        let columns: [Column]
        let answerNames: [String]
        /// Where the first record after the header starts, and its line.
        let dataOffset: Int
        let dataLine: Int
        /// Each column's role without its name, and the background columns' names in order:
        /// filling a record then copies no `Column` (a name's reference count per column and row).
        let roles: [Role]
        let backgroundNames: [String]

        enum Role: UInt8 {
            case respondent, municipality, service, unit, period, set, subproject, status, background, other
        }

        init(encoding: TextEncoding, delimiter: UInt8, columns: [Column], answerNames: [String], dataOffset: Int, dataLine: Int) {
            self.encoding = encoding
            self.delimiter = delimiter
            self.columns = columns
            self.answerNames = answerNames
            self.dataOffset = dataOffset
            self.dataLine = dataLine
            var backgroundNames: [String] = []
            roles = columns.map { column in
                switch column {
                case .respondent: return .respondent
                case .municipality: return .municipality
                case .service: return .service
                case .unit: return .unit
                case .period: return .period
                case .set: return .set
                case .subproject: return .subproject
                case .status: return .status
                case .background(let name):
                    backgroundNames.append(name)
                    return .background
                case .other: return .other
                }
            }
            self.backgroundNames = backgroundNames
        }

        /// The same layout with storage of its own (arrays and strings), for a thread reading a
        /// part: every record carries `answerNames`, and a buffer shared by two cores would have
        /// its reference count bounce between them for every response.
        func unshared() -> Layout {
            Layout(encoding: encoding, delimiter: delimiter, columns: columns.map { $0.unshared },
                answerNames: answerNames.map { String(decoding: Array($0.utf8), as: UTF8.self) },
                dataOffset: dataOffset, dataLine: dataLine)
        }
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        guard let layout = try layout(of: file) else { return }
        _ = try read(file, layout: layout, from: (layout.dataOffset, layout.dataLine), until: nil, into: &sink)
    }

    /// The layout, or nil for a file without a header (empty).
    func layout(of file: InputFile) throws(KvalitetError) -> Layout? {
        let source = try ByteSource(file)
        let (encoding, bomLength) = try Self.detectEncoding(source)
        try source.rewind()
        guard try source.refill() else { return nil }
        let delimiter = Self.detectDelimiter(source.chunk[bomLength..<source.count])
        var tokenizer = CSVTokenizer(source: source, delimiter: delimiter, encoding: encoding,
            startOffset: bomLength, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns)
        var header: [String] = []
        guard try tokenizer.nextRecord(into: &header) != nil else { return nil }
        let columns = try Self.mapColumns(header, file: file)
        let answerNames = columns.compactMap { column -> String? in
            if case .other(let name) = column { return name } else { return nil }
        }
        return Layout(encoding: encoding, delimiter: delimiter, columns: columns, answerNames: answerNames,
            dataOffset: tokenizer.offset, dataLine: tokenizer.currentLine)
    }

    /// Reads the records that start in `start..<end` (to the end when `end` is nil), each with its
    /// byte offset. Returns true when `end` turned out not to be where the next part may start:
    /// the last record ran past it, or the line count there differs from `end.line` (the split
    /// scan counts quotes, which a stray quote in an unquoted field fools). It has then read on
    /// to the end of the file instead, so the result is always that of reading at once.
    func read<Sink: ResponseSink>(_ file: InputFile, layout: Layout, from start: (offset: Int, line: Int),
        until end: (offset: Int, line: Int)?, into sink: inout Sink) throws -> Bool
    {
        let source = try ByteSource(file)
        try source.seek(to: start.offset)
        guard try source.refill() else { return false }
        var tokenizer = CSVTokenizer(source: source, delimiter: layout.delimiter, encoding: layout.encoding,
            startOffset: 0, line: start.line, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns)
        let raw = sink.acceptsRawAnswers
        if raw { tokenizer.rawColumns = layout.roles.map { $0 == .other } }
        var fields: [String] = []
        fields.reserveCapacity(layout.columns.count)
        // One record's storage serves every row (the sink only reads it), and every row shares
        // the header's answer names.
        var record = ResponseRecord(line: 0)
        record.answerNames = layout.answerNames
        record.namesLine = 1
        record.answerValues.reserveCapacity(layout.answerNames.count)
        var limit = end?.offset
        var crossed = false
        while true {
            let offset = tokenizer.offset
            if let stop = limit, offset >= stop {
                if tokenizer.currentLine == end?.line { break }
                // A record boundary, but not on the line the next part was told: read on.
                crossed = true
                limit = nil
            }
            guard let line = try tokenizer.nextRecord(into: &fields) else { break }
            if let stop = limit, tokenizer.offset > stop {
                // The record ran over the planned boundary: read on to the end of the file.
                crossed = true
                limit = nil
            }
            if try !Self.fill(&record, fields: fields, raw: raw ? tokenizer.raw : nil, line: line, offset: offset,
                layout: layout, file: file, sink: &sink)
            {
                continue
            }
            // Lent to the record and dropped from it after, so the tokenizer's next row does
            // not copy the cells' storage.
            if raw {
                // A short row's missing answers are empty, as its missing fields are.
                while tokenizer.raw.count < layout.answerNames.count { tokenizer.raw.ends.append(tokenizer.raw.bytes.count) }
                record.rawAnswers = tokenizer.raw
            }
            try sink.receive(record, from: file)
            record.rawAnswers = nil
        }
        return crossed
    }

    /// The record that starts at `offset` on `line` (to take back a response counted twice).
    func record(at offset: Int, line: Int, layout: Layout, file: InputFile) throws(KvalitetError) -> ResponseRecord? {
        let source = try ByteSource(file, chunkSize: 1 << 16)
        try source.seek(to: offset)
        guard try source.refill() else { return nil }
        var tokenizer = CSVTokenizer(source: source, delimiter: layout.delimiter, encoding: layout.encoding,
            startOffset: 0, line: line, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns)
        var fields: [String] = []
        guard let start = try tokenizer.nextRecord(into: &fields) else { return nil }
        var record = ResponseRecord(line: start)
        record.answerNames = layout.answerNames
        record.namesLine = 1
        struct Ignore: ResponseSink {
            mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {}
            mutating func report(_ problem: Problem) throws {}
        }
        var ignore = Ignore()
        do {
            return try Self.fill(&record, fields: fields, raw: nil, line: start, offset: offset, layout: layout, file: file, sink: &ignore)
                ? record : nil
        } catch let error as KvalitetError {
            throw error
        } catch {
            return nil
        }
    }

    /// Puts a row's fields into `record`; false for a row that is no response (blank, or
    /// reported to the sink as having too many fields).
    /// With `raw`, the answers' cells are those bytes (their fields are empty).
    private static func fill<Sink: ResponseSink>(_ record: inout ResponseRecord, fields: [String], raw: RawCells?, line: Int,
        offset: Int, layout: Layout, file: InputFile, sink: inout Sink) throws -> Bool
    {
        let columns = layout.columns
        if fields.allSatisfy({ $0.trimmingSpaces.isEmpty }),
            (0..<(raw?.count ?? 0)).allSatisfy({ raw!.text($0).trimmingSpaces.isEmpty })
        {
            return false  // blank line: no response
        }
        if fields.count > columns.count, fields[columns.count...].contains(where: { !$0.trimmingSpaces.isEmpty }) {
            try sink.report(Problem(.fieldCount, file: file.name, line: line,
                respondent: value(of: .respondent, in: fields, columns: columns) ?? "",
                message: "the row has \(fields.count) fields, the header \(columns.count); the response is not counted"))
            return false
        }
        record.line = line
        record.offset = offset
        record.answerValues.removeAll(keepingCapacity: true)
        record.background.removeAll(keepingCapacity: true)
        var background = 0
        for (index, role) in layout.roles.enumerated() {
            let value = index < fields.count ? fields[index] : ""
            switch role {
            case .respondent: record.respondent = value
            case .municipality: record.municipality = value
            case .service: record.service = value
            case .unit: record.unit = value
            case .period: record.period = value
            case .set: record.set = value
            case .subproject: record.subproject = value
            case .status: record.status = value
            case .background:
                record.background.append(.init(name: layout.backgroundNames[background], value: value))
                background += 1
            case .other: if raw == nil { record.answerValues.append(value) }
            }
        }
        return true
    }

    /// Up to `parts` starting points (offset, line) of records that split the data into parts of
    /// about equal size, the first being the first record. A boundary is a line break outside
    /// quotes, found by counting quotes from the start (doubled quotes count twice, so the parity
    /// holds). Nil when the file is smaller than `parts × minimumPartBytes`.
    /// (A quote inside an unquoted field upsets the parity; `read` notices at the boundary and
    /// reads on, so the result stays that of one read.)
    func splitPoints(of file: InputFile, layout: Layout, parts: Int, minimumPartBytes: Int) throws(KvalitetError) -> [(offset: Int, line: Int)]? {
        let source = try ByteSource(file)
        let size = source.size()
        let dataBytes = size - layout.dataOffset
        guard parts >= 2, dataBytes >= parts * minimumPartBytes else { return nil }
        var points: [(offset: Int, line: Int)] = [(layout.dataOffset, layout.dataLine)]
        var targets = (1..<parts).map { layout.dataOffset + dataBytes * $0 / parts }[...]
        try source.seek(to: layout.dataOffset)
        var line = layout.dataLine
        var quoted = false
        // Lines are counted as the tokenizer counts them: outside quotes CR, LF and CRLF each end
        // a line (a lone CR too); inside quotes only LF does.
        var afterCR = false
        /// Whether any of the eight bytes in `word` is zero.
        @inline(__always) func hasZeroByte(_ word: UInt64) -> Bool {
            (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
        }
        while !targets.isEmpty, try source.refill() {
            let base = source.chunkOffset
            let bytes = source.chunk
            let count = source.count
            var index = 0
            while index < count {
                // Eight bytes at a time while none is a quote, CR or LF (most of a file).
                var skipped = false
                while index + 8 <= count {
                    let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    if hasZeroByte(word ^ 0x2222_2222_2222_2222) || hasZeroByte(word ^ 0x0D0D_0D0D_0D0D_0D0D)
                        || hasZeroByte(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    {
                        break
                    }
                    index += 8
                    skipped = true
                }
                if skipped { afterCR = false }
                if index >= count { break }
                let byte = bytes[index]
                defer { index += 1 }
                let crlf = afterCR
                afterCR = false
                if byte == 0x22 {
                    quoted.toggle()
                } else if byte == 0x0D {
                    if !quoted {
                        line += 1
                        afterCR = true
                    }
                } else if byte == 0x0A {
                    if !crlf { line += 1 }
                    if !quoted, let next = targets.first, base + index >= next {
                        targets.removeFirst()
                        if base + index + 1 < size { points.append((base + index + 1, line)) }
                        if targets.isEmpty { break }
                    }
                }
            }
        }
        return points.count >= 2 ? points : nil
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
