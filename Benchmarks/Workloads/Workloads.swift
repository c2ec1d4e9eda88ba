import Foundation
import Kvalitet

/// The work the Swift benchmarks measure (Benchmarks/Swift, ordo-one/benchmark), in one place so
/// the test suite can run each once at a small size (`BenchmarkSmokeTests`): a benchmark that no
/// longer runs fails review before anyone times it.
public struct Workloads {
    public let folder: URL
    public let csv: String
    public let xml: String
    public let responses: Int

    /// Writes synthetic responses of the SFO parents' set (`kvalitet generate`'s model) as CSV and
    /// XML into a new temporary folder.
    public init(responses: Int, seed: UInt64 = 7) throws {
        self.responses = responses
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kvalitet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let set = try IndicatorSetCatalog.builtIn()["sfo-foresatte"]!
        csv = folder.appendingPathComponent("responses.csv").path
        xml = folder.appendingPathComponent("responses.xml").path
        for (path, format) in [(csv, ResponseGenerator.Format.csv), (xml, .xml)] {
            var generator = ResponseGenerator(set: set, responses: responses)
            generator.units = 40
            generator.format = format
            generator.seed = seed
            let file = try AtomicFile(path: path)
            var output = AnyTextOutput { (text: String) throws(KvalitetError) in try file.write(text) }
            try generator.write(to: &output)
            try file.commit()
        }
    }

    public func cleanUp() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `kvalitet score --format csv` on one file, read in `parts` (1: the single-core hot loop).
    /// Returns the size of the CSV (its rows are streamed to it; asking the result for them
    /// would make them again).
    public func score(_ path: String, parts: Int = 1) throws -> Int {
        var job = ScoreJob()
        job.inputs = [path]
        job.format = "csv"
        job.parts = parts
        var output = StringOutput()
        _ = try job.run(standardOutput: &output, standardError: { _ in })
        return output.text.utf8.count
    }

    /// `kvalitet validate` on the CSV file (pairwise covariances, alpha, omega, ICC).
    public func validate() throws -> Int {
        var job = ValidateJob()
        job.inputs = [csv]
        job.format = "csv"
        job.parts = 1
        var output = StringOutput()
        return try job.run(standardOutput: &output, standardError: { _ in }).rows.count
    }

    /// `kvalitet report` on the CSV file; returns the report's size in bytes.
    public func report() throws -> Int {
        var job = ReportJob()
        job.inputs = [csv]
        job.output = folder.appendingPathComponent("report.html").path
        try job.run(standardError: { _ in })
        return (try? FileManager.default.attributesOfItem(atPath: job.output!)[.size] as? Int) ?? 0
    }
}
