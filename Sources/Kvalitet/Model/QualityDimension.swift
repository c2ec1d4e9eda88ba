/// One question of an indicator set.
public struct Item: Sendable, Hashable {
    /// Unique inside its set; also the column name (CSV) or `item` attribute (XML) of its answers.
    public var id: String
    /// The statement as the respondent reads it.
    public var text: LocalizedText
    /// Negatively worded: scored as `min + max − answer` (share sets: the other answer counts).
    public var reverse: Bool

    public init(id: String, text: LocalizedText, reverse: Bool = false) {
        self.id = id
        self.text = text
        self.reverse = reverse
    }
}

/// One quality area of an indicator set (Trivsel, Brukermedvirkning, …) and its items.
public struct QualityDimension: Sendable, Hashable {
    /// Unique inside its set.
    public var id: String
    /// The name shown in reports.
    public var title: LocalizedText
    /// At least one item, in the order reports show them.
    public var items: [Item]

    public init(id: String, title: LocalizedText, items: [Item]) {
        self.id = id
        self.title = title
        self.items = items
    }
}
