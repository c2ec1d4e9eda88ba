/// Where a record starts in its file: its byte offset and its line. A reader that can be split
/// reads a record again by it (to take back a respondent an earlier part already had).
public struct RecordStart: Sendable, Hashable {
    public var offset: Int
    public var line: Int

    public init(offset: Int, line: Int) {
        self.offset = offset
        self.line = line
    }
}

/// How reading one part of a file ended.
public struct PartRead<End: Sendable>: Sendable {
    /// What the reader needs to know, once every part is read, to join the parts
    /// (``SplittableReader/lineShifts(_:ends:)``).
    public var end: End
    /// Why the part stopped early (the whole file is then read at once, which reports it
    /// exactly as without parts).
    public var error: (any Error)?
    /// The part read on to the end of the file (its planned end was no record boundary): the
    /// parts after it are not used.
    public var readToEnd: Bool

    public init(end: End, error: (any Error)? = nil, readToEnd: Bool = false) {
        self.end = end
        self.error = error
        self.readToEnd = readToEnd
    }
}

/// A reader that can read one file in parts at once, each part on a core of its own: the
/// pipeline then reads large files of its format with one parallel driver (`ScorePipeline`'s
/// `collectInParts`) and merges the parts so that the result, the problems and their order are
/// exactly those of one sequential read.
///
/// ## Implementation requirements
/// - ``plan(_:parts:minimumPartBytes:)`` cuts only at record boundaries, and returns nil when the
///   file is too small or cannot be cut safely (the file is then read at once).
/// - Reading every part of a plan in order gives exactly the records and problems of
///   ``ResponseReader/read(_:into:)``, each record with its ``ResponseRecord/offset`` set
///   (unique per record in the file) and its line in the part's own numbering; the part's
///   ``PartRead/end`` tells ``lineShifts(_:ends:)`` how that numbering relates to the file's.
/// - ``readPart(_:plan:index:into:)`` never throws: what stopped it goes in ``PartRead/error``.
/// - ``records(_:plan:part:at:)`` gives the responses of a part that start at the given places,
///   as text (``ResponseRecord/answerValues``), with lines in the part's numbering.
/// - `KvalitetTesting.ReaderConformance` checks that reading in parts equals reading at once.
public protocol SplittableReader: ResponseReader {
    /// Where the parts of one file start (and whatever else reading a part needs).
    associatedtype Plan: Sendable
    /// What one part's read leaves for joining the parts.
    associatedtype End: Sendable

    /// Up to `parts` parts of about equal size, each at least `minimumPartBytes`; nil: read at once.
    func plan(_ file: InputFile, parts: Int, minimumPartBytes: Int) throws(KvalitetError) -> Plan?
    /// How many parts `plan` has (at least 2).
    func partCount(of plan: Plan) -> Int
    /// A record whose set every part takes (a CSV file's first row: a later part may hold no row
    /// that names it); nil when each part finds it in its own records.
    func presetRecord(of plan: Plan) -> ResponseRecord?
    /// Reads part `index` of `plan` into `sink`.
    func readPart<Sink: ResponseSink>(_ file: InputFile, plan: Plan, index: Int, into sink: inout Sink) -> PartRead<End>
    /// How many lines to add to each part's line numbers to give the file's (one per part, the
    /// first 0), or nil when the parts do not join as the plan expected (the file is then read
    /// at once).
    func lineShifts(_ plan: Plan, ends: [End]) -> [Int]?
    /// The responses of part `index` that start at `starts`.
    func records(_ file: InputFile, plan: Plan, part index: Int, at starts: [RecordStart]) throws -> [ResponseRecord]
}

extension SplittableReader {
    public func presetRecord(of plan: Plan) -> ResponseRecord? { nil }
}
