import Foundation
import Testing

@testable import Kvalitet

/// Small cases computed by hand (the derivations are in the comments).
@Suite struct ScoringTests {
    /// A set written as a Swift type, scored beside the YAML ones: A (a1, a2 reversed), B (b1).
    static func mini() -> TestSet {
        var set = TestSet(id: "mini", [("a", ["a1", "-a2"]), ("b", ["b1"])])
        set.minN = 2
        return set
    }

    static let csv = """
        respondent,municipality,service,unit,period,status,a1,a2,b1
        r1,M,S,u1,2024,,6,2,4
        r2,M,S,u1,2024,complete,4,vet ikke,
        r3,M,S,u1,2024,,3,1,5
        r4,M,S,u1,2024,aborted,6,6,6
        r5,M,S,u1,2024,,,,9

        """

    func rows(
        _ set: TestSet = ScoringTests.mini(), csv: String = ScoringTests.csv
    ) throws -> (rows: [ScoreRow], summary: RunSummary) {
        let result = try set.score(csv)
        return (result.rows.filter { $0.group.level == .all }, result.summary)
    }

    func row(_ rows: [ScoreRow], _ dimension: String, _ item: String = "") throws -> ScoreRow {
        try #require(rows.first { $0.dimension == dimension && $0.item == item })
    }

    // t(0.975, 1) and t(0.975, 2), from tables (scipy.stats.t.ppf).
    let t1 = 12.706204736174698
    let t2 = 4.302652729749464

    @Test func summaryCountsEveryResponse() throws {
        let summary = try rows().summary
        // r1–r3 counted; r4 aborted; r5 has no valid answer (its 9 is invalid).
        #expect(summary.read == 5)
        #expect(summary.counted == 3)
        #expect(summary.rejected == 2)
        #expect(summary.rejectedByKind == ["aborted": 1, "no-valid-answers": 1])
        // r5's invalid cell is reported too, though its response is not counted (issue #14).
        #expect(summary.invalidCells == 1)
    }

    @Test func itemRows() throws {
        let rows = try rows().rows
        // a1: 6, 4, 3 → mean 13/3; squares of deviations 25/9 + 1/9 + 16/9 = 42/9 → var 7/3.
        let a1 = try row(rows, "a", "a1")
        #expect(a1.n == 3)
        #expect(a1.mean == 13.0 / 3.0)
        #expect(abs(a1.sd! - (7.0 / 3.0).squareRoot()) < 1e-15)
        #expect(abs(a1.ciLow! - (13.0 / 3.0 - t2 * (7.0 / 3.0).squareRoot() / 3.0.squareRoot())) < 1e-12)
        #expect(a1.positiveShare == 1.0 / 3.0)
        #expect(a1.dontKnow == 0 && a1.unanswered == 0)
        // a2 reversed (7 − x): r1 2 → 5, r3 1 → 6; r2 don't know. Mean 5.5, sd √½, half-width t1·½.
        let a2 = try row(rows, "a", "a2")
        #expect(a2.n == 2 && a2.mean == 5.5 && a2.positiveShare == 1 && a2.dontKnow == 1 && a2.unanswered == 0)
        #expect(abs(a2.ciHigh! - (5.5 + t1 * 0.5)) < 1e-12)
        // b1: 4, (blank), 5.
        let b1 = try row(rows, "b", "b1")
        #expect(b1.n == 2 && b1.mean == 4.5 && b1.positiveShare == 0.5 && b1.unanswered == 1)
    }

    @Test func dimensionAndTotalRows() throws {
        let rows = try rows().rows
        // A: r1 (6+5)/2 = 5.5, r2 4/1 = 4 (1 of 2 items ≥ min_answered 0.5), r3 (3+6)/2 = 4.5.
        // Mean 14/3; deviations 5/6, −2/3, −1/6 → squares 25/36 + 16/36 + 1/36 = 42/36 → var 7/12.
        let a = try row(rows, "a")
        #expect(a.n == 3)
        #expect(abs(a.mean! - 14.0 / 3.0) < 1e-15)
        #expect(abs(a.sd! - (7.0 / 12.0).squareRoot()) < 1e-15)
        // Positive: valid answers 6, 4, 3 (a1) and 5, 6 (a2 reversed): 3 of 5 at 5 or more.
        #expect(a.positiveShare == 0.6 && a.dontKnow == 1 && a.unanswered == 0)
        let b = try row(rows, "b")
        #expect(b.n == 2 && b.mean == 4.5)
        // Total: unweighted mean of 14/3 and 4.5; positives 4 of 7 valid answers; n = 3 with a score.
        let total = try row(rows, "")
        #expect(total.n == 3)
        #expect(abs(total.mean! - (14.0 / 3.0 + 4.5) / 2) < 1e-15)
        #expect(total.sd == nil && total.ciLow == nil)
        #expect(total.positiveShare == 4.0 / 7.0 && total.dontKnow == 1 && total.unanswered == 1)
        #expect(total.respondents == 3 && !total.suppressed)
    }

    @Test func minAnsweredWithholdsDimensionScores() throws {
        var strict = Self.mini()
        strict.minAnswered = 1.0
        // With every item required, r2 (1 of 2 in A) gets no A score: A = 5.5, 4.5 → mean 5.
        let a = try row(try rows(strict).rows, "a")
        #expect(a.n == 2 && a.mean == 5.0)
    }

    @Test func shareScoringCountsThePositiveCode() throws {
        var yesNo = TestSet(id: "janei", [("d", ["ja", "-nei"])])
        yesNo.scale = Scale(min: 1, max: 2, dontKnow: ["0"])
        yesNo.scoring = ShareScoring(positive: 1)
        yesNo.minN = 1
        let csv = """
            respondent,municipality,service,unit,period,ja,nei
            r1,M,S,u,2024,1,2
            r2,M,S,u,2024,2,2
            r3,M,S,u,2024,1,0
            r4,M,S,u,2024,0,1

            """
        let rows = try rows(yesNo, csv: csv).rows
        // "ja": 1 → 1, 2 → 0, 1 → 1 (r4 don't know): share 2/3. "nei" reversed: 2 → 1, 2 → 1, 1 → 0: 2/3.
        #expect(try row(rows, "d", "ja").mean == 2.0 / 3.0)
        #expect(try row(rows, "d", "ja").positiveShare == 2.0 / 3.0)
        #expect(try row(rows, "d", "nei").mean == 2.0 / 3.0)
        // Scores: r1 (1+1)/2 = 1, r2 (0+1)/2 = 0.5, r3 1/1 = 1, r4 0/1 = 0 → mean 2.5/4.
        #expect(try row(rows, "d").mean == 0.625)
    }

    @Test func rulesGiveIntegerValues() {
        let scale = Scale(min: 1, max: 6)
        #expect(MeanScoring(positive: 5).value(of: 2, reversed: true, scale: scale) == 5)
        #expect(MeanScoring(positive: 5).isPositive(5, scale: scale))
        #expect(!MeanScoring(positive: 5).isPositive(4, scale: scale))
        #expect(ShareScoring(positive: 1).value(of: 1, reversed: false, scale: Scale(min: 1, max: 2)) == 1)
        #expect(ShareScoring(positive: 1).value(of: 1, reversed: true, scale: Scale(min: 1, max: 2)) == 0)
    }

    /// A dimension long enough that lcm(1…k) overflows uses the floating-point path; compare both.
    @Test func longDimensionsFallBackAccurately() throws {
        var long = TestSet(id: "long", [("d", (1...30).map { "q\($0)" })])
        long.minN = 1
        #expect(Tally.lcmUpTo(30) == nil)
        // r1 answers q1…q30 with 1…6 cycling (mean 3.5), r2 answers only q1 = 6 … so scores 3.5 and 6? min_answered
        // 0.5 needs 15 answers: r2 answers q1…q15 all 2 → score 2. Mean (3.5 + 2)/2 = 2.75, sd = 1.5/√2.
        let header = "respondent,municipality,service,unit,period," + (1...30).map { "q\($0)" }.joined(separator: ",")
        let r1 = "r1,M,S,u,2024," + (0..<30).map { String($0 % 6 + 1) }.joined(separator: ",")
        let r2 = "r2,M,S,u,2024," + (0..<30).map { $0 < 15 ? "2" : "" }.joined(separator: ",")
        let d = try row(try rows(long, csv: [header, r1, r2, ""].joined(separator: "\n")).rows, "d")
        #expect(d.n == 2)
        #expect(abs(d.mean! - 2.75) < 1e-14)
        #expect(abs(d.sd! - 1.5 / 2.0.squareRoot()) < 1e-14)
    }
}
