import Foundation
import PropertyBased
import Testing

@testable import Kvalitet

/// Properties over random inputs (x-sheep/swift-property-based; a failure prints the seed that
/// reproduces it): what a correct writer writes reads back the same; CSV and XML of the same
/// responses score the same; order and splitting over files change nothing; suppression never
/// publishes a small group nor one derivable by subtraction.
@Suite struct PropertyTests {
    /// One response of the SFO parents' set, as a test writes it.
    struct Response: Sendable, Equatable {
        var id: String
        var municipality: String
        var service: String
        var unit: String
        var period: String
        var status: String
        var grade: String
        var answers: [String]
    }

    static let set = try! IndicatorSetCatalog.builtIn()["sfo-foresatte"]!
    static let items = set.items.map(\.id)

    /// Texts with what breaks naive writers and readers: delimiters, quotes, line breaks, æøå.
    static let municipalities = ["3024 Bærum", "Kommune, by", "Sør-\"Odal\"", "Linje\nskift", "Åfjord;Nord", "Tab\tkommune"]
    static let units = ["bryn", "hosle", "lia", "sjøsiden", "enhet \"A\"", "x,y"]
    static let cells = ["1", "2", "3", "4", "5", "6", "6", "5", "4", "vet ikke", "0", "", "", "7", "x", "ikke aktuelt"]

    /// A random dataset: `count` responses, unique ids per period when `uniqueIDs`.
    static func responses(seed: UInt64, count: Int, uniqueIDs: Bool = true, plain: Bool = false) -> [Response] {
        var random = SplitMix64(seed: seed)
        let municipalities = plain ? ["3024 Bærum", "Kommune, by"] : Self.municipalities
        let units = plain ? ["bryn", "hosle", "lia"] : Self.units
        return (0..<count).map { index in
            Response(
                id: uniqueIDs ? "r\(index)" : "r\(Int.random(in: 0..<max(1, count / 2), using: &random))",
                municipality: municipalities.randomElement(using: &random)!,
                service: "SFO", unit: units.randomElement(using: &random)!,
                period: ["2024", "2025"].randomElement(using: &random)!,
                status: Int.random(in: 0..<10, using: &random) == 0 ? "aborted" : "complete",
                grade: ["1", "2", "3", ""].randomElement(using: &random)!,
                answers: items.map { _ in cells.randomElement(using: &random)! })
        }
    }

    /// RFC 4180 CSV as a careful writer makes it (independent of kvalitet's own writers).
    static func csv(_ responses: [Response], delimiter: String = ",", lineEnd: String = "\n") -> String {
        func field(_ text: String) -> String {
            text.contains(where: { String($0) == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var text =
            (["respondent", "municipality", "service", "unit", "period", "set", "status", "bg.trinn"] + items)
            .joined(separator: delimiter) + lineEnd
        for r in responses {
            text +=
                ([r.id, r.municipality, r.service, r.unit, r.period, "sfo-foresatte", r.status, r.grade] + r.answers)
                .map(field).joined(separator: delimiter) + lineEnd
        }
        return text
    }

    /// FORMAT.md §3 XML, one file per municipality and period.
    static func xml(_ responses: [Response]) -> [String] {
        func escaped(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case "\"": out += "&quot;"
                case "\n": out += "&#10;"
                case "\t": out += "&#9;"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        var files: [String] = []
        let surveys = Dictionary(grouping: responses) { [$0.municipality, $0.period] }
        for key in surveys.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            var text =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<survey set=\"sfo-foresatte\" municipality=\"\(escaped(key[0]))\" period=\"\(key[1])\">\n"
            for r in surveys[key]! {
                text +=
                    "<unit id=\"\(escaped(r.unit))\" service=\"\(r.service)\"><response id=\"\(r.id)\" status=\"\(r.status)\">"
                if !r.grade.isEmpty { text += "<background name=\"trinn\">\(r.grade)</background>" }
                for (item, answer) in zip(items, r.answers) { text += "<answer item=\"\(item)\">\(escaped(answer))</answer>" }
                text += "</response></unit>\n"
            }
            files.append(text + "</survey>\n")
        }
        return files
    }

    /// Scores files in process; the CSV of the scores (rows in their defined order).
    static func scores(
        _ files: [(name: String, bytes: [UInt8])], breakdown: String? = "trinn", minN: Int? = nil,
        register: String? = nil
    ) throws -> (csv: String, result: ScoreResult) {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = files.map { Support.write(bytes: $0.bytes, to: $0.name, in: folder) }
        let registerPath = register.map { Support.write($0, to: "register.yaml", in: folder) }
        let (output, _, result) = try Support.score {
            $0.inputs = paths
            $0.format = "csv"
            $0.breakdown = breakdown
            $0.minN = minN
            $0.registerFiles = registerPath.map { [$0] } ?? []
        }
        return (output, result)
    }

    // MARK: - Properties

    @Test func csvWrittenCorrectlyReadsBackTheSameResponses() async throws {
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...40), Gen.int(in: 0...5)) {
            seed, count, style in
            let responses = Self.responses(seed: seed, count: count)
            let delimiter = [",", ";", "\t"][style % 3]
            let lineEnd = style < 3 ? "\n" : "\r\n"
            var text = Self.csv(responses, delimiter: delimiter, lineEnd: lineEnd)
            // Windows-1252 when every character fits (no tab municipality needed), else UTF-8 with a BOM.
            var bytes: [UInt8]
            if style == 4, let latin = text.data(using: .windowsCP1252) {
                bytes = [UInt8](latin)
            } else {
                if style == 5 { text = "\u{FEFF}" + text }
                bytes = Array(text.utf8)
            }
            let folder = Support.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = Support.write(bytes: bytes, to: "in.csv", in: folder)
            let sink: CollectingSink
            do {
                sink = try CSVResponseReader().collect(path)
            } catch {
                Issue.record("refused: \(error)")
                return
            }
            #expect(sink.records.count == responses.count)
            for (record, response) in zip(sink.records, responses) {
                #expect(
                    record.respondent == response.id && record.municipality == response.municipality
                        && record.unit == response.unit && record.period == response.period && record.status == response.status,
                    "\(record) vs \(response)")
                #expect(record.answerValues == response.answers, "answers of \(response.id)")
                #expect(record.background.first { $0.name == "trinn" }?.value ?? "" == response.grade)
            }
        }
    }

    @Test func csvAndXMLOfTheSameResponsesScoreTheSame() async throws {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...60)) { seed, count in
            // Unique ids: with duplicates, "the first counts" depends on the order of the files.
            let responses = Self.responses(seed: seed, count: count)
            do {
                let fromCSV = try Self.scores([("in.csv", Array(Self.csv(responses).utf8))])
                let fromXML = try Self.scores(
                    Self.xml(responses).enumerated().map { ("in\($0.offset).xml", Array($0.element.utf8)) })
                #expect(fromCSV.csv == fromXML.csv)
                var xmlSummary = fromXML.result.summary
                xmlSummary.files = fromCSV.result.summary.files
                #expect(fromCSV.result.summary == xmlSummary)
            } catch {
                Issue.record("refused: \(error)")
            }
        }
    }

    @Test func orderAndSplittingOverFilesChangeNothing() async throws {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...80), Gen.int(in: 1...5)) {
            seed, count, fileCount in
            let responses = Self.responses(seed: seed, count: count)
            var random = SplitMix64(seed: seed ^ 0xABCDEF)
            let shuffled = responses.shuffled(using: &random)
            var files: [[Response]] = Array(repeating: [], count: fileCount)
            for response in shuffled { files[Int.random(in: 0..<fileCount, using: &random)].append(response) }
            do {
                let whole = try Self.scores([("all.csv", Array(Self.csv(responses).utf8))])
                let split = try Self.scores(
                    files.enumerated().filter { !$0.element.isEmpty }.map {
                        ("part\($0.offset).csv", Array(Self.csv($0.element, delimiter: $0.offset % 2 == 0 ? "," : ";").utf8))
                    })
                #expect(whole.csv == split.csv)
                #expect(whole.result.summary.counted == split.result.summary.counted)
            } catch {
                Issue.record("refused: \(error)")
            }
        }
    }

    /// Units of random sizes in services of one municipality, grades as the breakdown, and a
    /// sub-project over some units: no published group is small, and no published parent has
    /// exactly one hidden child (which would be its total minus the others).
    @Test func suppressionNeverPublishesASmallOrDerivableGroup() async throws {
        await propertyCheck(
            count: 80, input: Gen.int(in: 0...12).array(of: 2...7), Gen.int(in: 3...6), Gen.uint64(in: 0...UInt64.max)
        ) { sizes, minN, seed in
            var random = SplitMix64(seed: seed)
            var responses: [Response] = []
            var serial = 0
            for (index, size) in sizes.enumerated() {
                for _ in 0..<size {
                    serial += 1
                    responses.append(
                        Response(
                            id: "r\(serial)", municipality: "K", service: index % 3 == 2 ? "Sykehjem" : "SFO", unit: "u\(index)",
                            period: "2024", status: "complete", grade: ["1", "2", "3"].randomElement(using: &random)!,
                            answers: Self.items.map { _ in ["1", "3", "4", "5", "6", "vet ikke"].randomElement(using: &random)! })
                    )
                }
            }
            guard !responses.isEmpty else { return }
            let register = """
                municipality: "K"
                units: [\(sizes.indices.map { "{id: u\($0)}" }.joined(separator: ", "))]
                subprojects:
                  - {id: p, units: [\(sizes.indices.filter { $0 % 2 == 0 }.map { "u\($0)" }.joined(separator: ", "))]}
                """
            let result: ScoreResult
            do {
                result = try Self.scores([("in.csv", Array(Self.csv(responses).utf8))], minN: minN, register: register).result
            } catch {
                Issue.record("refused: \(error)")
                return
            }
            let totals = result.rows.filter { $0.kind == .total }
            for row in result.rows where row.group.level != .all && !row.suppressed {
                #expect(row.respondents >= minN && (row.n ?? 0) >= minN, "published small group: \(row)")
            }
            func hidden(_ rows: [ScoreRow]) -> Int { rows.filter(\.suppressed).count }
            for parent in totals where !parent.suppressed {
                let g = parent.group
                var children: [ScoreRow] = []
                switch g.level {
                case .service:
                    children = totals.filter { $0.group.level == .unit && $0.group.service == g.service }
                case .municipality where g.breakdown.isEmpty:
                    #expect(hidden(totals.filter { $0.group.level == .service }) != 1, "services of \(g)")
                    children = totals.filter { $0.group.level == .municipality && !$0.group.breakdown.isEmpty }
                case .subproject:
                    let members = Set(sizes.indices.filter { $0 % 2 == 0 }.map { "u\($0)" })
                    children = totals.filter { $0.group.level == .unit && members.contains($0.group.unit) }
                default: continue
                }
                #expect(hidden(children) != 1, "one hidden child of published \(g): derivable by subtraction")
            }
        }
    }
}
