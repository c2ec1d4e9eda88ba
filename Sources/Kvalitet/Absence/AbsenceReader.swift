import Foundation

/// Reads absence files (FORMAT.md §8): CSV as the response files are (delimiter, encodings,
/// quoting, BOM, `sep=` line), one row per unit and month, with Norwegian or English column
/// names. A row that breaks a rule of §8 is reported (`invalid-absence`, naming the column as the
/// file writes it) and not counted; a row with every cell empty is no row (a spreadsheet's empty
/// lines). Duplicates across rows and files are the collector's to find (``AbsenceCollector``).
public struct AbsenceReader: Sendable {
    public var maxFieldBytes: Int
    public var maxRecordBytes: Int
    public var maxColumns: Int

    public init(maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 8 << 20, maxColumns: Int = 10_000) {
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = max(maxRecordBytes, maxFieldBytes)
        self.maxColumns = maxColumns
    }

    /// The fields of an absence row, in the order a row's problems are looked for.
    enum Field: Int, CaseIterable {
        case municipality, service, unit, month, employees, possibleDays, selfCertifiedDays, doctorCertifiedDays
        case employerPeriodDays, sickChildDays

        /// FORMAT.md §8's name.
        var name: String {
            switch self {
            case .municipality: "municipality"
            case .service: "service"
            case .unit: "unit"
            case .month: "month"
            case .employees: "employees"
            case .possibleDays: "possible_days"
            case .selfCertifiedDays: "self_certified_days"
            case .doctorCertifiedDays: "doctor_certified_days"
            case .employerPeriodDays: "employer_period_days"
            case .sickChildDays: "sick_child_days"
            }
        }

        /// The names a header may use: the English one and its Norwegian aliases.
        var names: [String] {
            switch self {
            case .municipality: ["municipality", "kommune"]
            case .service: ["service", "tjeneste"]
            case .unit: ["unit", "enhet", "avdeling"]
            case .month: ["month", "måned", "periode", "period"]
            case .employees: ["employees", "ansatte"]
            case .possibleDays: ["possible_days", "mulige_dagsverk", "avtalte_dagsverk"]
            case .selfCertifiedDays: ["self_certified_days", "egenmeldte_dagsverk"]
            case .doctorCertifiedDays: ["doctor_certified_days", "legemeldte_dagsverk"]
            case .employerPeriodDays: ["employer_period_days", "dagsverk_i_arbeidsgiverperioden"]
            case .sickChildDays: ["sick_child_days", "sykt_barn_dagsverk"]
            }
        }

        var isRequired: Bool { self != .selfCertifiedDays && self != .employerPeriodDays && self != .sickChildDays }

        /// The field a header cell names: compared ignoring case, with spaces and hyphens taken
        /// for underscores ("Mulige dagsverk" is `mulige_dagsverk`, as a spreadsheet's header
        /// is often typed).
        init?(header: String) {
            let name = Self.normalised(header)
            guard let field = Self.allCases.first(where: { $0.names.contains(name) }) else { return nil }
            self = field
        }

        static func normalised(_ header: String) -> String {
            String(header.trimmingSpaces.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
        }
    }

    /// Where each field is in a file's rows.
    struct Layout {
        /// By field.
        var columns = Columns()
        /// The header's text of each column, for the rejects report.
        var header: [String]
    }

    /// Each field's column, if the file has one (an array by field: looked up for every cell).
    struct Columns {
        private var storage = [Int?](repeating: nil, count: Field.allCases.count)

        subscript(field: Field) -> Int? {
            get { storage[field.rawValue] }
            set { storage[field.rawValue] = newValue }
        }
    }

    /// What a file held: rows read (with data), and those that were valid.
    public struct FileCounts: Sendable, Hashable {
        public var read = 0
        public var valid = 0
        /// Where reading stopped (the next record's offset and line).
        var end = (offset: 0, line: 0)

        public static func == (a: FileCounts, b: FileCounts) -> Bool { a.read == b.read && a.valid == b.valid }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(read)
            hasher.combine(valid)
        }
    }

    /// Reads `file`: every valid row goes to `body` with its line, every problem to `report`
    /// (a ``ProblemLog``'s `record`, or a store keeping them), in file order. A large file is
    /// read in `parts` parts at once (split at line ends outside quotes); what each part finds is
    /// kept compactly and handed over in file order, so the result is that of reading at once.
    public func read(
        _ file: InputFile, language: Language = .nb, parts: Int = 1, report: (Problem) throws(KvalitetError) -> Void,
        into body: (AbsenceMonth, _ line: Int) throws(KvalitetError) -> Void
    ) throws(KvalitetError) -> FileCounts {
        guard
            let table = try OpenedCSV.open(
                file, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns,
                isHeader: { $0.contains { Field(header: $0) == .possibleDays } })
        else { throw .emptyFile(file) }
        if table.titleLines > 0 { try report(Problem.titleLines(table.titleLines, file: file, headerLine: table.headerLine)) }
        let layout = try Self.layout(table.header, file: file, line: table.headerLine, report: report, language: language)
        let start = (offset: table.tokenizer.offset, line: table.tokenizer.currentLine)
        let format = (encoding: table.encoding, delimiter: table.delimiter)
        let starts = parts > 1 ? try Self.partStarts(file, from: start, parts: parts) : [start]
        if starts.count == 1 {
            return try readRange(
                file, layout: layout, format: format, from: start, until: nil, language: language, report: report,
                into: body)
        }
        let results = PartResults<PartBuffer>(starts.count)
        let reader = self
        DispatchQueue.concurrentPerform(iterations: starts.count) { index in
            var buffer = PartBuffer()
            do throws(KvalitetError) {
                buffer.counts = try reader.readRange(
                    file, layout: layout, format: format, from: starts[index],
                    until: index + 1 < starts.count ? starts[index + 1].offset : nil, language: language,
                    report: { buffer.problems.append(($0, buffer.months.count)) },
                    into: { buffer.add($0, line: $1) })
            } catch {
                buffer.error = error
            }
            results.parts[index] = buffer
        }
        // A part must end where the next begins: a stray quote in an unquoted field fools the
        // split's quote count, and the file is then read at once instead.
        for index in starts.indices.dropLast() {
            guard let buffer = results.parts[index], buffer.error == nil else { continue }
            if buffer.counts.end != starts[index + 1] {
                return try readRange(
                    file, layout: layout, format: format, from: start, until: nil, language: language, report: report,
                    into: body)
            }
        }
        var counts = FileCounts()
        for index in starts.indices {
            let buffer = results.parts[index]!
            results.parts[index] = nil
            try buffer.replay(report: report, into: body)
            if let error = buffer.error { throw error }
            counts.read += buffer.counts.read
            counts.valid += buffer.counts.valid
        }
        return counts
    }

    /// The rows that start in `start..<end` (to the end of the file when `end` is nil).
    func readRange(
        _ file: InputFile, layout: Layout, format: (encoding: TextEncoding, delimiter: UInt8),
        from start: (offset: Int, line: Int), until end: Int?, language: Language,
        report: (Problem) throws(KvalitetError) -> Void,
        into body: (AbsenceMonth, _ line: Int) throws(KvalitetError) -> Void
    ) throws(KvalitetError) -> FileCounts {
        let source = try ByteSource(file)
        try source.seek(to: start.offset)
        var counts = FileCounts()
        guard try source.refill() else { return counts }
        var tokenizer = CSVTokenizer(
            source: source, delimiter: format.delimiter, encoding: format.encoding, startOffset: 0, line: start.line,
            maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxColumns)
        var cells = RawCells(encoding: format.encoding)
        var ignored = RawCells(encoding: format.encoding)
        let columnCount = layout.header.count
        var keys = KeyCache()
        while end.map({ tokenizer.offset < $0 }) ?? true,
            let line = try tokenizer.nextRecord(into: &cells, answers: &ignored)
        {
            if (0..<cells.count).allSatisfy({ cells.trimmedRange($0).isEmpty }) { continue }
            counts.read += 1
            if cells.count > columnCount, (columnCount..<cells.count).contains(where: { !cells.trimmedRange($0).isEmpty }) {
                try report(
                    Problem(
                        .fieldCount, file: file.name, line: line,
                        message: language == .nb
                            ? "\(file.name):\(line): raden har flere felt (\(cells.count)) enn overskriften har kolonner (\(columnCount))"
                            : "\(file.name):\(line): the row has more fields (\(cells.count)) than the header has columns (\(columnCount))"
                    ))
                continue
            }
            switch Self.parse(cells, layout: layout, keys: &keys) {
            case .success(let month):
                counts.valid += 1
                try body(month, line)
            case .failure(let invalid):
                let column = layout.columns[invalid.field].map { layout.header[$0] } ?? invalid.field.name
                let value = layout.columns[invalid.field].flatMap { $0 < cells.count ? cells.trimmedText($0) : nil } ?? ""
                try report(
                    Problem(
                        .invalidAbsence, file: file.name, line: line, column: column, value: value,
                        message: "\(file.name):\(line): \(column): \(invalid.reason.text(language))"))
            }
        }
        counts.end = (tokenizer.offset, tokenizer.currentLine)
        return counts
    }

    /// Why a row is not counted.
    struct Invalid: Error {
        enum Reason {
            case missing, notANumber, negative, notWhole, notAMonth
            case aboveAbsence(Double, possible: Double)
            case aboveEmployerPeriod(Double, absence: Double)

            func text(_ language: Language) -> String {
                let nb = language == .nb
                switch self {
                case .missing: return nb ? "mangler (feltet er påkrevd)" : "missing (the field is required)"
                case .notANumber:
                    return nb
                        ? "er ikke et tall (desimaltegn . eller , uten tusenskilletegn)"
                        : "is not a number (decimal mark . or , and no thousands separators)"
                case .negative: return nb ? "er negativt" : "is negative"
                case .notWhole: return nb ? "er ikke et helt tall" : "is not a whole number"
                case .notAMonth: return nb ? "er ikke en måned (ÅÅÅÅ-MM)" : "is not a month (YYYY-MM)"
                case .aboveAbsence(let absence, let possible):
                    return nb
                        ? "fraværet (\(fullPrecision(absence)) dagsverk) er større enn mulige dagsverk (\(fullPrecision(possible)))"
                        : "the absence (\(fullPrecision(absence)) days) is above possible_days (\(fullPrecision(possible)))"
                case .aboveEmployerPeriod(let days, let absence):
                    return nb
                        ? "dagsverk i arbeidsgiverperioden (\(fullPrecision(days))) er flere enn fraværet (\(fullPrecision(absence)))"
                        : "employer-period days (\(fullPrecision(days))) are above the absence (\(fullPrecision(absence)))"
                }
            }
        }

        var field: Field
        var reason: Reason
    }

    /// The fields' columns; refuses a header without a required field, or with two columns for one.
    static func layout(
        _ header: [String], file: InputFile, line: Int, report: (Problem) throws(KvalitetError) -> Void,
        language: Language
    ) throws(KvalitetError) -> Layout {
        var layout = Layout(header: header)
        for (index, name) in header.enumerated() {
            guard let field = Field(header: name) else {
                try report(
                    Problem(
                        .unknownColumn, file: file.name, line: line, column: name,
                        message: language == .nb
                            ? "\(file.name):\(line): kolonnen «\(name)» er ikke en fraværskolonne; den leses ikke"
                            : "\(file.name):\(line): the column \"\(name)\" is no absence column; it is not read"))
                continue
            }
            if let other = layout.columns[field] {
                throw KvalitetError(
                    .inputRefused,
                    "columns \(other + 1) and \(index + 1) (\"\(header[other])\", \"\(name)\") are both \(field.name)",
                    nb: "kolonne \(other + 1) og \(index + 1) («\(header[other])», «\(name)») er begge \(field.name)",
                    at: SourceLocation(file: file.name, line: line))
            }
            layout.columns[field] = index
        }
        for field in Field.allCases where field.isRequired && layout.columns[field] == nil {
            let names = field.names.map { "\"\($0)\"" }.joined(separator: ", ")
            throw KvalitetError(
                .inputRefused, "the header has no column \(field.name) (one of \(names)); is this an absence file?",
                nb: "overskriften har ingen kolonne \(field.name) (en av \(names)); er dette en fraværsfil?",
                at: SourceLocation(file: file.name, line: line))
        }
        return layout
    }

    /// The texts of the key fields of the previous row, kept so a file's many rows of one unit
    /// make their strings once.
    struct KeyCache {
        var bytes: [[UInt8]] = [[], [], []]
        var texts: [String] = ["", "", ""]

        mutating func text(_ slot: Int, _ cell: UnsafeBufferPointer<UInt8>, encoding: TextEncoding) -> String {
            if !bytes[slot].isEmpty, bytes[slot].elementsEqual(cell) { return texts[slot] }
            bytes[slot] = Array(cell)
            texts[slot] = encoding.decode(cell)
            return texts[slot]
        }
    }

    /// One row's month, or the first rule it breaks (fields in ``Field`` order, then the sums).
    static func parse(_ cells: RawCells, layout: Layout, keys: inout KeyCache) -> Result<AbsenceMonth, Invalid> {
        /// The trimmed cell of a field, or nil when the field is absent or empty.
        func cell<R>(_ field: Field, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
            guard let column = layout.columns[field], column < cells.count else { return nil }
            let range = cells.trimmedRange(column)
            guard !range.isEmpty else { return nil }
            return cells.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
        }
        func number(_ field: Field) -> Result<Double?, Invalid> {
            guard let parsed = cell(field, { decimal($0) }) else {
                return field.isRequired ? .failure(Invalid(field: field, reason: .missing)) : .success(nil)
            }
            guard let value = parsed else { return .failure(Invalid(field: field, reason: .notANumber)) }
            guard value >= 0 else { return .failure(Invalid(field: field, reason: .negative)) }
            return .success(value)
        }
        var texts: [String] = []
        for (slot, field) in [Field.municipality, .service, .unit].enumerated() {
            guard let text = cell(field, { keys.text(slot, $0, encoding: cells.encoding) }) else {
                return .failure(Invalid(field: field, reason: .missing))
            }
            texts.append(text)
        }
        guard let parsedMonth = cell(.month, { Month(bytes: $0) }) else {
            return .failure(Invalid(field: .month, reason: .missing))
        }
        guard let month = parsedMonth else { return .failure(Invalid(field: .month, reason: .notAMonth)) }
        var values: [Double?] = []
        values.reserveCapacity(6)
        for field in [
            Field.employees, .possibleDays, .selfCertifiedDays, .doctorCertifiedDays, .employerPeriodDays, .sickChildDays,
        ] {
            switch number(field) {
            case .success(let value): values.append(value)
            case .failure(let invalid): return .failure(invalid)
            }
        }
        let employees = values[0]!
        guard employees == employees.rounded(), employees < Double(Int32.max) else {
            return .failure(Invalid(field: .employees, reason: .notWhole))
        }
        let possible = values[1]!
        let selfCertified = values[2] ?? 0
        let doctorCertified = values[3]!
        let absence = selfCertified + doctorCertified
        if exceeds(absence, possible) {
            return .failure(
                Invalid(field: .doctorCertifiedDays, reason: .aboveAbsence(absence, possible: possible)))
        }
        if let employerPeriod = values[4], exceeds(employerPeriod, absence) {
            return .failure(
                Invalid(field: .employerPeriodDays, reason: .aboveEmployerPeriod(employerPeriod, absence: absence)))
        }
        return .success(
            AbsenceMonth(
                municipality: texts[0], service: texts[1], unit: texts[2], month: month, employees: Int(employees),
                possibleDays: possible, selfCertifiedDays: selfCertified, doctorCertifiedDays: doctorCertified,
                employerPeriodDays: values[4], sickChildDays: values[5]))
    }

    /// Whether `value` is above `limit` by more than rounding in the file's decimals can explain
    /// (5.1 + 14.9 is 20.000000000000004 in binary, and is not above 20).
    static func exceeds(_ value: Double, _ limit: Double) -> Bool {
        value > limit + 1e-9 * max(1, limit)
    }
}
