/// Where a sub-project stands with one goal (Docs/Report.md).
public enum GoalStatus: String, Sendable, Hashable {
    /// The value at the deadline, or an earlier one, is at or better than the target (at or above for scores, at or below for sick leave).
    case reached
    /// The deadline's period is not in the data yet and the latest value falls short of the target.
    case underway
    /// The value at the deadline falls short of the target.
    case notReached
    /// No published value up to the deadline (no responses, or too few to show).
    case missingData
}
