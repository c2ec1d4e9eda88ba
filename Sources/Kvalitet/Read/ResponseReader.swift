import Foundation

/// A file given to a reader: where it is and how messages name it.
public struct InputFile: Sendable, Hashable {
    public var url: URL
    /// The path as the user gave it (relative paths stay relative in messages).
    public var name: String
    /// Files read together with this one (a Triple-S `.sss` file's `.asc` data), as the reader
    /// claimed them (``ResponseReader/companions(of:in:)``).
    public var companions: [InputFile]

    public init(url: URL, name: String? = nil, companions: [InputFile] = []) {
        self.url = url
        self.name = name ?? url.relativePath
        self.companions = companions
    }
}

/// Receives what a reader finds in a file, in file order.
///
/// ## Implementation requirements
/// - Records arrive with their fields as text; a sink may keep them (they are values).
/// - Throwing from either method stops the reader, which rethrows it unchanged.
public protocol ResponseSink {
    /// One response; throwing stops the reader (used by `--strict`).
    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws
    /// A problem that belongs to no single response (an element the format does not know).
    mutating func report(_ problem: Problem) throws
}

/// A sink of the pipeline's own that reads a CSV row's cells as bytes (``ResponseRecord``'s
/// internal `rawAnswers` and `rawKeys`) instead of text, when `acceptsRawCells`. Internal: the
/// bytes are internal fields, so an outside sink always gets text.
protocol RawCellSink: ResponseSink {
    var acceptsRawCells: Bool { get }
}

extension ResponseSink {
    /// Whether this sink takes a row's cells as bytes (see ``RawCellSink``).
    var takesRawCells: Bool { (self as? any RawCellSink)?.acceptsRawCells ?? false }
}

/// What a reader can do beyond reading a file through (``ResponseReader/capabilities``). Reading
/// in parts is a capability too: conforming to ``SplittableReader``.
public struct ReaderCapabilities: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Every record carries its start in the file (``ResponseRecord/offset``), unique per
    /// record: a large run can then keep respondent ids on disk and find duplicates by offset
    /// (``IDsOnDisk``) instead of holding every id in memory.
    public static let recordOffsets = ReaderCapabilities(rawValue: 1 << 0)
}

/// Reads one file format of responses (FORMAT.md §2–3) into ``ResponseRecord``s.
///
/// ## Implementation requirements
/// - Stream: memory must not grow with the size of the file. Hand each response to the sink as
///   soon as it is complete.
/// - Report raw text: do not trim, validate answers or apply aliases of other formats; the
///   pipeline applies the rules of FORMAT.md to every format alike.
/// - A file that cannot be read as a whole (unreadable, malformed, wrong encoding, a required
///   field missing from its layout) is refused by throwing a ``KvalitetError`` with code
///   ``KvalitetError/Code/inputRefused`` and the file, line and field in its location, *before*
///   or *while* emitting: the pipeline discards everything of a refused file.
/// - An empty (0-byte) file is refused the same way, naming the file: it is no export.
/// - Every record carries the line where it starts (``ResponseRecord/line``).
/// - Rethrow what the sink throws unchanged.
/// - Declare what else it can do: ``capabilities``, ``SplittableReader`` for reading in parts,
///   ``companions(of:in:)`` for formats that come as several files.
/// - Add the reader to the pipeline's list of readers; nothing else needs to change.
///   `KvalitetTesting.ReaderConformance` checks all of the above; every built-in reader passes it.
public protocol ResponseReader: Sendable {
    /// A short name for diagnostics, for example `csv`.
    var name: String { get }
    /// File name extensions (lowercase, no dot) this reader takes when a folder is scanned.
    var fileExtensions: Set<String> { get }
    /// Reads `file` and hands every response to `sink`.
    func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws
    /// What the reader can do beyond reading a file through (default: nothing).
    var capabilities: ReaderCapabilities { get }
    /// Whether the reader takes the file `name` of a folder whose files are `names`, and the
    /// files it reads with it (`[]`: none; nil: it does not take the file). A companion is not
    /// read on its own. A file given by itself (not in a folder to list) is asked about with
    /// `names` holding only its own name: a reader that needs companions then finds them next to
    /// the file when it reads it. Default: the files whose extension is one of ``fileExtensions``, alone.
    func companions(of name: String, in names: Set<String>) -> [String]?
}

extension ResponseReader {
    public var capabilities: ReaderCapabilities { [] }

    public func companions(of name: String, in names: Set<String>) -> [String]? {
        fileExtensions.contains((name as NSString).pathExtension.lowercased()) ? [] : nil
    }
}

/// A reader whose format marks "don't know" by a labelled code (SPSS's user-missing values,
/// Triple-S's value labels) rather than by the word: the pipeline gives it the don't-know words
/// of the run's sets (trimmed, lowercased), so it can hand over the word the rules know.
public protocol DontKnowAware: ResponseReader {
    var dontKnowWords: Set<String> { get set }
}
