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

    /// Rule 4: a published total averages only the published dimension means. Dimension b is
    /// hidden for its own n (a score needs both items: r2 and r3 only, 2 < 3) while its items are
    /// published (3 answers each), so no hidden count lies under the total (the audit across kinds
    /// has nothing to protect) and the total is A's mean alone: (4 + 5 + 6 + 5)/4 = 5.
    @Test func totalLeavesSuppressedDimensionsOut() throws {
        var two = TestSet(id: "two", [("a", ["a1"]), ("b", ["b1", "b2"])])
        two.minN = 3
        two.minAnswered = 1
        let rows = try two.score(
            "respondent,municipality,service,unit,period,a1,b1,b2\n"
                + "r1,M,S,u,2024,4,3,\nr2,M,S,u,2024,5,4,2\nr3,M,S,u,2024,6,5,3\nr4,M,S,u,2024,5,,4\n"
        ).rows
        func total(_ level: ScoreLevel) -> ScoreRow? { rows.first { $0.group.level == level && $0.dimension.isEmpty } }
        for level in [ScoreLevel.all, .unit] {
            #expect(rows.first { $0.group.level == level && $0.dimension == "b" && $0.item.isEmpty }?.suppressed == true)
            #expect(rows.first { $0.group.level == level && $0.item == "b2" }?.suppressed == false)
            #expect(total(level)?.suppressed == false)
            #expect(total(level)?.mean == 5)
        }
    }

    /// Across kinds (FORMAT.md §5, Docs/Suppression.md): a unit of 10 whose item i1 has 3 answers
    /// and 7 "vet ikke" had i1 hidden, but its dimension's "vet ikke" (7) less i2's (0) gave i1's
    /// 7, and n = 10 − 7 − 0 = 3. Now a sibling item goes with it, and neither can be rebuilt.
    @Test func anItemRowBesideItsDimension() throws {
        var set = TestSet(id: "t", [("d", ["i1", "i2"])])
        set.minN = 5
        var csv = "respondent,municipality,service,unit,period,i1,i2\n"
        for r in 0..<10 { csv += "a\(r),M,S,a,2024,\(r < 3 ? "6" : "vet ikke"),4\n" }
        for r in 0..<12 { csv += "b\(r),M,S,b,2024,5,4\n" }
        let rows = try set.score(csv).rows
        func row(_ unit: String, _ item: String) -> ScoreRow? {
            rows.first { $0.group.level == .unit && $0.group.unit == unit && $0.item == item && !$0.dimension.isEmpty }
        }
        #expect(row("a", "i1")?.suppressed == true)
        // The old leak: the dimension row and i2 published beside the hidden i1.
        let dimension = rows.first { $0.group.level == .unit && $0.group.unit == "a" && $0.dimension == "d" && $0.item.isEmpty }
        #expect(dimension?.suppressed == false)
        #expect(row("a", "i2")?.suppressed == true)
    }
}
