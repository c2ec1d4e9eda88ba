import Foundation

/// Where responses come from when they are not files: a results store (module `KvalitetStore`)
/// hands the responses it keeps to the pipeline through a ``ResponseFeed``, file by file in the
/// order they were imported, so that scoring them gives exactly what scoring the files gives.
public protocol ResponseSource: Sendable {
    /// The registers kept with the responses (the latest one per municipality).
    func registers() throws(KvalitetError) -> [Register]
    /// The YAML definitions of the sets the responses were imported with, by set id: they take
    /// the place of the catalog's sets with those ids.
    func setDefinitions() throws(KvalitetError) -> [String: String]
    /// Hands every selected response (and the problems the reader found in its file) to `feed`.
    func read(into feed: inout ResponseFeed) throws(KvalitetError)
}

/// Applies the pipeline's rules (FORMAT.md §2, §5, §7) to responses handed in one by one: what
/// ``ScorePipeline`` does to the records of its readers, open to other sources and to `import`.
public struct ResponseFeed {
    var collector: ResponseCollector

    init(collector: ResponseCollector) {
        self.collector = collector
    }

    /// Starts a file; `set` is the id of the set its responses belong to, when already known.
    public mutating func begin(_ file: InputFile, set: String?) throws(KvalitetError) {
        guard let set else { return collector.begin(file) }
        guard let definition = collector.catalog[set] else {
            throw KvalitetError(
                .inputRefused, "unknown set \"\(set)\"", nb: "ukjent skjema «\(set)»",
                at: SourceLocation(file: file.name, field: "set"))
        }
        collector.begin(file, set: collector.compiled[set] ?? CompiledSet(definition))
    }

    /// One response of the current file (a file not begun is begun).
    public mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
        try collector.receive(record, from: file)
    }

    /// A problem a reader found outside any single response.
    public mutating func report(_ problem: Problem) throws {
        try collector.report(problem)
    }

    /// The id of the current file's set, once its first response decided it.
    public var currentSet: (any IndicatorSet)? { collector.currentSet }

    /// What has been read, counted and rejected so far.
    public var summary: RunSummary { collector.summary }
}

extension ScorePipeline {
    /// A feed with this pipeline's sets, registers and options; problems go to `problems`.
    public func makeFeed(problems: ProblemLog) -> ResponseFeed {
        ResponseFeed(collector: makeCollector(problems: problems, covariances: false))
    }

    /// Reads one file through its reader into `sink`, exactly as scoring reads it (one part).
    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws(KvalitetError) {
        guard let reader = reader(for: file.name) else {
            throw KvalitetError(
                .usage, "no reader for this kind of file", nb: "ingen leser for denne filtypen",
                at: SourceLocation(file: file.name))
        }
        do {
            try reader.read(file, into: &sink)
        } catch let error as KvalitetError {
            throw error
        } catch {
            throw KvalitetError(
                .inputRefused, "cannot read the file: \(error)", nb: "kan ikke lese filen: \(error)",
                at: SourceLocation(file: file.name))
        }
    }
}
