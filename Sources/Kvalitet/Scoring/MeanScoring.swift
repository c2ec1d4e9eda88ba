/// `scoring: mean`: the value is the answer (reversed items: `min + max − answer`), and values at
/// or above `positive` count as positive ("share answering 5 or 6").
public struct MeanScoring: ScoringRule {
    public var positive: Int
    public var name: String { "mean" }

    public init(positive: Int) {
        self.positive = positive
    }

    public func value(of code: Int, reversed: Bool, scale: Scale) -> Int {
        reversed ? scale.min + scale.max - code : code
    }

    public func isPositive(_ value: Int, scale: Scale) -> Bool {
        value >= positive
    }
}
