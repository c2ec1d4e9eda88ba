import Foundation
import Dispatch

/// The main job, `kvalitet score`, as a pipeline of plug-ins:
///
/// 1. **find** the input files (folders give every file a reader takes);
/// 2. **read** each with the ``ResponseReader`` for its format into ``ResponseRecord``s;
/// 3. **collect**: apply FORMAT.md's rules per response with the run's ``IndicatorSet``s and
///    their ``ScoringRule``s, report problems to the ``ProblemLog``, tally counted respondents;
/// 4. **build** the rows of every level with suppression (``ScoreResult``);
/// 5. **write** them with a ``ScoresWriter``.
///
/// Every plug-in is passed in; nothing is looked up in global state.
public struct ScorePipeline: Sendable {
    /// The readers, tried by file extension.
    public var readers: [any ResponseReader]
    public var catalog: IndicatorSetCatalog
    public var registers: RegisterIndex
    public var options: Options

    /// Choices of a run that change the result.
    public struct Options: Sendable {
        /// The set of files that name none (`--set`).
        public var defaultSet: String?
        /// Background variable for the breakdown rows (`--breakdown`).
        public var breakdown: String?
        /// Overrides every set's `min_n` (`--min-n`).
        public var minN: Int?
        /// How many parts a large CSV file is read in at once (1: one at a time).
        public var parts: Int
        /// A CSV file is split only when every part gets at least this many bytes.
        public var minimumPartBytes: Int
        /// From this many bytes of CSV input (and no other), duplicates are found by a scan ahead
        /// through temporary files (``DuplicateScan``) instead of keeping every id in memory.
        public var scanAheadBytes: Int

        public init(defaultSet: String? = nil, breakdown: String? = nil, minN: Int? = nil,
            parts: Int = min(8, ProcessInfo.processInfo.activeProcessorCount), minimumPartBytes: Int = 4 << 20,
            scanAheadBytes: Int = 256 << 20)
        {
            self.defaultSet = defaultSet
            self.breakdown = breakdown
            self.minN = minN
            self.parts = parts
            self.minimumPartBytes = minimumPartBytes
            self.scanAheadBytes = scanAheadBytes
        }
    }

    /// The standard readers: CSV and XML.
    public static let standardReaders: [any ResponseReader] = [CSVResponseReader(), XMLResponseReader()]

    public init(
        readers: [any ResponseReader] = ScorePipeline.standardReaders, catalog: IndicatorSetCatalog,
        registers: RegisterIndex = try! RegisterIndex(), options: Options = Options()
    ) {
        self.readers = readers
        self.catalog = catalog
        self.registers = registers
        self.options = options
    }

    /// The files behind `paths`: a file as given, a folder as every file in it (not below it)
    /// that a reader takes, by name.
    public func inputFiles(_ paths: [String]) throws(KvalitetError) -> [InputFile] {
        var files: [InputFile] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw KvalitetError(.inputRefused, "no such file or folder", at: SourceLocation(file: path))
            }
            if isDirectory.boolValue {
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                } catch {
                    throw KvalitetError(.inputRefused, "cannot list the folder: \(describeFileError(error))",
                        at: SourceLocation(file: path))
                }
                for name in names where !name.hasPrefix(".") && reader(for: name) != nil {
                    let full = (path as NSString).appendingPathComponent(name)
                    files.append(InputFile(url: URL(fileURLWithPath: full), name: full))
                }
            } else {
                guard reader(for: path) != nil else {
                    let known = readers.flatMap(\.fileExtensions).sorted().map { ".\($0)" }.joined(separator: ", ")
                    throw KvalitetError(.usage, "no reader for this kind of file (known: \(known))",
                        at: SourceLocation(file: path))
                }
                files.append(InputFile(url: URL(fileURLWithPath: path), name: path))
            }
        }
        return files
    }

    /// The reader for a file name, by its extension.
    public func reader(for name: String) -> (any ResponseReader)? {
        let ext = (name as NSString).pathExtension.lowercased()
        return readers.first { $0.fileExtensions.contains(ext) }
    }

    /// Reads and scores `files`; problems go to `problems`.
    public func score(_ files: [InputFile], problems: ProblemLog) throws(KvalitetError) -> ScoreResult {
        score(try collect(files, problems: problems, covariances: false))
    }

    /// Scores the responses of `source` (a results store); problems go to `problems`.
    public func score(_ source: some ResponseSource, problems: ProblemLog) throws(KvalitetError) -> ScoreResult {
        score(try collect(source, problems: problems, covariances: false))
    }

    /// Computes the pilot validation figures of FORMAT.md §6 on the responses of `source`.
    public func validate(_ source: some ResponseSource, problems: ProblemLog) throws(KvalitetError) -> ValidationResult {
        Validator(collector: try collect(source, problems: problems, covariances: true)).result()
    }

    private func collect(_ source: some ResponseSource, problems: ProblemLog, covariances: Bool) throws(KvalitetError) -> ResponseCollector {
        var feed = ResponseFeed(collector: makeCollector(problems: problems, covariances: covariances))
        try source.read(into: &feed)
        return feed.collector
    }

    /// A collector with this pipeline's sets, registers and options.
    func makeCollector(problems: ProblemLog, covariances: Bool) -> ResponseCollector {
        ResponseCollector(catalog: catalog, defaultSet: options.defaultSet, registers: registers,
            breakdown: options.breakdown, problems: problems, collectCovariances: covariances)
    }

    private func score(_ collector: ResponseCollector) -> ScoreResult {
        let builder = ScoreBuilder(collector: collector, breakdown: options.breakdown, minNOverride: options.minN)
        var sets: [String: any IndicatorSet] = [:]
        for (id, compiled) in collector.compiled { sets[id] = compiled.set }
        let rows = builder.rows()
        var names = GroupNames()
        for row in rows where row.kind == .total {
            let municipality = row.group.municipality
            switch row.group.level {
            case .unit:
                let ref = ResponseCollector.UnitRef(municipality: municipality, unit: row.group.unit)
                if let name = registers.unitName(municipality: municipality, unit: row.group.unit) ?? collector.fileUnitNames[ref] {
                    names.units[GroupNames.key(municipality, row.group.unit)] = name
                }
            case .subproject:
                if let name = registers.subprojectName(municipality: municipality, subproject: row.group.subproject) {
                    names.subprojects[GroupNames.key(municipality, row.group.subproject)] = name
                }
            default: break
            }
        }
        return ScoreResult(rows: rows, sets: sets, summary: collector.summary, names: names)
    }

    /// Reads `files` and computes the pilot validation figures of FORMAT.md §6.
    public func validate(_ files: [InputFile], problems: ProblemLog) throws(KvalitetError) -> ValidationResult {
        Validator(collector: try collect(files, problems: problems, covariances: true)).result()
    }

    /// Reads every file through its reader into one collector.
    private func collect(_ files: [InputFile], problems: ProblemLog, covariances: Bool) throws(KvalitetError) -> ResponseCollector {
        var collector = makeCollector(problems: problems, covariances: covariances)
        let scan = try scanAhead(files)
        collector.knownDuplicates = scan?.duplicates
        for (number, file) in files.enumerated() {
            guard let reader = reader(for: file.name) else { continue }
            if let csv = reader as? CSVResponseReader, options.parts > 1,
                try collectInParts(file, reader: csv, layout: scan?.layouts[number], into: &collector, covariances: covariances)
            {
                continue
            }
            if let xml = reader as? XMLResponseReader, options.parts > 1,
                try collectXMLInParts(file, reader: xml, into: &collector, covariances: covariances)
            {
                continue
            }
            collector.begin(file)
            try read(file, into: &collector)
        }
        return collector
    }

    /// Reads a large XML file in parts at once (see `XMLResponseReader+Parts`), each into a
    /// collector of its own, and merges them in file order as `collectInParts` does for CSV:
    /// respondents an earlier part had are taken back from the later one, problems are replayed
    /// in order with the later parts' lines moved to the file's numbering, and a warning given
    /// once per file is kept once. Every boundary is checked before anything is merged; when one
    /// does not hold, nothing of the parts is used and false is returned (the file is then read
    /// in one go, with the same result).
    private func collectXMLInParts(_ file: InputFile, reader: XMLResponseReader, into collector: inout ResponseCollector,
        covariances: Bool) throws(KvalitetError) -> Bool
    {
        guard let starts = try reader.partStarts(of: file, parts: options.parts, minimumPartBytes: options.minimumPartBytes)
        else { return false }
        final class Results: @unchecked Sendable {
            // @unchecked: each slot is written by one worker, read after all have finished.
            var parts: [(collector: ResponseCollector, outcome: XMLResponseReader.PartOutcome)?]
            init(_ count: Int) { parts = Array(repeating: nil, count: count) }
        }
        let results = Results(starts.count)
        let (catalog, registers, options) = (self.catalog, self.registers, self.options)
        let fileNumber = collector.fileNumber + 1
        DispatchQueue.concurrentPerform(iterations: starts.count) { index in
            var part = ResponseCollector(catalog: catalog, defaultSet: options.defaultSet, registers: registers,
                breakdown: options.breakdown, problems: .buffering(), collectCovariances: covariances, tracksPositions: true)
            part.begin(file)
            part.fileNumber = fileNumber
            let outcome = reader.readPart(file, starts: starts, index: index, into: &part)
            results.parts[index] = (part, outcome)
        }
        // The line shift of each part: the shared element's line in the part before, in the
        // file's numbering, less its line in the part's own.
        // A part that failed (malformed XML, say): the file is read in one go, which reports the
        // error exactly as without parts (libxml2's messages name lines of the part's own).
        if results.parts.contains(where: { $0?.outcome.error != nil }) { return false }
        var shifts = [0]
        for index in 1..<starts.count {
            guard let before = results.parts[index - 1]?.outcome, let after = results.parts[index]?.outcome,
                let stop = before.stop, let first = after.first,
                stop.context != nil, stop == Boundary(mark: first.mark, line: stop.line, context: first.context)
            else { return false }
            shifts.append(shifts[index - 1] + stop.line - first.line)
        }

        collector.begin(file)
        for index in results.parts.indices {
            guard let result = results.parts[index] else { continue }
            results.parts[index] = nil
            var part = result.collector
            let shift = shifts[index]
            for (slice, ids) in part.seenRespondents {
                guard let earlier = collector.seenRespondents[slice] else { continue }
                let marks = Set(ids.common(with: earlier).map(\.offset))
                if marks.isEmpty { continue }
                let records: [ResponseRecord]
                do {
                    records = try reader.records(file, starts: starts, index: index, marks: marks)
                } catch {
                    // It was read without error a moment ago: the file changed meanwhile.
                    throw KvalitetError(.inputRefused, "the file changed while it was read: \(error)", at: SourceLocation(file: file.name))
                }
                for record in records { try part.retractDuplicate(record, file: file) }
            }
            collector.absorb(part)
            try part.problems.forEachKept { problem throws(KvalitetError) in
                var problem = problem
                if let line = problem.line { problem.line = line + shift }
                try collector.replay(problem)
            }
        }
        return true
    }

    typealias Boundary = XMLResponseReader.Boundary

    /// The duplicates of a run whose input is CSV only and at least `scanAheadBytes` long, found
    /// ahead; nil otherwise (ids are then kept in memory as they come).
    private func scanAhead(_ files: [InputFile]) throws(KvalitetError) -> DuplicateScan.Outcome? {
        var bytes = 0
        var csv: CSVResponseReader?
        for file in files {
            guard let reader = reader(for: file.name) as? CSVResponseReader else { return nil }
            csv = reader
            bytes += (try? FileManager.default.attributesOfItem(atPath: file.url.path)[.size] as? Int) ?? 0
        }
        guard let csv, bytes >= options.scanAheadBytes else { return nil }
        return try DuplicateScan(reader: csv, catalog: catalog, defaultSet: options.defaultSet, parts: options.parts,
            minimumPartBytes: options.minimumPartBytes).run(files)
    }

    /// Reads a large CSV file in parts at once, each into a collector of its own, and merges them
    /// in file order so that the result, the problems and their order are exactly those of one
    /// sequential read: a respondent whose first response lies in an earlier part is read again
    /// at its offset and taken back from the later part as a duplicate; problems are buffered per
    /// part and replayed in order (so `--strict` stops at the same first problem). A part whose
    /// last response runs past its planned end (the quote count misled the split) reads on to the
    /// end of the file, and the parts after it are dropped. Returns false when the file is too
    /// small to split (it is then read as usual).
    /// `layout` is the file's when known already (its encoding takes a pass over the file).
    private func collectInParts(_ file: InputFile, reader: CSVResponseReader, layout known: CSVResponseReader.Layout?,
        into collector: inout ResponseCollector,
        covariances: Bool) throws(KvalitetError) -> Bool
    {
        var layout = known
        if layout == nil { layout = try reader.layout(of: file) }
        guard let layout,
            let points = try reader.splitPoints(of: file, layout: layout, parts: options.parts,
                minimumPartBytes: options.minimumPartBytes),
            let first = try reader.record(at: points[0].offset, line: points[0].line, layout: layout, file: file)
        else { return false }
        collector.begin(file)
        let set = try collector.decideSet(for: first, file: file)

        final class Results: @unchecked Sendable {
            // @unchecked: each slot is written by one worker, read after all have finished.
            var parts: [(collector: ResponseCollector, crossed: Bool, error: (any Error)?)?]
            init(_ count: Int) { parts = Array(repeating: nil, count: count) }
        }
        let results = Results(points.count)
        let (catalog, registers, options) = (self.catalog, self.registers, self.options)
        let (knownDuplicates, fileNumber) = (collector.knownDuplicates, collector.fileNumber)
        DispatchQueue.concurrentPerform(iterations: points.count) { index in
            // Found ahead, duplicates are never taken back, so problems can wait on disk.
            var part = ResponseCollector(catalog: catalog, defaultSet: options.defaultSet, registers: registers,
                breakdown: options.breakdown, problems: .buffering(spilling: knownDuplicates != nil), collectCovariances: covariances,
                tracksPositions: knownDuplicates == nil)
            part.knownDuplicates = knownDuplicates
            // A set and names of the part's own: objects both cores retain and release for every
            // response would bounce their reference counts between the cores' caches.
            part.begin(file, set: CompiledSet(set.set))
            part.fileNumber = fileNumber
            let end = index + 1 < points.count ? points[index + 1] : nil
            var crossed = false
            var failure: (any Error)?
            do {
                crossed = try reader.read(file, layout: layout.unshared(), from: points[index], until: end, into: &part)
            } catch {
                failure = error
            }
            results.parts[index] = (part, crossed, failure)
        }

        for index in results.parts.indices {
            guard let result = results.parts[index] else { continue }
            // Dropped from the list now, so each part's memory goes once it is merged.
            results.parts[index] = nil
            var part = result.collector
            // Respondents an earlier part (or file) already had: take them back from this part.
            for (slice, ids) in part.seenRespondents {
                guard let earlier = collector.seenRespondents[slice] else { continue }
                for position in ids.common(with: earlier) {
                    guard let record = try reader.record(at: position.offset, line: position.line, layout: layout, file: file)
                    else { continue }
                    try part.retractDuplicate(record, file: file)
                }
            }
            collector.absorb(part)
            try part.problems.forEachKept { problem throws(KvalitetError) in try collector.replay(problem) }
            if let failure = result.error {
                if let error = failure as? KvalitetError { throw error }
                throw KvalitetError(.inputRefused, "cannot read the file: \(failure)", at: SourceLocation(file: file.name))
            }
            if result.crossed { break }
        }
        return true
    }
}
