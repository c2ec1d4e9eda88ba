/// An indicator set given as data, usually read from a YAML definition
/// (see ``IndicatorSetLoader``).
public struct DefinedIndicatorSet: IndicatorSet {
    public var id: String
    public var version: Int
    public var title: LocalizedText
    public var scale: Scale
    public var scoring: any ScoringRule
    public var dimensions: [QualityDimension]
    public var metadata: IndicatorSetMetadata
    public var minN: Int
    public var minAnswered: Double
    public var reportItems: Bool

    public init(
        id: String, version: Int, title: LocalizedText, scale: Scale, scoring: any ScoringRule,
        dimensions: [QualityDimension], metadata: IndicatorSetMetadata = IndicatorSetMetadata(),
        minN: Int = 5, minAnswered: Double = 0.5, reportItems: Bool = true
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.scale = scale
        self.scoring = scoring
        self.dimensions = dimensions
        self.metadata = metadata
        self.minN = minN
        self.minAnswered = minAnswered
        self.reportItems = reportItems
    }
}
