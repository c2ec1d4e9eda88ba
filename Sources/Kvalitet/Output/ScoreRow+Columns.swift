/// A value of a scores column, so the CSV and JSON writers share one definition of the columns.
enum ColumnValue {
    case text(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case empty
}

extension ScoreRow {
    /// The header of FORMAT.md §5, in order.
    static let columnNames = [
        "level", "municipality", "service", "unit", "subproject", "breakdown", "breakdown_value", "period", "set",
        "dimension", "item", "respondents", "invited", "response_rate", "n", "mean", "sd", "ci_low", "ci_high",
        "positive_share", "dont_know", "unanswered", "suppressed",
    ]

    /// The row's values in ``columnNames`` order.
    var columnValues: [ColumnValue] {
        func int(_ value: Int?) -> ColumnValue { value.map(ColumnValue.integer) ?? .empty }
        func number(_ value: Double?) -> ColumnValue { value.map(ColumnValue.number) ?? .empty }
        return [
            .text(group.level.rawValue), .text(group.municipality), .text(group.service), .text(group.unit),
            .text(group.subproject), .text(group.breakdown), .text(group.breakdownValue), .text(period), .text(set),
            .text(dimension), .text(item), .integer(respondents), int(invited), number(responseRate), int(n),
            number(mean), number(sd), number(ciLow), number(ciHigh), number(positiveShare), int(dontKnow),
            int(unanswered), .boolean(suppressed),
        ]
    }
}

/// Full precision: the shortest text that reads back as the same double (`0.1`, `4.5`, `5.0`).
func fullPrecision(_ value: Double) -> String {
    value.description
}
