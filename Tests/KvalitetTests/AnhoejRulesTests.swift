import Foundation
import Testing

@testable import Kvalitet

/// Anhøj's run chart rules (the start of issue #10) against qicharts2's critical values
/// (`../shared/spc/anhoej_critical_values_R.csv`, copied into the test resources) and by hand.
@Suite struct AnhoejRulesTests {
    @Test func criticalValuesAreQicharts2s() throws {
        let text = try String(contentsOf: Support.resource("spc/anhoej_critical_values_R.csv"), encoding: .utf8)
        let rows = Support.parseCSV(text).dropFirst()
        #expect(rows.count == 200)
        for row in rows {
            let (n, runMax, crossingsMin) = (Int(row[0])!, Int(row[1])!, Int(row[2])!)
            let values = AnhoejRules.criticalValues(n)
            #expect(values.longestRunMax == runMax, "n = \(n)")
            #expect(values.crossingsMin == crossingsMin, "n = \(n)")
        }
    }

    /// By hand: 1 2 3 [5] 7 8 9 2 1 around 5 → sides − − − + + + − −: longest run 3,
    /// crossings 2; 8 useful points: limits round(3 + 3) = 6 and qbinom(0.05, 7, ½) = 1.
    @Test func runsAndCrossingsByHand() {
        let rules = AnhoejRules([1, 2, 3, 5, 7, 8, 9, 2, 1], centre: 5)
        #expect(rules.useful == 8 && rules.longestRun == 3 && rules.crossings == 2)
        #expect(rules.longestRunMax == 6 && rules.crossingsMin == 1 && !rules.signal)
        // Ten points in a row above the centre: a shift.
        let shift = AnhoejRules(Array(repeating: 9, count: 10) + [1, 2], centre: 5)
        #expect(shift.longestRun == 10 && shift.signal)
        #expect(AnhoejRules.median([4, 1, 3, 2]) == 2.5 && AnhoejRules.median([3, 1, 2]) == 2)
    }
}
