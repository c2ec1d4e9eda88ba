import Foundation

/// Receives every problem of a run: counts it, writes it to the rejects report when one is
/// wanted, and under `--strict` turns the first one into an error.
public final class ProblemLog {
    /// The rejects report's header (FORMAT.md §7).
    public static let header = "file,line,respondent,column,value,problem\n"

    private let rejects: AtomicFile?
    private let strict: Bool
    private let excelSafe: Bool
    public private(set) var counts: [Problem.Kind: Int] = [:]
    /// When buffering (one part of a file read in parallel), every problem in order.
    var buffer: [Problem]?

    public init(rejects: AtomicFile?, strict: Bool, excelSafe: Bool = false) throws(KvalitetError) {
        self.rejects = rejects
        self.strict = strict
        self.excelSafe = excelSafe
        try rejects?.write(Self.header)
    }

    /// A log that only keeps problems, to be replayed into the run's log in file order.
    static func buffering() -> ProblemLog {
        let log = try! ProblemLog(rejects: nil, strict: false)
        log.buffer = []
        return log
    }

    public func record(_ problem: Problem) throws(KvalitetError) {
        if buffer != nil {
            buffer!.append(problem)
            return
        }
        if strict && problem.kind.failsStrict {
            throw KvalitetError(.strict, "\(problem.message) [\(problem.kind)] (--strict)", at: problem.location)
        }
        counts[problem.kind, default: 0] += 1
        try rejects?.write(CSVText.row([
            problem.file, problem.line.map(String.init) ?? "", problem.respondent, problem.column,
            problem.value, problem.kind.rawValue,
        ], excelSafe: excelSafe))
    }

    /// Writes the rejects report in place.
    public func commit() throws(KvalitetError) {
        try rejects?.commit()
    }
}

/// CSV output text: RFC 4180 quoting where a field needs it.
public enum CSVText {
    /// A text cell, quoted when it must be. `excelSafe` (`--excel-safe`) puts `'` before a text
    /// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, so a spreadsheet shows it
    /// as text instead of running it as a formula ("CSV injection": a response file is written by
    /// whoever fills in a form or edits the export, and its texts reach these cells).
    public static func field(_ text: String, excelSafe: Bool = false) -> String {
        var text = text
        if excelSafe, let first = text.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) {
            text = "'" + text
        }
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String], excelSafe: Bool = false) -> String {
        fields.map { field($0, excelSafe: excelSafe) }.joined(separator: ",") + "\n"
    }
}
