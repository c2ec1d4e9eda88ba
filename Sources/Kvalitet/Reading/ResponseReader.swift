import Foundation

/// A file given to a reader: where it is and how messages name it.
public struct InputFile: Sendable, Hashable {
    public var url: URL
    /// The path as the user gave it (relative paths stay relative in messages).
    public var name: String

    public init(url: URL, name: String? = nil) {
        self.url = url
        self.name = name ?? url.relativePath
    }
}

/// Receives what a reader finds in a file, in file order.
public protocol ResponseSink {
    /// One response; throwing stops the reader (used by `--strict`).
    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws
    /// A problem that belongs to no single response (an element the format does not know).
    mutating func report(_ problem: Problem) throws
    /// Whether the sink reads cells as bytes (``ResponseRecord/rawAnswers`` and `rawKeys`) when
    /// a reader gives them so (the pipeline's collector does; others get text).
    var acceptsRawCells: Bool { get }
}

extension ResponseSink {
    public var acceptsRawCells: Bool { false }
}

/// Reads one file format of responses (FORMAT.md §2–3) into ``ResponseRecord``s.
///
/// ## Implementing a reader
/// - Stream: memory must not grow with the size of the file. Hand each response to the sink as
///   soon as it is complete.
/// - Report raw text: do not trim, validate answers or apply aliases of other formats; the
///   pipeline applies the rules of FORMAT.md to every format alike.
/// - A file that cannot be read as a whole (unreadable, malformed, wrong encoding, a required
///   field missing from its layout) is refused by throwing a ``KvalitetError`` with code
///   ``KvalitetError/Code/inputRefused`` and the file, line and field in its location, *before*
///   or *while* emitting: the pipeline discards everything of a refused file.
/// - Rethrow what the sink throws unchanged.
/// - Add the reader to the pipeline's list of readers; nothing else needs to change. The shared
///   conformance tests in `ReaderConformanceTests` show what every reader must pass.
public protocol ResponseReader: Sendable {
    /// A short name for diagnostics, for example `csv`.
    var name: String { get }
    /// File name extensions (lowercase, no dot) this reader takes when a folder is scanned.
    var fileExtensions: Set<String> { get }
    /// Reads `file` and hands every response to `sink`.
    func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws
}
