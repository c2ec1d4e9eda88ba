/// The level of a group of respondents in the scores (FORMAT.md §5).
public enum ScoreLevel: String, Sendable, CaseIterable, Comparable {
    case all
    case municipality
    case service
    case unit
    case subproject

    /// Rows are ordered all, municipality, service, unit, subproject.
    public static func < (lhs: ScoreLevel, rhs: ScoreLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The group a row describes: its level and the keys that belong to the level (others empty).
public struct GroupKey: Sendable, Hashable {
    public var level: ScoreLevel
    public var municipality = ""
    public var service = ""
    public var unit = ""
    public var subproject = ""
    public var breakdown = ""
    public var breakdownValue = ""

    public init(level: ScoreLevel, municipality: String = "", service: String = "", unit: String = "",
        subproject: String = "", breakdown: String = "", breakdownValue: String = "")
    {
        self.level = level
        self.municipality = municipality
        self.service = service
        self.unit = unit
        self.subproject = subproject
        self.breakdown = breakdown
        self.breakdownValue = breakdownValue
    }

    /// The key columns in row order, for sorting.
    var sortKeys: [String] { [municipality, service, unit, subproject, breakdown, breakdownValue] }
}

/// One row of the scores (FORMAT.md §5): one group, set and period, and one item, dimension or
/// the total. Suppressed rows carry no figures besides `respondents`.
public struct ScoreRow: Sendable, Hashable {
    public var group: GroupKey
    public var period: String
    public var set: String
    /// Empty on the total row.
    public var dimension: String
    /// Empty on dimension and total rows.
    public var item: String
    public var respondents: Int
    public var invited: Int?
    public var responseRate: Double?
    public var n: Int?
    public var mean: Double?
    public var sd: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    public var positiveShare: Double?
    public var dontKnow: Int?
    public var unanswered: Int?
    public var suppressed: Bool
    /// Item rows that are published: how many valid answers each code of the scale got, lowest
    /// code first (every code present, zero when nobody chose it). Not a FORMAT.md column; the
    /// report draws the distribution of answers from it.
    public var answerCounts: [Int]? = nil

    /// What the row describes.
    public enum Kind: Sendable { case total, dimension, item }

    public var kind: Kind {
        if !item.isEmpty { return .item }
        return dimension.isEmpty ? .total : .dimension
    }
}

/// The counts that close every run (standard error) and feed `--rejects`.
public struct RunSummary: Sendable, Hashable, Equatable {
    public var files = 0
    /// Responses read (every row or `<response>`, counted or not).
    public var read = 0
    /// Responses counted (complete, at least one valid answer, no problem that excludes them).
    public var counted = 0
    /// Responses read but not counted, each with a line in the rejects report.
    public var rejected = 0
    /// Cells that were not a valid code, a don't-know answer or empty.
    public var invalidCells = 0
    /// Warnings (unknown columns and elements, duplicate answers).
    public var warnings = 0
    /// Responses not counted, per problem kind.
    public var rejectedByKind: [String: Int] = [:]

    public init() {}
}

/// Everything `kvalitet score` produces: the rows, and what the writers need to present them.
public struct ScoreResult: Sendable {
    public var rows: [ScoreRow]
    /// The sets that were scored, by id (titles, dimensions and thresholds for writers).
    public var sets: [String: any IndicatorSet]
    public var summary: RunSummary
    /// Names of units and sub-projects (register, or the files), for people.
    public var names: GroupNames

    public init(rows: [ScoreRow], sets: [String: any IndicatorSet], summary: RunSummary, names: GroupNames = GroupNames()) {
        self.rows = rows
        self.sets = sets
        self.summary = summary
        self.names = names
    }
}

/// Names of units and sub-projects, by municipality and id.
public struct GroupNames: Sendable {
    public var units: [String: String] = [:]
    public var subprojects: [String: String] = [:]

    public init() {}

    static func key(_ municipality: String, _ id: String) -> String { municipality + "\u{1F}" + id }

    public func unit(municipality: String, id: String) -> String? { units[Self.key(municipality, id)] }
    public func subproject(municipality: String, id: String) -> String? { subprojects[Self.key(municipality, id)] }
}
