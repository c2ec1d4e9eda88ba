import Foundation

/// `kvalitet score` from parsed options to written files, so the command-line tool stays thin
/// and tests run the whole job in process.
@dynamicMemberLookup
public struct ScoreJob: Sendable, OptionsJob {
    public var common = JobOptions()
    /// The writers `--format` chooses from, made with the run's options.
    public var writers: @Sendable (WriterOptions) -> [any ScoresWriter] = ScoreJob.standardWriters

    /// The built-in writers: table, CSV and JSON.
    public static let standardWriters: @Sendable (WriterOptions) -> [any ScoresWriter] = { options in
        [
            TableScoresWriter(minNOverride: options.minN), CSVScoresWriter(style: options.csv), JSONScoresWriter(),
            XLSXScoresWriter(minNOverride: options.minN),
        ]
    }

    public init() {}

    /// Loads the built-in sets and those of `setDirectories`.
    public static func catalog(_ setDirectories: [String]) throws(KvalitetError) -> IndicatorSetCatalog {
        var catalog = try IndicatorSetCatalog.builtIn()
        for directory in setDirectories {
            try catalog.addDirectory(
                URL(
                    fileURLWithPath: directory, isDirectory: true,
                    relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)))
        }
        return catalog
    }

    /// Runs the job. Scores go to `output` (or `standardOutput`), the closing summary to
    /// `standardError`. Nothing is written when it throws.
    public func run(standardOutput: inout some TextOutput, standardError: (String) -> Void) throws(KvalitetError) -> ScoreResult {
        if let minN = common.minN, minN < 1 {
            throw KvalitetError(.usage, "--min-n must be 1 or more", nb: "--min-n må være 1 eller mer")
        }
        let available = writers(WriterOptions(minN: common.minN, csv: common.csv))
        guard let writer = available.first(where: { $0.name == common.format }) else {
            throw KvalitetError(
                .usage, "unknown --format \(common.format) (known: \(available.map(\.name).joined(separator: ", ")))",
                nb: "ukjent --format \(common.format) (kjente: \(available.map(\.name).joined(separator: ", ")))")
        }
        let listing = try listAndGuard(outputs: [("--output", common.output), ("--rejects", common.rejects)])
        let (result, problems, _) = try scored(listing)

        try Self.write(to: common.output, standardOutput: &standardOutput) { (out: inout AnyTextOutput) throws(KvalitetError) in
            try writer.write(result, language: common.language, to: &out)
        }
        try problems.commit()
        Self.summarize(
            result.summary, problems: problems, rejects: common.rejects, language: common.language,
            skipped: listing.ownOutputs, to: standardError)
        return result
    }

    /// Lists the inputs and checks `outputs` against what the run reads (``OutputGuard``), before
    /// anything is read; `reads` are further files it reads (a report's reference).
    func listAndGuard(
        outputs: [(option: String, path: String?)], reads: [OutputGuard.Protected] = []
    )
        throws(KvalitetError) -> ScorePipeline.InputListing
    {
        if common.source == nil && common.inputs.isEmpty {
            throw KvalitetError(.usage, "give at least one response file or folder", nb: "oppgi minst én svarfil eller mappe")
        }
        let listing =
            common.source == nil
            ? try ScorePipeline.listInputs(common.inputs, readers: common.readers) : ScorePipeline.InputListing()
        try Self.guardOutputs(
            outputs, listing: listing, readers: common.readers, registerFiles: common.registerFiles,
            setDirectories: common.setDirectories, storeFile: common.storeFile, reads: reads)
        return listing
    }

    /// Loads the registers and sets, reads and scores the inputs of `listing`; the rejects report
    /// is written to its temporary file (committed by the caller once its own output is written).
    func scored(
        _ listing: ScorePipeline.InputListing
    )
        throws(KvalitetError) -> (result: ScoreResult, problems: ProblemLog, registers: RegisterIndex)
    {
        let registers = try Self.registers(files: common.registerFiles, stored: try common.source?.registers() ?? [])
        let options = Self.options(
            defaultSet: common.defaultSet, breakdown: common.breakdown, minN: common.minN, parts: common.parts,
            progress: common.progress)
        if let source = common.source {
            let pipeline = try Self.prepare(
                setDirectories: common.setDirectories, inputs: common.inputs, source: source, readers: common.readers,
                registers: registers, options: options)
            let problems = try makeProblemLog()
            return (try pipeline.score(source, problems: problems), problems, registers)
        }
        let (pipeline, files) = try Self.prepare(
            setDirectories: common.setDirectories, inputs: common.inputs, listing: listing,
            readers: common.readers, registers: registers, options: options)
        let problems = try makeProblemLog()
        try Self.noteOwnOutputs(listing.ownOutputs, language: common.language, in: problems)
        return (try pipeline.score(files, problems: problems), problems, registers)
    }

    /// Refuses (usage error) an output that is a file the run reads, lies in an input folder
    /// under a name the folder's listing takes, or is another output of the run.
    static func guardOutputs(
        _ outputs: [(option: String, path: String?)],
        listing: ScorePipeline.InputListing, readers: [any ResponseReader],
        registerFiles: [String], setDirectories: [String], storeFile: String?, reads: [OutputGuard.Protected] = []
    )
        throws(KvalitetError)
    {
        var guarding = OutputGuard()
        guarding.outputs = outputs.compactMap { option, path in path.map { (option, $0) } }
        guard !guarding.outputs.isEmpty else { return }
        guarding.protected =
            listing.files.map { .init(role: "an input", path: $0.name) }
            + listing.ownOutputs.map { .init(role: "a file in an input folder", path: $0) }
            + registerFiles.map { .init(role: "the register", path: $0) }
            + reads
            + (storeFile.map { [.init(role: "the results store", path: $0)] } ?? [])
        for directory in setDirectories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                guarding.protected.append(
                    .init(role: "a set definition", path: (directory as NSString).appendingPathComponent(name)))
            }
        }
        guarding.inputFolders = listing.folders
        guarding.readsName = { ScorePipeline.reader(for: $0, in: readers) != nil }
        try guarding.check()
    }

    /// Records a warning for each of kvalitet's own outputs left out of a folder's listing.
    static func noteOwnOutputs(_ paths: [String], language: Language, in problems: ProblemLog) throws(KvalitetError) {
        for path in paths {
            try problems.record(
                Problem(
                    .ownOutput, file: path, line: nil,
                    message: "\(path): " + (language == .nb ? "hoppet over, filen er " : "skipped, the file is ")
                        + ScorePipeline.skipReason(path, language: language)))
        }
    }

    private func makeProblemLog() throws(KvalitetError) -> ProblemLog {
        try ProblemLog(
            rejects: try common.rejects.map { path throws(KvalitetError) in try AtomicFile(path: path) },
            strict: common.strict, style: common.csv)
    }

    /// The registers of a run: those given as files, and those a store kept for other municipalities.
    static func registers(files: [String], stored: [Register]) throws(KvalitetError) -> RegisterIndex {
        var given: [Register] = []
        for file in files { given.append(try Register.load(file: URL(fileURLWithPath: file))) }
        var registers = try RegisterIndex()
        for register in stored
        where !given.contains(where: { RegisterIndex.sameMunicipality($0.municipality, register.municipality) }) {
            try registers.add(register)
        }
        for register in given { try registers.add(register) }
        return registers
    }

    /// The pipeline for responses from a store: its set definitions replace the catalog's.
    static func prepare(
        setDirectories: [String], inputs: [String], source: some ResponseSource,
        readers: [any ResponseReader], registers: RegisterIndex, options: ScorePipeline.Options
    ) throws(KvalitetError) -> ScorePipeline {
        if !inputs.isEmpty {
            throw KvalitetError(
                .usage, "give either response files or --db, not both", nb: "oppgi enten svarfiler eller --db, ikke begge")
        }
        var catalog = try catalog(setDirectories)
        for (id, text) in try source.setDefinitions().sorted(by: { $0.key < $1.key }) where catalog.texts[id] != text {
            let set = try IndicatorSetLoader().load(yaml: text, file: "\(id) (store)")
            try catalog.replace(set, origin: "store", text: text)
        }
        return ScorePipeline(readers: readers, catalog: catalog, registers: registers, options: options)
    }

    static func options(
        defaultSet: String?, breakdown: String?, minN: Int?, parts: Int?, progress: ReadProgress? = nil
    ) -> ScorePipeline.Options {
        // `--breakdown bg.alder` means the variable `alder` (the column is bg.alder).
        let variable = breakdown.map { name -> String in
            for prefix in ["bg.", "bakgrunn."] where name.lowercased().hasPrefix(prefix) && name.count > prefix.count {
                return String(name.dropFirst(prefix.count))
            }
            return name
        }
        var options = ScorePipeline.Options(defaultSet: defaultSet, breakdown: variable, minN: minN)
        if let parts { options.parts = max(1, parts) }
        options.progress = progress
        // KVALITET_IDS_ON_DISK_MIB=N moves the input size from which respondent ids are kept on
        // disk (0: always), for benchmarks and for trying both ways on the same data.
        if let mib = ProcessInfo.processInfo.environment["KVALITET_IDS_ON_DISK_MIB"].flatMap(Int.init) {
            options.idsOnDiskBytes = max(0, mib) << 20
        }
        return options
    }

    /// Loads the sets, checks the inputs and finds the files: what `score` and `validate` share.
    static func prepare(
        setDirectories: [String], inputs: [String],
        listing: ScorePipeline.InputListing? = nil, readers: [any ResponseReader],
        registers: RegisterIndex, options: ScorePipeline.Options
    ) throws(KvalitetError) -> (ScorePipeline, [InputFile]) {
        if inputs.isEmpty {
            throw KvalitetError(.usage, "give at least one response file or folder", nb: "oppgi minst én svarfil eller mappe")
        }
        let catalog = try catalog(setDirectories)
        if let defaultSet = options.defaultSet, catalog[defaultSet] == nil {
            throw KvalitetError(
                .inputRefused,
                "unknown set \"\(defaultSet)\" (known: \(catalog.sets.keys.sorted().joined(separator: ", ")))",
                nb: "ukjent skjema «\(defaultSet)» (kjente: \(catalog.sets.keys.sorted().joined(separator: ", ")))")
        }
        let pipeline = ScorePipeline(readers: readers, catalog: catalog, registers: registers, options: options)
        let files: [InputFile]
        if let listing { files = listing.files } else { files = try pipeline.inputFiles(inputs) }
        if files.isEmpty {
            let patterns = readers.flatMap(\.fileExtensions).sorted().map { "*.\($0)" }.joined(separator: ", ")
            throw KvalitetError(
                .inputRefused, "no response files (\(patterns)) in \(inputs.joined(separator: ", "))",
                nb: "ingen svarfiler (\(patterns)) i \(inputs.joined(separator: ", "))")
        }
        return (pipeline, files)
    }

    /// Writes through `body` to the file `path` (atomically, see ``AtomicFile``) or to standard
    /// output (nil or `-`).
    static func write(
        to path: String?, standardOutput: inout some TextOutput,
        _ body: (inout AnyTextOutput) throws(KvalitetError) -> Void
    ) throws(KvalitetError) {
        if let path, path != "-" {
            let file = try AtomicFile(path: path)
            var out = AnyTextOutput(
                { (text: String) throws(KvalitetError) in try file.write(text) },
                bytes: { (bytes) throws(KvalitetError) in try file.write(bytes: bytes) })
            try body(&out)
            try file.commit()
        } else {
            var buffer = StringOutput()
            var out = AnyTextOutput(
                { (text: String) throws(KvalitetError) in try buffer.write(text) },
                bytes: { (bytes) throws(KvalitetError) in try buffer.write(bytes: bytes) })
            try body(&out)
            try standardOutput.write(contentsOf: buffer.bytes)
        }
    }

    /// The closing summary on standard error.
    static func summarize(
        _ summary: RunSummary, problems: ProblemLog, rejects: String?, language: Language,
        skipped: [String] = [], to standardError: (String) -> Void
    ) {
        let labels = Labels(language: language)
        standardError(labels.summary(summary))
        for line in labels.notes(problems.notes) { standardError(line) }
        for path in skipped {
            standardError(
                (language == .nb ? "  hoppet over \(path): " : "  skipped \(path): ")
                    + ScorePipeline.skipReason(path, language: language))
        }
        for (kind, count) in summary.rejectedByKind.sorted(by: { $0.key < $1.key }) {
            standardError(labels.notCounted(kind, count))
        }
        if rejects == nil && !problems.counts.isEmpty {
            standardError(
                language == .nb
                    ? "  (se hvert problem med --rejects FIL)" : "  (see every problem with --rejects FILE)")
        }
    }
}
