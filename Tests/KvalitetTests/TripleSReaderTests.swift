import Foundation
import KvalitetTesting
import Testing

@testable import Kvalitet

/// Triple-S (metadata `.sss` with fixed-width or CSV data) on the specification's examples and
/// real exports (Tests/KvalitetTests/Resources/triple-s, from ../shared/triple-s), against what
/// two other readers made of them (triple-s-survey 0.3.1, R sss 0.2.2) where they are right, and
/// by hand where they are not (see that folder's README).
@Suite struct TripleSReaderTests {
    /// Columns the examples lack, given one value for the whole file.
    static func mapping(_ extra: [String: String] = [:], constants: [String: String] = [:]) -> TripleSMapping {
        var mapping = TripleSMapping()
        mapping.variables = extra.mapValues { $0.lowercased() }
        let defaults = ["municipality": "M", "service": "S", "unit": "u", "period": "2005"]
        for (column, value) in defaults.merging(constants, uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key })
        where extra[column] == nil {
            mapping.constants.append((column, value))
        }
        return mapping
    }

    static func read(_ path: String, _ mapping: TripleSMapping = mapping()) throws -> [ResponseRecord] {
        var sink = XLSXReaderTests.Collecting()
        try TripleSResponseReader(mapping: mapping).read(InputFile(url: Support.resource("triple-s/\(path)")), into: &sink)
        return sink.records
    }

    /// A record's values by variable name (the respondent under the serial's name).
    static func values(_ record: ResponseRecord, serial: String?) -> [String: String] {
        var values: [String: String] = [:]
        for answer in record.answers { values[answer.name] = answer.value }
        if let serial { values[serial] = record.respondent ?? "" }
        return values
    }

    /// triple-s-survey's JSON value as the text kvalitet gives: numbers as written in the data
    /// (compared as numbers), lists of codes joined by ";", booleans 1/0, texts trimmed.
    static func expectSame(
        _ got: [String: String], _ expected: [String: Any], sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        for (name, value) in expected {
            let text = got[name] ?? "<missing>"
            switch value {
            case let list as [Any]:
                #expect(text == list.map { "\($0)" }.joined(separator: ";"), "\(name)", sourceLocation: sourceLocation)
            case let flag as Bool: #expect(text == (flag ? "1" : "0"), "\(name)", sourceLocation: sourceLocation)
            case let number as NSNumber:
                #expect(Double(text) == number.doubleValue, "\(name): \(text)", sourceLocation: sourceLocation)
            case let string as String: #expect(text == string.trimmingSpaces, "\(name)", sourceLocation: sourceLocation)
            default: #expect(text == "", "\(name) is null: \(text)", sourceLocation: sourceLocation)
            }
        }
    }

    static func expected(_ path: String) throws -> [[String: Any]] {
        try String(contentsOf: Support.resource("triple-s/\(path)"), encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// The specification's example 1 (fixed width) and 2 (CSV, fields out of order, quoted
    /// bitstrings) hold the same three records; triple-s-survey reads both right. By hand, the
    /// first record: Q3 "101010001" is codes 1, 3, 5, 9; Q5 "51" (two subfields) 1 and 5; Q6 " 25"
    /// 25; Q8 (position 68) "A"; WT " 1.1310" (1.131). The second's Q8 is blank.
    @Test(arguments: ["spec-v20-example1-fixed/example1", "spec-v20-example2-csv/example2"])
    func specificationExamples(_ name: String) throws {
        let records = try Self.read("\(name).sss")
        let expected = try Self.expected(
            name.replacingOccurrences(of: "/example", with: "/expected_triple-s-survey-0.3.1_example") + ".jsonl")
        #expect(records.count == expected.count)
        for (record, want) in zip(records, expected) { Self.expectSame(Self.values(record, serial: "RESPONDENT_ID"), want) }
        let first = Self.values(records[0], serial: "RESPONDENT_ID")
        #expect(first["Q3"] == "1;3;5;9" && first["Q5"] == "1;5" && first["Q6"] == "25" && first["Q8"] == "A")
        #expect(first["Q1.a"] == "2005-05-04" && first["Q1.b"] == "11:20:00" && first["WT"] == "1.131")
        #expect(Self.values(records[1], serial: "RESPONDENT_ID")["Q8"] ?? "" == "")
        #expect(records.map(\.line) == (name.hasSuffix("2") ? [2, 3, 4] : [1, 2, 3]))
    }

    /// Version 1.2 (no serial variable: the respondent comes from the mapping).
    @Test func version12() throws {
        let records = try Self.read("spec-v12-sp5201-rsss/sample-1.sss", Self.mapping(constants: ["respondent": "x"]))
        let expected = try Self.expected("spec-v12-sp5201-rsss/expected_triple-s-survey-0.3.1_sample-1.jsonl")
        #expect(records.count == 3)
        for (record, want) in zip(records, expected) { Self.expectSame(Self.values(record, serial: nil), want) }
    }

    /// UTF-16 metadata with an absolute Windows `href` (the data lies beside it under its own
    /// name): keys given labels. R's sss makes an undeclared code NA; kvalitet keeps the code.
    @Test(arguments: ["utf16-v20-fixed-sample4/sample-4", "utf16-v20-fixed-sample5-undeclared-code/sample-5"])
    func utf16Metadata(_ name: String) throws {
        let records = try Self.read(
            "\(name).sss", Self.mapping(["unit": "weekday", "service": "typtel"], constants: ["respondent": ""]))
        let rows = Support.parseCSV(
            try String(
                contentsOf: Support.resource(
                    "triple-s/\(name.replacingOccurrences(of: "/sample", with: "/expected_R-sss-0.2.2_sample")).csv"),
                encoding: .utf8)
        ).dropFirst()
        #expect(records.count == 10)
        for (record, row) in zip(records, rows) {
            #expect(record.unit == row[1])
            #expect(record.service == (row[2] == "NA" ? "3" : row[2]))
            #expect(Int(record.answers.first { $0.name == "foyer" }?.value ?? "") == Int(row[0]))
        }
    }

    /// A real LimeSurvey export: 98 records of 200 variables; `id` is the respondent.
    @Test func limeSurveyExport() throws {
        let records = try Self.read("limesurvey-v20-fixed/sample-3.sss")
        let rows = Support.parseCSV(
            try String(
                contentsOf: Support.resource("triple-s/limesurvey-v20-fixed/expected_R-sss-0.2.2_sample-3.csv"), encoding: .utf8))
        let header = rows[0]
        #expect(records.count == 98 && rows.count == 99)
        let lastpage = header.firstIndex(of: "lastpage")!
        for (record, row) in zip(records, rows.dropFirst()) {
            #expect(record.respondent == row[0])
            #expect((record.answers.first { $0.name == "lastpage" }?.value ?? "") == (row[lastpage] == "NA" ? "" : row[lastpage]))
        }
    }

    @Test func hierarchiesAndMissingDataAreRefused() throws {
        let error = #expect(throws: KvalitetError.self) { try Self.read("spec-v20-hierarchy/hierarchyDefinition.sss") }
        #expect(error?.message.contains("hierarchy") == true)
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let metadata = try Data(contentsOf: Support.resource("triple-s/spec-v20-example1-fixed/example1.sss"))
        try metadata.write(to: folder.appendingPathComponent("alone.sss"))
        var sink = XLSXReaderTests.Collecting()
        let missing = #expect(throws: KvalitetError.self) {
            try TripleSResponseReader(mapping: Self.mapping()).read(
                InputFile(url: folder.appendingPathComponent("alone.sss")), into: &sink)
        }
        #expect(missing?.message.contains("data file is missing") == true)
        // An entity declared in the metadata refuses it (the DTD named by the DOCTYPE is never read).
        let hostile = String(decoding: metadata, as: UTF8.self).replacingOccurrences(
            of: "\"http://www.triple-s.org/dtd/sss_v20.dtd\">",
            with: "\"http://www.triple-s.org/dtd/sss_v20.dtd\" [<!ENTITY x \"y\">]>")
        try Data(hostile.utf8).write(to: folder.appendingPathComponent("hostile.sss"))
        try Data(contentsOf: Support.resource("triple-s/spec-v20-example1-fixed/example1.asc")).write(
            to: folder.appendingPathComponent("hostile.asc"))
        let refused = #expect(throws: KvalitetError.self) {
            try TripleSResponseReader(mapping: Self.mapping()).read(
                InputFile(url: folder.appendingPathComponent("hostile.sss")), into: &sink)
        }
        #expect(refused?.message.contains("entity declarations are not allowed") == true, "\(refused?.message ?? "")")
    }

    /// In a folder, the data file beside `x.sss` is its companion, never read as a CSV of its own.
    @Test func theDataFileIsTheMetadatasCompanion() {
        let reader = TripleSResponseReader()
        #expect(reader.companions(of: "example2.sss", in: ["example2.sss", "example2.csv", "other.csv"]) == ["example2.csv"])
        #expect(reader.companions(of: "example2.csv", in: ["example2.sss", "example2.csv"]) == nil)
    }
}

extension TripleSReaderTests {
    typealias Response = ReaderConformance.Response

    /// The public conformance kit: metadata and fixed-width data written by the specification.
    @Test func tripleSReaderConforms() throws {
        let kit = ReaderConformance(
            reader: TripleSResponseReader(dontKnowWords: ["vet ikke"]), fileExtension: "sss",
            encode: { Self.layout($0).metadata },
            malformed: Array("<?xml version=\"1.0\"?>\n<sss version=\"2.0\"><survey><record ident=\"A\">\n<variable".utf8),
            refused: [
                (
                    "a hierarchy file",
                    Array(try Data(contentsOf: Support.resource("triple-s/spec-v20-hierarchy/hierarchyDefinition.sss")))
                )
            ],
            companion: ("asc", { Self.layout($0).data }))
        try kit.run()
    }

    /// Responses as Triple-S 2.0: every field a `character` variable as wide as its longest value.
    static func layout(_ responses: [Response]) -> (metadata: [UInt8], data: [UInt8]) {
        var background: [String] = []
        for response in responses {
            for pair in response.background where !background.contains(pair[0]) { background.append(pair[0]) }
        }
        let items = responses.first?.answers.map { $0[0] } ?? []
        let names = ["respondent", "municipality", "service", "unit", "period", "set"] + background.map { "bg.\($0)" } + items
        let rows = responses.map { response in
            [response.respondent, response.municipality, response.service, response.unit, response.period, response.set]
                + background.map { name in response.background.first { $0[0] == name }?[1] ?? "" }
                + response.answers.map { $0[1] }
        }
        let widths = names.indices.map { column in max(1, rows.map { $0[column].count }.max() ?? 1) }
        var metadata = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sss version=\"2.0\"><survey><record ident=\"A\">\n"
        var start = 1
        for (index, name) in names.enumerated() {
            metadata += "<variable ident=\"\(index + 1)\" type=\"character\"><name>\(name)</name>"
            metadata += "<position start=\"\(start)\" finish=\"\(start + widths[index] - 1)\"/></variable>\n"
            start += widths[index]
        }
        metadata += "</record></survey></sss>\n"
        let data =
            rows.map { row in
                zip(row, widths).map { value, width in value.padding(toLength: width, withPad: " ", startingAt: 0) }.joined()
            }.joined(separator: "\n") + "\n"
        return (Array(metadata.utf8), Array(data.utf8))
    }
}
