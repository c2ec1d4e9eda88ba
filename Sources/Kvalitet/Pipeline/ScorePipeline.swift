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
        /// From this many bytes of input (CSV and XML), respondent ids are kept in temporary files
        /// instead of memory (``IDsOnDisk``).
        public var idsOnDiskBytes: Int
        /// Collectors take CSV cells as text, as other sinks do, instead of as bytes: the slower
        /// general path for every row, for tests that compare the two.
        var cellsAsText = false

        public init(defaultSet: String? = nil, breakdown: String? = nil, minN: Int? = nil,
            parts: Int = min(8, ProcessInfo.processInfo.activeProcessorCount), minimumPartBytes: Int = 4 << 20,
            idsOnDiskBytes: Int = 256 << 20)
        {
            self.defaultSet = defaultSet
            self.breakdown = breakdown
            self.minN = minN
            self.parts = parts
            self.minimumPartBytes = minimumPartBytes
            self.idsOnDiskBytes = idsOnDiskBytes
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

    /// Reads and scores `files`; problems go to `problems`.
    public func score(_ files: [InputFile], problems: ProblemLog) throws(KvalitetError) -> ScoreResult {
        try score(try collect(files, problems: problems, covariances: false))
    }

    /// Scores the responses of `source` (a results store); problems go to `problems`.
    public func score(_ source: some ResponseSource, problems: ProblemLog) throws(KvalitetError) -> ScoreResult {
        try score(try collect(source, problems: problems, covariances: false))
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
        var collector = ResponseCollector(catalog: catalog, defaultSet: options.defaultSet, registers: registers,
            breakdown: options.breakdown, problems: problems, collectCovariances: covariances)
        collector.acceptsRawCells = !options.cellsAsText
        return collector
    }

    private func score(_ collector: ResponseCollector) throws(KvalitetError) -> ScoreResult {
        var collector = collector
        try collector.checkRun()
        let builder = ScoreBuilder(collector: collector, breakdown: options.breakdown, minNOverride: options.minN)
        var sets: [String: any IndicatorSet] = [:]
        for (id, compiled) in collector.compiled { sets[id] = compiled.set }
        // The names of the units and sub-projects that have rows: those of every cell with a
        // counted respondent (the rows are not made here; writers stream them).
        var names = GroupNames()
        for (index, key) in collector.cellKeys.enumerated() where collector.tallies[index].respondents > 0 {
            let ref = ResponseCollector.UnitRef(municipality: key.municipality, unit: key.unit)
            if let name = registers.unitName(municipality: key.municipality, unit: key.unit) ?? collector.fileUnitNames[ref] {
                names.units[GroupNames.key(key.municipality, key.unit)] = name
            }
            for subproject in collector.subprojects(municipality: key.municipality, unit: key.unit) {
                if let name = registers.subprojectName(municipality: key.municipality, subproject: subproject) {
                    names.subprojects[GroupNames.key(key.municipality, subproject)] = name
                }
            }
        }
        return ScoreResult(source: RowSource(builder: builder), sets: sets, summary: collector.summary, names: names)
    }

    /// Reads `files` and computes the pilot validation figures of FORMAT.md §6.
    public func validate(_ files: [InputFile], problems: ProblemLog) throws(KvalitetError) -> ValidationResult {
        Validator(collector: try collect(files, problems: problems, covariances: true)).result()
    }

    /// Reads every file through its reader into one collector. A large run keeps respondent ids
    /// on disk (see ``IDsOnDisk``): it reads assuming no duplicates, and when there were some
    /// (or `--strict` stopped and there may have been one before), reads again knowing them.
    private func collect(_ files: [InputFile], problems: ProblemLog, covariances: Bool) throws(KvalitetError) -> ResponseCollector {
        guard keepsIDsOnDisk(files) else {
            return try collect(files, problems: problems, covariances: covariances, duplicates: nil, spills: nil)
        }
        let spills = IDSpills()
        var found: KnownDuplicates
        do {
            let collector = try collect(files, problems: problems, covariances: covariances, duplicates: KnownDuplicates(), spills: spills)
            found = try IDsOnDisk.duplicates(in: spills.spills, ignoring: spills.ignored)
            if found.isEmpty { return collector }
        } catch {
            guard error.code == .strict else { throw error }
            found = try IDsOnDisk.duplicates(in: spills.spills, ignoring: spills.ignored)
            if found.isEmpty { throw error }
        }
        try problems.restart()
        return try collect(files, problems: problems, covariances: covariances, duplicates: found, spills: nil)
    }

    /// Whether a run keeps its respondent ids on disk: CSV and XML only (their responses say where
    /// they start), at least `idsOnDiskBytes` of them.
    private func keepsIDsOnDisk(_ files: [InputFile]) -> Bool {
        var bytes = 0
        for file in files {
            let reader = reader(for: file.name)
            guard reader is CSVResponseReader || reader is XMLResponseReader else { return false }
            bytes += (try? FileManager.default.attributesOfItem(atPath: file.url.path)[.size] as? Int) ?? 0
        }
        return !files.isEmpty && bytes >= options.idsOnDiskBytes
    }

    /// The temporary files of a run's registered ids: one set for whole files, one per part.
    final class IDSpills {
        private(set) var spills: [IDsOnDisk.IDSpill] = []
        /// Parts whose ids do not count (their file was read another way).
        var ignored: Set<UInt64> = []

        /// Set `index` (0: whole files; 1…: parts 0…).
        func spill(_ index: Int) throws(KvalitetError) -> IDsOnDisk.IDSpill {
            while spills.count <= index { spills.append(try IDsOnDisk.IDSpill()) }
            return spills[index]
        }
    }

    private func collect(_ files: [InputFile], problems: ProblemLog, covariances: Bool, duplicates: KnownDuplicates?,
        spills: IDSpills?) throws(KvalitetError) -> ResponseCollector
    {
        var collector = makeCollector(problems: problems, covariances: covariances)
        collector.knownDuplicates = duplicates
        collector.idSpill = try spills?.spill(0)
        for (number, file) in files.enumerated() {
            guard let reader = reader(for: file.name) else { continue }
            if let csv = reader as? CSVResponseReader, options.parts > 1,
                try collectInParts(file, reader: csv, into: &collector, covariances: covariances, spills: spills,
                    last: number == files.count - 1)
            {
                continue
            }
            if let xml = reader as? XMLResponseReader, options.parts > 1,
                try collectXMLInParts(file, reader: xml, into: &collector, covariances: covariances, spills: spills,
                    last: number == files.count - 1)
            {
                continue
            }
            collector.begin(file)
            try read(file, into: &collector)
        }
        return collector
    }

    /// A collector for part `index` of a file read in parts, knowing the run's `known` duplicates.
    private func partCollector(_ index: Int, known: KnownDuplicates?, covariances: Bool, spill: IDsOnDisk.IDSpill?)
        -> ResponseCollector
    {
        // With duplicates known, none is taken back, so the part's problems can wait on disk.
        var part = ResponseCollector(catalog: catalog, defaultSet: options.defaultSet, registers: registers,
            breakdown: options.breakdown, problems: .buffering(spilling: known != nil), collectCovariances: covariances,
            tracksPositions: known == nil)
        part.knownDuplicates = known?.unshared()
        part.idSpill = spill
        part.acceptsRawCells = !options.cellsAsText
        part.idPart = UInt64(index)
        return part
    }

    /// The id spills of `count` parts (nil when ids are kept in memory).
    private func partSpills(_ spills: IDSpills?, count: Int) throws(KvalitetError) -> [IDsOnDisk.IDSpill]? {
        guard let spills else { return nil }
        var list: [IDsOnDisk.IDSpill] = []
        for index in 0..<count { list.append(try spills.spill(index + 1)) }
        return list
    }

    /// Reads a large XML file in parts at once (see `XMLResponseReader+Parts`), each into a
    /// collector of its own, and merges them in file order as `collectInParts` does for CSV:
    /// respondents an earlier part had are taken back from the later one, problems are replayed
    /// in order with the later parts' lines moved to the file's numbering, and a warning given
    /// once per file is kept once. Every boundary is checked before anything is merged; when one
    /// does not hold, nothing of the parts is used and false is returned (the file is then read
    /// in one go, with the same result).
    /// `last`: no file is read after it (so its last part's ids need not be kept).
    private func collectXMLInParts(_ file: InputFile, reader: XMLResponseReader, into collector: inout ResponseCollector,
        covariances: Bool, spills: IDSpills?, last: Bool) throws(KvalitetError) -> Bool
    {
        guard let starts = try reader.partStarts(of: file, parts: options.parts, minimumPartBytes: options.minimumPartBytes)
        else { return false }
        let partSpills = try partSpills(spills, count: starts.count)
        let results = PartResults<(collector: ResponseCollector, outcome: XMLResponseReader.PartOutcome)>(starts.count)
        let fileNumber = collector.fileNumber + 1
        let known = collector.knownDuplicates
        // Used only when the file is read another way.
        let partSources = starts.indices.map { IDsOnDisk.source(file: fileNumber, part: UInt64($0)) }
        DispatchQueue.concurrentPerform(iterations: starts.count) { index in
            var part = partCollector(index, known: known, covariances: covariances, spill: partSpills?[index])
            part.begin(file)
            part.fileNumber = fileNumber
            let outcome = reader.readPart(file, starts: starts, index: index, into: &part)
            results.parts[index] = (part, outcome)
        }
        // A part that failed (malformed XML, say): the file is read in one go, which reports the
        // error exactly as without parts (libxml2's messages name lines of the part's own).
        if results.parts.contains(where: { $0?.outcome.error != nil }) {
            spills?.ignored.formUnion(partSources)
            return false
        }
        // The line shift of each part: the shared element's line in the part before, in the
        // file's numbering, less its line in the part's own.
        var shifts = [0]
        for index in 1..<starts.count {
            guard let before = results.parts[index - 1]?.outcome, let after = results.parts[index]?.outcome,
                let stop = before.stop, let first = after.first,
                stop.context != nil, stop.mark == first.mark, stop.context == first.context
            else {
                spills?.ignored.formUnion(partSources)
                return false
            }
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
                try part.retractDuplicates(records, file: file)
            }
            collector.absorb(part, keepingIDs: !last || index + 1 < starts.count)
            try part.problems.forEachKept { problem throws(KvalitetError) in
                var problem = problem
                if let line = problem.line { problem.line = line + shift }
                try collector.replay(problem)
            }
        }
        return true
    }

    /// Reads a large CSV file in parts at once, each into a collector of its own, and merges them
    /// in file order so that the result, the problems and their order are exactly those of one
    /// sequential read: a respondent whose first response lies in an earlier part is read again
    /// at its offset and taken back from the later part as a duplicate; problems are buffered per
    /// part and replayed in order (so `--strict` stops at the same first problem). A part whose
    /// last response runs past its planned end (the quote count misled the split) reads on to the
    /// end of the file, and the parts after it are dropped. Returns false when the file is too
    /// small to split (it is then read as usual).
    /// `last`: no file is read after it (so its last part's ids need not be kept).
    private func collectInParts(_ file: InputFile, reader: CSVResponseReader, into collector: inout ResponseCollector,
        covariances: Bool, spills: IDSpills?, last: Bool) throws(KvalitetError) -> Bool
    {
        guard let layout = try reader.layout(of: file),
            let points = try reader.splitPoints(of: file, layout: layout, parts: options.parts,
                minimumPartBytes: options.minimumPartBytes),
            let first = try reader.record(at: points[0].offset, line: points[0].line, layout: layout, file: file)
        else { return false }
        collector.begin(file)
        let set = try collector.decideSet(for: first, file: file)

        let results = PartResults<(collector: ResponseCollector, crossed: Bool, error: (any Error)?)>(points.count)
        let (known, fileNumber) = (collector.knownDuplicates, collector.fileNumber)
        let partSpills = try partSpills(spills, count: points.count)
        DispatchQueue.concurrentPerform(iterations: points.count) { index in
            var part = partCollector(index, known: known, covariances: covariances, spill: partSpills?[index])
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
            var retracted: [ResponseRecord] = []
            for (slice, ids) in part.seenRespondents {
                guard let earlier = collector.seenRespondents[slice] else { continue }
                for position in ids.common(with: earlier) {
                    guard let record = try reader.record(at: position.offset, line: position.line, layout: layout, file: file)
                    else { continue }
                    retracted.append(record)
                }
            }
            try part.retractDuplicates(retracted, file: file)
            collector.absorb(part, keepingIDs: !last || index + 1 < points.count)
            try part.problems.forEachKept { problem throws(KvalitetError) in try collector.replay(problem) }
            if let failure = result.error {
                if let error = failure as? KvalitetError { throw error }
                throw KvalitetError(.inputRefused, "cannot read the file: \(failure)", at: SourceLocation(file: file.name))
            }
            if result.crossed {
                // The parts after it are not used: neither are the ids they registered.
                for later in (index + 1)..<points.count {
                    spills?.ignored.insert(IDsOnDisk.source(file: fileNumber, part: UInt64(later)))
                }
                break
            }
        }
        return true
    }
}

/// What the workers reading the parts of one file hand back, one slot per part.
private final class PartResults<Part>: @unchecked Sendable {
    // @unchecked: each slot is written by one worker, read after all have finished.
    var parts: [Part?]
    init(_ count: Int) { parts = Array(repeating: nil, count: count) }
}
