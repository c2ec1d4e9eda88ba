/// The middle of the pipeline for one read: each response a reader finds passes the stages in
/// order — normalise (``RecordRules``, ``AnswerColumns``: which set, whether it is counted, what
/// each cell means), deduplicate (``RespondentRegistry``), accumulate (``GroupTallies`` and the
/// run's ``ResponseAnalysis``es) — and what the stages find goes to the ``ProblemLog``. Rows whose
/// fields are bytes (a CSV reader's, ``RawCellSink``) take the same stages from their bytes when
/// they are of the usual kind (``RecordRules/usualFields(_:columns:setID:)``); every other row is
/// decoded and takes them as text.
struct ResponseCollector: RawCellSink {
    let catalog: IndicatorSetCatalog
    let defaultSet: String?
    let registers: RegisterIndex
    /// The background variable to break municipality rows down by (lowercased), if any.
    let breakdown: String?
    let problems: ProblemLog

    private(set) var summary = RunSummary()
    private(set) var compiled: [String: CompiledSet] = [:]
    /// Deduplicate: the respondent ids registered.
    var registry: RespondentRegistry
    /// Accumulate: the finest groups and their tallies.
    private(set) var groups = GroupTallies()
    /// Accumulate: what else the run computes over the counted responses.
    private(set) var analyses: [any ResponseAnalysis]
    /// Sub-projects named by the counted responses, per municipality and unit, with how many
    /// named each (added to the register's).
    private(set) var namedSubprojects: [UnitRef: [String: Int]] = [:]
    /// `invited` figures found in the files, per set, municipality, unit and period.
    private(set) var fileInvited: [UnitPeriod: Int] = [:]
    /// Unit names the files give, per municipality and unit.
    private(set) var fileUnitNames: [UnitRef: String] = [:]
    /// Background variable names met (with `--breakdown`, to say which there are when it is absent).
    private(set) var backgroundNames: Set<String> = []
    /// Whether CSV rows come with their cells as bytes.
    var acceptsRawCells = true
    /// Where to say how far the read has come, and what this collector has not said yet: the
    /// responses since and the offset of the response that last said it (nil: none in this file).
    var progress: ReadProgress?
    private var unsaidResponses = 0
    private var saidOffset: Int?

    // Per file.
    private(set) var currentFile: String?
    /// The current file's set (of the part), once decided.
    private(set) var fileSet: CompiledSet?
    /// Normalise: the current file's answer columns and the current response's cells.
    private var answers = AnswerColumns()
    /// Whether this file's items without a column were looked for (at its first mapped row).
    private var checkedItemColumns = false
    /// The file's set id as UTF-8, and where the breakdown variable's cell is among a byte row's
    /// keys (found at the first row).
    private var setIDBytes: [UInt8] = []
    private var rawBreakdown: (position: Int?, known: Bool) = (nil, false)

    struct UnitRef: Hashable {
        var municipality: String
        var unit: String
    }

    struct UnitPeriod: Hashable {
        var set: String
        var municipality: String
        var unit: String
        var period: String
    }

    init(
        catalog: IndicatorSetCatalog, defaultSet: String?, registers: RegisterIndex, breakdown: String?,
        problems: ProblemLog, analyses: [any ResponseAnalysis] = [], tracksPositions: Bool = false
    ) {
        self.catalog = catalog
        self.defaultSet = defaultSet
        self.registers = registers
        self.breakdown = breakdown?.lowercased()
        self.problems = problems
        self.analyses = analyses
        self.registry = RespondentRegistry(tracksPositions: tracksPositions)
    }

    var cellKeys: [CellKey] { groups.keys }
    var tallies: [Tally] { groups.tallies }
    var seenRespondents: [RespondentRegistry.SlicedKey: RespondentIndex] { registry.seen }
    var knownDuplicates: KnownDuplicates? {
        get { registry.knownDuplicates }
        set { registry.knownDuplicates = newValue }
    }
    var fileNumber: Int {
        get { registry.fileNumber }
        set { registry.fileNumber = newValue }
    }
    /// The current file's set, once decided.
    var currentSet: (any IndicatorSet)? { fileSet?.set }

    /// The run's analysis of type `kind`, if it has one.
    func analysis<Analysis: ResponseAnalysis>(_ kind: Analysis.Type) -> Analysis? {
        analyses.lazy.compactMap { $0 as? Analysis }.first
    }

    /// Marks the start of a file (also when it holds no response). `set` presets the file's set
    /// (a part of a file read in parallel, whose first response the part may not hold).
    mutating func begin(_ file: InputFile, set: CompiledSet? = nil) {
        summary.files += 1
        registry.beginFile()
        groups.beginFile()
        currentFile = file.name
        fileSet = set
        if let set { compiled[set.id] = compiled[set.id] ?? set }
        answers.beginFile(set: set)
        checkedItemColumns = false
        setIDBytes = []
        rawBreakdown = (nil, false)
        saidOffset = nil
    }

    /// Counts a response for ``progress``, adding to it every ``ReadProgress/batch`` responses
    /// (with the bytes from the response that last did to this one, at `offset`).
    private mutating func tellProgress(at offset: Int?) {
        unsaidResponses += 1
        guard unsaidResponses >= ReadProgress.batch, let progress else { return }
        let bytes = offset.map { offset in saidOffset.map { offset - $0 } ?? 0 } ?? 0
        if let offset { saidOffset = offset }
        progress.advance(bytes: bytes, responses: unsaidResponses)
        unsaidResponses = 0
    }

    /// A problem the reader found; when it leaves a whole response out, that response was read too.
    mutating func report(_ problem: Problem) throws {
        if problem.kind.rejectsResponse { summary.read += 1 }
        try note(problem)
    }

    mutating func note(_ problem: Problem) throws(KvalitetError) {
        try problems.record(problem)
        if problem.kind.rejectsResponse {
            summary.rejected += 1
            summary.rejectedByKind[problem.kind.rawValue, default: 0] += 1
        } else if problem.kind != .invalidAnswer {
            summary.warnings += 1
        }
    }

    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
        if currentFile != file.name { begin(file) }
        summary.read += 1
        if progress != nil { tellProgress(at: record.offset) }
        if record.hasRawKeys {
            if let set = fileSet {
                if !checkedItemColumns { try checkItemColumns(record, set: set) }
                if try collectRaw(record, set: set, file: file) { return }
            }
            let decoded = record.decoded(answers: false)
            if fileSet == nil { _ = try decideSet(for: decoded, file: file) }
            if !checkedItemColumns, let set = fileSet { try checkItemColumns(record, set: set) }
            try collect(decoded, from: file)
            return
        }
        if fileSet == nil { _ = try decideSet(for: record, file: file) }
        if !checkedItemColumns, let set = fileSet { try checkItemColumns(record, set: set) }
        try collect(record, from: file)
    }

    /// A CSV row with its fields as bytes (`rawKeys`, `rawAnswers`) of the usual kind
    /// (``RecordRules/usualFields(_:columns:setID:)``, answer columns mapped) registered,
    /// classified and tallied from its bytes: no text is made of it unless a problem is reported
    /// or a new group or period appears. Every other row goes to `collect` (false is returned
    /// then, with nothing changed).
    private mutating func collectRaw(_ record: ResponseRecord, set: CompiledSet, file: InputFile) throws(KvalitetError) -> Bool {
        guard let answerCells = record.rawAnswers,
            answerCells.count == record.answerNames.count, answers.isMapped(record.answerNames)
        else { return false }
        let (columns, cells) = (record.rawKeys.columns, record.rawKeys.cells)
        if setIDBytes.isEmpty { setIDBytes = Array(set.id.utf8) }
        guard let fields = RecordRules.usualFields(cells, columns: columns, setID: setIDBytes) else { return false }

        // Registered: from here on the row is decided here.
        if try registry.registerIsDuplicate(
            set: set.id, cells: cells, respondent: fields.respondent, period: fields.period,
            periodCell: columns.period, offset: record.offset, line: record.line)
        {
            try note(
                RecordRules.duplicateProblem(
                    file: file.name, line: record.line,
                    respondent: cells.trimmedText(columns.respondent), set: set.id, period: cells.trimmedText(columns.period)))
            return true
        }

        let (valid, invalid) = answers.classifyMapped(answerCells, set: set)
        if valid == 0 || !invalid.isEmpty {
            let id = cells.trimmedText(columns.respondent)
            // Every invalid cell is reported, also of a response that is then not counted.
            for position in invalid {
                try note(
                    RecordRules.invalidAnswer(
                        file: file.name, line: record.line, respondent: id,
                        column: record.answerNames[position], value: answerCells.text(position), set: set))
                summary.invalidCells += 1
            }
            if valid == 0 {
                try note(RecordRules.noValidAnswers(file: file.name, line: record.line, respondent: id))
                return true
            }
        }
        summary.counted += 1
        if columns.subproject >= 0, !cells.trimmedRange(columns.subproject).isEmpty {
            let ref = UnitRef(municipality: cells.trimmedText(columns.municipality), unit: cells.trimmedText(columns.unit))
            namedSubprojects[ref, default: [:]][cells.trimmedText(columns.subproject), default: 0] += 1
        }

        // The group: found by its fields' bytes.
        if !rawBreakdown.known, let breakdown {
            rawBreakdown = (columns.background(named: breakdown), true)
            backgroundNames.formUnion(columns.backgroundNames)
        }
        let breakdownCell = rawBreakdown.position.map { cells.trimmedRange($0) } ?? cells.bytes.count..<cells.bytes.count
        let slot = groups.slot(
            set: set, cells: cells, period: fields.period, municipality: fields.municipality,
            service: fields.service, unit: fields.unit, breakdown: breakdownCell)
        accumulate(slot, set: set, sign: 1) { cells.trimmedText(columns.period) }
        return true
    }

    /// Adds (sign 1) or takes back (sign −1) the current cells to the tally at `slot` and to
    /// every analysis (`period` is made only when there is one).
    @inline(__always)
    private mutating func accumulate(_ slot: Int, set: CompiledSet, sign: Int, period: () -> String) {
        groups.add(slot, cells: answers.cells, set: set, sign: sign)
        guard !analyses.isEmpty else { return }
        let response = CountedResponse(set: set, period: period(), group: slot, cells: answers.cells)
        for index in analyses.indices { analyses[index].add(response, sign: sign) }
    }

    /// The file's set, decided by its first response (FORMAT.md §2: one set per file).
    mutating func decideSet(for record: ResponseRecord, file: InputFile) throws(KvalitetError) -> CompiledSet {
        if let fileSet { return fileSet }
        let named = record.set?.trimmingSpaces ?? ""
        guard let setID = named.isEmpty ? defaultSet : named else {
            throw KvalitetError(
                .inputRefused, "the file names no set: add a column \"set\" or give --set",
                nb: "filen nevner ikke noe skjema: legg til en kolonne «set» eller bruk --set",
                at: SourceLocation(file: file.name, line: record.line, field: "set"))
        }
        guard let set = catalog[setID] else {
            let known = catalog.sets.keys.sorted().joined(separator: ", ")
            throw KvalitetError(
                .inputRefused, "unknown set \"\(setID)\" (known: \(known); add definitions with --sets)",
                nb: "ukjent skjema «\(setID)» (kjente: \(known); legg til definisjoner med --sets)",
                at: SourceLocation(file: file.name, line: record.line, field: "set"))
        }
        let compiledSet = compiled[setID] ?? CompiledSet(set)
        compiled[setID] = compiledSet
        fileSet = compiledSet
        answers.setDecided(compiledSet)
        return compiledSet
    }

    /// Decides whether a response of the file's set is counted, and tallies it.
    private mutating func collect(_ record: ResponseRecord, from file: InputFile) throws(KvalitetError) {
        guard let set = fileSet else { return }
        let fields = RecordRules.Fields(record)
        let respondent = fields.respondent
        let admission = RecordRules.admission(of: record, fields: fields, set: set.id)
        if let problem = RecordRules.problem(
            admission, record: record, respondent: respondent, set: set.id, file: file.name,
            catalog: catalog)
        {
            return try note(problem)
        }
        let (municipality, unit, period) = (fields.municipality, fields.unit, fields.period)

        // Aborted interviews are not registered, so a completed re-interview may reuse the id.
        if try registry.registerIsDuplicate(
            set: set.id, period: period, respondent: respondent, offset: record.offset,
            line: record.line)
        {
            return try note(
                RecordRules.duplicateProblem(
                    file: file.name, line: record.line, respondent: respondent,
                    set: set.id, period: period))
        }

        let (valid, invalid, warnings) = answers.classify(record, set: set, file: file, report: true)
        for warning in warnings { try note(warning) }
        // Every invalid cell is reported, also of a response that is then not counted.
        for cellProblem in invalid {
            try note(cellProblem)
            summary.invalidCells += 1
        }
        if valid == 0 {
            return try note(RecordRules.noValidAnswers(file: file.name, line: record.line, respondent: respondent))
        }

        summary.counted += 1
        let subproject = record.subproject?.trimmingSpaces ?? ""
        if !subproject.isEmpty {
            namedSubprojects[UnitRef(municipality: municipality, unit: unit), default: [:]][subproject, default: 0] += 1
        }
        if let invitedText = record.invited?.trimmingSpaces, !invitedText.isEmpty {
            let key = UnitPeriod(set: set.id, municipality: municipality, unit: unit, period: period)
            if let invited = Int(invitedText), invited >= 0 {
                if fileInvited[key] == nil { fileInvited[key] = invited }
            } else if answers.warned.insert("invited\u{1F}\(unit)").inserted {
                var warning = Problem(
                    .invalidInvited, file: file.name, line: record.line, respondent: respondent,
                    column: "invited", value: invitedText, message: "invited must be a whole number of 0 or more; ignored",
                    nb: "invited må være et helt tall, 0 eller mer; ignorert")
                warning.onceKey = "invited\u{1F}\(unit)"
                try note(warning)
            }
        }
        if let name = record.unitName?.trimmingSpaces, !name.isEmpty {
            let ref = UnitRef(municipality: municipality, unit: unit)
            if fileUnitNames[ref] == nil { fileUnitNames[ref] = name }
        }
        tally(record, fields, set: set, sign: 1)
    }

    /// Adds (sign 1) or takes back (sign −1) the current cells as `record`'s answers.
    private mutating func tally(_ record: ResponseRecord, _ fields: RecordRules.Fields, set: CompiledSet, sign: Int) {
        var breakdownValue = ""
        if let breakdown {
            for field in record.background where !backgroundNames.contains(field.name) { backgroundNames.insert(field.name) }
            breakdownValue =
                record.background.first { $0.name.trimmingSpaces.lowercased() == breakdown }?.value.trimmingSpaces ?? ""
        }
        let key = CellKey(
            set: set.id, period: fields.period, municipality: fields.municipality, service: fields.service,
            unit: fields.unit, breakdownValue: breakdownValue)
        accumulate(groups.slot(key, set: set), set: set, sign: sign) { fields.period }
    }

    /// Takes back a response counted before (``retractDuplicates(_:file:)``): its counts, its
    /// sub-project and its tally.
    mutating func takeBack(_ record: ResponseRecord, set: CompiledSet, file: InputFile) {
        let (valid, invalid, _) = answers.classify(record, set: set, file: file, report: false)
        summary.invalidCells -= invalid.count
        if valid == 0 {
            summary.rejectedByKind[Problem.Kind.noValidAnswers.rawValue, default: 0] -= 1
        } else {
            summary.counted -= 1
            summary.rejected += 1
            let subproject = record.subproject?.trimmingSpaces ?? ""
            if !subproject.isEmpty {
                let ref = UnitRef(
                    municipality: record.municipality?.trimmingSpaces ?? "", unit: record.unit?.trimmingSpaces ?? "")
                namedSubprojects[ref]?[subproject, default: 1] -= 1
                if namedSubprojects[ref]?[subproject] == 0 { namedSubprojects[ref]?[subproject] = nil }
            }
            tally(record, RecordRules.Fields(record), set: set, sign: -1)
        }
        summary.rejectedByKind[Problem.Kind.duplicateRespondent.rawValue, default: 0] += 1
    }

    /// Removes kinds whose count of rejected responses came back to 0 (after taking back).
    mutating func dropEmptyRejectionCounts() {
        summary.rejectedByKind = summary.rejectedByKind.filter { $0.value != 0 }
    }

    /// Adds what a later part of the same file collected. Its problems are replayed by the caller.
    /// Without `keepingIDs` its respondent ids are not added (nothing is read after it).
    mutating func absorb(_ part: ResponseCollector, keepingIDs: Bool = true) {
        backgroundNames.formUnion(part.backgroundNames)
        for (id, set) in part.compiled where compiled[id] == nil { compiled[id] = set }
        groups.absorb(part.groups)
        for index in analyses.indices where index < part.analyses.count { analyses[index].absorb(part.analyses[index]) }
        for (ref, names) in part.namedSubprojects {
            for (name, count) in names { namedSubprojects[ref, default: [:]][name, default: 0] += count }
        }
        for (key, value) in part.fileInvited where fileInvited[key] == nil { fileInvited[key] = value }
        for (key, value) in part.fileUnitNames where fileUnitNames[key] == nil { fileUnitNames[key] = value }
        if keepingIDs { registry.absorb(part.registry) }
        summary.read += part.summary.read
        summary.counted += part.summary.counted
        summary.rejected += part.summary.rejected
        summary.invalidCells += part.summary.invalidCells
        summary.warnings += part.summary.warnings
        for (kind, count) in part.summary.rejectedByKind { summary.rejectedByKind[kind, default: 0] += count }
    }

    /// Records a problem replayed from a part (its counts came with `absorb`), skipping a column
    /// warning this file already had.
    mutating func replay(_ problem: Problem) throws(KvalitetError) {
        if let key = problem.onceKey {
            guard answers.warned.insert(key).inserted else {
                summary.warnings -= 1
                return
            }
        }
        try problems.record(problem)
    }

    /// Forms of a set sent out to a unit in a period: the register's figure, else the file's.
    func invited(set: any IndicatorSet, municipality: String, unit: String, period: String) -> Int? {
        registers.invited(municipality: municipality, unit: unit, period: period, set: set)
            ?? fileInvited[UnitPeriod(set: set.id, municipality: municipality, unit: unit, period: period)]
    }

    /// The sub-projects a unit belongs to: the register's and those its responses name.
    func subprojects(municipality: String, unit: String) -> Set<String> {
        Set(registers.subprojects(municipality: municipality, unit: unit))
            .union(namedSubprojects[UnitRef(municipality: municipality, unit: unit)]?.keys ?? [:].keys)
    }

    /// At a file's first response: for a file with a header (CSV), its items without a column.
    private mutating func checkItemColumns(_ record: ResponseRecord, set: CompiledSet) throws(KvalitetError) {
        checkedItemColumns = true
        guard record.namesLine != nil || record.namesAreColumns else { return }
        try noteItemsWithoutColumn(record.answerNames, set: set, line: record.namesLine)
    }
}

extension ResponseCollector {
    // The rules' problems, where the tests and the store name them.
    static func invalidAnswer(
        file: String, line: Int, respondent: String, column: String, value: String, set: CompiledSet
    ) -> Problem {
        RecordRules.invalidAnswer(file: file, line: line, respondent: respondent, column: column, value: value, set: set)
    }

    static func isDecimalWholeNumber(_ value: String) -> Bool { RecordRules.isDecimalWholeNumber(value) }
}
