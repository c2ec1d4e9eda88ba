/// Presents a ``ValidationResult`` in one format (`kvalitet validate --format`).
///
/// ## Implementation requirements
/// - Write every row in its order; labels people read in `language`.
/// - Write only through `output`; the caller makes the file appear whole or not at all.
public protocol ValidationWriter: Sendable {
    /// The format's name after `--format`.
    var name: String { get }
    func write(_ result: ValidationResult, language: Language, to output: inout some TextOutput) throws(KvalitetError)
}

extension ValidationRow {
    /// The header of FORMAT.md §6, in order.
    static let columnNames = [
        "set", "period", "dimension", "item", "k", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_std",
        "mean_inter_item_r", "alpha_if_deleted", "item_total_r", "floor", "ceiling", "dont_know_share",
        "unanswered_share", "unit_icc", "flags",
    ]

    var columnValues: [ColumnValue] {
        [
            .text(set), .text(period), .text(dimension), .text(item), .integer(k), .integer(n), .of(alpha),
            .of(alphaCILow), .of(alphaCIHigh), .of(alphaStandardized), .of(meanInterItemR), .of(alphaIfDeleted),
            .of(itemTotalR), .of(floor), .of(ceiling), .of(dontKnowShare), .of(unansweredShare), .of(unitICC),
            .text(flags.joined(separator: ";")),
        ]
    }
}

/// `--format csv`: FORMAT.md §6 exactly.
public struct CSVValidationWriter: ValidationWriter {
    public var name: String { "csv" }
    /// `--csv-style` and `--excel-safe`.
    public var style: CSVStyle

    public init(style: CSVStyle = .standard) {
        self.style = style
    }

    public func write(_ result: ValidationResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        try TableText.csv(
            header: ValidationRow.columnNames, rows: result.rows.lazy.map(\.columnValues), style: style, to: &output)
    }
}

/// `--format json`: the CSV's fields, plus `omega`, `units`, `few_answers` and, for items, the
/// answer distribution (`distribution`: counts per code from the lowest; `dont_know`, `unanswered`).
public struct JSONValidationWriter: ValidationWriter {
    public var name: String { "json" }
    public init() {}

    public func write(_ result: ValidationResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let header = ValidationRow.columnNames + ["omega", "units", "few_answers", "distribution", "dont_know", "unanswered"]
        let rows = result.rows.map { row in
            row.columnValues + [
                .of(row.omega), .of(row.units), .boolean(row.n < ValidationThresholds.fewAnswers),
                row.distribution.map { ColumnValue.raw("[" + $0.map(String.init).joined(separator: ",") + "]") } ?? .empty,
                .of(row.dontKnow), .of(row.unanswered),
            ]
        }
        try TableText.json(header: header, rows: rows, to: &output)
    }
}
