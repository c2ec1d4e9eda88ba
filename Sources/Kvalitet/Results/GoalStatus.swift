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

extension GoalStatus {
    /// The status from a goal's published values up to its deadline, in time order (nil for a
    /// suppressed one): reached or not reached on the deadline's value; before the deadline is
    /// in the data, reached when the latest published value already meets the target, else on
    /// the way; no data when nothing is published (Docs/Report.md). `notAfter` says whether a
    /// period is at or before the deadline, `meets` whether a value meets the target (at or above
    /// for scores, at or below for sick leave). Also the value it rests on.
    static func evaluate<Period: Equatable>(
        _ values: [(period: Period, value: Double?)], deadline: Period, notAfter: (Period) -> Bool,
        meets: (Double) -> Bool
    ) -> (GoalStatus, current: (Period, Double)?) {
        let upToDeadline = values.filter { notAfter($0.period) }
        let latestPublished = upToDeadline.last { $0.value != nil }.map { ($0.period, $0.value!) }
        if let atDeadline = upToDeadline.first(where: { $0.period == deadline }) {
            guard let value = atDeadline.value else { return (.missingData, latestPublished) }
            return (meets(value) ? .reached : .notReached, (deadline, value))
        }
        guard let latestPublished else { return (.missingData, nil) }
        return (meets(latestPublished.1) ? .reached : .underway, latestPublished)
    }
}
