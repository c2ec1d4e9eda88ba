import Foundation
import Kvalitet

/// What each fuzz target does with one input, shared with the regression tests that replay the
/// corpus and every crash found (`FuzzRegressionTests`), so CI runs exactly what the fuzzers ran.
///
/// An input may be refused (a `KvalitetError`): that is the documented outcome for a bad file.
/// A crash, a hang, an allocation beyond the fuzzer's limit, or a difference between reading a CSV
/// file at once and in parts is a finding. Each function returns a finding it detected itself (the
/// fuzz targets stop on it so libFuzzer records the input; the tests fail on it), else nil.
public enum FuzzSupport {
    /// A scratch file per process and extension (in /dev/shm when there is one: no disk writes).
    static func scratch(_ name: String) -> URL {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return URL(fileURLWithPath: folder).appendingPathComponent("kvalitet-fuzz-\(getpid())-\(name)")
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to url: URL) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot write \(url.path)")
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            precondition(written > 0, "cannot write \(url.path)")
            offset += written
        }
        close(descriptor)
    }

    static let catalog = try! IndicatorSetCatalog.builtIn()
    static let registers: RegisterIndex = {
        var index = try! RegisterIndex()
        try! index.add(try! Register.load(yaml: sampleRegister, file: "register.yaml"))
        return index
    }()

    /// The samples' register, so sub-projects and invited counts are exercised.
    static let sampleRegister = """
        municipality: "9999 Eksempelvik (fiktiv)"
        units:
          - {id: bryn, name: Bryn SFO, service: SFO, invited: {"2024": 34, "2025": 31}}
          - {id: hosle, name: Hosle SFO, service: SFO, invited: {"2024": 30}}
          - {id: solbakken, name: Solbakken sykehjem, service: Sykehjem}
        subprojects:
          - id: medvirkning-sfo
            units: [bryn, hosle]
            goals:
              - {set: sfo-foresatte, dimension: brukermedvirkning, target: 4.5, by: "2025", baseline: "2024"}
        """

    /// What one run gave: its rows, summary and problems, or the error that stopped it.
    struct Outcome: Equatable {
        var rows: [ScoreRow] = []
        var summary: RunSummary?
        var rejects = ""
        var error: String?

        /// The first thing that differs, for the finding's message.
        func difference(_ other: Outcome) -> String {
            if error != other.error { return "error: \(error ?? "none") / \(other.error ?? "none")" }
            if summary != other.summary {
                return "summary: \(String(describing: summary)) / \(String(describing: other.summary))"
            }
            if rejects != other.rejects { return "rejects:\n\(rejects)/\n\(other.rejects)" }
            if rows.count != other.rows.count { return "\(rows.count) rows / \(other.rows.count) rows" }
            for (a, b) in zip(rows, other.rows) where a != b { return "row:\n\(a)\n\(b)" }
            return "?"
        }
    }

    static func score(_ file: URL, parts: Int, breakdown: String? = nil) -> Outcome {
        let options = ScorePipeline.Options(
            defaultSet: "sfo-foresatte", breakdown: breakdown, minN: nil, parts: parts,
            minimumPartBytes: 1)
        let pipeline = ScorePipeline(catalog: catalog, registers: registers, options: options)
        let rejectsFile = scratch("rejects-\(parts)-\(file.lastPathComponent)")
        var outcome = Outcome()
        do {
            let problems = try ProblemLog(rejects: try AtomicFile(path: rejectsFile.path), strict: false)
            let result = try pipeline.score([InputFile(url: file, name: file.lastPathComponent)], problems: problems)
            try problems.commit()
            outcome.rows = result.rows
            outcome.summary = result.summary
            outcome.rejects = (try? String(contentsOf: rejectsFile, encoding: .utf8)) ?? ""
        } catch {
            outcome.error = "\(error)"
        }
        try? FileManager.default.removeItem(at: rejectsFile)
        return outcome
    }

    /// A CSV file: scored sequentially and in three parts (split anywhere), which must agree on
    /// every row, the summary, every problem and any error.
    public static func csv(_ bytes: UnsafeRawBufferPointer) -> String? {
        let file = scratch("input.csv")
        write(bytes, to: file)
        let whole = score(file, parts: 1, breakdown: "trinn")
        let parts = score(file, parts: 3, breakdown: "trinn")
        if whole.error == nil { report(whole.rows) }
        return whole == parts ? nil : "reading in parts differs from reading at once:\n\(whole.difference(parts))"
    }

    /// The bytes as a file named `input.EXTENSION`, scored once; nil (no finding of its own: a
    /// crash, hang or excess allocation is the fuzzer's to see).
    static func scoreOnce(_ bytes: UnsafeRawBufferPointer, as fileExtension: String) -> String? {
        let file = scratch("input.\(fileExtension)")
        write(bytes, to: file)
        let outcome = score(file, parts: 1)
        if outcome.error == nil { report(outcome.rows) }
        return nil
    }

    /// An XML file: scored (libxml2's SAX parser behind the reader).
    public static func xml(_ bytes: UnsafeRawBufferPointer) -> String? { scoreOnce(bytes, as: "xml") }

    /// An Excel workbook: scored (the zip reader's limits, the sheet's XML, the cells).
    public static func xlsx(_ bytes: UnsafeRawBufferPointer) -> String? { scoreOnce(bytes, as: "xlsx") }

    /// An SPSS data file: scored (ReadStat behind the reader).
    public static func sav(_ bytes: UnsafeRawBufferPointer) -> String? { scoreOnce(bytes, as: "sav") }

    /// The line that parts a Triple-S input into its metadata (before) and data (after).
    public static let tripleSDataMarker = Array("\n--kvalitet-data--\n".utf8)

    /// A Triple-S survey: the input's metadata as `input.sss`, what follows the marker as its
    /// data `input.asc`, scored.
    public static func tripleS(_ bytes: UnsafeRawBufferPointer) -> String? {
        let all = Array(bytes)
        var split = all.count
        if all.count >= tripleSDataMarker.count {
            for index in 0...(all.count - tripleSDataMarker.count)
            where all[index..<(index + tripleSDataMarker.count)].elementsEqual(tripleSDataMarker) {
                split = index
                break
            }
        }
        let metadata = scratch("input.sss")
        let data = scratch("input.asc")
        all[..<split].withUnsafeBytes { write($0, to: metadata) }
        all[min(all.count, split + tripleSDataMarker.count)...].withUnsafeBytes { write($0, to: data) }
        let outcome = score(metadata, parts: 1)
        if outcome.error == nil { report(outcome.rows) }
        try? FileManager.default.removeItem(at: data)
        return nil
    }

    /// A set definition: loaded, and when it loads, used to score a small CSV of its own items.
    public static func setYAML(_ bytes: UnsafeRawBufferPointer) -> String? {
        let file = scratch("set.yaml")
        write(bytes, to: file)
        guard let set = try? IndicatorSetLoader().load(file: file) else { return nil }
        var catalog = IndicatorSetCatalog()
        guard (try? catalog.add(set, origin: "fuzz")) != nil else { return nil }
        let items = set.dimensions.flatMap(\.items).map(\.id)
        let codes = Array(set.scale.codes.prefix(64))
        var csv = "respondent,municipality,service,unit,period,set," + items.map(csvField).joined(separator: ",") + "\n"
        for respondent in 0..<6 {
            let answers = items.indices.map { index in codes.isEmpty ? "" : "\(codes[(respondent + index) % codes.count])" }
            csv += "r\(respondent),m,s,u\(respondent % 2),2024,\(csvField(set.id)),\(answers.joined(separator: ","))\n"
        }
        let input = scratch("set-input.csv")
        try? Data(csv.utf8).write(to: input)
        let pipeline = ScorePipeline(catalog: catalog, options: ScorePipeline.Options(parts: 1))
        if let problems = try? ProblemLog(rejects: nil, strict: false),
            let result = try? pipeline.score([InputFile(url: input, name: "set-input.csv")], problems: problems)
        {
            report(result.rows)
        }
        return nil
    }

    /// A register: loaded and indexed.
    public static func registerYAML(_ bytes: UnsafeRawBufferPointer) -> String? {
        let file = scratch("register.yaml")
        write(bytes, to: file)
        guard let register = try? Register.load(file: file) else { return nil }
        var index = try! RegisterIndex()
        _ = try? index.add(register)
        return nil
    }

    /// Writes the rows as the CSV writer does (exercising the writers on whatever was read).
    static func report(_ rows: [ScoreRow]) {
        var output = StringOutput()
        try? CSVScoresWriter().write(
            ScoreResult(rows: rows, sets: catalog.sets, summary: RunSummary()), language: .nb,
            to: &output)
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
