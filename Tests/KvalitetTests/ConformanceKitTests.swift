import Foundation
import Kvalitet
import KvalitetTesting
import Testing

/// Every built-in reader and writer passes the public conformance kit (`KvalitetTesting`), and the
/// kit fails plug-ins that break a requirement.
@Suite struct ConformanceKitTests {
    typealias Response = ReaderConformance.Response

    /// Responses as a CSV export (background variables as `bg.` columns, the union of all).
    static func csv(_ responses: [Response]) -> [UInt8] {
        var background: [String] = []
        for response in responses {
            for pair in response.background where !background.contains(pair[0]) { background.append(pair[0]) }
        }
        let items = responses.first?.answers.map { $0[0] } ?? []
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\n".contains($0) })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var text =
            (["respondent", "municipality", "service", "unit", "period", "set"] + background.map { "bg.\($0)" } + items)
            .joined(separator: ",") + "\n"
        for response in responses {
            let values =
                [response.respondent, response.municipality, response.service, response.unit, response.period, response.set]
                + background.map { name in response.background.first { $0[0] == name }?[1] ?? "" }
                + response.answers.map { $0[1] }
            text += values.map(field).joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    /// Responses as FORMAT.md §3 XML, consecutive responses of a unit in one `<unit>`.
    static func xml(_ responses: [Response]) -> [UInt8] {
        guard let first = responses.first else { return [] }
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        var text =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<survey set=\"\(escaped(first.set))\" municipality=\"\(escaped(first.municipality))\" period=\"\(escaped(first.period))\">\n"
        var unit: String?
        for response in responses {
            if response.unit != unit {
                if unit != nil { text += "  </unit>\n" }
                text += "  <unit id=\"\(escaped(response.unit))\" service=\"\(escaped(response.service))\">\n"
                unit = response.unit
            }
            text += "    <response id=\"\(escaped(response.respondent))\">"
            for pair in response.background {
                text += "<background name=\"\(escaped(pair[0]))\">\(escaped(pair[1]))</background>"
            }
            for pair in response.answers { text += "<answer item=\"\(escaped(pair[0]))\">\(escaped(pair[1]))</answer>" }
            text += "</response>\n"
        }
        return Array((text + "  </unit>\n</survey>\n").utf8)
    }

    static func csvKit(_ reader: any ResponseReader) -> ReaderConformance {
        ReaderConformance(
            reader: reader, fileExtension: "csv", encode: csv,
            malformed: Array("respondent,municipality,service,unit,period\nr1,\"M,S,u,2024\n".utf8),
            refused: [
                (
                    "a header without the column unit",
                    Array("respondent,municipality,service,period,set,q1\nr1,M,S,2024,s,5\n".utf8)
                ),
                (
                    "a field beyond --max-field-mib",
                    Array(
                        ("respondent,municipality,service,unit,period,set,q1\nr1,M,S,u,2024,s,"
                            + String(repeating: "5", count: 5000) + "\n").utf8)
                ),
                ("an Excel workbook renamed .csv", [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 60)),
            ])
    }

    @Test func csvReaderConforms() throws {
        try Self.csvKit(CSVResponseReader(maxFieldBytes: 4096, maxRecordBytes: 16_384, maxColumns: 100)).run()
    }

    @Test func xmlReaderConforms() throws {
        let survey = "<survey set=\"s\" municipality=\"M\" period=\"2024\">"
        try ReaderConformance(
            reader: XMLResponseReader(maxDepth: 8, maxTextBytes: 4096), fileExtension: "xml", encode: Self.xml,
            malformed: Array("\(survey)<unit id=\"u\" service=\"S\">".utf8),
            refused: [
                ("a DOCTYPE", Array("<?xml version=\"1.0\"?>\n<!DOCTYPE survey [<!ENTITY x \"y\">]>\n\(survey)</survey>".utf8)),
                ("an external entity", Array("<?xml version=\"1.0\"?>\n<!DOCTYPE s SYSTEM \"file:///etc/passwd\">\n<s/>".utf8)),
                (
                    "nesting beyond --max-xml-depth",
                    Array(
                        (survey + String(repeating: "<a>", count: 12) + String(repeating: "</a>", count: 12)
                            + "</survey>").utf8)
                ),
                (
                    "a text beyond --max-field-mib",
                    Array(
                        ("\(survey)\n<unit id=\"u\" service=\"S\"><response id=\"r\"><answer item=\"q1\">"
                            + String(repeating: "5", count: 5000) + "</answer></response></unit></survey>").utf8)
                ),
            ]
        ).run()
    }

    @Test(arguments: ["table", "csv", "json", "xlsx"])
    func scoresWritersConform(_ format: String) throws {
        for writer in ScoreJob.standardWriters(WriterOptions(minN: 5, csv: CSVStyle(excelSafe: true))) where writer.name == format
        {
            try WriterConformance(writer: writer).run()
        }
        #expect(ScoreJob.standardWriters(WriterOptions()).contains { $0.name == format })
    }

    @Test(arguments: ["table", "csv", "json", "xlsx"])
    func validationWritersConform(_ format: String) throws {
        for writer in ValidateJob.standardWriters(WriterOptions(csv: CSVStyle(excelSafe: true))) where writer.name == format {
            try ValidationWriterConformance(writer: writer).run()
        }
        #expect(ValidateJob.standardWriters(WriterOptions()).contains { $0.name == format })
    }

    // MARK: The kit fails what breaks a requirement

    /// Writes every figure of every row, suppressed or not.
    struct LeakingWriter: ScoresWriter {
        var name: String { "leaky" }
        func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
            for row in result.rows {
                try output.write("\(row.group.unit) \(row.mean.map { String($0) } ?? "") \(row.n.map { String($0) } ?? "")\n")
            }
        }
    }

    @Test func theWriterKitFailsAWriterThatShowsSuppressedFigures() {
        let failure = #expect(throws: ConformanceFailure.self) { try WriterConformance(writer: LeakingWriter()).run() }
        #expect(
            failure?.failures.contains { $0.contains("\"2.7\"") } == true
                && failure?.failures.contains { $0.contains("\"97\"") } == true,
            "\(String(describing: failure))")
    }

    /// A CSV reader that takes an empty file as no responses, and loses the lines.
    struct CarelessReader: ResponseReader {
        var name: String { "careless" }
        var fileExtensions: Set<String> { ["csv"] }
        func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
            guard (try? FileManager.default.attributesOfItem(atPath: file.url.path)[.size] as? Int) != 0 else { return }
            var relay = Relay(inner: sink)
            defer { sink = relay.inner }
            try CSVResponseReader().read(file, into: &relay)
        }
    }

    /// Hands records on with their lines lost.
    struct Relay<Inner: ResponseSink>: ResponseSink {
        var inner: Inner
        mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
            var record = record
            record.line = 0
            try inner.receive(record, from: file)
        }
        mutating func report(_ problem: Problem) throws { try inner.report(problem) }
    }

    @Test func theReaderKitFailsAReaderThatAcceptsAnEmptyFileAndLosesLines() {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.csvKit(CarelessReader()).run() }
        let failures = failure?.failures ?? []
        #expect(failures.contains { $0.hasPrefix("refuses an empty (0-byte) file") }, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("gives each record the line") }, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("refuses a field beyond") }, "\(failures)")
    }
}
