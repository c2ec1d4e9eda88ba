/// One questionnaire (an indicator set): its scale, scoring rule and dimensions.
///
/// Sets usually come from YAML files (``DefinedIndicatorSet``), but any Swift type can be one,
/// and the pipeline treats both alike.
///
/// ## Implementing an indicator set
/// - `id` is unique among the sets of a run: lowercase letters, digits and `-`.
/// - Dimension ids and item ids are unique inside the set; every dimension has an item.
/// - `scale.min < scale.max`; the scoring rule's values must be integers (see ``ScoringRule``).
/// - `minN`, `minAnswered` and `reportItems` have the defaults of FORMAT.md §1 (5, 0.5, true)
///   unless you provide them.
/// - Check a hand-written set with ``IndicatorSetValidator/problems(in:)`` in a test; the
///   pipeline refuses a set that breaks a rule.
public protocol IndicatorSet: Sendable {
    /// Unique id of the set, for example `sfo-foresatte`.
    var id: String { get }
    /// Bumped when items change meaning.
    var version: Int { get }
    /// The name shown in reports.
    var title: LocalizedText { get }
    /// The answer scale.
    var scale: Scale { get }
    /// How a valid answer becomes a value and when it counts as positive.
    var scoring: any ScoringRule { get }
    /// The quality dimensions, in report order.
    var dimensions: [QualityDimension] { get }
    /// Descriptive facts (sector, service, respondent group).
    var metadata: IndicatorSetMetadata { get }
    /// Groups with fewer counted respondents (and rows with a smaller `n`) are suppressed.
    var minN: Int { get }
    /// Share of a dimension's items a respondent must answer validly to get a dimension score.
    var minAnswered: Double { get }
    /// `false`: only dimension and total rows are reported (employee surveys).
    var reportItems: Bool { get }
}

extension IndicatorSet {
    public var metadata: IndicatorSetMetadata { IndicatorSetMetadata() }
    public var minN: Int { 5 }
    public var minAnswered: Double { 0.5 }
    public var reportItems: Bool { true }

    /// Every item of the set, dimension by dimension.
    public var items: [Item] { dimensions.flatMap(\.items) }
}

/// Descriptive facts about a set; they do not change how it is scored.
public struct IndicatorSetMetadata: Sendable, Hashable {
    /// `oppvekst`, `pleie-og-omsorg` or `medarbeider`.
    public var sector: String
    /// The service the set is meant for, for example `SFO`.
    public var service: String
    /// `foresatte`, `elev`, `bruker`, `beboer`, `parorende` or `ansatt`.
    public var respondent: String

    public init(sector: String = "", service: String = "", respondent: String = "") {
        self.sector = sector
        self.service = service
        self.respondent = respondent
    }
}
