import Foundation
import Testing

@testable import Kvalitet

/// The SFO and employee samples as an Excel workbook (saved by LibreOffice), as SPSS files
/// (pyreadstat; the employee sample's units coded with labels) and as Triple-S (written by the
/// specification) give the CSV files' scores and summary byte for byte, and the same rejects but
/// for the file's name and line (a workbook's line is its row, an SPSS case's its CSV line, a
/// Triple-S record's its data line; the CSV's lines count the breaks in its free-text answers).
@Suite struct SampleFormatsTests {
    static let samples = Support.repository.appendingPathComponent("Samples")

    static func run(_ inputs: [String], rejects: String) throws -> (scores: String, rejects: [[String]], summary: String) {
        let (output, errors, _) = try Support.score {
            $0.inputs = inputs
            $0.registerFiles = [samples.appendingPathComponent("register-eksempelvik.yaml").path]
            $0.format = "csv"
            $0.rejects = rejects
        }
        // Each reject without its file's folder and extension and without its line.
        let rows = Support.parseCSV(try String(contentsOfFile: rejects, encoding: .utf8)).map { row in
            [((row[0] as NSString).lastPathComponent as NSString).deletingPathExtension] + row.dropFirst(2)
        }
        return (output, rows, errors)
    }

    @Test(arguments: ["excel", "spss", "triple-s"])
    func samplesScoreAsTheirCSV(_ folder: String) throws {
        let temporary = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: temporary) }
        let names = ["sfo-foresatte-eksempelvik", "medarbeidere-eksempelvik"]
        let csv = try Self.run(
            names.map { Self.samples.appendingPathComponent("\($0).csv").path },
            rejects: temporary.appendingPathComponent("a.csv").path)
        let other = try Self.run(
            [Self.samples.appendingPathComponent(folder).path], rejects: temporary.appendingPathComponent("b.csv").path)
        #expect(other.scores == csv.scores)
        #expect(other.summary == csv.summary)
        // A Triple-S file's names are metadata, not a line: its unknown column is said at a record.
        let strip: ([String]) -> [String] = {
            folder == "triple-s" && $0.last == "unknown-column" ? [$0[0], $0[2], $0[3], $0[4]] : $0
        }
        #expect(other.rejects.map(strip) == csv.rejects.map(strip))
    }
}
