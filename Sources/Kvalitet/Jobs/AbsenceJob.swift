import Foundation

/// `kvalitet absence` from parsed options to written files (FORMAT.md §8): reads the absence
/// files, builds the rows with suppression, evaluates the registers' sick-leave goals, writes.
public struct AbsenceJob: Sendable {
    public var inputs: [String] = []
    public var registerFiles: [String] = []
    /// `--min-employees`.
    public var minEmployees = 5
    /// `--costs`.
    public var costsFile: String?
    public var format = "table"
    public var output: String?
    public var rejects: String?
    public var strict = false
    /// `--csv-style` and `--excel-safe`.
    public var csv = CSVStyle.standard
    public var language = Language.nb
    public var reader = AbsenceReader()
    /// How many parts a large file is read in at once (nil: one per core, at most 8).
    public var parts: Int?
    /// Months from a results store (`--db`) instead of `inputs`.
    public var source: (any AbsenceSource)?
    /// The store's file when `source` is an SQLite store: no output may replace it.
    public var storeFile: String?
    /// The writers `--format` chooses from.
    public var writers: @Sendable (WriterOptions) -> [any AbsenceWriter] = { options in
        [TableAbsenceWriter(), CSVAbsenceWriter(style: options.csv), JSONAbsenceWriter(), XLSXAbsenceWriter()]
    }

    public init() {}

    /// Runs the job: rows to `output` (or `standardOutput`), the summary to `standardError`.
    /// Nothing is written when it throws.
    @discardableResult
    public func run(
        standardOutput: inout some TextOutput, standardError: (String) -> Void
    ) throws(KvalitetError)
        -> AbsenceResult
    {
        guard minEmployees >= 1 else {
            throw KvalitetError(.usage, "--min-employees must be 1 or more", nb: "--min-employees må være 1 eller mer")
        }
        let available = writers(WriterOptions(minN: minEmployees, csv: csv))
        guard let writer = available.first(where: { $0.name == format }) else {
            let known = available.map(\.name).joined(separator: ", ")
            throw KvalitetError(
                .usage, "unknown --format \(format) (known: \(known))", nb: "ukjent --format \(format) (kjente: \(known))")
        }
        let listing = try listAndGuard()
        let (result, problems) = try absence(listing)
        try ScoreJob.write(to: output, standardOutput: &standardOutput) { (out: inout AnyTextOutput) throws(KvalitetError) in
            try writer.write(result, language: language, to: &out)
        }
        try problems.commit()
        Self.summarize(result.summary, problems: problems, rejects: rejects, language: language, to: standardError)
        return result
    }

    /// The input files, after checking that no output replaces an input, register or costs file.
    func listAndGuard(
        otherOutputs: [(option: String, path: String?)] = []
    ) throws(KvalitetError)
        -> ScorePipeline.InputListing
    {
        if source == nil && inputs.isEmpty {
            throw KvalitetError(.usage, "give at least one absence file or folder", nb: "oppgi minst én fraværsfil eller mappe")
        }
        if source != nil && !inputs.isEmpty {
            throw KvalitetError(
                .usage, "give either absence files or --db, not both", nb: "oppgi enten fraværsfiler eller --db, ikke begge")
        }
        let readers: [any ResponseReader] = [CSVResponseReader()]
        let listing =
            source == nil
            ? try ScorePipeline.listInputs(inputs, readers: readers, skippingSickLeave: false) : ScorePipeline.InputListing()
        if source == nil && listing.files.isEmpty {
            throw KvalitetError(
                .inputRefused, "no absence files (*.csv) in \(inputs.joined(separator: ", "))",
                nb: "ingen fraværsfiler (*.csv) i \(inputs.joined(separator: ", "))")
        }
        try ScoreJob.guardOutputs(
            [("--output", output), ("--rejects", rejects)] + otherOutputs, listing: listing, readers: readers,
            registerFiles: registerFiles, setDirectories: [], storeFile: storeFile,
            reads: costsFile.map { [OutputGuard.Protected(role: "the costs file", path: $0)] } ?? [])
        return listing
    }

    /// Reads and builds; the rejects report is written to its temporary file (committed by the
    /// caller once its own output is written).
    func absence(
        _ listing: ScorePipeline.InputListing, problems given: ProblemLog? = nil
    ) throws(KvalitetError) -> (AbsenceResult, ProblemLog) {
        let registers = try ScoreJob.registers(files: registerFiles, stored: try source?.registers() ?? [])
        let costs = try costsFile.map { path throws(KvalitetError) in try AbsenceCosts.load(file: URL(fileURLWithPath: path)) }
        let problems: ProblemLog
        if let given {
            problems = given
        } else {
            problems = try ProblemLog(
                rejects: try rejects.map { path throws(KvalitetError) in try AtomicFile(path: path) }, strict: strict,
                style: csv)
        }
        // A log shared with a survey run (the report) holds its problems already: count ours only.
        let before = problems.counts
        var collector = AbsenceCollector()
        var summary = AbsenceSummary()
        func add(_ month: AbsenceMonth, file: String, line: Int) throws(KvalitetError) {
            if let first = collector.add(month, file: file, line: line) {
                summary.counted -= 1
                try problems.record(
                    Problem(
                        .duplicateUnitMonth, file: file, line: line, column: "month", value: month.month.description,
                        message: language == .nb
                            ? "\(file):\(line): \(month.unit) \(month.month) står allerede i \(first.file):\(first.line); raden telles ikke"
                            : "\(file):\(line): \(month.unit) \(month.month) is already in \(first.file):\(first.line); the row is not counted"
                    ))
            }
        }
        if let source {
            try source.forEachAbsenceItem { (item: AbsenceSourceItem) throws(KvalitetError) in
                switch item {
                case .file: summary.files += 1
                case .month(let month, let file, let line):
                    summary.read += 1
                    summary.counted += 1
                    try add(month, file: file, line: line)
                case .problem(let problem):
                    if problem.kind.rejectsResponse && problem.kind != .ownOutput { summary.read += 1 }
                    try problems.record(problem)
                }
            }
        } else {
            try ScoreJob.noteOwnOutputs(listing.ownOutputs, language: language, in: problems)
            for file in listing.files {
                summary.files += 1
                let parts = max(1, self.parts ?? min(8, ProcessInfo.processInfo.activeProcessorCount))
                let counts = try reader.read(file, language: language, parts: parts, report: problems.record) {
                    (month: AbsenceMonth, line: Int) throws(KvalitetError) in
                    summary.counted += 1
                    try add(month, file: file.name, line: line)
                }
                summary.read += counts.read
            }
        }
        collector.finishReading()
        let tables = AbsenceBuilder(collector: collector, registers: registers, minEmployees: minEmployees).build()
        let units = collector.units
        collector = AbsenceCollector()  // the cells are in the tables now
        var result = AbsenceResult(tables: tables, minEmployees: minEmployees, costs: costs)
        let counts = problems.counts.map { ($0.key, $0.value - (before[$0.key] ?? 0)) }.filter { $0.1 > 0 }
        for (kind, count) in counts where kind.rejectsResponse && kind != .ownOutput {
            summary.rejected += count
            summary.rejectedByKind[kind.rawValue] = count
        }
        summary.warnings = counts.filter { !$0.0.rejectsResponse || $0.0 == .ownOutput }.map(\.1).reduce(0, +)
        result.summary = summary
        for unit in units {
            if let name = registers.unitName(municipality: unit.municipality, unit: unit.unit) {
                result.names.units[GroupNames.key(unit.municipality, unit.unit)] = name
            }
            for subproject in registers.subprojects(municipality: unit.municipality, unit: unit.unit) {
                if let name = registers.subprojectName(municipality: unit.municipality, subproject: subproject) {
                    result.names.subprojects[GroupNames.key(unit.municipality, subproject)] = name
                }
                if let start = registers.subprojectStart(municipality: unit.municipality, subproject: subproject) {
                    result.starts[GroupNames.key(unit.municipality, subproject)] = start
                    let unitKey = GroupNames.key(unit.municipality, unit.unit)
                    result.unitStarts[unitKey] = min(start, result.unitStarts[unitKey] ?? start)
                }
            }
        }
        result.goals = AbsenceGoalStatus.evaluate(registers, in: result)
        return (result, problems)
    }

    /// What was read: "1 fil, 168 rader lest, 168 telt, 0 ikke telt, 0 advarsler".
    static func summaryLine(_ summary: AbsenceSummary, language: Language) -> String {
        let count = Labels(language: language).count
        return [
            count(summary.files, "fil", "filer", "file", "files"),
            count(summary.read, "rad lest", "rader lest", "row read", "rows read"),
            count(summary.counted, "telt", "telt", "counted", "counted"),
            count(summary.rejected, "ikke telt", "ikke telt", "not counted", "not counted"),
            count(summary.warnings, "advarsel", "advarsler", "warning", "warnings"),
        ].joined(separator: ", ")
    }

    /// The closing summary on standard error.
    static func summarize(
        _ summary: AbsenceSummary, problems: ProblemLog, rejects: String?, language: Language,
        to standardError: (String) -> Void
    ) {
        let nb = language == .nb
        standardError("kvalitet: " + summaryLine(summary, language: language))
        let labels = Labels(language: language)
        for (kind, count) in summary.rejectedByKind.sorted(by: { $0.key < $1.key }) {
            standardError(labels.notCounted(kind, count))
        }
        if rejects == nil && !problems.counts.isEmpty {
            standardError(nb ? "  (se hvert problem med --rejects FIL)" : "  (see every problem with --rejects FILE)")
        }
    }
}

/// Absence months kept somewhere else than in files (a results store).
public protocol AbsenceSource: Sendable {
    /// The registers kept with the months.
    func registers() throws(KvalitetError) -> [Register]
    /// Every file in the order it was imported: its name, then its months and its problems in
    /// the order the file held them.
    func forEachAbsenceItem(_ body: (AbsenceSourceItem) throws(KvalitetError) -> Void) throws(KvalitetError)
}

/// What an ``AbsenceSource`` hands over.
public enum AbsenceSourceItem: Sendable {
    case file(String)
    case month(AbsenceMonth, file: String, line: Int)
    /// A problem its file's reader found (a row not counted, or a warning).
    case problem(Problem)
}
