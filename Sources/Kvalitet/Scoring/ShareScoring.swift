/// `scoring: share`, for yes/no forms (1 = Ja, 2 = Nei): an answer equal to `positive` is 1,
/// any other valid answer 0 (a reversed item the other way round), so means are shares.
public struct ShareScoring: ScoringRule {
    public var positive: Int
    public var name: String { "share" }

    public init(positive: Int) {
        self.positive = positive
    }

    public func value(of code: Int, reversed: Bool, scale: Scale) -> Int {
        (code == positive) != reversed ? 1 : 0
    }

    public func isPositive(_ value: Int, scale: Scale) -> Bool {
        value == 1
    }
}
