import Foundation
import Testing

@testable import Kvalitet

/// `kvalitet spc` as people use it (FORMAT.md §9): the outputs' columns and texts, bad rows
/// reported with their file, line and column, usage errors, outputs that would replace the input.
@Suite struct SPCJobTests {
    static func job(_ input: String, _ kind: SPCChartKind, x: String, y: String, n: String? = nil) -> SPCJob {
        var job = SPCJob()
        job.input = input
        job.kind = kind
        job.x = x
        job.y = y
        job.n = n
        return job
    }

    static func run(_ job: SPCJob) throws -> (output: String, errors: [String]) {
        var out = StringOutput()
        var errors: [String] = []
        try job.run(standardOutput: &out, standardError: { errors.append($0) })
        return (out.text, errors)
    }

    static let montgomery74 = Support.resource("spc/in_montgomery_tbl_07.04.csv").path
    static let montgomery65 = Support.resource("spc/in_montgomery_tbl_06.07.csv").path

    @Test func pointsAndSummaryCSVAreFormatsColumns() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var job = Self.job(Self.montgomery74, .pp, x: "sample", y: "count", n: "size")
        job.format = "csv"
        job.summary = folder.appendingPathComponent("summary.csv").path
        let (output, errors) = try Self.run(job)
        let rows = Support.parseCSV(output)
        #expect(
            rows[0]
                == "part,index,x,y,n,value,cl,lcl,ucl,lcl_95,ucl_95,included,sigma_signal".split(separator: ",").map(String.init))
        #expect(rows.count == 26)
        // Sample 11 (count 20 of 110: 0.1818…) is the one point outside (qicharts2's figures).
        #expect(rows[11][2] == "11" && rows[11][3] == "20.0" && rows[11][4] == "110.0" && rows[11][12] == "true")
        #expect(rows.dropFirst().filter { $0[12] == "true" }.count == 1)
        let summary = Support.parseCSV(try String(contentsOfFile: job.summary!, encoding: .utf8))
        // qicharts2's summary of this case (expected_summary.csv, mont_7.4_pp_varn).
        #expect(summary == [SPCPartSummary.columnNames, ["1", "25", "25", "5", "8", "10", "8", "false", "1"]])
        #expect(errors == ["kvalitet: 1 fil, 25 rader lest, 25 tegnet, 0 ikke tegnet, 0 advarsler, 25 punkter"])
    }

    /// Hand-made: ten points at 1 then ten at 9, median 5: 20 useful points, longest run 10 above
    /// round(log2 20 + 3) = 7, one crossing below qbinom(0.05, 19, ½) = 6.
    @Test func theTableSaysTheSignalsInNorwegianAndEnglish() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (1...20).map { "2024-\($0);\($0 <= 10 ? "1" : "9")" }
        let path = Support.write("uke;fall\n" + rows.joined(separator: "\n") + "\n", to: "fall.csv", in: folder)
        let table = try Self.run(Self.job(path, .run, x: "uke", y: "fall")).output
        #expect(table.contains("fall.csv: fall: Seriediagram"))
        #expect(table.contains("Punkt 1–20: median 5,0"))
        #expect(table.contains("Signal: lengste serie 10 punkter (grense 7)"))
        #expect(table.contains("Signal: 1 kryssing av senterlinjen (minst 6)"))
        var english = Self.job(path, .run, x: "uke", y: "fall")
        english.language = .en
        let text = try Self.run(english).output
        #expect(text.contains("Signal: longest run 10 points (limit 7)") && text.contains("Points 1–20: median 5.0"))
        // Montgomery's table 6.7 frozen at 20: weeks 39 and 40 above the limits; no runs signal.
        var frozen = Self.job(Self.montgomery65, .i, x: "weeks", y: "cost")
        frozen.options.freeze = 20
        let i = try Self.run(frozen).output
        #expect(i.contains("Signal: 2 punkter utenfor kontrollgrensene (39, 40)"), "\(i)")
        #expect(!i.contains("lengste serie") && !i.contains("Ingen tegn"))
        #expect(i.contains("senterlinje 300,5, kontrollgrenser 279,8–321,2"))
    }

    @Test func tooFewPointsAreSaidPlainly() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write("m,y\n1,3\n2,4\n3,8\n4,2\n5,6\n6,5\n", to: "short.csv", in: folder)
        let (output, errors) = try Self.run(Self.job(path, .c, x: "m", y: "y"))
        #expect(output.contains("For få punkter for seriereglene: 6 som ikke ligger på senterlinjen (minst 10 trengs)"))
        #expect(errors.contains { $0.contains("For få punkter for seriereglene") })
        var json = Self.job(path, .c, x: "m", y: "y")
        json.format = "json"
        let object = try JSONSerialization.jsonObject(with: Data(try Self.run(json).output.utf8)) as! [String: Any]
        let parts = object["parts"] as! [[String: Any]]
        #expect(parts.count == 1 && parts[0]["too_few_points"] as? Bool == true && parts[0]["n_useful"] as? Int == 6)
        #expect((object["points"] as! [[String: Any]]).count == 6)
        // Centre 28/6, σ = √c: by hand.
        let centre = 28.0 / 6
        #expect(abs(((object["points"] as! [[String: Any]])[0]["ucl"] as! Double) - (centre + 3 * centre.squareRoot())) < 1e-12)
    }

    @Test func badRowsAreReportedWithLineAndColumnAndNotCharted() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(
            "sep=;\nMåned;Fall;Liggedøgn\n2024-01;3;100\n2024-02;;100\n2024-03;NA;90\n2024-04;4;0\n2024-05;120;100\n;2;80\n2024-06;2,5;80\n2024-07;-1;80\n",
            to: "fall.csv", in: folder)
        var job = Self.job(path, .p, x: "måned", y: "fall", n: "liggedøgn")
        job.rejects = folder.appendingPathComponent("avvik.csv").path
        job.format = "csv"
        let (output, errors) = try Self.run(job)
        #expect(Support.parseCSV(output).count == 3)  // 2024-01 and 2024-06
        let rejects = Support.parseCSV(try String(contentsOfFile: job.rejects!, encoding: .utf8)).dropFirst()
        let found = rejects.map { row in row.filter { !$0.isEmpty } }
        #expect(rejects.count == 6, "\(found)")
        #expect(rejects.allSatisfy { $0.contains("invalid-value") })
        for (line, column) in [(4, "Fall"), (5, "Fall"), (6, "Liggedøgn"), (7, "Fall"), (8, "Måned"), (10, "Fall")] {
            #expect(rejects.contains { $0.contains(String(line)) && $0.contains(column) }, "line \(line) \(column): \(found)")
        }
        #expect(errors.first == "kvalitet: 1 fil, 8 rader lest, 2 tegnet, 6 ikke tegnet, 0 advarsler, 2 punkter")
        // Under --strict the first of them stops the run (exit 3), nothing written.
        var strict = Self.job(path, .p, x: "måned", y: "fall", n: "liggedøgn")
        strict.strict = true
        strict.output = folder.appendingPathComponent("out.csv").path
        #expect(throws: KvalitetError.self) { try Self.run(strict) }
        do {
            _ = try Self.run(strict)
        } catch let error as KvalitetError {
            #expect(error.code == .strict && error.message.contains("fall.csv:4"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: strict.output!))
    }

    @Test func usageErrorsAndAMissingColumnAreNamed() throws {
        func code(_ configure: (inout SPCJob) -> Void) -> (KvalitetError.Code?, String) {
            var job = Self.job(Self.montgomery74, .p, x: "sample", y: "count", n: "size")
            configure(&job)
            do {
                _ = try Self.run(job)
                return (nil, "")
            } catch let error as KvalitetError {
                return (error.code, error.message)
            } catch {
                return (nil, "\(error)")
            }
        }
        #expect(code { $0.n = nil }.0 == .usage)
        #expect(code { $0.options.parts = [25] }.0 == .usage)
        #expect(code { $0.options.exclude = [0] }.0 == .usage)
        #expect(code { $0.options.freeze = 1 }.0 == .usage)
        #expect(code { $0.options.multiply = 0 }.0 == .usage)
        #expect(code { $0.format = "xml" }.0 == .usage)
        let missing = code { $0.y = "antall" }
        #expect(missing.0 == .inputRefused)
        #expect(
            missing.1.contains("in_montgomery_tbl_07.04.csv:1") && missing.1.contains("\"antall\"")
                && missing.1.contains("«count»"))
    }

    @Test func noOutputReplacesTheInput() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = "m,y\n" + (1...12).map { "\($0),\($0 % 4)" }.joined(separator: "\n") + "\n"
        let path = Support.write(text, to: "serie.csv", in: folder)
        for option in ["output", "summary", "rejects"] {
            var job = Self.job(path, .run, x: "m", y: "y")
            switch option {
            case "output": job.output = path
            case "summary": job.summary = path
            default: job.rejects = path
            }
            #expect(throws: KvalitetError.self, "--\(option)") { try Self.run(job) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        }
    }

    /// The HTML page: self-contained, one dot per point, the table's figures the points CSV's
    /// rounded, the signal marked.
    @Test func theHTMLPageDrawsEveryPointAndTablesTheCSVsFigures() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var job = Self.job(Self.montgomery74, .pp, x: "sample", y: "count", n: "size")
        job.output = folder.appendingPathComponent("spc.html").path
        _ = try Self.run(job)
        let html = try String(contentsOfFile: job.output!, encoding: .utf8)
        #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("<script"))
        #expect(html.components(separatedBy: "<circle cx=").count - 1 == 25 + 1)  // 25 points, 1 legend key
        #expect(html.contains("class=\"dot out\""))
        var csv = job
        csv.output = nil
        csv.format = "csv"
        let rows = Support.parseCSV(try Self.run(csv).output).dropFirst()
        for row in rows {
            let value = String(format: "%.4f", Double(row[5])!).replacingOccurrences(of: ".", with: ",")
            let ucl = String(format: "%.4f", Double(row[8])!).replacingOccurrences(of: ".", with: ",")
            #expect(html.contains("<th scope=\"row\">\(row[2])</th><td class=\"num\">\(value)</td>"), "\(row[2]) \(value)")
            #expect(html.contains("<td class=\"num\">\(ucl)</td>"))
        }
    }
}

/// The report's monthly sick-leave P′ charts of the samples against an independent computation
/// (`Tests/Reference/report_spc_expected.py`: absence_reference.py's month rows, with their
/// suppression, charted by spc_reference.py, split at the register's `start`).
@Suite struct ReportSPCTests {
    struct Expected: Decodable {
        struct Part: Decodable {
            var n_useful: Int
            var longest_run: Int
            var crossings: Int
            var runs_signal: Bool
            var sigma_signals: Int
        }
        struct Chart: Decodable {
            var level: String
            var id: String
            var chart: Bool
            var x: [String]?
            var value: [Double]?
            var cl: [Double]?
            var lcl: [Double]?
            var ucl: [Double]?
            var sigma_signal: [Bool]?
            var parts: [Part]?
        }
        var charts: [Chart]
    }

    @Test func samplesSubprojectsAndUnitsHaveTheReferencesCharts() throws {
        var job = AbsenceJob()
        job.inputs = [Support.repository.appendingPathComponent("Samples/fravaer").path]
        job.registerFiles = [Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path]
        let (result, _) = try job.absence(try job.listAndGuard())
        let sections = AbsenceSection.sections(result, language: .nb)
        try #require(sections.count == 1)
        let views = sections[0].spcCharts
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: Support.resource("report/samples-spc-expected.json")))
        let drawn = expected.charts.filter(\.chart)
        #expect(views.count == drawn.count)
        // Sub-projects first, then units, each in id order.
        #expect(views.map { $0.group!.level == .subproject ? $0.group!.subproject : $0.group!.unit } == drawn.map(\.id))
        for (view, reference) in zip(views, drawn) {
            let chart = view.chart
            #expect(chart.kind == .pp && chart.options.multiply == 100)
            #expect(chart.points.map(\.x) == reference.x!, "\(reference.id)")
            for (index, point) in chart.points.enumerated() {
                for (ours, theirs) in [
                    (point.value, reference.value![index]), (point.centre, reference.cl![index]),
                    (point.lower, reference.lcl![index]), (point.upper, reference.ucl![index]),
                ] {
                    #expect(abs(ours! - theirs) <= 1e-9 * max(1, abs(theirs)), "\(reference.id) \(point.x)")
                }
                #expect(point.sigmaSignal == reference.sigma_signal![index], "\(reference.id) \(point.x)")
            }
            #expect(chart.parts.count == reference.parts!.count, "\(reference.id) parts")
            for (part, theirs) in zip(chart.parts, reference.parts!) {
                #expect(part.rules.useful == theirs.n_useful && part.rules.longestRun == theirs.longest_run)
                #expect(part.rules.crossings == theirs.crossings && part.runsSignal == theirs.runs_signal)
                #expect(part.sigmaSignals == theirs.sigma_signals, "\(reference.id)")
            }
        }
        // The sub-project with a start is split there (8 months of 2024 before September).
        #expect(views[0].chart.parts.first?.observations == 8)
        // The groups without published months are named, not silently left out.
        let without = try #require(sections[0].spcWithout)
        for name in ["Bryn SFO", "Sjøsiden SFO", "Økt brukermedvirkning i SFO"] { #expect(without.contains(name)) }
    }
}

/// The report's dimensions across periods: with 12 periods an I chart per dimension against an
/// independent computation (`Tests/Reference/report_series_expected.py`: score_reference.py's
/// means charted by spc_reference.py); with the samples' two periods a table and no verdict.
@Suite struct ReportSeriesTests {
    struct Expected: Decodable {
        struct Chart: Decodable {
            var dimension: String
            var x: [String]
            var value: [Double]
            var cl: Double
            var lcl: Double
            var ucl: Double
            var runs_signal: Bool
            var longest_run: Int
            var crossings: Int
            var sigma_signals: Int
        }
        var charts: [Chart]
    }

    @Test func twelvePeriodsGiveAnIChartPerDimension() throws {
        var job = ScoreJob()
        job.inputs = [Support.resource("report/series/sfo-12-perioder.csv").path]
        var out = StringOutput()
        let result = try job.run(standardOutput: &out, standardError: { _ in })
        let page = ReportBuilder(result: result, registers: [], reference: nil, language: .nb, minNOverride: nil).page()
        let section = try #require(page.sections.first)
        let series = try #require(section.series)
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: Support.resource("report/series/expected.json")))
        #expect(series.rows.isEmpty)
        try Self.compare(series.charts, expected.charts, set: try #require(result.sets["sfo-foresatte"]))
        // The shifted dimension's run signal is said in the rendered page.
        let html = try ReportRenderer.render(page)
        #expect(html.contains("Utvikling over perioder") && html.contains("Signal: lengste serie"))
    }

    /// The charts of a series against the independent ones, dimension by dimension.
    static func compare(_ views: [SPCChartView], _ expected: [Expected.Chart], set: any IndicatorSet) throws {
        #expect(views.count == expected.count)
        var titles = Dictionary(uniqueKeysWithValues: set.dimensions.map { ($0.title.text(.nb), $0.id) })
        titles[ReportTexts(language: .nb).total] = ""
        for view in views {
            let id = try #require(titles[view.title], "\(view.title)")
            let reference = try #require(expected.first { $0.dimension == id }, "\(view.title)")
            let chart = view.chart
            #expect(chart.kind == .i && chart.points.map(\.x) == reference.x)
            for (point, value) in zip(chart.points, reference.value) { #expect(abs(point.value! - value) < 1e-9) }
            let first = try #require(chart.points.first)
            #expect(abs(first.centre! - reference.cl) < 1e-9 && abs(first.lower! - reference.lcl) < 1e-9)
            #expect(abs(first.upper! - reference.ucl) < 1e-9)
            let part = chart.parts[0]
            #expect(part.runsSignal == reference.runs_signal && part.rules.longestRun == reference.longest_run)
            #expect(part.rules.crossings == reference.crossings && part.sigmaSignals == reference.sigma_signals, "\(id)")
        }
    }

    struct ExpectedGroups: Decodable {
        struct Group: Decodable {
            var title: String
            var published_periods: Int
            var charts: [Expected.Chart]?
            var periods: [String]?
            var cells: [String: [String]]?
        }
        var groups: [Group]
    }

    /// Each sub-project and unit has its own series (Tests/Reference/report_series_groups_expected.py):
    /// charts where at least 10 periods are published, else the table, hidden periods as
    /// "færre enn 5 svar" or "–", never a figure.
    @Test func subprojectsAndUnitsHaveTheirOwnSeries() throws {
        var job = ScoreJob()
        job.inputs = [Support.resource("report/series/sfo-12-perioder-enheter.csv").path]
        job.common.registerFiles = [Support.resource("report/series/register-12-perioder.yaml").path]
        var out = StringOutput()
        let result = try job.run(standardOutput: &out, standardError: { _ in })
        let registers = try job.common.registerFiles.map { try Register.load(file: URL(fileURLWithPath: $0)) }
        let page = ReportBuilder(result: result, registers: registers, reference: nil, language: .nb, minNOverride: nil)
            .page()
        let series = try #require(page.sections.first?.series)
        let expected = try JSONDecoder().decode(
            ExpectedGroups.self, from: Data(contentsOf: Support.resource("report/series/expected-groups.json")))
        let set = try #require(result.sets["sfo-foresatte"])
        #expect(series.groups.map(\.title) == expected.groups.map(\.title))
        #expect(expected.groups.contains { $0.charts != nil } && expected.groups.contains { $0.cells != nil })
        for (group, reference) in zip(series.groups, expected.groups) {
            if let charts = reference.charts {
                #expect(group.rows.isEmpty, "\(group.title)")
                try Self.compare(group.charts, charts, set: set)
            } else {
                #expect(group.charts.isEmpty && group.headings == reference.periods, "\(group.title)")
                let ids = set.dimensions.map(\.id) + [""]
                #expect(group.rows.map(\.cells) == ids.map { reference.cells?[$0] ?? [] }, "\(group.title)")
                #expect(group.note.contains("\(reference.published_periods) av 12 perioder med tall"))
            }
        }
        let html = try ReportRenderer.render(page)
        #expect(html.contains("Delprosjekter og enheter over perioder"))
        #expect(html.components(separatedBy: "<details class=\"groupseries\">").count == expected.groups.count + 1)
    }

    @Test func twoPeriodsGiveMeansWithIntervalsAndNoVerdict() throws {
        let html = try ReportTests.samplesReport()
        #expect(html.contains("2 perioder er for få for statistisk prosesskontroll (minst 10)"))
        #expect(html.contains("<table class=\"figures seriestable\">"))
        // Sjøsiden SFO (6 forms a year) is hidden in both periods: said so, with no figure.
        let sjøsiden = try #require(html.range(of: "<summary>Enhet Sjøsiden SFO</summary>"))
        let folded = html[sjøsiden.upperBound...].prefix(1500)
        #expect(folded.contains("Ingen av de 2 periodene har tall") && !folded.contains(" ("), "\(folded)")
    }
}

/// The README's walk through `kvalitet spc` shows what the tool prints.
@Suite struct SPCReadmeTests {
    @Test func readmeShowsTheExamplesOutput() throws {
        let readme = try String(contentsOf: Support.repository.appendingPathComponent("README.md"), encoding: .utf8)
        var job = SPCJobTests.job(
            Support.repository.appendingPathComponent("Examples/fall-solbakken.csv").path, .u, x: "måned", y: "fall",
            n: "liggedøgn")
        job.options = SPCOptions(freeze: 18, multiply: 1000)
        job.title = "Fall per 1000 liggedøgn, Solbakken"
        let lines = try SPCJobTests.run(job).output.split(separator: "\n").prefix(3)
        #expect(readme.contains(lines.joined(separator: "\n")), "\(lines)")
    }
}
