import Foundation

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

    public init(
        level: ScoreLevel, municipality: String = "", service: String = "", unit: String = "",
        subproject: String = "", breakdown: String = "", breakdownValue: String = ""
    ) {
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

    /// `ScoreBuilder.textOrder(sortKeys, other.sortKeys)`, without making the lists (sorting a
    /// national run's groups compares them a few hundred thousand times).
    func precedesInRowOrder(_ other: GroupKey) -> Bool {
        @inline(__always) func differ(_ l: String, _ r: String) -> Bool? {
            l == r ? nil : l.utf8.lexicographicallyPrecedes(r.utf8)
        }
        return differ(municipality, other.municipality) ?? differ(service, other.service) ?? differ(unit, other.unit)
            ?? differ(subproject, other.subproject) ?? differ(breakdown, other.breakdown)
            ?? differ(breakdownValue, other.breakdownValue) ?? false
    }
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
    /// A suppressed row hidden to protect another (complementary suppression or the audit), not
    /// for being small itself: the table and the report say "skjult for å verne en mindre gruppe"
    /// instead of "færre enn N svar". Not a FORMAT.md column.
    public var hiddenToProtect = false

    /// What the row describes.
    public enum Kind: Sendable { case total, dimension, item }

    public var kind: Kind {
        if !item.isEmpty { return .item }
        return dimension.isEmpty ? .total : .dimension
    }

    public init(
        group: GroupKey, period: String, set: String, dimension: String, item: String, respondents: Int,
        invited: Int? = nil, responseRate: Double? = nil, n: Int? = nil, mean: Double? = nil, sd: Double? = nil,
        ciLow: Double? = nil, ciHigh: Double? = nil, positiveShare: Double? = nil, dontKnow: Int? = nil,
        unanswered: Int? = nil, suppressed: Bool, answerCounts: [Int]? = nil, hiddenToProtect: Bool = false
    ) {
        self.group = group
        self.period = period
        self.set = set
        self.dimension = dimension
        self.item = item
        self.respondents = respondents
        self.invited = invited
        self.responseRate = responseRate
        self.n = n
        self.mean = mean
        self.sd = sd
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.positiveShare = positiveShare
        self.dontKnow = dontKnow
        self.unanswered = unanswered
        self.suppressed = suppressed
        self.answerCounts = answerCounts
        self.hiddenToProtect = hiddenToProtect
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
///
/// A run's rows are made from its tallies when first asked for, and `forEachRow` streams them
/// without keeping them: a national run has hundreds of thousands of rows (about 400 bytes each),
/// which the CSV and JSON writers write one group at a time instead.
public struct ScoreResult: Sendable {
    /// Every row, in order (made once, when first read).
    public var rows: [ScoreRow] {
        get { source.rows }
        set { source = RowSource(rows: newValue) }
    }
    private var source: RowSource
    /// The sets that were scored, by id (titles, dimensions and thresholds for writers).
    public var sets: [String: any IndicatorSet]
    public var summary: RunSummary
    /// Names of units and sub-projects (register, or the files), for people.
    public var names: GroupNames

    public init(rows: [ScoreRow], sets: [String: any IndicatorSet], summary: RunSummary, names: GroupNames = GroupNames()) {
        self.init(source: RowSource(rows: rows), sets: sets, summary: summary, names: names)
    }

    init(source: RowSource, sets: [String: any IndicatorSet], summary: RunSummary, names: GroupNames) {
        self.source = source
        self.sets = sets
        self.summary = summary
        self.names = names
    }

    /// Calls `body` with every row, in order; the rows are not kept unless they were made before.
    public func forEachRow<E: Error>(_ body: (ScoreRow) throws(E) -> Void) throws(E) {
        try source.forEachRow(body)
    }
}

/// Where a result's rows come from: a list, or the builder that makes them from the tallies
/// (kept until the list is asked for; then the list, made once).
final class RowSource: @unchecked Sendable {
    // @unchecked: `builder` is only read; `made` is guarded by `lock`.
    private let builder: ScoreBuilder?
    private var made: [ScoreRow]?
    private let lock = NSLock()

    init(rows: [ScoreRow]) {
        builder = nil
        made = rows
    }

    init(builder: ScoreBuilder) {
        self.builder = builder
    }

    var rows: [ScoreRow] {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let rows = builder?.rows() ?? []
        made = rows
        return rows
    }

    func forEachRow<E: Error>(_ body: (ScoreRow) throws(E) -> Void) throws(E) {
        lock.lock()
        let made = self.made
        lock.unlock()
        if let made {
            for row in made { try body(row) }
        } else {
            try builder?.forEachRow(body)
        }
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
