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
        /// Which columns are answers (the tokenizer keeps their cells apart), and what each other
        /// column is, in order.
        let answerColumns: [Bool]
        let keyColumns: KeyColumns
        /// Empty header cells at its end, left out of the columns (reported once).
        var trailingEmptyColumns = 0
        /// The header's line (2 after a `sep=` line, later after title lines).
        var headerLine = 1
        /// Lines above the header left out as its title.
        var titleLines = 0

        init(encoding: TextEncoding, delimiter: UInt8, columns: [Column], answerNames: [String], dataOffset: Int, dataLine: Int) {
            self.encoding = encoding
            self.delimiter = delimiter
            self.columns = columns
            self.answerNames = answerNames
            self.dataOffset = dataOffset
            self.dataLine = dataLine
            var backgroundNames: [String] = []
            var roles: [KeyColumns.Role] = []
            answerColumns = columns.map { column in
                switch column {
                case .respondent: roles.append(.respondent)
                case .municipality: roles.append(.municipality)
                case .service: roles.append(.service)
                case .unit: roles.append(.unit)
                case .period: roles.append(.period)
                case .set: roles.append(.set)
                case .subproject: roles.append(.subproject)
                case .status: roles.append(.status)
                case .background(let name):
                    roles.append(.background)
                    backgroundNames.append(name)
                case .other: return true
                }
                return false
            }
            keyColumns = KeyColumns(roles: roles, backgroundNames: backgroundNames)
        }

        /// The same layout with storage of its own (arrays and strings), for a thread reading a
        /// part: every record carries `answerNames`, and a buffer shared by two cores would have
        /// its reference count bounce between them for every response.
        func unshared() -> Layout {
            var copy = Layout(
                encoding: encoding, delimiter: delimiter, columns: columns.map { $0.unshared },
                answerNames: answerNames.map { String(decoding: Array($0.utf8), as: UTF8.self) },
                dataOffset: dataOffset, dataLine: dataLine)
            copy.trailingEmptyColumns = trailingEmptyColumns
            copy.headerLine = headerLine
            copy.titleLines = titleLines
            return copy
        }
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        guard let layout = try layout(of: file) else { return }
        _ = try read(file, layout: layout, from: (layout.dataOffset, layout.dataLine), until: nil, into: &sink)
    }

    /// The layout, or nil for a file without a header (empty).
    func layout(of file: InputFile) throws(KvalitetError) -> Layout? {
        guard
            let table = try OpenedCSV.open(
                file, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns,
                isHeader: { header in
                    let columns = header.map(Column.init(header:))
                    return Column.required.allSatisfy { columns.contains($0.0) }
                })
        else { return nil }
        // Empty cells at the end of the header (";;;" from a spreadsheet's empty columns) are no
        // columns; a row with text there is longer than the header (field-count), as before.
        let columns = try Self.mapColumns(table.header, file: file, line: table.headerLine)
        let answerNames = columns.compactMap { column -> String? in
            if case .other(let name) = column { return name } else { return nil }
        }
        var layout = Layout(
            encoding: table.encoding, delimiter: table.delimiter, columns: columns, answerNames: answerNames,
            dataOffset: table.tokenizer.offset, dataLine: table.tokenizer.currentLine)
        layout.trailingEmptyColumns = table.trailingEmptyColumns
        layout.headerLine = table.headerLine
        layout.titleLines = table.titleLines
        return layout
    }

    /// Reads the records that start in `start..<end` (to the end when `end` is nil), each with its
    /// byte offset. Returns true when `end` turned out not to be where the next part may start:
    /// the last record ran past it, or the line count there differs from `end.line` (the split
    /// scan counts quotes, which a stray quote in an unquoted field fools). It has then read on
    /// to the end of the file instead, so the result is always that of reading at once.
    func read<Sink: ResponseSink>(
        _ file: InputFile, layout: Layout, from start: (offset: Int, line: Int),
        until end: (offset: Int, line: Int)?, into sink: inout Sink
    ) throws -> Bool {
        if start.offset == layout.dataOffset && layout.titleLines > 0 {
            try sink.report(Problem.titleLines(layout.titleLines, file: file, headerLine: layout.headerLine))
        }
        if start.offset == layout.dataOffset && layout.trailingEmptyColumns > 0 {
            var problem = Problem(
                .unknownColumn, file: file.name, line: layout.headerLine, column: "",
                message:
                    "\(layout.trailingEmptyColumns) empty column name(s) at the end of the header; those columns are ignored",
                nb: "\(layout.trailingEmptyColumns) tomme kolonnenavn på slutten av overskriftsraden; de kolonnene ignoreres")
            problem.onceKey = "trailing-empty-columns"
            try sink.report(problem)
        }
        let source = try ByteSource(file)
        try source.seek(to: start.offset)
        guard try source.refill() else { return false }
        var tokenizer = tokenizer(source, layout: layout, line: start.line)
        let raw = sink.takesRawCells
        // One record's storage serves every row (the sink only reads it), and every row shares
        // the header's answer names. The tokenizer writes the cells straight into it.
        var record = Self.rawRecord(layout)
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
            guard let line = try tokenizer.nextRecord(into: &record.rawKeys.cells, answers: &record.rawAnswers!) else { break }
            if let stop = limit, tokenizer.offset > stop {
                // The record ran over the planned boundary: read on to the end of the file.
                crossed = true
                limit = nil
            }
            record.line = line
            record.offset = offset
            guard try Self.isResponse(&record, layout: layout, file: file, sink: &sink) else { continue }
            if raw {
                try sink.receive(record, from: file)
            } else {
                try sink.receive(record.decoded(answers: true), from: file)
            }
        }
        return crossed
    }

    private func tokenizer(_ source: ByteSource, layout: Layout, line: Int) -> CSVTokenizer {
        var tokenizer = CSVTokenizer(
            source: source, delimiter: layout.delimiter, encoding: layout.encoding,
            startOffset: 0, line: line, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns)
        tokenizer.answerColumns = layout.answerColumns
        return tokenizer
    }

    /// A record to read rows of `layout` into as bytes.
    static func rawRecord(_ layout: Layout) -> ResponseRecord {
        var record = ResponseRecord(line: 0)
        record.answerNames = layout.answerNames
        record.namesLine = 1
        record.rawKeys = RawKeys(cells: RawCells(encoding: layout.encoding), columns: layout.keyColumns)
        record.rawAnswers = RawCells(encoding: layout.encoding)
        record.rawKeys.cells.bytes.reserveCapacity(256)
        record.rawAnswers!.bytes.reserveCapacity(256)
        return record
    }

    /// The record that starts at `offset` on `line` (to take back a response counted twice), its
    /// fields and answers as text.
    func record(at offset: Int, line: Int, layout: Layout, file: InputFile) throws(KvalitetError) -> ResponseRecord? {
        let source = try ByteSource(file, chunkSize: 1 << 16)
        try source.seek(to: offset)
        guard try source.refill() else { return nil }
        var tokenizer = tokenizer(source, layout: layout, line: line)
        var record = Self.rawRecord(layout)
        guard let start = try tokenizer.nextRecord(into: &record.rawKeys.cells, answers: &record.rawAnswers!) else { return nil }
        record.line = start
        record.offset = offset
        struct Ignore: ResponseSink {
            mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {}
            mutating func report(_ problem: Problem) throws {}
        }
        var ignore = Ignore()
        do {
            return try Self.isResponse(&record, layout: layout, file: file, sink: &ignore) ? record.decoded(answers: true) : nil
        } catch let error as KvalitetError {
            throw error
        } catch {
            return nil
        }
    }

    /// Whether a row just read into `record` is a response: not when blank, nor when it has
    /// more fields than the header (reported to the sink). A short row's missing cells are
    /// added, empty, as missing fields are empty.
    static func isResponse<Sink: ResponseSink>(
        _ record: inout ResponseRecord, layout: Layout, file: InputFile,
        sink: inout Sink
    ) throws -> Bool {
        let keyCount = layout.keyColumns.roles.count
        let answerCount = layout.answerNames.count
        let (keys, answers) = (record.rawKeys.cells, record.rawAnswers!)
        if keys.isBlank && answers.isBlank { return false }  // blank line: no response
        // Cells past the header's columns come after all of its columns, so among the keys.
        if keys.count > keyCount, (keyCount..<keys.count).contains(where: { !keys.trimmedRange($0).isEmpty }) {
            let fields = keys.count + answers.count
            try sink.report(
                Problem(
                    .fieldCount, file: file.name, line: record.line,
                    respondent: (0..<keys.count).contains(layout.keyColumns.respondent)
                        ? keys.text(layout.keyColumns.respondent) : "",
                    message: "the row has \(fields) fields, the header \(layout.columns.count); the response is not counted",
                    nb: "raden har \(fields) felt, overskriftsraden \(layout.columns.count); svaret telles ikke"))
            return false
        }
        if keys.count < keyCount || answers.count < answerCount {
            record.rawKeys.cells.padEmpty(to: keyCount)
            record.rawAnswers!.padEmpty(to: answerCount)
        }
        return true
    }

    /// Up to `parts` starting points (offset, line) of records that split the data into parts of
    /// about equal size, the first being the first record. A boundary is a line break outside
    /// quotes, found by counting quotes from the start (doubled quotes count twice, so the parity
    /// holds). Nil when the file is smaller than `parts × minimumPartBytes`.
    /// (A quote inside an unquoted field upsets the parity; `read` notices at the boundary and
    /// reads on, so the result stays that of one read.)
    func splitPoints(
        of file: InputFile, layout: Layout, parts: Int, minimumPartBytes: Int
    ) throws(KvalitetError) -> [(offset: Int, line: Int)]? {
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
        while !targets.isEmpty, try source.refill() {
            let base = source.chunkOffset
            let bytes = source.chunk
            let count = source.count
            var index = 0
            while index < count {
                // Eight bytes at a time while none is a quote, CR or LF (most of a file).
                var skipped = false
                while index + 8 <= count,
                    !CSVTokenizer.hasQuoteOrLineBreak(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
                {
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

    /// Maps the header; a missing required column or a column named twice refuses the file.
    static func mapColumns(_ header: [String], file: InputFile, line: Int? = 1) throws(KvalitetError) -> [Column] {
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
                throw KvalitetError(
                    .inputRefused,
                    "columns \(earlier + 1) and \(index + 1) (\"\(header[earlier].trimmingSpaces)\", \"\(name.trimmingSpaces)\") mean the same field",
                    nb:
                        "kolonne \(earlier + 1) og \(index + 1) («\(header[earlier].trimmingSpaces)», «\(name.trimmingSpaces)») betyr samme felt",
                    at: SourceLocation(file: file.name, line: line, field: name.trimmingSpaces))
            }
            seen[key] = index
            columns.append(column)
        }
        // A sick-leave export given to `score` says what it is and which command reads it.
        let isAbsence = header.contains { AbsenceReader.Field(header: $0) == .possibleDays }
        for (column, name) in Column.required where !columns.contains(column) {
            throw KvalitetError(
                .inputRefused,
                "the header has no column \"\(name)\" (required)"
                    + (isAbsence ? "; this is a sick-leave export: read it with kvalitet absence" : ""),
                nb: "overskriftsraden har ingen kolonne «\(name)» (påkrevd)"
                    + (isAbsence ? "; dette er en fraværsfil: les den med kvalitet absence" : ""),
                at: SourceLocation(file: file.name, line: line, field: name))
        }
        return columns
    }
}

extension CSVResponseReader: SplittableReader {
    /// The file's layout, where its parts start and its first response (whose set every part takes).
    public struct Plan: Sendable {
        let layout: Layout
        let points: [(offset: Int, line: Int)]
        let first: ResponseRecord
    }

    public var capabilities: ReaderCapabilities { [.recordOffsets] }

    public func plan(_ file: InputFile, parts: Int, minimumPartBytes: Int) throws(KvalitetError) -> Plan? {
        guard let layout = try layout(of: file),
            let points = try splitPoints(of: file, layout: layout, parts: parts, minimumPartBytes: minimumPartBytes),
            let first = try record(at: points[0].offset, line: points[0].line, layout: layout, file: file)
        else { return nil }
        return Plan(layout: layout, points: points, first: first)
    }

    public func partCount(of plan: Plan) -> Int { plan.points.count }

    public func presetRecord(of plan: Plan) -> ResponseRecord? { plan.first }

    /// A part's lines are the file's (each part starts on its own line), so there is nothing to join.
    public func readPart<Sink: ResponseSink>(_ file: InputFile, plan: Plan, index: Int, into sink: inout Sink) -> PartRead<Void> {
        let end = index + 1 < plan.points.count ? plan.points[index + 1] : nil
        do {
            // A layout of the part's own: names every record shares, which two cores retaining
            // and releasing for every response would bounce between their caches.
            let crossed = try read(file, layout: plan.layout.unshared(), from: plan.points[index], until: end, into: &sink)
            return PartRead(end: (), readToEnd: crossed)
        } catch {
            return PartRead(end: (), error: error)
        }
    }

    public func lineShifts(_ plan: Plan, ends: [Void]) -> [Int]? { Array(repeating: 0, count: ends.count) }

    public func records(_ file: InputFile, plan: Plan, part index: Int, at starts: [RecordStart]) throws -> [ResponseRecord] {
        try starts.compactMap { start throws(KvalitetError) in
            try record(at: start.offset, line: start.line, layout: plan.layout, file: file)
        }
    }
}
