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
    /// Background variables, by name as written after `bg.` / in `<background name=…>`.
    public var background: [Field]
    /// Answers and any other columns, by column name or item id as written in the file.
    public var answers: [Field]

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
        self.answers = answers
    }
}
