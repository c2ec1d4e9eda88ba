import Foundation
import Testing

@testable import Kvalitet

/// The report's building blocks, against hand-computed and scipy values.
@Suite struct ReportGeometryTests {
    /// Rounding starts from the CSV's text: binary 0.15 is just below 0.15, yet the CSV says
    /// "0.15" and a reader rounds that to 0.2.
    @Test func roundingHalfAwayFromZeroOnTheCSVFigure() {
        let cases: [(Double, Int, Int, String)] = [
            (4.45, 0, 1, "4.5"), (0.15, 0, 1, "0.2"), (0.25, 0, 1, "0.3"), (1.005, 0, 2, "1.01"), (2.675, 0, 2, "2.68"),
            (4.44999, 0, 1, "4.4"), (-0.05, 0, 1, "-0.1"), (-0.04, 0, 1, "0.0"), (9.96, 0, 1, "10.0"), (5.0, 0, 1, "5.0"),
            (1e-05, 0, 1, "0.0"), (0.00005, 0, 4, "0.0001"), (0.995, 2, 0, "100"), (0.845, 2, 0, "85"), (0.8449, 2, 0, "84"),
            (123456789.25, 0, 1, "123456789.3"), (5e20, 0, 1, "500000000000000000000.0"), (0, 0, 1, "0.0"), (7, 0, 0, "7"),
        ]
        for (value, shift, places, expected) in cases {
            #expect(DecimalText.rounded(value, shift: shift, places: places) == expected, "\(value) ×10^\(shift) to \(places)")
        }
        #expect(DecimalText.rounded(.nan, places: 1) == "")
        #expect(Labels(language: .nb).decimal(4.45) == "4,5")
        #expect(Labels(language: .en).percent(0.845) == "85 %")
    }

    @Test func meanBarOnASixPointScale() {
        let axis = ValueAxis(lower: 1, upper: 6, x0: 4, width: 292)
        // 4.5 on 1–6 is 3.5 of 5 steps: 0.7 × 292 = 204.4 units from the start.
        let bar = MeanBar(mean: 4.5, ciLow: 4.2, ciHigh: 4.8, axis: axis)
        #expect(abs(bar.barWidth - 204.4) < 1e-9)
        #expect(abs(bar.whiskerLow! - (4 + 3.2 / 5 * 292)) < 1e-9)  // 190.88
        #expect(abs(bar.whiskerHigh! - (4 + 3.8 / 5 * 292)) < 1e-9)  // 225.92
        // An interval beyond the scale is drawn to its ends, never outside the chart.
        let wide = MeanBar(mean: 5.9, ciLow: 0.5, ciHigh: 6.3, axis: axis)
        #expect(wide.whiskerLow == 4 && wide.whiskerHigh == 296)
        // No interval (n < 2): no whisker.
        #expect(MeanBar(mean: 3, ciLow: nil, ciHigh: nil, axis: axis).whiskerLow == nil)
        #expect(axis.ticks == [1, 2, 3, 4, 5, 6])
        let share = ValueAxis(lower: 0, upper: 1, x0: 0, width: 300)
        #expect(share.x(0.5) == 150 && share.ticks == [0, 0.25, 0.5, 0.75, 1])
        #expect(svgNumber(204.4) == "204.4" && svgNumber(190.88) == "190.88" && svgNumber(4) == "4" && svgNumber(0.125) == "0.13")
    }

    /// Even scale: codes 1–3 left of the centre, 4–6 right; empty categories are kept, with no width.
    @Test func divergingBarOnAnEvenScaleKeepsEmptyCategories() {
        let bar = DivergingBar(
            counts: [1, 0, 2, 3, 0, 4], dontKnow: 0, x0: 0, halfWidth: 100, dontKnowX0: 250, dontKnowWidth: 50)
        // 10 answers: shares .1 0 .2 | .3 0 .4 around the centre at 100.
        let expected: [(Double, Double)] = [(70, 10), (80, 0), (80, 20), (100, 30), (130, 0), (130, 40)]
        #expect(bar.segments.count == 6)
        for (segment, (x, width)) in zip(bar.segments, expected) {
            #expect(abs(segment.x - x) < 1e-9 && abs(segment.width - width) < 1e-9, "\(segment)")
        }
        #expect(bar.segments.map(\.category) == [0, 1, 2, 3, 4, 5])
        #expect(bar.dontKnow == BarSegment(x: 250, width: 0, category: 6))
    }

    /// Odd scale: the middle category straddles the centre; "vet ikke" counts in the base.
    @Test func divergingBarOnAnOddScaleSplitsTheMiddle() {
        let bar = DivergingBar(counts: [0, 1, 2, 1, 0], dontKnow: 1, x0: 0, halfWidth: 100, dontKnowX0: 250, dontKnowWidth: 50)
        // 5 answered: .0 .2 [.4] .2 .0, "vet ikke" .2.
        let expected: [(Double, Double)] = [(60, 0), (60, 20), (80, 40), (120, 20), (140, 0)]
        for (segment, (x, width)) in zip(bar.segments, expected) {
            #expect(abs(segment.x - x) < 1e-9 && abs(segment.width - width) < 1e-9, "\(segment)")
        }
        #expect(abs(bar.dontKnow!.width - 10) < 1e-9)
        // Nobody answered: every segment present with no width.
        let empty = DivergingBar(counts: [0, 0], dontKnow: 0, x0: 0, halfWidth: 100, dontKnowX0: 250, dontKnowWidth: 50)
        #expect(empty.segments.map(\.width) == [0, 0])
    }

    @Test func categoryColoursRunFromLowToHigh() {
        let six = CategoryColours.colours(count: 6)
        #expect(six.count == 6 && Set(six).count == 6)
        #expect(six.first == "#b35806" && six.last == "#2166ac")
        #expect(CategoryColours.colours(count: 5)[2] == "#e0e0e0")
    }

    @Test func welchTestMatchesScipy() {
        for row in StatisticsTests.table("welch.csv") {
            guard let test = WelchTest(mean1: row[0], sd1: row[1], n1: Int(row[2]), mean2: row[3], sd2: row[4], n2: Int(row[5]))
            else {
                Issue.record("no test for \(row)")
                continue
            }
            #expect(abs(test.t - row[6]) <= 1e-12 * max(1, abs(row[6])))
            #expect(abs(test.degreesOfFreedom - row[7]) <= 1e-10 * row[7])
            #expect(abs(test.p - row[8]) <= 1e-10, "p \(test.p) vs scipy \(row[8])")
        }
        #expect(WelchTest(mean1: 4, sd1: 1, n1: 1, mean2: 4, sd2: 1, n2: 30) == nil)
        #expect(WelchTest(mean1: 4, sd1: 0, n1: 5, mean2: 5, sd2: 0, n2: 5) == nil)
    }

    /// Goal status, by hand: target 4.5 by 2025.
    @Test func goalStatusFromTheSubprojectMeans() {
        let goal = Register.Goal(set: "s", dimension: "d", target: 4.5, by: "2025", baseline: "2024")
        func status(_ values: [(String, Double?)]) -> GoalStatus {
            ReportBuilder.goalStatus(goal, values: values.map { (period: $0.0, mean: $0.1) }).0
        }
        #expect(status([("2024", 4.1), ("2025", 4.6)]) == .reached)
        #expect(status([("2024", 4.1), ("2025", 4.5)]) == .reached)
        #expect(status([("2024", 4.1), ("2025", 4.4)]) == .notReached)
        #expect(status([("2024", 4.1)]) == .underway)
        #expect(status([("2024", 4.7)]) == .reached)
        #expect(status([("2024", 4.1), ("2025", nil)]) == .missingData)
        #expect(status([]) == .missingData)
        #expect(status([("2026", 4.9)]) == .missingData)
        #expect(status([("2024", nil)]) == .missingData)
        let current = ReportBuilder.goalStatus(goal, values: [(period: "2023", mean: 4.0), (period: "2024", mean: 4.2)]).current
        #expect(current?.0 == "2024" && current?.1 == 4.2)
    }

    /// The compiled-in templates are the files in Report/Templates (run Scripts/embed-resources.py after an edit).
    @Test func embeddedTemplatesMatchTheFolder() throws {
        try Support.expectEmbedded(ReportTemplates.templates, folder: "Sources/Kvalitet/Report/Templates", suffix: ".mustache")
        _ = try ReportRenderer.library()
    }
}
