import Foundation
import Testing

@testable import Kvalitet

/// `--excel-safe`: texts from the input that a spreadsheet would run as a formula are written
/// with a leading `'` in the scores and rejects CSV; figures and other texts are untouched.
@Suite struct ExcelSafeTests {
    @Test func formulaLikeTextsAreNeutralised() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var csv = "respondent,municipality,service,unit,period,set,resultat-1,trivsel-1\n"
        for index in 1...5 {
            csv += "r\(index),+47 Kommune,SFO,\"=HYPERLINK(\"\"http://x\"\",\"\"klikk\"\")\",2024,sfo-foresatte,5,4\n"
        }
        csv += "r6,+47 Kommune,SFO,-enhet,2024,sfo-foresatte,@SUM(A1),4\n"
        for index in 7...11 { csv += "r\(index),+47 Kommune,SFO,-enhet,2024,sfo-foresatte,3,4\n" }
        let input = Support.write(csv, to: "in.csv", in: folder)
        let rejects = folder.appendingPathComponent("rejects.csv").path
        for safe in [false, true] {
            let (output, _, _) = try Support.score {
                $0.inputs = [input]
                $0.format = "csv"
                $0.rejects = rejects
                $0.csv = CSVStyle(excelSafe: safe)
            }
            let rows = Support.parseCSV(output)
            let unitRow = try #require(rows.first { $0[0] == "unit" && $0[3].contains("HYPERLINK") })
            #expect(unitRow[1] == (safe ? "'+47 Kommune" : "+47 Kommune"))
            #expect(unitRow[3] == (safe ? "'=HYPERLINK(\"http://x\",\"klikk\")" : "=HYPERLINK(\"http://x\",\"klikk\")"))
            #expect(rows.contains { $0[0] == "unit" && $0[3] == (safe ? "'-enhet" : "-enhet") })
            // Figures are not texts: a mean stays a number.
            let itemRow = try #require(rows.first { $0[0] == "unit" && $0[3].contains("HYPERLINK") && $0[10] == "resultat-1" })
            #expect(Double(itemRow[15]) == 5)
            let problems = Support.parseCSV(try String(contentsOfFile: rejects, encoding: .utf8))
            let invalid = try #require(problems.first { $0.last == "invalid-answer" })
            #expect(invalid[4] == (safe ? "'@SUM(A1)" : "@SUM(A1)"))
            #expect(invalid[2] == "r6")
        }
    }
}
