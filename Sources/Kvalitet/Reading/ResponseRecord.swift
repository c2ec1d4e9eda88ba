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
    /// Background variables, by name as written after `bg.` / in `<background name=…>`.
    public var background: [Field]
    /// Names of the answers and any other columns (column names or item ids as written), and
    /// their values at the same positions. Kept apart so a CSV reader can share one array of
    /// names (its header) between all rows instead of copying the names into every row.
    public var answerNames: [String]
    public var answerValues: [String]

    /// The answers' cells as bytes instead of `answerValues`, for a sink that reads them so
    /// (``ResponseSink/acceptsRawAnswers``): the CSV reader then makes no string per cell.
    var rawAnswers: RawCells?

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
}
