import Foundation
import Testing

@testable import Kvalitet

@Suite struct ResponseGeneratorTests {
    let catalog = try! IndicatorSetCatalog.builtIn()

    func generate(
        _ configure: (inout ResponseGenerator) -> Void, set: String = "sfo-foresatte", responses: Int = 500
    ) throws -> String {
        var generator = ResponseGenerator(set: catalog[set]!, responses: responses)
        configure(&generator)
        var output = StringOutput()
        try generator.write(to: &output)
        return output.text
    }

    func score(_ text: String, name: String) throws -> (csv: String, result: ScoreResult) {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(text, to: name, in: folder)
        let run = try Support.score { job in
            job.format = "csv"
            job.inputs = [path]
        }
        return (run.output, run.result)
    }

    @Test func theSameSeedGivesTheSameFile() throws {
        let first = try generate { $0.seed = 7 }
        #expect(first == (try generate { $0.seed = 7 }))
        #expect(first != (try generate { $0.seed = 8 }))
    }

    @Test func everyResponseIsWrittenAndRead() throws {
        let text = try generate(
            { generator in
                generator.municipalities = 3
                generator.units = 4
                generator.periods = ["2024", "2025"]
            }, responses: 1001)
        let result = try score(text, name: "g.csv").result
        #expect(result.summary.read == 1001)
        #expect(result.summary.counted + result.summary.rejected == 1001)
        let units = Set(
            result.rows.filter { $0.group.level == .unit }.map { "\($0.period)/\($0.group.municipality)/\($0.group.unit)" })
        #expect(units.count == 2 * 3 * 4)
        #expect(Set(result.rows.map(\.period)) == ["2024", "2025"])
    }

    /// The same seed as CSV and as XML holds the same answers, so the scores are identical.
    @Test func csvAndXMLOfOneSeedScoreAlike() throws {
        let csv = try generate { $0.seed = 3 }
        let xml = try generate { generator in
            generator.seed = 3
            generator.format = .xml
        }
        #expect(try score(csv, name: "g.csv").csv == (try score(xml, name: "g.xml").csv))
    }

    /// Items of a dimension correlate as in real surveys: alpha between 0.7 and 0.95 for a 1–6 set.
    @Test func reliabilityIsRealistic() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(try generate({ $0.units = 8 }, responses: 2000), to: "g.csv", in: folder)
        var job = ValidateJob()
        job.format = "csv"
        job.inputs = [path]
        var output = StringOutput()
        let rows = try job.run(standardOutput: &output) { _ in }.rows.filter(\.isDimension)
        #expect(!rows.isEmpty)
        for row in rows {
            #expect((0.7...0.95).contains(row.alpha ?? 0), "\(row.dimension): α = \(String(describing: row.alpha))")
            #expect((row.unitICC ?? 0) > 0.02, "\(row.dimension): units should differ")
        }
    }

    /// Units split over services in order: with 4 units and 2 services, units 1–2 are in the first.
    @Test func servicesSplitTheUnitsInOrder() throws {
        let rows = Support.parseCSV(
            try generate(
                { generator in
                    generator.units = 4
                    generator.services = 2
                }, responses: 400))
        let header = rows[0]
        let service = try #require(header.firstIndex(of: "service"))
        let unit = try #require(header.firstIndex(of: "unit"))
        var serviceOfUnit: [String: Set<String>] = [:]
        for row in rows.dropFirst() { serviceOfUnit[row[unit], default: []].insert(row[service]) }
        #expect(
            serviceOfUnit == [
                "enhet-1": ["SFO 1"], "enhet-2": ["SFO 1"], "enhet-3": ["SFO 2"], "enhet-4": ["SFO 2"],
            ])
        #expect(throws: KvalitetError.self) { try generate { $0.services = 6 } }
    }

    @Test func xmlRefusesSeveralMunicipalities() {
        let error = #expect(throws: KvalitetError.self) {
            try generate { generator in
                generator.format = .xml
                generator.municipalities = 2
            }
        }
        #expect(error?.code == .usage)
    }

    @Test func shareSetsAnswerOnlyTheirCodes() throws {
        let text = try generate({ _ in }, set: "bofellesskap-brukere", responses: 200)
        let cells = Set(Support.parseCSV(text).dropFirst().flatMap { $0.dropFirst(8) })
        #expect(cells.isSubset(of: ["1", "2", "0", "", "x"]))
    }
}
