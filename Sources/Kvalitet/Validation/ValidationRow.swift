/// One row of `kvalitet validate` (FORMAT.md §6): a dimension (item empty) or one of its items.
public struct ValidationRow: Sendable, Hashable {
    public var set: String
    public var period: String
    public var dimension: String
    /// Empty on dimension rows.
    public var item: String
    /// Items in the dimension.
    public var k: Int
    /// Dimension rows: respondents with at least one valid answer in the dimension; item rows:
    /// valid answers to the item. The count behind the row's figures.
    public var n: Int
    public var alpha: Double?
    public var alphaCILow: Double?
    public var alphaCIHigh: Double?
    public var alphaStandardized: Double?
    public var meanInterItemR: Double?
    public var alphaIfDeleted: Double?
    public var itemTotalR: Double?
    public var floor: Double?
    public var ceiling: Double?
    public var dontKnowShare: Double?
    public var unansweredShare: Double?
    public var unitICC: Double?
    /// In FORMAT.md's order: alpha-low, alpha-high, item-total-low, item-negative, floor, ceiling,
    /// dont-know-high, unanswered-high.
    public var flags: [String]

    // Beyond FORMAT.md §6 (table and JSON only).
    /// McDonald's omega (total), one-factor model (dimension rows).
    public var omega: Double?
    /// Units with a dimension score behind `unitICC` (dimension rows).
    public var units: Int?
    /// Item rows: valid answers per code, lowest code first.
    public var distribution: [Int]?
    /// Item rows: don't-know and unanswered counts.
    public var dontKnow: Int?
    public var unanswered: Int?

    public var isDimension: Bool { item.isEmpty }
}

extension ValidationRow {
    /// A row with its counts; the figures are set one by one (each is nil until computed).
    public init(set: String, period: String, dimension: String, item: String, k: Int, n: Int, flags: [String] = []) {
        self.init(
            set: set, period: period, dimension: dimension, item: item, k: k, n: n, alpha: nil, alphaCILow: nil,
            alphaCIHigh: nil, alphaStandardized: nil, meanInterItemR: nil, alphaIfDeleted: nil, itemTotalR: nil, floor: nil,
            ceiling: nil, dontKnowShare: nil, unansweredShare: nil, unitICC: nil, flags: flags)
    }
}

/// Everything `kvalitet validate` produces.
public struct ValidationResult: Sendable {
    public var rows: [ValidationRow]
    public var sets: [String: any IndicatorSet]
    public var summary: RunSummary
    /// Counted respondents per set and period ("set\u{1F}period").
    public var respondents: [String: Int]

    public init(rows: [ValidationRow], sets: [String: any IndicatorSet], summary: RunSummary, respondents: [String: Int] = [:]) {
        (self.rows, self.sets, self.summary, self.respondents) = (rows, sets, summary, respondents)
    }
}

/// The thresholds behind the flags (FORMAT.md §6).
public enum ValidationThresholds {
    public static let alphaLow = 0.70
    public static let alphaHigh = 0.95
    public static let itemTotalLow = 0.30
    public static let share = 0.15
    /// Below this many answers a figure is marked as resting on too few (table, JSON).
    public static let fewAnswers = 30
    /// An item weakens its dimension when deleting it would raise alpha by more than this.
    public static let alphaGain = 0.01
    /// ICC(1) below this: the dimension hardly tells units apart (table advice, not a CSV flag).
    public static let iccNearZero = 0.02
}
