import Foundation
import KvalitetTesting
import Testing

@testable import Kvalitet

/// Reading Excel workbooks (`.xlsx`): cells as Excel stores them, the CSV reader's rules, the
/// same scores as the CSV a workbook was made from, and hostile workbooks refused. Fixtures are
/// made by openpyxl and LibreOffice (Tests/Reference/make_xlsx_fixtures.py).
@Suite struct XLSXReaderTests {
    struct Collecting: ResponseSink {
        var records: [ResponseRecord] = []
        var problems: [Problem] = []
        mutating func receive(_ record: ResponseRecord, from file: InputFile) throws { records.append(record) }
        mutating func report(_ problem: Problem) throws { problems.append(problem) }
    }

    static func read(_ name: String, sheet: String? = nil) throws -> Collecting {
        var sink = Collecting()
        try XLSXResponseReader(sheet: sheet).read(InputFile(url: Support.resource("xlsx/\(name)")), into: &sink)
        return sink
    }

    /// The fields a CSV export of the sheet would hold, in the header's order.
    static func fields(_ record: ResponseRecord) -> [String] {
        let keys: [String] = [record.respondent, record.municipality, record.service, record.unit, record.period, record.set]
            .map { $0 ?? "" }
        let background: String = record.background.first { $0.name == "innsendt" }?.value ?? ""
        var answers: [String] = []
        for name in ["resultat-1", "trivsel-1"] {
            let answer: ResponseRecord.Field? = record.answers.first { $0.name == name }
            answers.append(answer?.value ?? "")
        }
        return keys + [background] + answers
    }

    /// openpyxl's workbook (inline strings, dates, a boolean, a formula never computed) and
    /// LibreOffice's copy of it (shared strings; the formula computed: 5).
    @Test(arguments: ["kinds.xlsx", "kinds-shared.xlsx"])
    func cellsReadAsACSVExportHoldsThem(_ name: String) throws {
        let sink = try Self.read(name)
        var expected = Support.parseCSV(try String(contentsOf: Support.resource("xlsx/kinds.expected.csv"), encoding: .utf8))
        expected.removeFirst()
        if name == "kinds-shared.xlsx" { expected[3][7] = "5" }
        #expect(sink.records.map(Self.fields) == expected)
        #expect(sink.records.map(\.line) == [4, 5, 6, 7, 9])  // Excel's row numbers; row 8 is blank
        #expect(sink.problems.contains { $0.kind == .titleLines && $0.line == 3 })
    }

    /// The fast path for whole numbers gives what the general one gives, and only for them.
    @Test func plainWholeNumbersTakeTheShortWay() {
        for text in ["0", "5", "2024", "123456789012345"] {
            #expect(XLSXSheetParser.isPlainWholeNumber(Array(text.utf8)), "\(text)")
            #expect(XLSXText.number(text, isDate: false, date1904: false) == text)
        }
        for text in ["", "05", "00", "5.0", "-5", "+5", " 5", "1e3", "1234567890123456"] {
            #expect(!XLSXSheetParser.isPlainWholeNumber(Array(text.utf8)), "\(text)")
        }
    }

    @Test func aSheetIsChosenByName() throws {
        let sink = try Self.read("kinds.xlsx", sheet: "ansatte")
        #expect(sink.records.map(\.respondent) == ["a1"])
        let error = #expect(throws: KvalitetError.self) { try Self.read("kinds.xlsx", sheet: "Foreldre") }
        #expect(error?.message.contains("«Svar 2024», «Ansatte»") == true)
    }

    /// Each hostile or damaged workbook refused (exit 2) for its reason, naming the file.
    @Test(arguments: [
        ("bomb.xlsx", "holds more than the archive's directory says"),
        ("overlap.xlsx", "entries of the archive overlap"),
        ("doctype.xlsx", "a <!DOCTYPE> is not allowed"),
        ("external.xlsx", "refers to other files"),
        ("badstring.xlsx", "refers to a shared string that does not exist"),
        ("cut.xlsx", "not well-formed XML"),
    ])
    func hostileWorkbooksAreRefused(_ name: String, _ reason: String) throws {
        let error = #expect(throws: KvalitetError.self) { try Self.read(name) }
        #expect(error?.code == .inputRefused)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.location?.file.hasSuffix(name) == true)
    }

    /// An old .xls or a password-protected workbook (OLE files), a zip that is no workbook, and
    /// a file that is no zip at all say what they are.
    @Test func otherFilesNamedXLSXSayWhatTheyAre() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [([UInt8], String)] = [
            ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 512), "old Excel workbook (.xls)"),
            (Array("respondent,municipality\n".utf8), "not a readable zip archive"),
        ]
        for (bytes, reason) in cases {
            let path = Support.write(bytes: bytes, to: "x.xlsx", in: folder)
            var sink = Collecting()
            let error = #expect(throws: KvalitetError.self) {
                try XLSXResponseReader().read(InputFile(url: URL(fileURLWithPath: path)), into: &sink)
            }
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
        // A zip without a workbook in it (kvalitet's zip writer, one text entry).
        var zip = ZipWriter()
        var output = StringOutput()
        try zip.begin("notes.txt", to: &output)
        try zip.write(Array("hei".utf8), to: &output)
        try zip.finish(to: &output)
        let path = Support.write(bytes: output.bytes, to: "notes.xlsx", in: folder)
        var sink = Collecting()
        let error = #expect(throws: KvalitetError.self) {
            try XLSXResponseReader().read(InputFile(url: URL(fileURLWithPath: path)), into: &sink)
        }
        #expect(error?.message.contains("not an Excel workbook") == true)
    }

    @Test func excelSerialNumbersAreDates() {
        #expect(XLSXText.date(1, date1904: false) == "1900-01-01")
        #expect(XLSXText.date(59, date1904: false) == "1900-02-28")
        #expect(XLSXText.date(60, date1904: false) == "1900-02-29")  // Excel's leap day that never was
        #expect(XLSXText.date(61, date1904: false) == "1900-03-01")
        #expect(XLSXText.date(25_569, date1904: false) == "1970-01-01")
        #expect(XLSXText.date(45_352, date1904: false) == "2024-03-01")
        #expect(XLSXText.date(45_352.5, date1904: false) == "2024-03-01T12:00:00")
        #expect(XLSXText.date(0, date1904: true) == "1904-01-01")
        #expect(XLSXText.number("5", isDate: false, date1904: false) == "5")
        #expect(XLSXText.number("5.0000000000000000", isDate: false, date1904: false) == "5")
        #expect(XLSXText.number("4.5", isDate: false, date1904: false) == "4.5")
        #expect(XLSXText.number("1E+20", isDate: false, date1904: false) == "1e+20")
        #expect(XLSXBook.isDateFormat("yyyy-mm-dd"))
        #expect(XLSXBook.isDateFormat("[$-414]d. mmmm yyyy"))
        #expect(!XLSXBook.isDateFormat("0.0"))
        #expect(!XLSXBook.isDateFormat("[Red]0.00"))
        #expect(!XLSXBook.isDateFormat("\"dager\" 0"))
    }

    /// The public conformance kit, on workbooks kvalitet's own writer makes.
    @Test func xlsxReaderConforms() throws {
        try ReaderConformance(
            reader: XLSXResponseReader(maxColumns: 64), fileExtension: "xlsx", encode: Self.workbook,
            malformed: Array(try Data(contentsOf: Support.resource("xlsx/cut.xlsx"))),
            refused: [("a DOCTYPE in the sheet", Array(try Data(contentsOf: Support.resource("xlsx/doctype.xlsx"))))]
        ).run()
    }

    /// Responses as a workbook: the CSV export's columns, whole numbers as numbers.
    static func workbook(_ responses: [ReaderConformance.Response]) -> [UInt8] {
        var background: [String] = []
        for response in responses {
            for pair in response.background where !background.contains(pair[0]) { background.append(pair[0]) }
        }
        let items = responses.first?.answers.map { $0[0] } ?? []
        let header = ["respondent", "municipality", "service", "unit", "period", "set"] + background.map { "bg.\($0)" } + items
        var workbook = XLSXWorkbook()
        var output = StringOutput()
        func cell(_ text: String) -> ColumnValue { Int(text).map(ColumnValue.integer) ?? .text(text) }
        try! workbook.beginSheet("Svar", header: header, widths: header.map { _ in 10 }, to: &output)
        for response in responses {
            let values =
                [response.respondent, response.municipality, response.service, response.unit, response.period, response.set]
                + background.map { name in response.background.first { $0[0] == name }?[1] ?? "" }
                + response.answers.map { $0[1] }
            try! workbook.add(values.map(cell), to: &output)
        }
        try! workbook.finish(to: &output)
        return output.bytes
    }
}
