import Foundation
import Testing

@testable import Kvalitet

/// Helpers shared by the tests.
enum Support {
    /// A committed test resource.
    static func resource(_ path: String) -> URL {
        Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent(path)
    }

    /// The repository root (for IndicatorSets/ and Samples/).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Checks that resources compiled into the library (Scripts/embed-resources.py) equal the
    /// files in `folder` with `extension`.
    static func expectEmbedded(
        _ embedded: [(name: String, text: String)], folder: String, suffix: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let url = repository.appendingPathComponent(folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(suffix) }.sorted()
        #expect(embedded.map(\.name) == files, sourceLocation: sourceLocation)
        for (name, text) in embedded {
            let file = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
            #expect(
                text == file.trimmingCharacters(in: .newlines), "\(name) differs: run Scripts/embed-resources.py",
                sourceLocation: sourceLocation)
        }
    }

    /// A new empty folder, removed by the caller with `cleanUp`.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kvalitet-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `content` (bytes or UTF-8 text) into `folder/name`.
    @discardableResult
    /// `responses` generated responses of `set` in `units` units, as CSV text.
    static func generated(_ set: String = "sfo-foresatte", responses: Int, units: Int) throws -> String {
        var generator = ResponseGenerator(set: try IndicatorSetCatalog.builtIn()[set]!, responses: responses)
        generator.units = units
        var output = StringOutput()
        try generator.write(to: &output)
        return output.text
    }

    static func write(_ content: String, to name: String, in folder: URL) -> String {
        let url = folder.appendingPathComponent(name)
        try! Data(content.utf8).write(to: url)
        return url.path
    }

    @discardableResult
    static func write(bytes: [UInt8], to name: String, in folder: URL) -> String {
        let url = folder.appendingPathComponent(name)
        try! Data(bytes).write(to: url)
        return url.path
    }

    /// Runs `kvalitet score` in process; returns standard output and standard error.
    static func score(
        _ configure: (inout ScoreJob) -> Void
    ) throws(KvalitetError) -> (output: String, errors: String, result: ScoreResult) {
        var job = ScoreJob()
        configure(&job)
        var output = StringOutput()
        var errors = ""
        let result = try job.run(standardOutput: &output) { errors += $0 + "\n" }
        return (output.text, errors, result)
    }

    /// The KvalitetError a job throws (fails the test when it throws none).
    static func scoreError(
        _ configure: (inout ScoreJob) -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> KvalitetError? {
        do {
            _ = try score(configure)
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Splits CSV text (RFC 4180, as the writers produce it) into rows of fields.
    static func parseCSV(_ text: String, separator: Unicode.Scalar = ",") -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == separator {
                row.append(field)
                field = ""
            } else if c == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    /// Compares two scores CSVs: texts exactly, numbers to `tolerance` (relative above 1).
    static func expectSameScores(
        _ actual: String, _ expected: String, tolerance: Double = 1e-9,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let a = parseCSV(actual)
        let e = parseCSV(expected)
        #expect(a.count == e.count, "row count", sourceLocation: sourceLocation)
        var differences = 0
        for (index, (x, y)) in zip(a, e).enumerated() {
            #expect(
                x.count == y.count, "row \(index + 1) has \(x.count) fields, expected \(y.count)", sourceLocation: sourceLocation)
            for (column, (u, v)) in zip(x, y).enumerated() where u != v {
                if let p = Double(u), let q = Double(v), abs(p - q) <= tolerance * max(1, abs(q)) { continue }
                differences += 1
                if differences <= 5 {
                    Issue.record("row \(index + 1), column \(e[0][column]): \(u) ≠ expected \(v)", sourceLocation: sourceLocation)
                }
            }
        }
        #expect(differences == 0, "\(differences) cells differ", sourceLocation: sourceLocation)
    }
}

/// A set written as a Swift type, configured per test.
struct TestSet: IndicatorSet {
    var id = "test"
    var version = 1
    var title = LocalizedText("Test")
    var scale = Scale(min: 1, max: 6, dontKnow: ["vet ikke"])
    var scoring: any ScoringRule = MeanScoring(positive: 5)
    var dimensions: [QualityDimension]
    var minN = 5
    var minAnswered = 0.5

    /// Dimensions from ids and their items' ids (an item id starting with "-" is reversed).
    init(id: String = "test", _ dimensions: [(String, [String])]) {
        self.id = id
        self.dimensions = dimensions.map { dimension, items in
            QualityDimension(
                id: dimension, title: LocalizedText(dimension),
                items: items.map { item in
                    item.hasPrefix("-")
                        ? Item(id: String(item.dropFirst()), text: LocalizedText(item), reverse: true)
                        : Item(id: item, text: LocalizedText(item))
                })
        }
    }

    /// Scores `csv` (a file with this set's items) and returns every row.
    func score(_ csv: String) throws -> ScoreResult {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var catalog = IndicatorSetCatalog()
        try catalog.add(self, origin: "test")
        let pipeline = ScorePipeline(catalog: catalog, options: .init(defaultSet: id))
        let files = try pipeline.inputFiles([Support.write(csv, to: "\(id).csv", in: folder)])
        return try pipeline.score(files, problems: try ProblemLog(rejects: nil, strict: false))
    }
}
