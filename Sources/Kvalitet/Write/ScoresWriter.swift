/// Where a writer's text goes: a file written atomically, or standard output.
public protocol TextOutput {
    mutating func write(_ text: String) throws(KvalitetError)
}

extension AtomicFile: TextOutput {}

/// Any output, given as a closure (lets one code path write to a file or standard output).
public struct AnyTextOutput: TextOutput {
    let sink: (String) throws(KvalitetError) -> Void
    public init(_ sink: @escaping (String) throws(KvalitetError) -> Void) { self.sink = sink }
    public mutating func write(_ text: String) throws(KvalitetError) { try sink(text) }
}

/// Collects text in memory (tests, small outputs).
public struct StringOutput: TextOutput {
    public var text = ""
    public init() {}
    public mutating func write(_ text: String) throws(KvalitetError) { self.text += text }
}

/// The run's choices a writer is made with (in its initialiser): a job makes its writers with
/// them (`ScoreJob.writers`), so no writer is configured after it is made.
public struct WriterOptions: Sendable {
    /// `--min-n`: the threshold to name in "færre enn N svar" instead of each set's.
    public var minN: Int?
    /// `--csv-style` and `--excel-safe`: how CSV outputs are written.
    public var csv: CSVStyle

    public init(minN: Int? = nil, csv: CSVStyle = .standard) {
        self.minN = minN
        self.csv = csv
    }
}

/// Presents a ``ScoreResult`` in one format (`--format`).
///
/// ## Implementation requirements
/// - Write every row of the result, in its order; never reveal a figure of a suppressed row
///   (its `respondents` may be shown, nothing else).
/// - Labels people read come in `language` (Norwegian bokmål by default).
/// - Write only through `output`; the caller makes the file appear whole or not at all.
/// - Take the run's choices in the initialiser (``WriterOptions``); add the writer to the job's
///   `writers`. `KvalitetTesting.WriterConformance` checks the above; every built-in writer passes it.
public protocol ScoresWriter: Sendable {
    /// The format's name after `--format`, for example `csv`.
    var name: String { get }
    func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError)
}
