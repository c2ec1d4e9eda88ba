import Foundation
import Testing

@testable import Kvalitet

/// `kvalitet audit` on published scores CSVs: it finds exactly the rows an independent attacker
/// (Tests/Reference/attack_scores.py, exact Fraction rank) finds in outputs of the old rules, and
/// nothing in today's, per kind of row and across kinds.
@Suite struct AuditJobTests {
    static func audit(_ file: URL, register: URL?, minN: Int = 5) throws -> (AuditJob.Result, String) {
        var job = AuditJob()
        job.minN = minN
        job.files = [file.path]
        job.registerFiles = register.map { [$0.path] } ?? []
        var out = StringOutput()
        let result = try job.run(standardOutput: &out)
        return (result, out.text)
    }

    /// A case's `min_n`, from its set.
    static func minN(_ seed: Int) throws -> Int {
        let set = try String(contentsOf: Support.resource("reference/case-\(seed).set.yaml"), encoding: .utf8)
        let line = try #require(set.split(separator: "\n").first { $0.hasPrefix("min_n:") })
        return try #require(Int(line.dropFirst("min_n:".count).trimmingCharacters(in: .whitespaces)))
    }

    @Test(arguments: [23, 37])
    func findsWhatTheAttackerFindsInTheOldRulesOutput(seed: Int) throws {
        let register = Support.resource("reference/case-\(seed).register.yaml")
        let expected = try String(contentsOf: Support.resource("audit/case-\(seed).old-rules.revealed.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let (result, text) = try Self.audit(
            Support.resource("audit/case-\(seed).old-rules.csv"), register: register, minN: try Self.minN(seed))
        #expect(!expected.isEmpty)
        // Some only across kinds (a dimension's counts are its items' sums).
        #expect(result.findings.contains { $0.how.hasPrefix("= følger av publiserte rader av andre slag") })
        #expect(result.findings.map { $0.columns.joined(separator: "|") }.sorted() == expected)
        #expect(
            text.hasSuffix(
                "kvalitet audit: \(expected.count) av \(result.suppressedRows) skjulte rader kan regnes ut av de publiserte\n"))
    }

    @Test(arguments: ReferenceScoresTests.cases)
    func todaysOutputRevealsNothing(seed: Int) throws {
        let (result, _) = try Self.audit(
            Support.resource("reference/case-\(seed).expected.csv"),
            register: Support.resource("reference/case-\(seed).register.yaml"), minN: try Self.minN(seed))
        #expect(result.findings.isEmpty)
        #expect(result.suppressedRows > 0)
    }

    /// By hand: the two municipalities of issue #13 under the old rules (only M2 hidden).
    @Test func namesTheRowsAndSigns() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let header =
            "level,municipality,service,unit,subproject,breakdown,breakdown_value,period,set,dimension,item,respondents,invited,response_rate,n,mean,sd,ci_low,ci_high,positive_share,dont_know,unanswered,suppressed\n"
        let csv =
            header
            + "all,,,,,,,2024,t,,,43,,,43,3.686,,,,0.5,0,0,false\n"
            + "municipality,M1,,,,,,2024,t,,,40,,,40,3.8875,,,,0.5,0,0,false\n"
            + "municipality,M2,,,,,,2024,t,,,3,,,,,,,,,,,true\n"
            + "unit,M1,S,a,,,,2024,t,,,40,,,40,3.8875,,,,0.5,0,0,false\n"
            + "unit,M2,S,b,,,,2024,t,,,3,,,,,,,,,,,true\n"
        let path = Support.write(csv, to: "scores.csv", in: folder)
        let (result, text) = try Self.audit(URL(fileURLWithPath: path), register: nil)
        #expect(result.findings.map(\.row) == ["Kommune M2 (2024, t)", "Enhet b, S (M2) (2024, t)"])
        #expect(
            result.findings.map(\.how) == ["= 1 × (alle svar − de andre kommunene)", "= 1 × (alle svar − de andre kommunene)"])
        #expect(text.hasSuffix("kvalitet audit: 2 av 2 skjulte rader kan regnes ut av de publiserte\n"))
    }

    /// By hand: item i1 is hidden for its own n in every group of one unit, its dimension d and
    /// sibling i2 are published, so d − i2 gives i1's counts in each of them (the total is hidden
    /// too, or total − d would give nothing new: it has one dimension).
    @Test func findsAnItemItsDimensionAndSiblingGive() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var csv =
            "level,municipality,service,unit,subproject,breakdown,breakdown_value,period,set,dimension,item,respondents,n,suppressed\n"
        let groups = ["all,,,", "municipality,M,,", "service,M,S,", "unit,M,S,a"]
        for group in groups {
            for (kind, suppressed) in [(",", true), ("d,", false), ("d,i1", true), ("d,i2", false)] {
                csv += "\(group),,,,2024,t,\(kind),12,,\(suppressed)\n"
            }
        }
        let path = Support.write(csv, to: "scores.csv", in: folder)
        let (result, text) = try Self.audit(URL(fileURLWithPath: path), register: nil)
        #expect(
            result.findings.map(\.row) == [
                "Alle svar (2024, t, d, i1)", "Kommune M (2024, t, d, i1)", "Tjeneste S (M) (2024, t, d, i1)",
                "Enhet a, S (M) (2024, t, d, i1)",
            ])
        #expect(result.findings.allSatisfy { $0.how.hasPrefix("= følger av publiserte rader av andre slag") })
        #expect(text.hasSuffix("kvalitet audit: 4 av 8 skjulte rader kan regnes ut av de publiserte\n"))
        // Published total: total − d − i2 is still nothing, and d − i2 is i1 all the same.
        let (again, _) = try Self.audit(
            URL(
                fileURLWithPath: Support.write(
                    csv.replacingOccurrences(of: ",,12,,true", with: ",,12,,false"), to: "b.csv", in: folder)),
            register: nil)
        #expect(again.findings.count == 4)
    }

    @Test func theToolExitsWith3WhenSomethingCanBeComputed() throws {
        let register = Support.resource("reference/case-37.register.yaml").path
        let old = Support.resource("audit/case-37.old-rules.csv").path
        let now = Support.resource("reference/case-37.expected.csv").path
        let (status, _) = try FaultTests.run(
            "'\(FaultTests.tool.path)' audit --min-n 3 --register '\(register)' '\(old)' > /dev/null")
        #expect(status == 3)
        let clean = try FaultTests.run("'\(FaultTests.tool.path)' audit --min-n 3 --register '\(register)' '\(now)' > /dev/null")
        #expect(clean.status == 0)
    }
}
