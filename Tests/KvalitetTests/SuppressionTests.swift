import Foundation
import Testing

@testable import Kvalitet

/// Primary and complementary suppression (FORMAT.md §5), and the sub-project rule (Docs/Suppression.md).
@Suite struct SuppressionTests {
    func unit(_ service: String, _ unit: String) -> GroupKey {
        GroupKey(level: .unit, municipality: "M", service: service, unit: unit)
    }
    let municipality = GroupKey(level: .municipality, municipality: "M")
    func service(_ name: String) -> GroupKey { GroupKey(level: .service, municipality: "M", service: name) }

    @Test func primaryOnlyBelowMinN() {
        let counts: [GroupKey: Int] = [GroupKey(level: .all): 2, municipality: 2, service("S"): 2, unit("S", "a"): 2]
        let hidden = ScoreBuilder.suppressedGroups(counts, minN: 5)
        // `all` is suppressed like any group (FORMAT.md §5): with one municipality it is that one.
        #expect(hidden == [GroupKey(level: .all), municipality, service("S"), unit("S", "a")])
        #expect(ScoreBuilder.suppressedGroups([unit("S", "a"): 5], minN: 5).isEmpty)
    }

    @Test func oneSmallUnitTakesTheSmallestSiblingWithIt() {
        let counts: [GroupKey: Int] = [
            municipality: 40, service("S"): 40, unit("S", "a"): 3, unit("S", "b"): 20, unit("S", "c"): 9, unit("S", "d"): 8,
        ]
        #expect(ScoreBuilder.suppressedGroups(counts, minN: 5) == [unit("S", "a"), unit("S", "d")])
    }

    @Test func tiesGoToTheSmallestID() {
        let counts: [GroupKey: Int] = [
            municipality: 23, service("S"): 23, unit("S", "a"): 3, unit("S", "z"): 10, unit("S", "y"): 10,
        ]
        #expect(ScoreBuilder.suppressedGroups(counts, minN: 5) == [unit("S", "a"), unit("S", "y")])
    }

    @Test func twoSmallUnitsProtectEachOther() {
        let counts: [GroupKey: Int] = [
            municipality: 26, service("S"): 26, unit("S", "a"): 3, unit("S", "b"): 3, unit("S", "c"): 20,
        ]
        #expect(ScoreBuilder.suppressedGroups(counts, minN: 5) == [unit("S", "a"), unit("S", "b")])
    }

    @Test func noComplementWhenTheParentIsSuppressed() {
        let counts: [GroupKey: Int] = [
            municipality: 30, service("S"): 4, unit("S", "a"): 1, unit("S", "b"): 3,
            service("T"): 26, unit("T", "c"): 26,
        ]
        // S is primary: its units need no complement; among the services, S is the only small one,
        // so T (the smallest other service) is suppressed with it.
        #expect(ScoreBuilder.suppressedGroups(counts, minN: 5) == [service("S"), unit("S", "a"), unit("S", "b"), service("T")])
    }

    @Test func breakdownValuesFollowTheSameRule() {
        let value = { (v: String) in GroupKey(level: .municipality, municipality: "M", breakdown: "kjonn", breakdownValue: v) }
        let counts: [GroupKey: Int] = [municipality: 30, value("kvinne"): 20, value("mann"): 8, value(""): 2]
        #expect(ScoreBuilder.suppressedGroups(counts, minN: 5) == [value(""), value("mann")])
    }

    @Test func aSubProjectHoldingExactlyOneHiddenUnitIsHidden() {
        let sub = GroupKey(level: .subproject, municipality: "M", subproject: "p")
        let counts: [GroupKey: Int] = [
            municipality: 13, service("S"): 13, unit("S", "a"): 6, unit("S", "b"): 5,
            unit("S", "c"): 2, sub: 11,
        ]
        // c is primary, b complementary; p = a + b would reveal b, and with it c.
        let hidden = ScoreBuilder.suppressedGroups(counts, subprojectUnits: [sub: [["M", "S", "a"], ["M", "S", "b"]]], minN: 3)
        #expect(hidden == [unit("S", "c"), unit("S", "b"), sub])
        // Holding both hidden units reveals only their sum, as the service already does.
        let both = ScoreBuilder.suppressedGroups(
            counts,
            subprojectUnits: [sub: [["M", "S", "a"], ["M", "S", "b"], ["M", "S", "c"]]], minN: 3)
        #expect(!both.contains(sub))
    }

    /// Through the whole pipeline: suppressed rows carry `respondents` and nothing else.
    @Test func suppressedRowsRevealNothingButRespondents() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var csv = "respondent,municipality,service,unit,period,set"
        let items = ["medvirkning-1", "medvirkning-2", "medvirkning-3"]
        csv += "," + items.joined(separator: ",") + "\n"
        var serial = 0
        for (unit, count) in [("stor", 12), ("middels", 7), ("liten", 2)] {
            for _ in 0..<count {
                serial += 1
                csv += "r\(serial),M,SFO,\(unit),2024,sfo-foresatte,5,4,vet ikke\n"
            }
        }
        let path = Support.write(csv, to: "s.csv", in: folder)
        let run = try Support.score { job in
            job.format = "csv"
            job.inputs = [path]
        }
        let rows = Support.parseCSV(run.output)
        let header = rows[0]
        func column(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        let figureColumns = ["n", "mean", "sd", "ci_low", "ci_high", "positive_share", "dont_know", "unanswered"]
        var hiddenUnits: Set<String> = []
        for row in rows.dropFirst() where column(row, "suppressed") == "true" {
            for name in figureColumns { #expect(column(row, name).isEmpty, "\(name) of a suppressed row") }
            #expect(!column(row, "respondents").isEmpty)
            if column(row, "dimension").isEmpty { hiddenUnits.insert(column(row, "unit")) }  // whole groups
        }
        #expect(hiddenUnits == ["liten", "middels"])
        // Item medvirkning-3 has only "vet ikke" (n = 0 < 5): its rows are suppressed in every group, `all` too.
        let item = rows.dropFirst().filter { column($0, "item") == "medvirkning-3" }
        #expect(!item.isEmpty && item.allSatisfy { column($0, "suppressed") == "true" })
    }

    /// Rule 4: a published total averages only the published dimension means.
    @Test func totalLeavesSuppressedDimensionsOut() throws {
        var two = TestSet(id: "two", [("a", ["a1"]), ("b", ["b1"])])
        two.minN = 3
        let rows = try two.score(
            "respondent,municipality,service,unit,period,a1,b1\n"
                + "r1,M,S,u,2024,4,1\nr2,M,S,u,2024,5,\nr3,M,S,u,2024,6,\n"
        ).rows
        func total(_ level: ScoreLevel) -> ScoreRow? { rows.first { $0.group.level == level && $0.dimension.isEmpty } }
        // all (the same three people): B is suppressed there too → A's mean alone, 5.
        #expect(total(.all)?.mean == 5)
        // unit: 3 respondents, B has n = 1 < 3 and is suppressed → the total is A's mean alone, 5.
        #expect(rows.first { $0.group.level == .unit && $0.dimension == "b" }?.suppressed == true)
        #expect(total(.unit)?.mean == 5)
        #expect(total(.unit)?.suppressed == false)
    }
}
