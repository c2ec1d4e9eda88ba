import Foundation
import Testing

@testable import Kvalitet

/// The published SPC cases of `../shared/spc/` (copied into the test resources): Montgomery's
/// textbook tables, qicharts2's `cdi` and `hospital_infections` data and its vignette series,
/// with the figures qicharts2 0.8.1 gives. Every point's value, centre line, limits (3σ and 2σ),
/// inclusion and sigma signal, and every part's runs figures, must be qicharts2's: within a
/// relative 1e-9 (the expected file holds 15 significant digits), well inside the issue's 1e-6.
@Suite struct SPCPublishedCasesTests {
    /// A case as its `call` in expected_summary.csv says it was made.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var file: String
        var x: String
        var y: String
        var n: String?
        var kind: SPCChartKind
        var options = SPCOptions()
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "mont_6.5_i_freeze20", file: "in_montgomery_tbl_06.07.csv", x: "weeks", y: "cost", kind: .i,
            options: SPCOptions(freeze: 20)),
        Case(
            name: "mont_6.5_i_freeze20_unscr", file: "in_montgomery_tbl_06.07.csv", x: "weeks", y: "cost", kind: .i,
            options: SPCOptions(freeze: 20, screenMovingRanges: false)),
        Case(
            name: "mont_6.5_mr_freeze20", file: "in_montgomery_tbl_06.07.csv", x: "weeks", y: "cost", kind: .mr,
            options: SPCOptions(freeze: 20)),
        Case(name: "mont_6.5_run", file: "in_montgomery_tbl_06.07.csv", x: "weeks", y: "cost", kind: .run),
        Case(
            name: "mont_7.1_p_excl_part30", file: "in_montgomery_tbl_07.03.csv", x: "sample", y: "count", n: "size", kind: .p,
            options: SPCOptions(parts: [30], exclude: [15, 23])),
        Case(name: "mont_7.4_p_varn", file: "in_montgomery_tbl_07.04.csv", x: "sample", y: "count", n: "size", kind: .p),
        Case(name: "mont_7.4_pp_varn", file: "in_montgomery_tbl_07.04.csv", x: "sample", y: "count", n: "size", kind: .pp),
        Case(
            name: "mont_7.3_c_excl_freeze26", file: "in_montgomery_tbl_07.08.csv", x: "sample", y: "count", kind: .c,
            options: SPCOptions(freeze: 26, exclude: [6, 20])),
        Case(name: "mont_7.4_u", file: "in_montgomery_tbl_07.10.csv", x: "sample", y: "count", n: "size", kind: .u),
        Case(
            name: "mont_7.5_u_mult50", file: "in_montgomery_tbl_07.11.csv", x: "roll", y: "count", n: "meters", kind: .u,
            options: SPCOptions(multiply: 50)),
        Case(name: "cdi_run_part24", file: "in_cdi.csv", x: "month", y: "n", kind: .run, options: SPCOptions(parts: [24])),
        Case(name: "cdi_c_part24", file: "in_cdi.csv", x: "month", y: "n", kind: .c, options: SPCOptions(parts: [24])),
        Case(
            name: "cdi_u_part24", file: "in_cdi.csv", x: "month", y: "n", n: "days", kind: .u,
            options: SPCOptions(parts: [24], multiply: 10000)),
        Case(name: "hai_u_all", file: "in_hospital_infections.csv", x: "month", y: "n", n: "days", kind: .u),
        Case(name: "hai_up_all", file: "in_hospital_infections.csv", x: "month", y: "n", n: "days", kind: .up),
        Case(name: "vignette_seed19_i", file: "vignette_seed19_y.csv", x: "i", y: "y", kind: .i),
    ]

    /// Expected rows by case, each a dictionary by column.
    static func expected(_ file: String) throws -> [String: [[String: String]]] {
        let text = try String(contentsOf: Support.resource("spc/\(file)"), encoding: .utf8)
        // R wrote the files with CRLF line ends.
        let rows = Support.parseCSV(text.replacingOccurrences(of: "\r\n", with: "\n"))
        let header = rows[0]
        var byCase: [String: [[String: String]]] = [:]
        for row in rows.dropFirst() where row.count == header.count {
            let record = Dictionary(uniqueKeysWithValues: zip(header, row))
            byCase[record["case"]!, default: []].append(record)
        }
        return byCase
    }

    static func chart(_ testCase: Case) throws -> SPCChart {
        let reader = SPCSeriesReader(x: testCase.x, y: testCase.y, n: testCase.n, kind: testCase.kind)
        let file = InputFile(url: Support.resource("spc/\(testCase.file)"))
        var problems: [Problem] = []
        let series = try reader.read(file, report: { problems.append($0) })
        #expect(problems.isEmpty, "\(problems.map(\.message))")
        return try SPCChart(testCase.kind, series.observations, options: testCase.options)
    }

    /// A figure as R wrote it (NA: none) against ours.
    static func close(_ ours: Double?, _ expected: String?, _ what: String, _ testCase: Case, _ point: Int) {
        let label = "\(testCase.name) point \(point) \(what)"
        guard let expected, expected != "NA" else {
            #expect(ours == nil, "\(label): \(String(describing: ours)) where qicharts2 has none")
            return
        }
        guard let ours else {
            Issue.record("\(label): none where qicharts2 has \(expected)")
            return
        }
        let value = Double(expected)!
        #expect(abs(ours - value) <= 1e-9 * max(abs(value), 1e-3), "\(label): \(ours) vs \(expected)")
    }

    @Test(arguments: cases) func pointsAreQicharts2s(_ testCase: Case) throws {
        let expected = try #require(try Self.expected("expected_points.csv")[testCase.name])
        let chart = try Self.chart(testCase)
        try #require(chart.points.count == expected.count, "\(chart.points.count) points vs \(expected.count)")
        for (point, row) in zip(chart.points, expected) {
            let i = point.index
            #expect(point.part == Int(row["part"]!), "\(testCase.name) point \(i) part")
            Self.close(point.value, row["y"], "value", testCase, i)
            Self.close(point.centre, row["cl"], "cl", testCase, i)
            if testCase.kind.hasLimits {
                Self.close(point.lower, row["lcl"], "lcl", testCase, i)
                Self.close(point.upper, row["ucl"], "ucl", testCase, i)
                Self.close(point.lower95, row["lcl.95"], "lcl.95", testCase, i)
                Self.close(point.upper95, row["ucl.95"], "ucl.95", testCase, i)
            } else {
                #expect(point.lower == nil && point.upper == nil && row["lcl"] == "NA" && row["ucl"] == "NA")
            }
            #expect(point.included == (row["include"] == "TRUE"), "\(testCase.name) point \(i) include")
            #expect(point.sigmaSignal == (row["sigma.signal"] == "TRUE"), "\(testCase.name) point \(i) sigma signal")
            let part = chart.parts[point.part - 1]
            #expect(part.observations == Int(row["n.obs"]!), "\(testCase.name) part \(point.part) n.obs")
            #expect(part.rules.useful == Int(row["n.useful"]!), "\(testCase.name) part \(point.part) n.useful")
            #expect(part.rules.longestRun == Int(row["longest.run"]!), "\(testCase.name) part \(point.part) longest run")
            #expect(part.rules.longestRunMax == Int(row["longest.run.max"]!), "\(testCase.name) longest run max")
            #expect(part.rules.crossings == Int(row["n.crossings"]!), "\(testCase.name) part \(point.part) crossings")
            #expect(part.rules.crossingsMin == Int(row["n.crossings.min"]!), "\(testCase.name) crossings min")
        }
    }

    @Test(arguments: cases) func summariesAreQicharts2s(_ testCase: Case) throws {
        let expected = try #require(try Self.expected("expected_summary.csv")[testCase.name])
        let chart = try Self.chart(testCase)
        try #require(chart.parts.count == expected.count)
        for (part, row) in zip(chart.parts, expected) {
            #expect(part.part == Int(row["part"]!))
            #expect(part.observations == Int(row["n.obs"]!))
            #expect(part.rules.useful == Int(row["n.useful"]!))
            #expect(part.rules.longestRun == Int(row["longest.run"]!))
            #expect(part.rules.longestRunMax == Int(row["longest.run.max"]!))
            #expect(part.rules.crossings == Int(row["n.crossings"]!))
            #expect(part.rules.crossingsMin == Int(row["n.crossings.min"]!))
            #expect(part.runsSignal == (row["runs.signal"] == "1"), "\(testCase.name) part \(part.part) runs signal")
            #expect(part.sigmaSignals == Int(row["sigma.signal"]!), "\(testCase.name) part \(part.part) sigma signals")
            // The centre line, as qicharts2's summary gives it.
            let centre = chart.points.first { $0.part == part.part }?.centre
            Self.close(centre, row["CL"], "CL", testCase, 0)
        }
    }
}

/// Random series from the independent reference (`Tests/Reference/spc_reference.py`, written from
/// FORMAT.md §9 with numpy and scipy's binomial quantile): every chart type with freeze, parts,
/// excluded points, screening on and off, ties on the median, repeated x values (added up) and
/// --multiply, read from CSVs with commas or semicolons and decimal commas.
@Suite struct SPCReferenceSeriesTests {
    static func rows(_ file: String) throws -> [[String: String]] {
        let text = try String(contentsOf: Support.resource("spc/random/\(file)"), encoding: .utf8)
        let rows = Support.parseCSV(text)
        return rows.dropFirst().filter { $0.count == rows[0].count }.map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
    }

    static func close(_ ours: Double?, _ expected: String, _ label: String) {
        guard !expected.isEmpty else {
            #expect(ours == nil, "\(label): \(String(describing: ours)) where the reference has none")
            return
        }
        guard let ours, let value = Double(expected) else {
            Issue.record("\(label): none where the reference has \(expected)")
            return
        }
        #expect(abs(ours - value) <= 1e-9 * max(abs(value), 1e-3), "\(label): \(ours) vs \(expected)")
    }

    @Test func everyCaseIsTheReferences() throws {
        let cases = try Self.rows("cases.csv")
        let points = Dictionary(grouping: try Self.rows("expected_points.csv"), by: { $0["case"]! })
        let summaries = Dictionary(grouping: try Self.rows("expected_summary.csv"), by: { $0["case"]! })
        #expect(cases.count == 72)
        var signals = (runs: 0, sigma: 0)
        for testCase in cases {
            let name = testCase["case"]!
            let kind = try #require(SPCChartKind(rawValue: testCase["chart"]!))
            let reader = SPCSeriesReader(x: "periode", y: "teller", n: kind.needsDenominator ? "nevner" : nil, kind: kind)
            var problems: [Problem] = []
            let series = try reader.read(
                InputFile(url: Support.resource("spc/random/\(testCase["file"]!)")), report: { problems.append($0) })
            #expect(problems.isEmpty, "\(name): \(problems.map(\.message))")
            let words = { (key: String) in testCase[key]!.split(separator: " ").map { Int($0)! } }
            let options = SPCOptions(
                freeze: Int(testCase["freeze"]!), parts: words("parts"), exclude: Set(words("exclude")),
                screenMovingRanges: testCase["screen"] == "true", multiply: Double(testCase["multiply"]!)!)
            let chart = try SPCChart(kind, series.observations, options: options)
            let expected = try #require(points[name])
            try #require(chart.points.count == expected.count, "\(name): \(chart.points.count) points vs \(expected.count)")
            for (point, row) in zip(chart.points, expected) {
                let label = "\(name) point \(point.index)"
                #expect(point.part == Int(row["part"]!) && point.index == Int(row["index"]!) && point.x == row["x"], "\(label)")
                Self.close(point.y, row["y"]!, "\(label) y")
                Self.close(point.n, row["n"]!, "\(label) n")
                Self.close(point.value, row["value"]!, "\(label) value")
                Self.close(point.centre, row["cl"]!, "\(label) cl")
                Self.close(point.lower, row["lcl"]!, "\(label) lcl")
                Self.close(point.upper, row["ucl"]!, "\(label) ucl")
                Self.close(point.lower95, row["lcl_95"]!, "\(label) lcl_95")
                Self.close(point.upper95, row["ucl_95"]!, "\(label) ucl_95")
                #expect(point.included == (row["included"] == "true"), "\(label) included")
                #expect(point.sigmaSignal == (row["sigma_signal"] == "true"), "\(label) sigma signal")
            }
            let expectedParts = try #require(summaries[name])
            try #require(chart.parts.count == expectedParts.count, "\(name) parts")
            for (part, row) in zip(chart.parts, expectedParts) {
                let label = "\(name) part \(part.part)"
                #expect(part.observations == Int(row["n_obs"]!), "\(label) n_obs")
                #expect(part.rules.useful == Int(row["n_useful"]!), "\(label) n_useful")
                #expect(part.rules.longestRun == Int(row["longest_run"]!), "\(label) longest_run")
                #expect(part.rules.longestRunMax == Int(row["longest_run_max"]!), "\(label) longest_run_max")
                #expect(part.rules.crossings == Int(row["crossings"]!), "\(label) crossings")
                #expect(part.rules.crossingsMin == Int(row["crossings_min"]!), "\(label) crossings_min")
                #expect(part.runsSignal == (row["runs_signal"] == "true"), "\(label) runs_signal")
                #expect(part.sigmaSignals == Int(row["sigma_signals"]!), "\(label) sigma_signals")
                signals.runs += part.runsSignal ? 1 : 0
                signals.sigma += part.sigmaSignals > 0 ? 1 : 0
            }
        }
        // The series hold signals of both kinds, so the signal figures are tested both ways.
        #expect(signals.runs >= 10 && signals.sigma >= 10)
    }
}
