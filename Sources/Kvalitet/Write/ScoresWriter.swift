/// Where a writer's output goes: a file written atomically, or standard output. Text, or bytes
/// as they are for a binary format (a workbook, `--format xlsx`).
public protocol TextOutput {
    mutating func write(_ text: String) throws(KvalitetError)
    mutating func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError)
}

extension TextOutput {
    /// An output made for text only cannot hold a binary format: refused, never mangled.
    public mutating func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError) {
        throw KvalitetError(.output, "this output takes text only", nb: "denne utdataen tar bare tekst")
    }
}

extension TextOutput {
    /// Writes `bytes` as they are (``write(bytes:)`` with an array).
    public mutating func write(contentsOf bytes: [UInt8]) throws(KvalitetError) {
        var failure: KvalitetError?
        bytes.withUnsafeBytes { buffer in
            do throws(KvalitetError) { try write(bytes: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

extension AtomicFile: TextOutput {}

/// Any output, given as closures (lets one code path write to a file or standard output).
public struct AnyTextOutput: TextOutput {
    let sink: (String) throws(KvalitetError) -> Void
    let byteSink: (UnsafeRawBufferPointer) throws(KvalitetError) -> Void
    /// An output of `sink` for text and `bytes` for bytes (without it, bytes are refused).
    public init(
        _ sink: @escaping (String) throws(KvalitetError) -> Void,
        bytes: ((UnsafeRawBufferPointer) throws(KvalitetError) -> Void)? = nil
    ) {
        self.sink = sink
        if let bytes {
            self.byteSink = bytes
        } else {
            self.byteSink = { (_: UnsafeRawBufferPointer) throws(KvalitetError) -> Void in
                throw KvalitetError(.output, "this output takes text only", nb: "denne utdataen tar bare tekst")
            }
        }
    }
    public mutating func write(_ text: String) throws(KvalitetError) { try sink(text) }
    public mutating func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError) { try byteSink(bytes) }
}

/// Collects what is written in memory (tests, small outputs).
public struct StringOutput: TextOutput {
    /// Everything written, as bytes.
    public private(set) var bytes: [UInt8] = []
    /// Everything written, as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public init() {}
    public mutating func write(_ text: String) throws(KvalitetError) { bytes.append(contentsOf: text.utf8) }
    public mutating func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError) { self.bytes.append(contentsOf: bytes) }
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
