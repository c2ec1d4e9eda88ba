/// What the report templates render: every figure already formatted by the same rules as the
/// table writer (Labels), every chart already laid out (ChartGeometry). The templates only place
/// them; nothing here is markup. Property names are the templates' tag names.
struct ReportPage {
    let t: ReportTexts
    /// The document title: the report's title and the municipalities in it.
    let documentTitle: String
    let sections: [ReportSection]
    var basis: String
    /// The sick-leave sections (`--absence`), after the surveys'.
    var absenceSections: [AbsenceSection] = []
}

/// One set in one municipality.
struct ReportSection {
    let anchor: String
    let setTitle: String
    let municipality: String
    let period: String
    let facts: [Fact]
    let dimensionTable: DimensionTable
    let itemGroups: [ItemGroup]
    let legend: [LegendEntry]
    let unitCharts: [UnitChart]
    let goals: [GoalRow]
    /// The dimensions across the input's periods (SPC charts with enough periods), or nil.
    let series: DimensionSeries?
    let notes: [String]
}

/// The dimensions across periods: I charts with enough periods, else a table of means with
/// their intervals. The municipality's holds its sub-projects' and units' in `groups`.
struct DimensionSeries {
    var title: String
    let note: String
    let charts: [SPCChartView]
    /// The periods (the table's columns) when there are too few for charts.
    let headings: [String]
    let rows: [SeriesRow]
    /// The sub-projects' and units' series (each with no groups of its own), shown folded.
    var groups: [DimensionSeries] = []
    var groupsHeading: String?
}

struct SeriesRow {
    let title: String
    let cells: [String]
}

struct Fact {
    let label: String
    let value: String
    let note: String?
}

struct AxisTick {
    let x: String
    let label: String
}

/// The dimension chart: one table row per dimension with its figures and bar.
struct DimensionTable {
    let previousHeading: String?
    let referenceHeading: String?
    let ticks: [AxisTick]
    let axisEnd: String
    let rows: [DimensionRow]
}

struct DimensionRow {
    let id: String
    let title: String
    let isTotal: Bool
    let n: String
    let mean: String
    let interval: String
    let previous: String
    let change: String
    let changeClass: String
    let reference: String
    /// Why there are no figures ("færre enn 5 svar"), or nil.
    let hidden: String?
    let bar: BarShape?
}

/// A bar with its whisker and markers, in SVG units.
struct BarShape {
    let width: String
    let whisker: Whisker?
    let previousWidth: String?
    let referenceX: String?
}

struct Whisker {
    let low: String
    let high: String
}

struct ItemGroup {
    let title: String
    /// Columns a hidden item's note spans (the categories and "vet ikke").
    let span: String
    let categories: [CategoryHeading]
    let rows: [ItemRow]
}

struct CategoryHeading {
    let code: String
    let label: String
}

struct ItemRow {
    let id: String
    let text: String
    let reversed: Bool
    let n: String
    let shares: [ShareCell]
    let dontKnow: String
    let hidden: String?
    let segments: [Segment]
    let dontKnowSegment: Segment?
}

struct ShareCell {
    let value: String
}

struct Segment {
    let x: String
    let width: String
    let colour: String
}

struct LegendEntry {
    let label: String
    let colour: String
}

/// Units ranked in one dimension (or the total).
struct UnitChart {
    let title: String
    /// Whether any unit has a response rate (registers or XML give invited counts); else the
    /// column is left out.
    let showRate: Bool
    let rows: [UnitRow]
}

struct UnitRow {
    let rank: String
    let name: String
    let respondents: String
    let responseRate: String
    let mean: String
    let interval: String
    let hidden: String?
    let bar: BarShape?
}

struct GoalRow {
    let subproject: String
    let dimension: String
    let baseline: String
    let current: String
    let target: String
    let deadline: String
    let status: String
    let statusClass: String
}
