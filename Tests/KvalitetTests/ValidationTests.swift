import Foundation
import Testing

@testable import Kvalitet

/// `kvalitet validate` (FORMAT.md §6) against pingouin, scipy and pandas
/// (Tests/Reference/validate_reference.py), plus edge cases and properties.
@Suite struct ValidationTests {
    static func validate(
        sets: URL? = nil, format: String = "csv", language: Language = .nb, _ inputs: [String]
    ) throws -> (output: String, result: ValidationResult) {
        var job = ValidateJob()
        if let sets { job.setDirectories = [sets.path] }
        job.format = format
        job.language = language
        job.inputs = inputs
        var output = StringOutput()
        let result = try job.run(standardOutput: &output) { _ in }
        return (output.text, result)
    }

    /// Copies a set definition into a folder of its own, as `--sets` wants it.
    static func setFolder(_ definition: URL) throws -> URL {
        let folder = Support.temporaryFolder()
        try FileManager.default.copyItem(at: definition, to: folder.appendingPathComponent(definition.lastPathComponent))
        return folder
    }

    static let cases = ["case-11", "case-23", "case-37", "case-41", "case-59", "pingouin-wide-missing"]

    @Test(arguments: cases)
    func matchesReference(name: String) throws {
        let inPingouin = name.hasPrefix("pingouin")
        let folder = Support.resource(inPingouin ? "validation" : "reference")
        let sets = try Self.setFolder(folder.appendingPathComponent("\(name).set.yaml"))
        defer { try? FileManager.default.removeItem(at: sets) }
        let run = try Self.validate(sets: sets, [folder.appendingPathComponent("\(name).csv").path])
        let expected = try String(contentsOf: Support.resource("validation/\(name).expected.csv"), encoding: .utf8)
        // FORMAT.md: alpha, r and shares to 1e-9; intervals and ICC to 1e-6. All are held to 1e-9 here.
        Support.expectSameScores(run.output, expected, tolerance: 1e-9)
        try Self.expectOmega(run.result, name: name)
    }

    @Test(arguments: ["sfo-foresatte-eksempelvik.csv", "sykehjem-parorende-eksempelvik.xml", "medarbeidere-eksempelvik.csv"])
    func samplesMatchReference(sample: String) throws {
        let run = try Self.validate([Support.repository.appendingPathComponent("Samples/\(sample)").path])
        let expected = try String(contentsOf: Support.resource("validation/\(sample).expected.csv"), encoding: .utf8)
        Support.expectSameScores(run.output, expected, tolerance: 1e-9)
        try Self.expectOmega(run.result, name: sample)
    }

    /// Omega against a direct minres fit (scipy), a different algorithm than ours.
    static func expectOmega(_ result: ValidationResult, name: String) throws {
        let text = try String(contentsOf: Support.resource("validation/\(name).omega.csv"), encoding: .utf8)
        for row in Support.parseCSV(text).dropFirst() {
            let ours = result.rows.first { $0.period == row[1] && $0.dimension == row[2] && $0.isDimension }
            if row[3].isEmpty {
                #expect(ours?.omega == nil, "\(row[2])")
            } else {
                let expected = try #require(Double(row[3]))
                #expect(
                    abs((ours?.omega ?? .nan) - expected) < 1e-6,
                    "omega of \(row[2]): \(String(describing: ours?.omega)) vs \(expected)")
            }
        }
    }

    /// pingouin's documentation: `cronbach_alpha(data=cronbach_wide_missing, nan_policy='pairwise')` is 0.732660835214447.
    @Test func pingouinsPublishedExample() throws {
        let folder = Support.resource("validation")
        let sets = try Self.setFolder(folder.appendingPathComponent("pingouin-wide-missing.set.yaml"))
        defer { try? FileManager.default.removeItem(at: sets) }
        let row = try #require(
            try Self.validate(sets: sets, [folder.appendingPathComponent("pingouin-wide-missing.csv").path])
                .result.rows.first)
        #expect(abs(row.alpha! - 0.732660835214447) < 1e-12)
        #expect(row.n == 12 && row.k == 11)
    }

    // MARK: Edge cases and properties, on the library functions

    /// Two items, hand computed: x = (1, 2, 3), y = (2, 2, 5): var x = 1, var y = 3, cov = 1.5.
    /// α = 2·(1 − 4/7) = 6/7; r = 1.5/√3; item-rest r is the plain correlation.
    @Test func twoItemsByHand() throws {
        var covariance = PairwiseCovariance(k: 2)
        for pair in [(1, 2), (2, 2), (3, 5)] { covariance.add([pair.0, pair.1]) }
        let c = try #require(covariance.matrix())
        #expect(c == [[1, 1.5], [1.5, 3]])
        #expect(abs(Reliability.alpha(c)! - 6.0 / 7.0) < 1e-15)
        #expect(Reliability.alphaIfDeleted(c, item: 0) == nil)
        #expect(abs(Reliability.itemRestCorrelation(c, item: 0)! - 1.5 / 3.0.squareRoot()) < 1e-15)
        let r = try #require(Reliability.correlation(c))
        #expect(abs(Reliability.meanInterItemCorrelation(r)! - 1.5 / 3.0.squareRoot()) < 1e-15)
    }

    @Test func pairwiseCompleteMeansAndCounts() {
        var covariance = PairwiseCovariance(k: 2)
        covariance.add([1, nil])
        covariance.add([3, 4])
        covariance.add([5, 8])
        covariance.add([nil, 6])
        // x over its own 3 values: var 4; y over 3 values (4, 8, 6): var 4; the pair over (3,4),(5,8): cov 4.
        #expect(covariance.covariance(0, 0) == 4)
        #expect(covariance.covariance(1, 1) == 4)
        #expect(covariance.covariance(0, 1) == 4)
        #expect(covariance.pairCount(0, 1) == 2)
    }

    @Test func oneItemHasNoAlpha() {
        #expect(Reliability.alpha([[2]]) == nil)
        #expect(Reliability.itemRestCorrelation([[2]], item: 0) == nil)
    }

    @Test func parallelItemsHaveAlphaOne() {
        var covariance = PairwiseCovariance(k: 4)
        for value in [1, 3, 4, 6, 2, 5] { covariance.add([value, value, value, value]) }
        #expect(abs(Reliability.alpha(covariance.matrix()!)! - 1) < 1e-15)
        #expect(abs(Reliability.omegaTotal(Reliability.correlation(covariance.matrix()!)!)! - 1) < 1e-9)
    }

    @Test func aConstantItemLeavesAlphaButNoCorrelations() throws {
        var covariance = PairwiseCovariance(k: 3)
        for (a, b) in [(1, 2), (3, 3), (5, 6), (2, 2)] { covariance.add([a, b, 4]) }
        let c = try #require(covariance.matrix())
        #expect(Reliability.alpha(c) != nil)
        #expect(Reliability.correlation(c) == nil)
        #expect(Reliability.itemRestCorrelation(c, item: 2) == nil)
    }

    @Test func iccIsZeroWhenUnitsHaveTheSameMean() {
        // Units with means 4, 4, 4 but spread inside: MSB = 0 → the estimate −1/(n₀ − 1) is reported as 0.
        let groups = [
            (n: 2, sum: 8.0, sumOfSquares: 34.0), (n: 3, sum: 12.0, sumOfSquares: 50.0), (n: 2, sum: 8.0, sumOfSquares: 32.5),
        ]
        #expect(Reliability.icc1(groups) == 0)
    }

    /// Hand computed: units (2, 4) and (6, 8): MSB = 16, MSW = 2, n₀ = 2 → ICC = 14/18.
    @Test func iccByHand() {
        let groups = [(n: 2, sum: 6.0, sumOfSquares: 20.0), (n: 2, sum: 14.0, sumOfSquares: 100.0)]
        #expect(abs(Reliability.icc1(groups)! - 14.0 / 18.0) < 1e-15)
        // A unit with one respondent still counts; every unit with one gives nothing.
        #expect(Reliability.icc1([(n: 1, sum: 3, sumOfSquares: 9), (n: 2, sum: 6, sumOfSquares: 20)]) != nil)
        #expect(Reliability.icc1([(n: 1, sum: 3, sumOfSquares: 9), (n: 1, sum: 6, sumOfSquares: 36)]) == nil)
        #expect(Reliability.icc1([(n: 5, sum: 20, sumOfSquares: 90)]) == nil)
    }

    // MARK: Through the pipeline

    static let header = "respondent,municipality,service,unit,period,q1,q2,q3\n"

    func validate(_ set: TestSet, _ csv: String) throws -> [ValidationRow] {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var catalog = IndicatorSetCatalog()
        try catalog.add(set, origin: "test")
        let pipeline = ScorePipeline(catalog: catalog, options: .init(defaultSet: set.id))
        let files = try pipeline.inputFiles([Support.write(csv, to: "v.csv", in: folder)])
        return try pipeline.validate(files, problems: try ProblemLog(rejects: nil, strict: false)).rows
    }

    /// Reversing an item in the data and marking it `reverse` gives the same alpha as neither.
    @Test func reversingBackRestoresAlpha() throws {
        let answers = [(5, 4, 6), (2, 3, 1), (4, 4, 5), (6, 5, 6), (1, 2, 2), (3, 3, 4)]
        var plain = Self.header
        var flipped = Self.header
        for (index, (a, b, c)) in answers.enumerated() {
            plain += "r\(index),M,S,u,2024,\(a),\(b),\(c)\n"
            flipped += "r\(index),M,S,u,2024,\(a),\(7 - b),\(c)\n"
        }
        let straight = try validate(TestSet([("d", ["q1", "q2", "q3"])]), plain)
        let reversed = try validate(TestSet([("d", ["q1", "-q2", "q3"])]), flipped)
        let ignored = try validate(TestSet([("d", ["q1", "q2", "q3"])]), flipped)
        #expect(straight[0].alpha != nil)
        #expect(abs(straight[0].alpha! - reversed[0].alpha!) < 1e-15)
        #expect(ignored[0].alpha! < straight[0].alpha!)
        #expect(ignored[2].flags.contains("item-negative"))
    }

    @Test func allDontKnowLeavesFiguresEmptyAndFlagsIt() throws {
        var set = TestSet([("d", ["q1", "q2"]), ("e", ["q3"])])
        set.scale = Scale(min: 1, max: 6, dontKnow: ["vet ikke"])
        let rows = try validate(set, Self.header + (0..<4).map { "r\($0),M,S,u,2024,vet ikke,vet ikke,\($0 + 2)\n" }.joined())
        let d = try #require(rows.first { $0.dimension == "d" && $0.isDimension })
        #expect(d.n == 0 && d.alpha == nil && d.unitICC == nil)
        let q1 = try #require(rows.first { $0.item == "q1" })
        #expect(q1.n == 0 && q1.floor == nil && q1.dontKnowShare == 1)
        #expect(q1.flags == ["dont-know-high"])
    }

    @Test func tableNamesTheWeakItemAndSuggestsActions() throws {
        let staff = Support.repository.appendingPathComponent("Samples/medarbeidere-eksempelvik.csv").path
        let run = try Self.validate(format: "table", [staff])
        #expect(run.output.contains("Validering: Medarbeiderundersøkelse · 2024 · 47 respondenter"))
        #expect(run.output.contains("Mestringstro: α = 0,64 [0,41–0,78] — lav; sjekk mestringstro-1 (r = 0,31) · ω = 0,67"))
        // α without the item is 0.6958…: three decimals, so it does not look like the 0,70 threshold.
        #expect(
            run.output.contains(
                "  • Mestringstro: α = 0,64 er lav. Skriv om eller bytt ut mestringstro-1 (r = 0,31; α uten = 0,696)."))
        #expect(run.output.contains("\nForslag\n"))
        let english = try Self.validate(format: "table", language: .en, [staff])
        #expect(english.output.contains("Suggested actions"))
        #expect(english.output.contains("Self-efficacy: α = 0.64 [0.41–0.78] — low; check mestringstro-1 (r = 0.31)"))
        // A healthy set: no item is called weak.
        let sfo = try Self.validate(
            format: "table", [Support.repository.appendingPathComponent("Samples/sfo-foresatte-eksempelvik.csv").path])
        #expect(!sfo.output.contains("sjekk"))
    }

    @Test func fewAnswersAreMarked() throws {
        let run = try Self.validate(
            format: "table", [Support.repository.appendingPathComponent("Samples/medarbeidere-eksempelvik.csv").path])
        #expect(run.output.contains("n = 47"))
        let small = try Self.validate(
            format: "json", [Support.repository.appendingPathComponent("Samples/sykehjem-parorende-eksempelvik.xml").path])
        #expect(small.output.contains("\"few_answers\":false"))
    }
}
