/// A problem found in one response or cell: it becomes a line of the rejects report, and under
/// `--strict` an error.
public struct Problem: Sendable, Hashable {
    /// The kind of problem, as written in the `problem` column of the rejects report.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A cell that is neither a valid code, a don't-know answer nor empty; counted as unanswered.
        public static let invalidAnswer = Kind(rawValue: "invalid-answer")
        /// A required field (respondent, municipality, service, unit, period) is empty or absent.
        public static let missingField = Kind(rawValue: "missing-field")
        /// The same respondent id twice for one set and period; the later one is not counted.
        public static let duplicateRespondent = Kind(rawValue: "duplicate-respondent")
        /// A row names a set that is not loaded.
        public static let unknownSet = Kind(rawValue: "unknown-set")
        /// A row names another set than the rest of its file.
        public static let setMismatch = Kind(rawValue: "set-mismatch")
        /// An aborted interview: read, never counted (expected, so not an error under `--strict`).
        public static let aborted = Kind(rawValue: "aborted")
        /// A `status` other than `complete` or `aborted`; the response is not counted.
        public static let invalidStatus = Kind(rawValue: "invalid-status")
        /// A complete response without a single valid answer; not counted.
        public static let noValidAnswers = Kind(rawValue: "no-valid-answers")
        /// A column (CSV) or item (XML) that belongs to nothing; reported once per file, ignored.
        public static let unknownColumn = Kind(rawValue: "unknown-column")
        /// Two answers to the same item in one response (XML); the first is used.
        public static let duplicateAnswer = Kind(rawValue: "duplicate-answer")
        /// A CSV row with more non-empty fields than the header has columns; not counted.
        public static let fieldCount = Kind(rawValue: "field-count")
        /// A `<response>` outside a `<unit>`, or another element the format does not know.
        public static let unknownElement = Kind(rawValue: "unknown-element")
        /// An `invited` figure that is not a whole number ≥ 0; ignored.
        public static let invalidInvited = Kind(rawValue: "invalid-invited")

        /// An absence row (FORMAT.md §8) with a missing required field, a number that does not
        /// parse, a negative number, absence above the possible days, employer-period days above
        /// the absence, or a head count that is not whole; `column` names the field. Not counted.
        public static let invalidAbsence = Kind(rawValue: "invalid-absence")
        /// Lines above a CSV header that are no header (a title, a date): left out, said once.
        public static let titleLines = Kind(rawValue: "lines-above-header")
        /// A second absence row for the same municipality, unit and month; not counted.
        public static let duplicateUnitMonth = Kind(rawValue: "duplicate-unit-month")

        /// A row of an SPC series (FORMAT.md §9) whose x is empty, whose y or n is no number, or
        /// whose count is negative or above its denominator; `column` names it. Not charted.
        public static let invalidValue = Kind(rawValue: "invalid-value")

        /// A file in an input folder that is one of kvalitet's own outputs (scores, validation or
        /// rejects CSV): left out, not read as responses.
        public static let ownOutput = Kind(rawValue: "own-output-skipped")

        /// An item of the file's set that has no column in the file (a misspelt column name
        /// leaves its dimension computed on fewer items); `value` holds a close unknown column.
        public static let missingItem = Kind(rawValue: "missing-item")
        /// A register for a municipality none of the responses names (`value`: the register's).
        public static let registerUnmatched = Kind(rawValue: "register-unmatched")
        /// `--breakdown` names a background variable no response has (`value`: those there are).
        public static let breakdownAbsent = Kind(rawValue: "breakdown-absent")
        /// More counted respondents than forms sent out (`value`: "respondents/invited").
        public static let overInvited = Kind(rawValue: "respondents-over-invited")
        /// Two unit or service ids that differ only in case (`value`: both), kept apart.
        public static let caseOnlyIDs = Kind(rawValue: "ids-differ-in-case")

        /// Whether `--strict` stops on it. Aborted interviews are part of the method, not a defect;
        /// leaving out kvalitet's own outputs is what the user wants; the notes on the run as a
        /// whole (``isRunNote``) say something may be wrong, not that a response is.
        public var failsStrict: Bool { self != .aborted && self != .ownOutput && self != .titleLines && !isRunNote }

        /// Warnings about the run as a whole, printed on standard error with or without `--rejects`.
        public var isRunNote: Bool {
            self == .missingItem || self == .registerUnmatched || self == .breakdownAbsent || self == .overInvited
                || self == .caseOnlyIDs
        }

        /// Whether the whole response is left out (as opposed to one cell or column).
        public var rejectsResponse: Bool {
            switch self {
            case .invalidAnswer, .unknownColumn, .duplicateAnswer, .unknownElement, .invalidInvited, .ownOutput, .titleLines,
                .missingItem, .registerUnmatched, .breakdownAbsent, .overInvited, .caseOnlyIDs:
                return false
            default:
                return true
            }
        }
    }

    public var kind: Kind
    public var file: String
    public var line: Int?
    public var respondent: String
    public var column: String
    public var value: String
    /// A sentence for people (standard error under `--strict`), in English.
    public var message: String
    /// The same sentence in bokmål, what the tool prints by default; nil where the message is
    /// already in the run's language (sick leave and SPC series write theirs in it). Not part of
    /// the problem's identity. An invalid answer's is made from its value and `scale` when asked.
    public var norwegian: String? {
        get {
            storedNorwegian
                ?? scale.map { RecordRules.invalidAnswerNorwegian(value: value, column: column, scale: $0) }
        }
        set { storedNorwegian = newValue }
    }
    /// The bokmål sentence given when the problem was made.
    var storedNorwegian: String?
    /// For an invalid answer: its set's scale, for the sentence in bokmål (not part of identity).
    var scale: (min: Int, max: Int)?
    /// For a warning given once per file (an unknown column or element, an `invited` figure per
    /// unit): what it is given once for. Parts of a file read at once each give it; merging them
    /// keeps the first. Not part of the problem's identity.
    var onceKey: String?
    /// For a run note: its parts, for the message in the user's language (not part of identity).
    var details: [String] = []

    public static func == (a: Problem, b: Problem) -> Bool {
        a.kind == b.kind && a.file == b.file && a.line == b.line && a.respondent == b.respondent
            && a.column == b.column && a.value == b.value && a.message == b.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(file)
        hasher.combine(line)
        hasher.combine(respondent)
        hasher.combine(column)
        hasher.combine(value)
        hasher.combine(message)
    }

    public init(
        _ kind: Kind, file: String, line: Int?, respondent: String = "", column: String = "",
        value: String = "", message: String, nb norwegian: String? = nil
    ) {
        self.kind = kind
        self.storedNorwegian = norwegian
        self.file = file
        self.line = line
        self.respondent = respondent
        self.column = column
        self.value = value
        self.message = message
    }

    /// The note that `count` lines above the header (on `headerLine`) were left out.
    static func titleLines(_ count: Int, file: InputFile, headerLine: Int) -> Problem {
        var problem = Problem(
            .titleLines, file: file.name, line: headerLine,
            message: "\(file.name): \(count) line(s) above the header (line \(headerLine)) left out as its title",
            nb:
                "\(file.name): \(count) \(count == 1 ? "linje" : "linjer") over overskriftsraden (linje \(headerLine)) er utelatt som tittel"
        )
        problem.onceKey = "title-lines"
        return problem
    }

    /// The sentence in `language`.
    public func text(_ language: Language) -> String {
        language == .nb ? norwegian ?? message : message
    }

    /// The location for messages.
    public var location: SourceLocation {
        SourceLocation(file: file, line: line, field: column.isEmpty ? nil : column)
    }
}
