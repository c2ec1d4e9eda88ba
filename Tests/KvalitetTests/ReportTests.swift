import Foundation
import Testing

@testable import Kvalitet

/// The report of the samples against figures derived independently from the reference scores
/// (Tests/Reference/report_expected.py), and its privacy and reference handling.
@Suite struct ReportTests {
    /// Renders the samples' report (with their register) into a temporary file.
    static func samplesReport(_ configure: (inout ReportJob) -> Void = { _ in }) throws -> String {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var job = ReportJob()
        job.registerFiles = [Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path]
        job.inputs = [Support.repository.appendingPathComponent("Samples").path]
        job.output = folder.appendingPathComponent("report.html").path
        configure(&job)
        try job.run(standardError: { _ in })
        return try String(contentsOfFile: job.output!, encoding: .utf8)
    }

    struct Expected: Decodable {
        struct Section: Decodable {
            var set: String
            var period: String
            var respondents: String
            var responseRate: String?
            var strongest: String?
            var weakest: String?
            var dimensions: [Dimension]
            var units: [UnitChart]
            var goals: [Goal]
        }
        struct Dimension: Decodable {
            var id: String
            var n: String
            var mean: String
            var interval: String
            var hidden: String?
            var previous: String?
            var change: String?
        }
        struct UnitChart: Decodable {
            var dimension: String
            var rows: [UnitRow]
        }
        struct UnitRow: Decodable {
            var name: String
            var mean: String?
            var hidden: String?
        }
        struct Goal: Decodable {
            var subproject: String
            var target: String
            var deadline: String
            var status: String
            var baseline: String?
            var current: String
        }
        var municipality: String
        var sections: [Section]
    }

    @Test func samplesReportShowsTheReferenceFigures() throws {
        let html = try Self.samplesReport()
        let expected = try JSONDecoder().decode(
            Expected.self,
            from: Data(contentsOf: Support.resource("report/samples-expected.json")))
        let catalog = try IndicatorSetCatalog.builtIn()
        let sections = HTMLText.sections(html)
        #expect(sections.count == expected.sections.count)
        for section in expected.sections {
            guard let text = sections[section.set] else {
                Issue.record("no section for \(section.set)")
                continue
            }
            let set = catalog[section.set]!
            func title(_ id: String) -> String { set.dimensions.first { $0.id == id }!.title.nb }
            #expect(text.contains("\(expected.municipality) · Periode \(section.period)"))
            #expect(HTMLText.fact("Svar", in: text) == section.respondents)
            #expect(HTMLText.fact("Svarprosent", in: text) == section.responseRate)
            #expect(HTMLText.fact("Sterkest", in: text)?.hasPrefix(section.strongest.map(title) ?? "?") == true)
            #expect(HTMLText.fact("Svakest", in: text)?.hasPrefix(section.weakest.map(title) ?? "?") == true)

            // Dimensions: n, mean (or why hidden), interval, previous period and change.
            let hasPrevious = section.dimensions.first?.previous != nil
            for dimension in section.dimensions {
                let cells = HTMLText.cells(ofRowWith: "data-dimension=\"\(dimension.id)\"", in: text)
                #expect(cells.count == (hasPrevious ? 7 : 5), "\(section.set) \(dimension.id): \(cells)")
                guard cells.count >= 5 else { continue }
                #expect(cells[1] == dimension.n, "\(section.set) \(dimension.id) n")
                #expect(cells[2] == (dimension.hidden ?? dimension.mean), "\(section.set) \(dimension.id) mean")
                #expect(cells[3] == dimension.interval, "\(section.set) \(dimension.id) interval")
                if hasPrevious, cells.count == 7 {
                    #expect(cells[4] == dimension.previous, "\(section.set) \(dimension.id) previous")
                    #expect(cells[5] == dimension.change, "\(section.set) \(dimension.id) change")
                }
            }

            // Units ranked per dimension; hidden ones with their note and nothing else.
            let unitTables = HTMLText.tables(withClass: "figures units", in: text)
            #expect(unitTables.count == section.units.count)
            for (table, chart) in zip(unitTables, section.units) {
                let rows = HTMLText.bodyRows(table)
                #expect(rows.count == chart.rows.count, "\(section.set) \(chart.dimension)")
                for (index, (cells, unit)) in zip(rows, chart.rows).enumerated() {
                    #expect(cells[1] == unit.name, "\(section.set) \(chart.dimension) rank \(index + 1)")
                    if let hidden = unit.hidden {
                        #expect(
                            cells[0] == "" && cells[2] == hidden && cells.dropFirst(3).allSatisfy(\.isEmpty),
                            "\(section.set) \(chart.dimension) \(unit.name): \(cells)")
                    } else {
                        #expect(
                            cells[0] == "\(index + 1)" && cells[2] == unit.mean, "\(section.set) \(chart.dimension): \(cells)")
                    }
                }
            }

            // Goals: baseline, current value, target, deadline and status.
            let goalRows = HTMLText.tables(withClass: "figures goals", in: text).flatMap(HTMLText.bodyRows)
            #expect(goalRows.count == section.goals.count)
            for (cells, goal) in zip(goalRows, section.goals) {
                #expect(cells[0] == goal.subproject)
                #expect(cells[2] == (goal.baseline ?? ""))
                #expect(cells[3] == goal.current)
                #expect(cells[4] == goal.target && cells[5] == goal.deadline && cells[6] == goal.status, "\(cells)")
            }
        }
    }

    /// The samples have small units (Sjøsiden SFO: 3 and 4 parents; Lia SFO hidden beside it; Lia
    /// among the employees): the report names them with the reason and shows none of their figures,
    /// in tables and charts alike, and no item distribution of a suppressed group.
    @Test func suppressedGroupsShowNoFigures() throws {
        let html = try Self.samplesReport()
        let sfo = HTMLText.sections(html)["sfo-foresatte"]!
        for table in HTMLText.tables(withClass: "figures units", in: sfo) {
            let rows = HTMLText.bodyRowsHTML(table)
            let sjøsiden = rows.first { $0.contains("<th scope=\"row\">Sjøsiden SFO</th>") }
            let lia = rows.first { $0.contains("<th scope=\"row\">Lia SFO</th>") }
            #expect(sjøsiden?.contains("færre enn 5 svar") == true)
            #expect(lia?.contains("skjult for å verne en mindre gruppe") == true)
            for row in [sjøsiden, lia].compactMap({ $0 }) {
                #expect(!row.contains("<rect") && !row.contains("<path"), "a chart of a hidden unit: \(row)")
                let text = HTMLText.cells(row).joined(separator: " ").replacingOccurrences(of: "færre enn 5 svar", with: "")
                let hasDigit = text.contains { $0.isNumber }
                #expect(!hasDigit, "a figure of a hidden unit: \(text)")
            }
        }
        // Every figure the report shows for a group comes from a published row: render with a
        // threshold above every group and nothing but counts of respondents and notes remain.
        let strict = try Self.samplesReport { $0.minN = 10_000 }
        #expect(
            strict.components(separatedBy: "<rect x=\"").dropFirst().allSatisfy { $0.hasPrefix("0\"") },
            "a bar drawn for a suppressed group (only the legend's keys start at 0)")
        for table in HTMLText.tables(withClass: "figures items", in: strict) {
            #expect(
                HTMLText.bodyRows(table).allSatisfy { $0.count == 4 && $0[1] == "" && $0[2] == "færre enn 10000 svar" },
                "an item distribution of a suppressed group")
        }
        #expect(strict.contains("færre enn 10000 svar"))
    }

    @Test func referenceColumnComesFromAnotherRunsPooledRows() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The samples' own scores as the reference: one municipality, so its pooled ("all") rows
        // equal the municipality rows and the reference column must repeat the means.
        let scores = folder.appendingPathComponent("landet.csv").path
        _ = try Support.score {
            $0.inputs = [Support.repository.appendingPathComponent("Samples").path]
            $0.format = "csv"
            $0.output = scores
        }
        let html = try Self.samplesReport {
            $0.reference = scores
            $0.referenceLabel = "Landsgjennomsnitt"
        }
        let sfo = HTMLText.sections(html)["sfo-foresatte"]!
        #expect(sfo.contains("<th scope=\"col\" class=\"num\">Landsgjennomsnitt</th>"))
        let cells = HTMLText.cells(ofRowWith: "data-dimension=\"trivsel\"", in: sfo)
        #expect(cells.count == 8 && cells[6] == cells[2] && !cells[2].isEmpty, "\(cells)")
        #expect(sfo.contains("class=\"reference\""))
    }

    @Test func aReferenceThatIsNotAScoresFileIsRefusedWithItsLineAndField() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let noMean = Support.write("level,period,set,dimension,item\nall,2024,sfo-foresatte,,\n", to: "a.csv", in: folder)
        let badNumber = Support.write(
            "level,period,set,dimension,item,mean\nall,2024,sfo-foresatte,,,4.5\nall,2024,sfo-foresatte,trivsel,,4.6x\n",
            to: "b.csv", in: folder)
        for (file, line, field) in [(noMean, 1, "mean"), (badNumber, 3, "mean")] {
            do {
                _ = try Self.samplesReport { $0.reference = file }
                Issue.record("\(file) accepted")
            } catch let error as KvalitetError {
                #expect(error.code == .inputRefused)
                #expect(
                    error.location?.file == file && error.location?.line == line && error.location?.field == field, "\(error)")
            }
        }
        #expect(throws: KvalitetError.self) {
            _ = try Self.samplesReport { $0.reference = folder.appendingPathComponent("missing.csv").path }
        }
    }

    @Test func englishReportAndNoOutputNoFile() throws {
        let html = try Self.samplesReport { $0.language = .en }
        #expect(html.contains("<html lang=\"en\">") && html.contains("Quality report") && html.contains("4.6"))
        #expect(!html.contains("Kvalitetsrapport"))
        do {
            _ = try Self.samplesReport { $0.output = nil }
            Issue.record("a report without --output")
        } catch let error as KvalitetError {
            #expect(error.code == .usage)
        }
    }

    /// Names from the input are escaped: a unit called `<script>` is text, not markup.
    @Test func namesAreEscaped() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var csv = "respondent,municipality,service,unit,period,set"
        let items = try IndicatorSetCatalog.builtIn()["sfo-foresatte"]!.items.map(\.id)
        csv += "," + items.joined(separator: ",") + "\n"
        for index in 1...6 {
            csv +=
                "R\(index),\"Kommune <b>\"\"&\"\"'</b>\",SFO,\"<script>alert(1)</script>\",2024,sfo-foresatte,"
                + items.map { _ in "\(index % 6 + 1)" }.joined(separator: ",") + "\n"
        }
        let input = Support.write(csv, to: "x.csv", in: folder)
        let html = try Self.samplesReport {
            $0.inputs = [input]
            $0.registerFiles = []
        }
        #expect(!html.contains("<script>") && !html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Kommune &lt;b&gt;&quot;&amp;&quot;&#39;&lt;/b&gt;"))
    }
}

/// Reads the report's tables back as text, as a screen reader or a copy into Excel sees them.
enum HTMLText {
    /// The report's sections by set id (anchor `SET-N`).
    static func sections(_ html: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in html.components(separatedBy: "<section class=\"set\" id=\"").dropFirst() {
            let anchor = String(part.prefix { $0 != "\"" })
            guard let dash = anchor.lastIndex(of: "-") else { continue }
            result[String(anchor[..<dash])] = part.components(separatedBy: "</section>")[0]
        }
        return result
    }

    /// Text of the cells (th and td) of the first row whose start tag contains `marker`.
    static func cells(ofRowWith marker: String, in html: String) -> [String] {
        guard let start = html.range(of: "<tr \(marker)") else { return [] }
        let row = html[start.lowerBound...].components(separatedBy: "</tr>")[0]
        return cells(String(row))
    }

    static func cells(_ row: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"<t([dh])\b[^>]*>(.*?)</t\1>"#, options: [.dotMatchesLineSeparators])
        let range = NSRange(row.startIndex..., in: row)
        return pattern.matches(in: row, range: range).map { text(String(row[Range($0.range(at: 2), in: row)!])) }
    }

    /// Visible text: tags removed (SVG and visually hidden spans included), entities decoded,
    /// spaces collapsed.
    static func text(_ html: String) -> String {
        var text = html.replacingOccurrences(of: #"<svg\b.*?</svg>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<span class="sr">.*?</span>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The value of the summary fact labelled `label` (`<dt>label</dt><dd>value</dd>`).
    static func fact(_ label: String, in html: String) -> String? {
        guard let start = html.range(of: "<dt>\(label)</dt><dd>") else { return nil }
        return text(html[start.upperBound...].components(separatedBy: "</dd>")[0])
    }

    static func tables(withClass name: String, in html: String) -> [String] {
        html.components(separatedBy: "<table class=\"\(name)\">").dropFirst().map { $0.components(separatedBy: "</table>")[0] }
    }

    static func bodyRowsHTML(_ table: String) -> [String] {
        guard let body = table.components(separatedBy: "<tbody>").dropFirst().first else { return [] }
        return body.components(separatedBy: "</tr>").dropLast().map { String($0) }
    }

    static func bodyRows(_ table: String) -> [[String]] {
        bodyRowsHTML(table).map(cells)
    }
}
