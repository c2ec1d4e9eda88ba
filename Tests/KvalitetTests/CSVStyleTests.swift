import Foundation
import Testing

@testable import Kvalitet

/// `--csv-style excel-nb`: `;`, decimal commas, a UTF-8 byte order mark and CRLF, so Norwegian
/// Excel opens a double-clicked file right; the cells are the standard style's, nothing else.
@Suite struct CSVStyleTests {
    /// Six parents answer resultat-1 with 4, 5, 4, 5, 5, 4: mean 27/6 = 4.5, sd √(1.5/5) = √0.3.
    static func input(in folder: URL) -> String {
        var csv = "respondent,municipality,service,unit,period,set,resultat-1\n"
        for (index, answer) in [4, 5, 4, 5, 5, 4].enumerated() {
            csv += "r\(index + 1),9999 Eksempelvik,SFO,\"Lia; avd. 2\",2024,sfo-foresatte,\(answer)\n"
        }
        csv += "r7,9999 Eksempelvik,SFO,\"Lia; avd. 2\",2024,sfo-foresatte,5;0\n"  // not an answer
        return Support.write(csv, to: "in.csv", in: folder)
    }

    static func run(_ style: CSVStyle, in folder: URL) throws -> (scores: String, rejects: String) {
        let input = input(in: folder)
        let rejects = folder.appendingPathComponent("rejects-\(style.dialect.rawValue).csv").path
        let (output, _, _) = try Support.score {
            $0.inputs = [input]
            $0.format = "csv"
            $0.rejects = rejects
            $0.csv = style
        }
        // As bytes: Foundation's UTF-8 decoding would drop the byte order mark.
        return (output, String(decoding: try Data(contentsOf: URL(fileURLWithPath: rejects)), as: UTF8.self))
    }

    @Test func excelNBHasSemicolonsDecimalCommasABOMAndCRLF() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (scores, rejects) = try Self.run(CSVStyle(.excelNB), in: folder)
        for text in [scores, rejects] {
            #expect(text.unicodeScalars.first == "\u{FEFF}")
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        }
        let rows = Support.parseCSV(String(scores.dropFirst()).replacingOccurrences(of: "\r\n", with: "\n"), separator: ";")
        #expect(rows[0] == ScoreRow.columnNames)
        #expect(rows.allSatisfy { $0.count == ScoreRow.columnNames.count })
        let item = try #require(rows.first { $0[0] == "unit" && $0[10] == "resultat-1" })
        #expect(item[3] == "Lia; avd. 2")
        #expect(item[14] == "6")
        #expect(item[15] == "4,5")
        #expect(item[16] == "0,5477225575051661")  // √0.3, in full precision
        #expect(scores.contains("\"Lia; avd. 2\""))
        let problems = Support.parseCSV(String(rejects.dropFirst()).replacingOccurrences(of: "\r\n", with: "\n"), separator: ";")
        #expect(problems[0] == ProblemLog.columnNames)
        #expect(problems.contains { $0[2] == "r7" && $0[4] == "5;0" && $0[5] == "invalid-answer" })
    }

    /// Every cell of the excel-nb file is the standard file's, with a decimal comma in numbers.
    static func expectSameCells(standard: String, excelNB: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let plain = Support.parseCSV(standard)
        #expect(excelNB.hasPrefix("\u{FEFF}"), sourceLocation: sourceLocation)
        let nb = Support.parseCSV(
            String(excelNB.dropFirst()).replacingOccurrences(of: "\r\n", with: "\n"), separator: ";")
        #expect(plain.count == nb.count && plain.count > 10, sourceLocation: sourceLocation)
        for (plainRow, nbRow) in zip(plain, nb) {
            #expect(plainRow.count == nbRow.count, sourceLocation: sourceLocation)
            for (a, b) in zip(plainRow, nbRow) {
                let expected = Double(a) == nil ? a : a.replacingOccurrences(of: ".", with: ",")
                #expect(expected == b, "\(a) \(b)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func excelNBCellsAreTheStandardCells() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        Self.expectSameCells(
            standard: try Self.run(.standard, in: folder).scores, excelNB: try Self.run(CSVStyle(.excelNB), in: folder).scores)
    }

    /// The sick-leave rates (written on both cores by a path of their own) with the cost columns.
    @Test func absenceRatesInExcelNB() throws {
        let samples = Support.repository.appendingPathComponent("Samples")
        func rates(_ style: CSVStyle) throws -> String {
            try AbsenceTests.absence { job in
                job.inputs = [samples.appendingPathComponent("fravaer/fravaer-eksempelvik.csv").path]
                job.registerFiles = [samples.appendingPathComponent("register-eksempelvik.yaml").path]
                job.costsFile = samples.appendingPathComponent("kostnader-eksempelvik.yaml").path
                job.csv = style
            }.output
        }
        Self.expectSameCells(standard: try rates(.standard), excelNB: try rates(CSVStyle(.excelNB)))
    }

    /// A scores file written as excel-nb in an input folder is kvalitet's own output: skipped.
    @Test func anExcelNBOutputInTheInputFolderIsSkipped() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scores = try Self.run(CSVStyle(.excelNB), in: folder).scores
        _ = Support.write(scores, to: "scores.csv", in: folder)
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("rejects-excel-nb.csv"))
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("rejects-standard.csv"))
        let (_, errors, result) = try Support.score {
            $0.inputs = [folder.path]
            $0.format = "csv"
        }
        #expect(result.summary.read == 7)
        #expect(errors.contains("scores.csv"))
    }
}
