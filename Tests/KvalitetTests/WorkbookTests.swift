import Foundation
import Testing

@testable import Kvalitet

/// `--format xlsx`: the workbook holds the CSV's cells, as two tools that are not kvalitet's read
/// them (Tests/Reference/check_workbook.py: openpyxl cell by cell, exact doubles; LibreOffice
/// headless opening and saving it as CSV). Runs when a Python with openpyxl and LibreOffice are
/// found (KVALITET_PYTHON, KVALITET_SOFFICE); `.ci/run` installs both and sets
/// KVALITET_REQUIRE_OFFICE=1, so that in CI their absence fails instead of skipping.
@Suite struct WorkbookTests {
    static let environment = ProcessInfo.processInfo.environment
    static let required = environment["KVALITET_REQUIRE_OFFICE"] == "1"
    static let python: String? = {
        let candidates = [environment["KVALITET_PYTHON"], "/tmp/kvalitet-venv/bin/python", "/usr/bin/python3"]
        return candidates.compactMap { $0 }.first { path in
            FileManager.default.isExecutableFile(atPath: path) && (try? run(path, ["-c", "import openpyxl"]).status) == 0
        }
    }()
    static let soffice: String? = [environment["KVALITET_SOFFICE"], "/usr/bin/soffice", "/usr/bin/libreoffice"]
        .compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    static let available = (python != nil && soffice != nil) || required

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["600", executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs the independent check of `workbook` against `csv`.
    static func check(_ workbook: URL, against csv: URL) throws -> (status: Int32, output: String) {
        let script = Support.repository.appendingPathComponent("Tests/Reference/check_workbook.py").path
        return try run(python!, [script, workbook.path, csv.path, "--soffice", soffice!])
    }

    /// Writes the same run as xlsx and csv (`run` is given the format and the output path).
    static func both(
        in folder: URL, _ run: (String, String) throws -> Void
    ) throws -> (workbook: URL, csv: URL) {
        let workbook = folder.appendingPathComponent("out.xlsx")
        let csv = folder.appendingPathComponent("out.csv")
        try run("xlsx", workbook.path)
        try run("csv", csv.path)
        return (workbook, csv)
    }

    static func requireTools() -> Bool {
        if python == nil || soffice == nil {
            Issue.record("KVALITET_REQUIRE_OFFICE=1 but no Python with openpyxl or no LibreOffice (see .ci/run)")
            return false
        }
        return true
    }

    static let samples = Support.repository.appendingPathComponent("Samples")

    @Test(.enabled(if: available, "needs openpyxl and LibreOffice"))
    func scoresWorkbookHoldsTheCSVsCells() throws {
        guard Self.requireTools() else { return }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (workbook, csv) = try Self.both(in: folder) { format, path in
            _ = try Support.score {
                $0.inputs = [Self.samples.path]
                $0.registerFiles = [Self.samples.appendingPathComponent("register-eksempelvik.yaml").path]
                $0.breakdown = "trinn"
                $0.format = format
                $0.output = path
            }
        }
        let (status, output) = try Self.check(workbook, against: csv)
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok: "))

        // The check can fail: one figure of the CSV off in its last digit.
        var text = try String(contentsOf: csv, encoding: .utf8)
        let mean = try #require(text.range(of: "3.5411039161270423"))
        text.replaceSubrange(mean, with: "3.541103916127042")  // 16 digits: another double
        try Data(text.utf8).write(to: csv)
        let tampered = try Self.check(workbook, against: csv)
        #expect(tampered.status == 1 && tampered.output.contains("expected exactly 3.541103916127042"), "\(tampered.output)")
        // On both sheets: the one for people holds the same figure.
        #expect(tampered.output.contains("Oversikt row") && tampered.output.contains("Snitt: 3.5411039161270423"))
    }

    @Test(.enabled(if: available, "needs openpyxl and LibreOffice"))
    func validationWorkbookHoldsTheCSVsCells() throws {
        guard Self.requireTools() else { return }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (workbook, csv) = try Self.both(in: folder) { format, path in
            var job = ValidateJob()
            job.inputs = [Self.samples.path]
            job.format = format
            job.output = path
            var output = StringOutput()
            _ = try job.run(standardOutput: &output) { _ in }
        }
        let (status, output) = try Self.check(workbook, against: csv)
        #expect(status == 0, "\(output)")
    }

    @Test(.enabled(if: available, "needs openpyxl and LibreOffice"))
    func absenceWorkbookHoldsTheCSVsCells() throws {
        guard Self.requireTools() else { return }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (workbook, csv) = try Self.both(in: folder) { format, path in
            _ = try AbsenceTests.absence { job in
                job.inputs = [Self.samples.appendingPathComponent("fravaer/fravaer-eksempelvik.csv").path]
                job.registerFiles = [Self.samples.appendingPathComponent("register-eksempelvik.yaml").path]
                job.costsFile = Self.samples.appendingPathComponent("kostnader-eksempelvik.yaml").path
                job.format = format
                job.output = path
            }
        }
        let (status, output) = try Self.check(workbook, against: csv)
        #expect(status == 0, "\(output)")

        // The check can fail on the sheet for people: a published row's rate said suppressed.
        var lines = try String(contentsOf: csv, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.indices.first { $0 > 0 && lines[$0].contains(",false") })
        lines[index] = lines[index].replacingOccurrences(of: ",false", with: ",true")
        try Data(lines.joined(separator: "\n").utf8).write(to: csv)
        let tampered = try Self.check(workbook, against: csv)
        #expect(
            tampered.status == 1 && tampered.output.contains("Oversikt row \(index + 1): suppressed, note None"),
            "\(tampered.output)")
    }

    // MARK: - Without outside tools

    @Test func columnNamesAreExcels() {
        #expect(XLSXWorkbook.columnName(0) == "A")
        #expect(XLSXWorkbook.columnName(22) == "W")
        #expect(XLSXWorkbook.columnName(25) == "Z")
        #expect(XLSXWorkbook.columnName(26) == "AA")
        #expect(XLSXWorkbook.columnName(701) == "ZZ")
        #expect(XLSXWorkbook.columnName(702) == "AAA")
        #expect(XLSXWorkbook.columnName(16_383) == "XFD")  // Excel's last column
    }

    /// XML's own characters escaped; those XML 1.0 cannot hold as ECMA-376's `_xHHHH_`; a text
    /// that looks like such an escape keeps its `_` (as `_x005F_`), so it reads back as written.
    @Test func textsAreEscapedAsExcelReadsThem() {
        #expect(XLSXWorkbook.escaped("Bø & Sauherad <skole>") == "Bø &amp; Sauherad &lt;skole&gt;")
        #expect(XLSXWorkbook.escaped("say \"hi\"") == "say &quot;hi&quot;")
        #expect(XLSXWorkbook.escaped("\u{1B}[31mrød") == "_x001B_[31mrød")
        #expect(XLSXWorkbook.escaped("a\tb\nc") == "a\tb\nc")
        #expect(XLSXWorkbook.escaped("_x0041_ and _x12") == "_x005F_x0041_ and _x12")
        #expect(XLSXWorkbook.escaped("enhet_1") == "enhet_1")
    }

    /// More rows than a sheet holds: an error naming the limit, and nothing written in place.
    @Test func tooManyRowsIsAnErrorNotACutSheet() throws {
        var workbook = XLSXWorkbook(maxRows: 3)
        var output = StringOutput()
        try workbook.beginSheet("Resultater", header: ["a"], widths: [10], to: &output)
        try workbook.add([.integer(1)], to: &output)
        try workbook.add([.integer(2)], to: &output)
        #expect(throws: KvalitetError.self) { try workbook.add([.integer(3)], to: &output) }

        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("out.xlsx")
        try Data("before".utf8).write(to: target)
        #expect(throws: KvalitetError.self) {
            try ScoreJob.write(to: target.path, standardOutput: &output) { (out: inout AnyTextOutput) throws(KvalitetError) in
                var workbook = XLSXWorkbook(maxRows: 2)
                try workbook.beginSheet("Resultater", header: ["a"], widths: [10], to: &out)
                for value in 1...5 { try workbook.add([.integer(value)], to: &out) }
            }
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "before")
    }

    /// A workbook into an output that takes only text is refused, not written as mangled text.
    @Test func aTextOnlyOutputRefusesAWorkbook() throws {
        struct TextOnly: TextOutput {
            mutating func write(_ text: String) throws(KvalitetError) {}
        }
        var output = TextOnly()
        let result = ScoreResult(rows: [], sets: [:], summary: RunSummary())
        #expect(throws: KvalitetError.self) { try XLSXScoresWriter().write(result, language: .nb, to: &output) }
    }
}
