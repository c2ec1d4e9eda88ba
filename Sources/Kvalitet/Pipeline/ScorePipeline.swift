import Dispatch
import Foundation

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
        /// Where the read says how far it has come (a progress bar's counters), if anywhere.
        public var progress: ReadProgress?

        public init(
            defaultSet: String? = nil, breakdown: String? = nil, minN: Int? = nil,
            parts: Int = min(8, ProcessInfo.processInfo.activeProcessorCount), minimumPartBytes: Int = 4 << 20,
            idsOnDiskBytes: Int = 256 << 20
        ) {
            self.defaultSet = defaultSet
            self.breakdown = breakdown
            self.minN = minN
            self.parts = parts
            self.minimumPartBytes = minimumPartBytes
            self.idsOnDiskBytes = idsOnDiskBytes
        }
    }

    /// The standard readers: CSV, XML, Excel workbooks, SPSS and Triple-S files.
    public static let standardReaders: [any ResponseReader] = [
        TripleSResponseReader(), CSVResponseReader(), XMLResponseReader(), XLSXResponseReader(), SPSSResponseReader(),
    ]

    public init(
        readers: [any ResponseReader] = ScorePipeline.standardReaders, catalog: IndicatorSetCatalog,
        registers: RegisterIndex = try! RegisterIndex(), options: Options = Options()
    ) {
        // An SPSS or Triple-S file's "vet ikke" (a labelled code) is known by the sets' don't-know words.
        let dontKnow = Set(catalog.sets.values.flatMap { $0.scale.dontKnow.map { $0.trimmingSpaces.lowercased() } })
        self.readers = readers.map { reader in
            guard var aware = reader as? any DontKnowAware else { return reader }
            aware.dontKnowWords.formUnion(dontKnow)
            return aware
        }
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

    private func collect(
        _ source: some ResponseSource, problems: ProblemLog, covariances: Bool
    ) throws(KvalitetError) -> ResponseCollector {
        var feed = ResponseFeed(collector: makeCollector(problems: problems, covariances: covariances))
        try source.read(into: &feed)
        return feed.collector
    }

    /// The analyses a read computes beside the tallies: the covariances for `validate`.
    static func analyses(covariances: Bool) -> [any ResponseAnalysis] {
        covariances ? [CovarianceAnalysis()] : []
    }

    /// A collector with this pipeline's sets, registers and options.
    func makeCollector(problems: ProblemLog, covariances: Bool, tracksPositions: Bool = false) -> ResponseCollector {
        var collector = ResponseCollector(
            catalog: catalog, defaultSet: options.defaultSet, registers: registers, breakdown: options.breakdown,
            problems: problems, analyses: Self.analyses(covariances: covariances), tracksPositions: tracksPositions)
        collector.acceptsRawCells = !options.cellsAsText
        collector.progress = options.progress
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
    private func collect(_ files: [InputFile], problems: ProblemLog, covariances: Bool) throws(KvalitetError) -> ResponseCollector
    {
        guard keepsIDsOnDisk(files) else {
            return try collect(files, problems: problems, covariances: covariances, duplicates: nil, spills: nil)
        }
        let spills = IDSpills()
        var found: KnownDuplicates
        do {
            let collector = try collect(
                files, problems: problems, covariances: covariances, duplicates: KnownDuplicates(), spills: spills)
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

    /// Whether a run keeps its respondent ids on disk: when every reader's records say where they
    /// start (``ReaderCapabilities/recordOffsets``), and there are at least `idsOnDiskBytes` of them.
    private func keepsIDsOnDisk(_ files: [InputFile]) -> Bool {
        var bytes = 0
        for file in files {
            guard let reader = reader(for: file.name), reader.capabilities.contains(.recordOffsets) else { return false }
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

    private func collect(
        _ files: [InputFile], problems: ProblemLog, covariances: Bool, duplicates: KnownDuplicates?,
        spills: IDSpills?
    ) throws(KvalitetError) -> ResponseCollector {
        var collector = makeCollector(problems: problems, covariances: covariances)
        collector.knownDuplicates = duplicates
        collector.registry.idSpill = try spills?.spill(0)
        options.progress?.begin(files, pass: duplicates != nil && spills == nil ? 2 : 1)
        for (number, file) in files.enumerated() {
            let readBefore = collector.summary.read
            defer { options.progress?.finish(file, responses: collector.summary.read - readBefore) }
            guard let reader = reader(for: file.name) else { continue }
            if options.parts > 1, let splittable = reader as? any SplittableReader,
                try collectInParts(
                    file, reader: splittable, into: &collector, covariances: covariances, spills: spills,
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
    private func partCollector(
        _ index: Int, known: KnownDuplicates?, covariances: Bool, spill: IDsOnDisk.IDSpill?
    )
        -> ResponseCollector
    {
        // With duplicates known, none is taken back, so the part's problems can wait on disk.
        var part = makeCollector(
            problems: .buffering(spilling: known != nil), covariances: covariances, tracksPositions: known == nil)
        part.knownDuplicates = known?.unshared()
        part.registry.idSpill = spill
        part.registry.idPart = UInt64(index)
        return part
    }

    /// The id spills of `count` parts (nil when ids are kept in memory).
    private func partSpills(_ spills: IDSpills?, count: Int) throws(KvalitetError) -> [IDsOnDisk.IDSpill]? {
        guard let spills else { return nil }
        var list: [IDsOnDisk.IDSpill] = []
        for index in 0..<count { list.append(try spills.spill(index + 1)) }
        return list
    }

    /// Reads a large file in parts at once, each into a collector of its own on a core of its
    /// own, and merges them in file order so that the result, the problems and their order are
    /// exactly those of one sequential read: a respondent whose first response lies in an earlier
    /// part (or file) is read again and taken back from the later part as a duplicate; problems
    /// are buffered per part and replayed in order, their lines moved to the file's numbering (so
    /// `--strict` stops at the same first problem); a column warning given once per file is kept
    /// once. A part that read on to the end of the file makes the parts after it unused. When a
    /// part failed or the parts do not join, nothing of them is used and the file is read in one
    /// go (which reports any error exactly as without parts). Returns false when the reader makes
    /// no plan (a file too small to split); the caller then reads it as usual.
    /// `last`: no file is read after it (so its last part's ids need not be kept).
    ///
    /// Specialised for the built-in readers: called with a reader whose type is known only at run
    /// time, the generic driver would read every row through the reader's generic code for any
    /// sink (a witness-table call per response instead of the collector's code inlined), which
    /// cost a CSV read half its speed. Another reader works as it is; listing it here makes it as fast.
    @_specialize(where Reader == CSVResponseReader)
    @_specialize(where Reader == XMLResponseReader)
    private func collectInParts<Reader: SplittableReader>(
        _ file: InputFile, reader: Reader,
        into collector: inout ResponseCollector, covariances: Bool, spills: IDSpills?, last: Bool
    ) throws(KvalitetError) -> Bool {
        guard let plan = try reader.plan(file, parts: options.parts, minimumPartBytes: options.minimumPartBytes) else {
            return false
        }
        let count = reader.partCount(of: plan)
        collector.begin(file)
        let preset = try reader.presetRecord(of: plan).map { record throws(KvalitetError) in
            try collector.decideSet(for: record, file: file).set
        }
        let results = PartResults<(collector: ResponseCollector, read: PartRead<Reader.End>)>(count)
        let (known, fileNumber) = (collector.knownDuplicates, collector.fileNumber)
        let partSpills = try partSpills(spills, count: count)
        let partSources = (0..<count).map { IDsOnDisk.source(file: fileNumber, part: UInt64($0)) }
        DispatchQueue.concurrentPerform(iterations: count) { index in
            var part = partCollector(index, known: known, covariances: covariances, spill: partSpills?[index])
            // A set of the part's own: an object both cores retain and release for every
            // response would bounce its reference count between the cores' caches.
            part.begin(file, set: preset.map { CompiledSet($0) })
            part.fileNumber = fileNumber
            let read = reader.readPart(file, plan: plan, index: index, into: &part)
            results.parts[index] = (part, read)
        }
        // Used up to the first part that read on to the end of the file.
        let used = (results.parts.firstIndex { $0?.read.readToEnd == true } ?? count - 1) + 1
        let reads = results.parts[..<used].compactMap { $0?.read }
        guard reads.count == used, !reads.contains(where: { $0.error != nil }),
            let shifts = reader.lineShifts(plan, ends: reads.map(\.end))
        else {
            spills?.ignored.formUnion(partSources)
            try read(file, into: &collector)
            return true
        }
        spills?.ignored.formUnion(partSources[used...])

        for index in 0..<used {
            guard let result = results.parts[index] else { continue }
            // Dropped from the list now, so each part's memory goes once it is merged.
            results.parts[index] = nil
            var part = result.collector
            // Respondents an earlier part (or file) already had: take them back from this part.
            var starts: [RecordStart] = []
            for (slice, ids) in part.seenRespondents {
                guard let earlier = collector.registry.seen(in: slice) else { continue }
                starts += ids.common(with: earlier).map { RecordStart(offset: $0.offset, line: $0.line) }
            }
            if !starts.isEmpty {
                let records: [ResponseRecord]
                do {
                    records = try reader.records(file, plan: plan, part: index, at: starts)
                } catch {
                    // It was read without error a moment ago: the file changed meanwhile.
                    throw KvalitetError(
                        .inputRefused, "the file changed while it was read: \(error)",
                        nb: "filen ble endret mens den ble lest: \(error)", at: SourceLocation(file: file.name))
                }
                try part.retractDuplicates(records, file: file)
            }
            collector.absorb(part, keepingIDs: !last || index + 1 < used)
            let shift = shifts[index]
            try part.problems.forEachKept { problem throws(KvalitetError) in
                var problem = problem
                if let line = problem.line { problem.line = line + shift }
                try collector.replay(problem)
            }
        }
        return true
    }
}

/// What the workers reading the parts of one file hand back, one slot per part.
final class PartResults<Part>: @unchecked Sendable {
    // @unchecked: each slot is written by one worker, read after all have finished.
    var parts: [Part?]
    init(_ count: Int) { parts = Array(repeating: nil, count: count) }
}
