/// The answer scale of an indicator set: integer codes `min...max`, their labels, and the
/// answers that mean "don't know" or "not applicable".
public struct Scale: Sendable, Hashable {
    /// Lowest valid code (1 on the bedrekommune scales).
    public var min: Int
    /// Highest valid code (6 for user surveys, 5 for employee surveys).
    public var max: Int
    /// Labels of some or all codes, for reports.
    public var labels: [Int: LocalizedText]
    /// Answers meaning "don't know / not applicable", matched case-insensitively after trimming.
    public var dontKnow: [String]

    public init(min: Int, max: Int, labels: [Int: LocalizedText] = [:], dontKnow: [String] = []) {
        self.min = min
        self.max = max
        self.labels = labels
        self.dontKnow = dontKnow
    }

    /// The valid codes, lowest first.
    public var codes: ClosedRange<Int> { min...max }

    /// The number of valid codes.
    public var count: Int { max - min + 1 }
}
