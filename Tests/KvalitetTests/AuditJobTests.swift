import Foundation
import Testing

@testable import Kvalitet

/// `kvalitet audit` on published scores CSVs: it finds exactly the rows an independent attacker
/// (Tests/Reference/attack_scores.py, exact Fraction rank) finds in outputs of the old rules, and
/// nothing in today's.
@Suite struct AuditJobTests {
    static func audit(_ file: URL, register: URL?) throws -> (AuditJob.Result, String) {
        var job = AuditJob()
        job.files = [file.path]
        job.registerFiles = register.map { [$0.path] } ?? []
        var out = StringOutput()
        let result = try job.run(standardOutput: &out)
        return (result, out.text)
    }

    @Test(arguments: [23, 37])
    func findsWhatTheAttackerFindsInTheOldRulesOutput(seed: Int) throws {
        let register = Support.resource("reference/case-\(seed).register.yaml")
        let expected = try String(contentsOf: Support.resource("audit/case-\(seed).old-rules.revealed.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let (result, text) = try Self.audit(Support.resource("audit/case-\(seed).old-rules.csv"), register: register)
        #expect(!expected.isEmpty)
        #expect(result.findings.map { $0.columns.joined(separator: "|") }.sorted() == expected)
        #expect(
            text.hasSuffix(
                "kvalitet audit: \(expected.count) av \(result.suppressedRows) skjulte rader kan regnes ut av de publiserte\n"))
    }

    @Test(arguments: ReferenceScoresTests.cases)
    func todaysOutputRevealsNothing(seed: Int) throws {
        let (result, _) = try Self.audit(
            Support.resource("reference/case-\(seed).expected.csv"),
            register: Support.resource("reference/case-\(seed).register.yaml"))
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

    @Test func theToolExitsWith3WhenSomethingCanBeComputed() throws {
        let register = Support.resource("reference/case-37.register.yaml").path
        let old = Support.resource("audit/case-37.old-rules.csv").path
        let now = Support.resource("reference/case-37.expected.csv").path
        let (status, _) = try FaultTests.run("'\(FaultTests.tool.path)' audit --register '\(register)' '\(old)' > /dev/null")
        #expect(status == 3)
        let clean = try FaultTests.run("'\(FaultTests.tool.path)' audit --register '\(register)' '\(now)' > /dev/null")
        #expect(clean.status == 0)
    }
}
