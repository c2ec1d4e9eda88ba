import Foundation

/// Receives every problem of a run: counts it, writes it to the rejects report when one is
/// wanted, and under `--strict` turns the first one into an error.
public final class ProblemLog {
    /// The rejects report's header (FORMAT.md §7).
    public static let columnNames = ["file", "line", "respondent", "column", "value", "problem"]

    private let rejects: AtomicFile?
    private let strict: Bool
    private let style: CSVStyle
    public private(set) var counts: [Problem.Kind: Int] = [:]
    /// The run notes recorded (``Problem/Kind/isRunNote``), in order, for standard error.
    public private(set) var notes: [Problem] = []
    /// When buffering (one part of a file read in parallel), every problem in order.
    var buffer: [Problem]?

    public init(rejects: AtomicFile?, strict: Bool, style: CSVStyle = .standard) throws(KvalitetError) {
        self.rejects = rejects
        self.strict = strict
        self.style = style
        try rejects?.write(style.header(Self.columnNames))
    }

    /// When spilling (a part of a large run), every problem in order, in a temporary file.
    private var spill: SpillFile?

    /// A log that only keeps problems, to be replayed into the run's log in file order: in
    /// memory (`buffer`, which taking a duplicate back edits), or with `spilling` in a temporary
    /// file (a part of a large file holds hundreds of thousands of problems until it is merged;
    /// when no temporary file can be made, they stay in memory).
    static func buffering(spilling: Bool = false) -> ProblemLog {
        let log = try! ProblemLog(rejects: nil, strict: false)
        if spilling, let spill = try? SpillFile() { log.spill = spill } else { log.buffer = [] }
        return log
    }

    /// Every problem kept by a buffering log, in order.
    func forEachKept(_ body: (Problem) throws(KvalitetError) -> Void) throws(KvalitetError) {
        for problem in buffer ?? [] { try body(problem) }
        guard let spill else { return }
        var reader = try spill.reader()
        while !reader.isAtEnd {
            let kind = Problem.Kind(rawValue: try reader.text())
            let file = try reader.text()
            let line = Int(bitPattern: UInt(try reader.number()))
            var problem = Problem(
                kind, file: file, line: line < 0 ? nil : line, respondent: try reader.text(),
                column: try reader.text(), value: try reader.text(), message: try reader.text())
            let norwegian = try reader.text()
            problem.norwegian = norwegian.isEmpty ? nil : norwegian
            let (low, high) = (Int64(bitPattern: try reader.number()), Int64(bitPattern: try reader.number()))
            if low <= high { problem.scale = (Int(low), Int(high)) }
            let key = try reader.text()
            problem.onceKey = key.isEmpty ? nil : key
            try body(problem)
        }
    }

    public func record(_ problem: Problem) throws(KvalitetError) {
        if buffer != nil {
            buffer!.append(problem)
            return
        }
        if let spill {
            try spill.append(problem.kind.rawValue)
            try spill.append(problem.file)
            try spill.append(UInt64(bitPattern: Int64(problem.line ?? -1)))
            for text in [
                problem.respondent, problem.column, problem.value, problem.message, problem.storedNorwegian ?? "",
            ] {
                try spill.append(text)
            }
            // An invalid answer's scale (its bokmål sentence is made only when printed); none as -1, -2.
            try spill.append(UInt64(bitPattern: Int64(problem.scale?.min ?? -1)))
            try spill.append(UInt64(bitPattern: Int64(problem.scale?.max ?? -2)))
            try spill.append(problem.onceKey ?? "")
            return
        }
        if strict && problem.kind.failsStrict {
            throw KvalitetError(
                .strict, "\(problem.message) [\(problem.kind)] (--strict)",
                nb: problem.norwegian.map { "\($0) [\(problem.kind)] (--strict)" }, at: problem.location)
        }
        counts[problem.kind, default: 0] += 1
        if problem.kind.isRunNote { notes.append(problem) }
        try rejects?.write(
            CSVText.row(
                [
                    problem.file, problem.line.map(String.init) ?? "", problem.respondent, problem.column,
                    problem.value, problem.kind.rawValue,
                ], style: style))
    }

    /// Forgets every problem recorded (the run reads its files again).
    func restart() throws(KvalitetError) {
        counts = [:]
        notes = []
        try rejects?.restart()
        try rejects?.write(style.header(Self.columnNames))
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
    public static func field(_ text: String, style: CSVStyle = .standard) -> String {
        var text = text
        if style.excelSafe, let first = text.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) {
            text = "'" + text
        }
        guard needsQuotes(text, separator: style.separator) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Whether a text must be quoted: it holds the separator, `"` or a line break.
    static func needsQuotes(_ text: String, separator: UInt8 = 0x2C) -> Bool {
        text.utf8.contains(where: { $0 == separator || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
    }

    /// One record of text fields, with the style's separator and line end.
    public static func row(_ fields: [String], style: CSVStyle = .standard) -> String {
        fields.map { field($0, style: style) }.joined(separator: String(UnicodeScalar(style.separator)))
            + String(decoding: style.lineEnd, as: UTF8.self)
    }
}
