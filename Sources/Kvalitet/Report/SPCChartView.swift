import Foundation

/// An SPC chart ready for the `spcchart` template: the SVG's geometry (computed here, apart from
/// the markup, as the report's other charts are), each part's verdict and the table of the same
/// figures. One view serves `kvalitet spc --format html` and the report's sick-leave charts.
///
/// Drawn as qicharts2 draws it, so people who know those charts read these at once: the values as
/// a line with dots, the centre line solid (dashed and coloured when the run rules signal a shift),
/// the 3σ limits as thin lines that step where n varies, a gap and a new centre line per part,
/// points outside the limits coloured, excluded points hollow.
struct SPCChartView: Sendable {
    struct Tick: Sendable {
        var y: String
        var label: String
    }
    struct XLabel: Sendable {
        var x: String
        var label: String
        /// "xtick", or "xtick alt" for every other label (left out on a phone's narrow screen).
        var css: String
    }
    struct Dot: Sendable {
        var cx: String
        var cy: String
        /// "dot", "dot out" (outside the limits), "dot excluded".
        var css: String
        var tip: String
    }
    struct Part: Sendable {
        /// The values' polyline ("x,y x,y …").
        var line: String
        var centre: String
        var centreCSS: String
        var upper: String?
        var lower: String?
        /// The divider before this part (none for the first).
        var divider: String?
        /// Where the frozen baseline ends (`--freeze`), if inside this part.
        var freezeX: String?
        var label: String?
        var labelX: String
    }
    struct Row: Sendable {
        var index: Int
        var x: String
        var value: String
        var centre: String
        var lower: String
        var upper: String
        var mark: String
        var css: String
    }
    struct Verdict: Sendable {
        var heading: String
        var lines: [String]
        var signal: Bool
    }

    var id: String
    /// The series charted (what the tests compare with the references).
    var chart: SPCChart
    /// The report's group (sub-project or unit) the chart is of.
    var group: GroupKey?
    var title: String
    var name: String
    var valueLabel: String
    var width = 640
    var height = 280
    var ticks: [Tick] = []
    var xLabels: [XLabel] = []
    var parts: [Part] = []
    var dots: [Dot] = []
    var verdicts: [Verdict] = []
    var rows: [Row] = []
    var hasLimits: Bool
    /// Whether the table of figures starts unfolded (the SPC page: one chart, and paper cannot unfold it).
    var openFigures = false
    /// What the legend needs to explain.
    var hasOut = false
    var hasExcluded = false
    var hasShift = false
    /// Texts of the table's head and the legend.
    var t: [String: String]

    static let left = 56.0
    static let right = 12.0
    static let top = 18.0
    static let bottom = 34.0

    init(_ document: SPCDocument, id: String, language: Language) {
        let chart = document.chart
        let labels = SPCLabels(language: language)
        let nb = language == .nb
        self.id = id
        self.chart = chart
        title = document.title
        name = labels.name(chart.kind)
        valueLabel = document.valueLabel
        hasLimits = chart.kind.hasLimits
        t = [
            "x": nb ? "Punkt" : "Point", "value": document.valueLabel, "centre": nb ? "Senterlinje" : "Centre line",
            "lower": nb ? "Nedre grense" : "Lower limit", "upper": nb ? "Øvre grense" : "Upper limit",
            "signal": nb ? "Signal" : "Signal", "figures": nb ? "Tallene i diagrammet" : "The chart's figures",
            "legendCentre": chart.kind == .run ? (nb ? "median" : "median") : (nb ? "senterlinje" : "centre line"),
            "legendLimits": nb ? "kontrollgrenser (3σ)" : "control limits (3σ)",
            "legendOut": nb ? "utenfor grensene" : "outside the limits",
            "legendExcluded": nb ? "utelatt fra beregningen" : "left out of the computation",
            "baseline": nb ? "grunnlag" : "baseline",
            "legendShift": nb ? "seriereglene gir signal om endring" : "the run rules signal a change",
        ]
        let places = SPCLabels.places(for: chart)
        let points = chart.points
        hasOut = points.contains(where: \.sigmaSignal)
        hasExcluded = points.contains { !$0.included }
        hasShift = chart.parts.contains(where: \.runsSignal)
        guard !points.isEmpty else { return }

        // The value axis covers the values, centre lines and limits, with a little room.
        let figures = points.flatMap { [$0.value, $0.centre, $0.lower, $0.upper].compactMap { $0 } }.filter(\.isFinite)
        var low = figures.min() ?? 0
        var high = figures.max() ?? 1
        if high - low < 1e-12 {
            low -= 1
            high += 1
        }
        let step = Self.niceStep((high - low) / 5)
        low = (low / step).rounded(.down) * step
        high = (high / step).rounded(.up) * step
        let plotWidth = Double(width) - Self.left - Self.right
        let plotHeight = Double(height) - Self.top - Self.bottom
        func yOf(_ value: Double) -> Double { Self.top + (high - value) / (high - low) * plotHeight }
        let count = points.count
        func xOf(_ offset: Int) -> Double {
            count == 1 ? Self.left + plotWidth / 2 : Self.left + Double(offset) / Double(count - 1) * plotWidth
        }
        // Decimals that show every tick exactly (a step of 2.5 needs one more than its power of ten).
        let power = log10(step).rounded(.down)
        let tickPlaces = max(0, -Int(power) + (abs(step / pow(10, power) - 2.5) < 1e-9 ? 1 : 0))
        ticks = stride(from: low, through: high + step / 2, by: step).map { value in
            Tick(y: svgNumber(yOf(value)), label: labels.number(value, places: tickPlaces))
        }
        // As many x labels as fit (about 7 px a character), evenly spread, the last one always.
        let longest = Double(points.map(\.x.count).max() ?? 1)
        let fit = max(2, Int(plotWidth / (longest * 6.5 + 12)))
        let every = max(1, Int((Double(count) / Double(fit)).rounded(.up)))
        xLabels = points.indices.filter { $0 % every == 0 }.enumerated().map { position, offset in
            XLabel(x: svgNumber(xOf(offset)), label: points[offset].x, css: position % 2 == 1 ? "xtick alt" : "xtick")
        }

        for summary in chart.parts {
            let offsets = points.indices.filter { points[$0].part == summary.part }
            guard let first = offsets.first, let last = offsets.last else { continue }
            let line = offsets.compactMap { offset in
                points[offset].value.map { "\(svgNumber(xOf(offset))),\(svgNumber(yOf($0)))" }
            }.joined(separator: " ")
            let centreY = points[first].centre.map(yOf) ?? yOf(low)
            let centre = "M\(svgNumber(xOf(first))) \(svgNumber(centreY))H\(svgNumber(xOf(last)))"
            func stepped(_ limit: (SPCPoint) -> Double?) -> String? {
                var path = ""
                for offset in offsets {
                    guard let value = limit(points[offset]) else { continue }
                    let from = offset == first ? xOf(offset) : (xOf(offset - 1) + xOf(offset)) / 2
                    let to = offset == last ? xOf(offset) : (xOf(offset) + xOf(offset + 1)) / 2
                    path += (path.isEmpty ? "M" : "L") + "\(svgNumber(from)) \(svgNumber(yOf(value)))H\(svgNumber(to))"
                }
                return path.isEmpty ? nil : path
            }
            let divider = first == 0 ? nil : svgNumber((xOf(first - 1) + xOf(first)) / 2)
            parts.append(
                Part(
                    line: line, centre: centre, centreCSS: summary.runsSignal ? "cl shift" : "cl", upper: stepped(\.upper),
                    lower: stepped(\.lower), divider: divider,
                    freezeX: chart.options.parts.isEmpty
                        ? chart.options.freeze.flatMap { freeze in
                            freeze < count ? svgNumber((xOf(freeze - 1) + xOf(freeze)) / 2) : nil
                        } : nil,
                    label: chart.parts.count > 1 ? (nb ? "Del \(summary.part)" : "Part \(summary.part)") : nil,
                    labelX: svgNumber((xOf(first) + xOf(last)) / 2)))
            let heading =
                labels.partHeading(summary, in: chart) + ": " + labels.centre(chart.kind)
                + labels.number(points[first].centre, places: places)
            verdicts.append(
                Verdict(
                    heading: heading, lines: labels.verdict(summary, in: chart),
                    signal: summary.runsSignal || summary.sigmaSignals > 0))
        }
        for (offset, point) in points.enumerated() {
            guard let value = point.value else { continue }
            let css = !point.included ? "dot excluded" : point.sigmaSignal ? "dot out" : "dot"
            dots.append(
                Dot(
                    cx: svgNumber(xOf(offset)), cy: svgNumber(yOf(value)), css: css,
                    tip: "\(point.x): \(labels.number(value, places: places))"))
        }
        rows = points.map { point in
            var mark = point.sigmaSignal ? (nb ? "utenfor grensene" : "outside the limits") : ""
            if !point.included { mark += (mark.isEmpty ? "" : ", ") + (nb ? "utelatt" : "excluded") }
            return Row(
                index: point.index, x: point.x, value: labels.number(point.value, places: places),
                centre: labels.number(point.centre, places: places), lower: labels.number(point.lower, places: places),
                upper: labels.number(point.upper, places: places), mark: mark, css: point.sigmaSignal ? "out" : "")
        }
    }

    /// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, log10(raw).rounded(.down))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * power >= raw * (1 - 1e-9) { return factor * power }
        return 10 * power
    }
}

/// The HTML page of `kvalitet spc --output chart.html`: self-contained (no script, no outside
/// requests), the chart and its table, printable and readable on a phone.
public struct HTMLSPCWriter: SPCWriter {
    public let name = "html"
    public init() {}

    public func write(_ document: SPCDocument, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let page = SPCPage(
            t: ["lang": language == .nb ? "nb" : "en"], documentTitle: document.title, title: document.title,
            about: language == .nb
                ? "Statistisk prosesskontroll med Anhøjs regler (som qicharts2). Laget av kvalitet."
                : "Statistical process control with Anhøj's rules (as qicharts2). Made by kvalitet.",
            charts: [
                {
                    var view = SPCChartView(document, id: "spc-1", language: language)
                    view.openFigures = true
                    return view
                }()
            ])
        try output.write(try ReportRenderer.render(page, template: "spcpage"))
    }
}

/// What the `spcpage` template shows.
struct SPCPage: Sendable {
    /// What the shared `head` partial reads: `t.lang` and `documentTitle`, as the report's page.
    var t: [String: String]
    var documentTitle: String
    var title: String
    var about: String
    var charts: [SPCChartView]
}
