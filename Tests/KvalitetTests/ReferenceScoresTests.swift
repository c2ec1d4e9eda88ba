import Foundation
import Testing

@testable import Kvalitet

/// End to end against the independent reference (Tests/Reference/score_reference.py, numpy and
/// scipy) on datasets of random structure: every row of FORMAT.md §5 to 1e-9, for the same
/// responses given as UTF-8 CSV, as ';'-separated Windows-1252 CSV, as XML, and as an Excel
/// workbook made from the CSV by openpyxl (inline strings) and saved again by LibreOffice (shared
/// strings; Tests/Reference/make_xlsx_fixtures.py), and as SPSS files made by pyreadstat (.sav with
/// units coded and labelled, .zsav; Tests/Reference/make_sav_fixtures.py), and as Triple-S
/// (Tests/Reference/make_sss_fixtures.py, written by the specification).
@Suite struct ReferenceScoresTests {
    static let cases = [11, 23, 37, 41, 59, 71, 83]

    enum Variant: String, CaseIterable {
        case csv, windows1252, xml, xlsx, xlsxShared, sav, zsav, tripleS
    }

    static func inputs(_ name: String, _ variant: Variant) -> [String] {
        let folder = Support.resource("reference")
        switch variant {
        case .csv: return [folder.appendingPathComponent("\(name).csv").path]
        case .windows1252: return [folder.appendingPathComponent("\(name).cp1252.csv").path]
        case .xlsx: return [folder.appendingPathComponent("\(name).xlsx").path]
        case .xlsxShared: return [folder.appendingPathComponent("\(name).shared.xlsx").path]
        case .sav: return [folder.appendingPathComponent("\(name).sav").path]
        case .zsav: return [folder.appendingPathComponent("\(name).zsav").path]
        case .tripleS: return [folder.appendingPathComponent("\(name).sss").path]
        case .xml:
            let files = try! FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasPrefix("\(name).xml.") }.sorted()
            return files.map { folder.appendingPathComponent($0).path }
        }
    }

    /// Scores one reference case as the tool would: its set in a folder of its own, its register,
    /// breakdown by the variable "gruppe".
    static func score(_ seed: Int, _ variant: Variant) throws -> String {
        let name = "case-\(seed)"
        let folder = Support.resource("reference")
        let sets = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: sets) }
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("\(name).set.yaml"),
            to: sets.appendingPathComponent("\(name).yaml"))
        return try Support.score { job in
            job.setDirectories = [sets.path]
            job.registerFiles = [folder.appendingPathComponent("\(name).register.yaml").path]
            job.breakdown = "gruppe"
            job.format = "csv"
            job.inputs = inputs(name, variant)
        }.output
    }

    @Test(arguments: cases, Variant.allCases)
    func matchesReference(seed: Int, variant: Variant) throws {
        let expected = try String(contentsOf: Support.resource("reference/case-\(seed).expected.csv"), encoding: .utf8)
        Support.expectSameScores(try Self.score(seed, variant), expected)
    }

    /// The three forms of one dataset give byte-identical scores (exact tallies: no order effects).
    @Test(arguments: cases)
    func formatsGiveIdenticalOutput(seed: Int) throws {
        let outputs = try Variant.allCases.map { try Self.score(seed, $0) }
        for output in outputs.dropFirst() { #expect(output == outputs[0]) }
    }
}
