/// One response as a reader found it, before any rule is applied: every value is the raw text
/// of its cell or attribute (`nil` when the file has no such field at all).
public struct ResponseRecord: Sendable, Hashable {
    /// A named value: a background variable, or an answer keyed by column name or item id.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The line where the response starts (CSV record, XML `<response>` tag).
    public var line: Int
    public var respondent: String?
    public var municipality: String?
    public var service: String?
    public var unit: String?
    public var period: String?
    /// The set id the file or row names, if any.
    public var set: String?
    public var subproject: String?
    public var status: String?
    /// Forms sent out to the unit in this period, as the file gives it (XML `invited`).
    public var invited: String?
    /// The unit's name, when the file gives one (XML `name`).
    public var unitName: String?
    /// Where the response starts in its file (CSV), to read it again.
    public var offset: Int?
    /// The line where the answer names come from, when not the response's own (a CSV header).
    public var namesLine: Int?
    /// Whether the answer names are the file's columns (a header, a sheet's, an SPSS file's
    /// variables, a Triple-S file's), also when they have no line (Triple-S names are metadata).
    var namesAreColumns = false
    /// Background variables, by name as written after `bg.` / in `<background name=…>`.
    public var background: [Field]
    /// Names of the answers and any other columns (column names or item ids as written), and
    /// their values at the same positions. Kept apart so a CSV reader can share one array of
    /// names (its header) between all rows instead of copying the names into every row.
    public var answerNames: [String]
    public var answerValues: [String]

    /// The answers' cells as bytes instead of `answerValues`, for a sink that reads them so
    /// (a ``RawCellSink`` that accepts them): the CSV reader then makes no string per cell.
    var rawAnswers: RawCells?
    /// The other columns' cells as bytes instead of the fields above (CSV, for such a sink too;
    /// `RawKeys.none` otherwise). Not optional, so a sink reads it in place (unwrapping an
    /// optional copied it: a reference count of four arrays per response).
    var rawKeys = RawKeys.none

    /// Whether the record has its fields as bytes in ``rawKeys``.
    var hasRawKeys: Bool { !rawKeys.columns.roles.isEmpty }

    /// The same record with its fields as text (``rawKeys`` decoded into them), and with
    /// `answers` its answers as text too.
    func decoded(answers: Bool) -> ResponseRecord {
        var copy = self
        if hasRawKeys {
            copy.rawKeys = .none
            rawKeys.decode(into: &copy)
        }
        if answers, let raw = rawAnswers {
            copy.rawAnswers = nil
            copy.answerValues = (0..<raw.count).map { raw.text($0) }
        }
        return copy
    }

    /// The value of answer `position`, from `answerValues` or `rawAnswers`.
    func answerValue(_ position: Int) -> String {
        if let rawAnswers { return rawAnswers.text(position) }
        return answerValues[position]
    }

    /// How many answers (and other columns) the record has.
    var answerCount: Int { rawAnswers?.count ?? answerValues.count }

    /// The answers as name–value pairs.
    public var answers: [Field] {
        answerNames.indices.map { Field(name: answerNames[$0], value: answerValue($0)) }
    }

    /// Adds one answer (or other column).
    public mutating func appendAnswer(name: String, value: String) {
        answerNames.append(name)
        answerValues.append(value)
    }

    public init(
        line: Int, respondent: String? = nil, municipality: String? = nil, service: String? = nil,
        unit: String? = nil, period: String? = nil, set: String? = nil, subproject: String? = nil,
        status: String? = nil, invited: String? = nil, unitName: String? = nil, background: [Field] = [], answers: [Field] = []
    ) {
        self.line = line
        self.respondent = respondent
        self.municipality = municipality
        self.service = service
        self.unit = unit
        self.period = period
        self.set = set
        self.subproject = subproject
        self.status = status
        self.invited = invited
        self.unitName = unitName
        self.background = background
        self.answerNames = answers.map(\.name)
        self.answerValues = answers.map(\.value)
    }
}

/// Cells of one record as their bytes, one after another, in the file's encoding.
struct RawCells: Sendable, Hashable {
    var bytes: [UInt8] = []
    /// Where each cell ends in `bytes` (it starts where the one before ends).
    var ends: [Int] = []
    var encoding: TextEncoding = .utf8

    var count: Int { ends.count }

    /// Adds a cell.
    @inline(__always)
    mutating func append(_ cell: UnsafeBufferPointer<UInt8>) {
        // Most answer cells are one byte: appended as such (cheaper than a copy).
        if cell.count == 1 { bytes.append(cell[0]) } else { bytes.append(contentsOf: cell) }
        ends.append(bytes.count)
    }

    /// Adds empty cells until there are `count`.
    mutating func padEmpty(to count: Int) {
        while ends.count < count { ends.append(bytes.count) }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    func withCell<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    /// Cell `index` as text.
    func text(_ index: Int) -> String { withCell(index) { encoding.decode($0) } }

    /// Where cell `index` lies in `bytes` (empty beyond the last cell).
    @inline(__always)
    func range(_ index: Int) -> Range<Int> {
        guard index >= 0 && index < ends.count else { return bytes.count..<bytes.count }
        return (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Cell `index` as text, without leading and trailing white space (`trimmingSpaces`).
    func trimmedText(_ index: Int) -> String {
        let trimmed = trimmedRange(index)
        return bytes.withUnsafeBufferPointer { encoding.decode(UnsafeBufferPointer(rebasing: $0[trimmed])) }
    }

    /// Where cell `index` lies without leading and trailing white space: the bytes of what
    /// `trimmingSpaces` leaves of its text (Unicode white space, so a no-break space too).
    func trimmedRange(_ index: Int) -> Range<Int> {
        let whole = range(index)
        return bytes.withUnsafeBufferPointer { bytes in
            var (start, end) = (whole.lowerBound, whole.upperBound)
            // ASCII edges are decided by a table; others by decoding the scalar there.
            while start < end {
                let byte = bytes[start]
                if byte < 0x80 {
                    guard Self.asciiSpace[Int(byte)] else { break }
                    start += 1
                } else {
                    let (scalar, length) = scalar(startingAt: start, in: bytes)
                    guard scalar.properties.isWhitespace else { break }
                    start += length
                }
            }
            while end > start {
                let byte = bytes[end - 1]
                if byte < 0x80 {
                    guard Self.asciiSpace[Int(byte)] else { break }
                    end -= 1
                } else {
                    var lead = end - 1
                    if encoding == .utf8 {
                        while lead > start && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
                    }
                    guard scalar(startingAt: lead, in: bytes).scalar.properties.isWhitespace else { break }
                    end = lead
                }
            }
            return start..<end
        }
    }

    /// Whether each ASCII byte is white space (as Unicode has it: tab to carriage return, space).
    private static let asciiSpace: [Bool] = (0..<128).map { Unicode.Scalar(UInt8($0)).properties.isWhitespace }

    /// The scalar whose first byte is at `index` (not ASCII), and its length in bytes. The cells
    /// of a UTF-8 file are valid UTF-8 (the reader checked the file); a byte that does not start
    /// a sequence counts as one replacement character, as decoding it would make it.
    private func scalar(startingAt index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (scalar: Unicode.Scalar, length: Int) {
        switch encoding {
        case .windows1252:
            return (
                TextEncoding.windows1252.decode(UnsafeBufferPointer(rebasing: bytes[index..<(index + 1)])).unicodeScalars.first!,
                1
            )
        case .utf8:
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): return (scalar, UTF8.width(scalar))
            default: return ("\u{FFFD}", 1)
            }
        }
    }

    /// `body` given the UTF-8 bytes of `range`'s text (its bytes themselves, unless this is
    /// Windows-1252 with a byte beyond ASCII there).
    func withUTF8<R, E: Error>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        if encoding == .utf8 || !bytes[range].contains(where: { $0 >= 0x80 }) {
            return try bytes.withUnsafeBufferPointer { bytes throws(E) in try body(UnsafeBufferPointer(rebasing: bytes[range])) }
        }
        let text = bytes.withUnsafeBufferPointer { encoding.decode(UnsafeBufferPointer(rebasing: $0[range])) }
        return try Array(text.utf8).withUnsafeBufferPointer { utf8 throws(E) in try body(utf8) }
    }

    /// Whether every cell is empty or white space.
    var isBlank: Bool {
        // Most rows have a byte that is neither (no decoding then).
        if bytes.contains(where: { $0 > 0x20 && $0 < 0x80 }) { return false }
        return (0..<count).allSatisfy { trimmedRange($0).isEmpty }
    }
}

/// The cells of a CSV row's columns other than its answers, as bytes, and which field each is:
/// the collector reads them so and makes text only of those it keeps.
struct RawKeys: Sendable, Hashable {
    var cells = RawCells()
    let columns: KeyColumns

    /// No keys (a record with its fields as text).
    static let none = RawKeys(columns: KeyColumns(roles: [], backgroundNames: []))

    /// Puts the cells into `record`'s fields, as the reader would have as text. Missing cells
    /// (a short row) are empty, as missing fields are.
    func decode(into record: inout ResponseRecord) {
        record.background.removeAll(keepingCapacity: true)
        var background = 0
        for (position, role) in columns.roles.enumerated() {
            let value = position < cells.count ? cells.text(position) : ""
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
                record.background.append(.init(name: columns.backgroundNames[background], value: value))
                background += 1
            }
        }
    }
}

/// What each key cell of a CSV row is (its columns in order, the answers left out), and where
/// each field is among them (-1: the file has no such column).
struct KeyColumns: Sendable, Hashable {
    enum Role: UInt8, Sendable {
        case respondent, municipality, service, unit, period, set, subproject, status, background
    }

    let roles: [Role]
    let backgroundNames: [String]
    let respondent: Int, municipality: Int, service: Int, unit: Int, period: Int, set: Int, subproject: Int, status: Int

    init(roles: [Role], backgroundNames: [String]) {
        self.roles = roles
        self.backgroundNames = backgroundNames
        func position(_ role: Role) -> Int { roles.firstIndex(of: role) ?? -1 }
        (respondent, municipality, service, unit) = (
            position(.respondent), position(.municipality), position(.service), position(.unit)
        )
        (period, set, subproject, status) = (position(.period), position(.set), position(.subproject), position(.status))
    }

    /// The position of the first background cell whose name is `name` (trimmed, lowercased).
    func background(named name: String) -> Int? {
        guard let index = backgroundNames.firstIndex(where: { $0.trimmingSpaces.lowercased() == name }) else { return nil }
        return roles.indices.filter { roles[$0] == .background }[index]
    }
}
