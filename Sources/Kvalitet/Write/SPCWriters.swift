import Foundation

/// A charted series with what people need to read it: where it came from and what it shows.
public struct SPCDocument: Sendable {
    public var chart: SPCChart
    /// A heading ("Sykefravær, Solsikken"; by default the file and its y column).
    public var title: String
    /// What the values are ("teller / nevner × 100"), for the axis and the table.
    public var valueLabel: String
    public init(chart: SPCChart, title: String, valueLabel: String) {
        self.chart = chart
        self.title = title
        self.valueLabel = valueLabel
    }
}

/// Writes a charted series in one format (`kvalitet spc --format`).
public protocol SPCWriter: Sendable {
    /// The format's name after `--format`.
    var name: String { get }
    func write(_ document: SPCDocument, language: Language, to output: inout some TextOutput) throws(KvalitetError)
}

/// What people read about a chart, in bokmål or English: its name, each part's verdict, numbers
/// with as many decimals as the values need. The table, the HTML page and the report share it.
public struct SPCLabels: Sendable {
    public var language: Language
    public init(language: Language) { self.language = language }
    private func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }

    public func name(_ kind: SPCChartKind) -> String {
        switch kind {
        case .run: pick("Seriediagram", "Run chart")
        case .i: pick("I-diagram (enkeltverdier)", "I chart (individuals)")
        case .mr: pick("MR-diagram (glidende variasjonsbredde)", "MR chart (moving ranges)")
        case .c: pick("C-diagram (antall)", "C chart (counts)")
        case .p: pick("P-diagram (andeler)", "P chart (proportions)")
        case .pp: pick("P′-diagram (andeler, Laney)", "P′ chart (proportions, Laney)")
        case .u: pick("U-diagram (rater)", "U chart (rates)")
        case .up: pick("U′-diagram (rater, Laney)", "U′ chart (rates, Laney)")
        }
    }

    /// The part's verdict: one line per signal, or that there is none, and a plain word when
    /// there are too few useful points for the run rules to say much.
    public func verdict(_ part: SPCPartSummary, in chart: SPCChart) -> [String] {
        var lines: [String] = []
        let rules = part.rules
        if part.tooFewForRules {
            lines.append(
                pick(
                    "For få punkter for seriereglene: \(rules.useful) som ikke ligger på senterlinjen (minst \(SPCChart.minimumUsefulPoints) trengs)",
                    "Too few points for the run rules: \(rules.useful) off the centre line (at least \(SPCChart.minimumUsefulPoints) needed)"
                ))
        } else if chart.kind != .mr {
            if rules.longestRun > rules.longestRunMax {
                lines.append(
                    pick(
                        "Signal: lengste serie \(rules.longestRun) punkter (grense \(rules.longestRunMax))",
                        "Signal: longest run \(rules.longestRun) points (limit \(rules.longestRunMax))"))
            }
            if rules.crossings < rules.crossingsMin {
                lines.append(
                    pick(
                        "Signal: \(rules.crossings) \(rules.crossings == 1 ? "kryssing" : "kryssinger") av senterlinjen (minst \(rules.crossingsMin))",
                        "Signal: \(rules.crossings) \(rules.crossings == 1 ? "crossing" : "crossings") of the centre line (at least \(rules.crossingsMin))"
                    ))
            }
        }
        let outside = chart.points.filter { $0.part == part.part && $0.sigmaSignal }
        if !outside.isEmpty {
            let which = outside.map { TerminalText.escaped($0.x) }.joined(separator: ", ")
            lines.append(
                outside.count == 1
                    ? pick(
                        "Signal: 1 punkt utenfor kontrollgrensene (\(which))",
                        "Signal: 1 point outside the control limits (\(which))")
                    : pick(
                        "Signal: \(outside.count) punkter utenfor kontrollgrensene (\(which))",
                        "Signal: \(outside.count) points outside the control limits (\(which))"))
        }
        if !part.tooFewForRules && outside.isEmpty && lines.isEmpty {
            lines.append(pick("Ingen tegn til endring", "No sign of change"))
        } else if part.tooFewForRules && outside.isEmpty
            && chart.points.contains(where: { $0.part == part.part && $0.upper != nil })
        {
            // The limits still say something about single points.
            lines.append(pick("Ingen punkter utenfor kontrollgrensene", "No points outside the control limits"))
        }
        return lines
    }

    /// "Del 2, punkt 19–30", "Punkt 1–30": which points a part holds.
    public func partHeading(_ part: SPCPartSummary, in chart: SPCChart) -> String {
        let points = chart.points.filter { $0.part == part.part }
        let range = "\(points.first?.index ?? 0)–\(points.last?.index ?? 0)"
        return chart.parts.count > 1
            ? pick("Del \(part.part), punkt \(range)", "Part \(part.part), points \(range)")
            : pick("Punkt \(range)", "Points \(range)")
    }

    /// "median " or "senterlinje ", before the centre's figure.
    public func centre(_ kind: SPCChartKind) -> String {
        kind == .run ? "median " : pick("senterlinje ", "centre line ")
    }

    /// How many decimals the chart's numbers need: three significant digits of a typical value
    /// (a median of the values' sizes), at least one, at most six ("300,5", "13,0", "0,00185").
    public static func places(for chart: SPCChart) -> Int {
        let sizes = chart.points.compactMap { $0.value.map(abs) }.filter { $0 > 0 }
        guard let typical = AnhoejRules.median(sizes) else { return 1 }
        return min(6, max(1, 2 - Int(log10(typical).rounded(.down))))
    }

    /// A number with `places` decimals, a decimal comma in bokmål; empty for none.
    public func number(_ value: Double?, places: Int) -> String {
        guard let value, value.isFinite else { return "" }
        return DecimalText.rounded(value, places: places, separator: language == .nb ? "," : ".")
    }
}

extension SPCPoint {
    /// FORMAT.md §9's points CSV header.
    public static let columnNames = [
        "part", "index", "x", "y", "n", "value", "cl", "lcl", "ucl", "lcl_95", "ucl_95", "included", "sigma_signal",
    ]

    var columnValues: [ColumnValue] {
        [
            .integer(part), .integer(index), .text(x), .number(y), .of(n), .of(value), .of(centre), .of(lower), .of(upper),
            .of(lower95), .of(upper95), .boolean(included), .boolean(sigmaSignal),
        ]
    }
}

extension SPCPartSummary {
    /// FORMAT.md §9's summary CSV header.
    public static let columnNames = [
        "part", "n_obs", "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min", "runs_signal",
        "sigma_signals",
    ]

    var columnValues: [ColumnValue] {
        [
            .integer(part), .integer(observations), .integer(rules.useful), .integer(rules.longestRun),
            .integer(rules.longestRunMax), .integer(rules.crossings), .integer(rules.crossingsMin), .boolean(runsSignal),
            .integer(sigmaSignals),
        ]
    }
}

/// The points CSV (FORMAT.md §9): full precision, empty cells where a figure does not exist.
public struct CSVSPCWriter: SPCWriter {
    public let name = "csv"
    public var style: CSVStyle
    public init(style: CSVStyle = .standard) { self.style = style }

    public func write(_ document: SPCDocument, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        try TableText.csv(
            header: SPCPoint.columnNames, rows: document.chart.points.map(\.columnValues), style: style, to: &output)
    }

    /// The summary CSV (`--summary`), one row per part.
    public static func writeSummary(
        _ chart: SPCChart, style: CSVStyle = .standard, to output: inout some TextOutput
    ) throws(KvalitetError) {
        try TableText.csv(header: SPCPartSummary.columnNames, rows: chart.parts.map(\.columnValues), style: style, to: &output)
    }
}

/// JSON: the chart, its options, each part's figures and verdict, and the points.
public struct JSONSPCWriter: SPCWriter {
    public let name = "json"
    public init() {}

    public func write(_ document: SPCDocument, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let chart = document.chart
        let labels = SPCLabels(language: language)
        func object(_ names: [String], _ values: [ColumnValue]) -> String {
            "{" + zip(names, values).map { "\"\($0)\":\($1.json)" }.joined(separator: ",") + "}"
        }
        let options = chart.options
        var text = "{\n  \"chart\": \(JSONScoresWriter.quoted(chart.kind.rawValue)),\n"
        text += "  \"title\": \(JSONScoresWriter.quoted(document.title)),\n"
        text += "  \"options\": {\"freeze\":\(ColumnValue.of(options.freeze).json),"
        text += "\"parts\":[\(options.parts.sorted().map(String.init).joined(separator: ","))],"
        text += "\"exclude\":[\(options.exclude.sorted().map(String.init).joined(separator: ","))],"
        text += "\"screen_mr\":\(options.screenMovingRanges),\"multiply\":\(ColumnValue.number(options.multiply).json)},\n"
        text += "  \"parts\": [\n"
        text += chart.parts.map { part in
            let verdict = labels.verdict(part, in: chart).map(JSONScoresWriter.quoted).joined(separator: ",")
            return "    " + object(SPCPartSummary.columnNames, part.columnValues).dropLast()
                + ",\"too_few_points\":\(part.tooFewForRules),\"verdict\":[\(verdict)]}"
        }.joined(separator: ",\n")
        text += "\n  ],\n  \"points\": [\n"
        text += chart.points.map { "    " + object(SPCPoint.columnNames, $0.columnValues) }.joined(separator: ",\n")
        text += "\n  ]\n}\n"
        try output.write(text)
    }
}

/// For people on a terminal: the chart, each part's centre line, limits and verdict, then the
/// points with their signals marked.
public struct TableSPCWriter: SPCWriter {
    public let name = "table"
    public init() {}

    public func write(_ document: SPCDocument, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let chart = document.chart
        let labels = SPCLabels(language: language)
        let nb = language == .nb
        let places = SPCLabels.places(for: chart)
        func number(_ value: Double?) -> String { labels.number(value, places: places) }
        var lines = ["\(TerminalText.escaped(document.title)): \(labels.name(chart.kind))"]
        for part in chart.parts {
            let points = chart.points.filter { $0.part == part.part }
            guard let first = points.first else { continue }
            let head = labels.partHeading(part, in: chart)
            var centre = labels.centre(chart.kind) + number(first.centre)
            if chart.kind.hasLimits {
                let lowers = points.compactMap(\.lower)
                let uppers = points.compactMap(\.upper)
                if let low = lowers.min(), let high = uppers.max() {
                    let varying = Set(lowers).count > 1 || Set(uppers).count > 1
                    centre += (nb ? ", kontrollgrenser " : ", control limits ")
                    centre +=
                        varying
                        ? "\(number(lowers.max()!))–\(number(uppers.min()!)) "
                            + (nb
                                ? "til \(number(low))–\(number(high)) (varierer med n)"
                                : "to \(number(low))–\(number(high)) (varying with n)")
                        : "\(number(low))–\(number(high))"
                }
            }
            lines.append("\(head): \(centre)")
            for line in labels.verdict(part, in: chart) { lines.append("  " + line) }
        }
        lines.append("")
        let header = [
            "#", nb ? "x" : "x", document.valueLabel, nb ? "senter" : "centre", nb ? "nedre" : "lower", nb ? "øvre" : "upper", "",
        ]
        var rows = [header]
        for point in chart.points {
            var mark = point.sigmaSignal ? (nb ? "utenfor" : "outside") : ""
            if !point.included { mark += (mark.isEmpty ? "" : ", ") + (nb ? "utelatt" : "excluded") }
            rows.append([
                String(point.index), TerminalText.escaped(point.x), number(point.value), number(point.centre),
                number(point.lower),
                number(point.upper), mark,
            ])
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 1 || column == row.count - 1 ? cell + pad : pad + cell
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        try output.write(lines.joined(separator: "\n") + "\n")
    }
}
