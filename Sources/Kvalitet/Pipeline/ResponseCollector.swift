#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies the rules of FORMAT.md §2, §5 and §7 to each response a reader finds: which set it
/// belongs to, whether it is counted, what each cell means; and adds counted respondents to the
/// tally of their finest group (set, period, municipality, service, unit, breakdown value).
struct ResponseCollector: RawCellSink {
    let catalog: IndicatorSetCatalog
    let defaultSet: String?
    let registers: RegisterIndex
    /// The background variable to break municipality rows down by (lowercased), if any.
    let breakdown: String?
    let problems: ProblemLog
    /// Also accumulate each dimension's pairwise covariances (for `validate`).
    let collectCovariances: Bool

    private(set) var summary = RunSummary()
    private(set) var compiled: [String: CompiledSet] = [:]
    /// The finest groups and their tallies.
    private(set) var cellKeys: [CellKey] = []
    private(set) var tallies: [Tally] = []
    private var cellIndex: [CellKey: Int] = [:]
    /// The group of the previous response: consecutive responses mostly share it.
    private var lastCell: (key: CellKey, index: Int)?
    /// Sub-projects named by the counted responses, per municipality and unit, with how many
    /// named each (added to the register's).
    private(set) var namedSubprojects: [UnitRef: [String: Int]] = [:]
    /// `invited` figures found in the files, per set, municipality, unit and period.
    private(set) var fileInvited: [UnitPeriod: Int] = [:]
    /// Respondent ids seen, per set and period (duplicate detection), with where each was first
    /// seen (CSV), so a part of a file read in parallel can take back one an earlier part had.
    /// Kept in an array reached through `respondentSlots` (and the last slice used), so checking
    /// an id does not copy an index out of a dictionary (a retain and release of each of its
    /// arrays per response).
    private var respondentIndexes: [RespondentIndex] = []
    private var respondentSlots: [SlicedKey: Int] = [:]
    private var lastRespondentSlot: (key: SlicedKey, slot: Int)?

    var seenRespondents: [SlicedKey: RespondentIndex] { respondentSlots.mapValues { respondentIndexes[$0] } }

    /// The position of `slice`'s index in `respondentIndexes`, made when new.
    private mutating func respondentSlot(_ slice: SlicedKey) -> Int {
        if let last = lastRespondentSlot, last.key == slice { return last.slot }
        let slot = respondentSlots[slice] ?? {
            respondentIndexes.append(RespondentIndex(tracksPositions: tracksPositions))
            respondentSlots[slice] = respondentIndexes.count - 1
            return respondentIndexes.count - 1
        }()
        lastRespondentSlot = (slice, slot)
        return slot
    }
    /// Whether `seenRespondents` keeps where each id was read (a part of a file read at once).
    let tracksPositions: Bool
    /// The duplicates already known (a large run; see ``IDsOnDisk``): when set, ids are not
    /// kept in memory; those registered are written to `idSpill`, if given, as from `idPart`.
    var knownDuplicates: KnownDuplicates?
    var idSpill: IDsOnDisk.IDSpill?
    var idPart = IDsOnDisk.wholeFile
    /// The current file's place in the run (counted by `begin`; a part is told its file's).
    var fileNumber = -1
    /// Per set and period, when `collectCovariances`: each dimension's pairwise covariances of
    /// item values and the respondents with at least one valid answer in it.
    private(set) var covariances: [SlicedKey: DimensionCovariances] = [:]

    struct SlicedKey: Hashable {
        var set: String
        var period: String
    }

    struct DimensionCovariances {
        var matrices: [PairwiseCovariance]
        var respondents: [Int]

        mutating func merge(_ other: DimensionCovariances) {
            for d in matrices.indices {
                matrices[d].merge(other.matrices[d])
                respondents[d] += other.respondents[d]
            }
        }

        init(_ set: CompiledSet) {
            matrices = set.dimensionItems.map { PairwiseCovariance(k: $0.count) }
            respondents = Array(repeating: 0, count: set.dimensionItems.count)
        }

        mutating func add(cells: [Int], set: CompiledSet, sign: Int = 1) {
            for (d, range) in set.dimensionItems.enumerated() {
                let values: [Int?] = range.map { item in
                    cells[item] >= 0 ? set.values[item * set.codeCount + cells[item]] : nil
                }
                guard values.contains(where: { $0 != nil }) else { continue }
                respondents[d] += sign
                matrices[d].add(values, weight: sign)
            }
        }
    }
    /// Unit names the files give, per municipality and unit.
    private(set) var fileUnitNames: [UnitRef: String] = [:]

    // Per file.
    private(set) var currentFile: String?
    private var fileSet: CompiledSet?
    /// The current file's set, once decided.
    var currentSet: (any IndicatorSet)? { fileSet?.set }
    private var columnItems: [String: Int] = [:]
    /// Item index per answer position of the previous record, with the names they were for: CSV
    /// records repeat the header's names in the same order, so most lookups are a comparison.
    private var positionNames: [String] = []
    private var positionItems: [Int] = []
    private var warnedColumns: Set<String> = []
    /// Whether this file's items without a column were looked for (at its first mapped row).
    private var checkedItemColumns = false
    /// Background variable names met (with `--breakdown`, to say which there are when it is absent).
    private(set) var backgroundNames: Set<String> = []
    /// Answer names whose every position `positionItems` maps (held, so that storage stays
    /// theirs while compared by address).
    private var mappedNames: [String] = []
    private var cells: [Int] = []
    /// For rows whose fields are bytes (``collectRaw``), per file: the respondent index of the
    /// last period's bytes, the group of each key's bytes, the last group, and where the
    /// breakdown variable's cell is (computed at the first row).
    private var rawPeriodSlot: (period: [UInt8], slot: Int)?
    private var rawGroups: [[UInt8]: Int] = [:]
    private var lastRawGroup: (key: [UInt8], index: Int)?
    private var groupKey: [UInt8] = []
    private var keyRanges: [Range<Int>] = []
    /// The file's set id as UTF-8.
    private var setIDBytes: [UInt8] = []
    private var rawBreakdown: (position: Int?, known: Bool) = (nil, false)

    struct CellKey: Hashable {
        var set: String
        var period: String
        var municipality: String
        var service: String
        var unit: String
        var breakdownValue: String
    }

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
        problems: ProblemLog, collectCovariances: Bool = false, tracksPositions: Bool = false
    ) {
        self.collectCovariances = collectCovariances
        self.tracksPositions = tracksPositions
        self.catalog = catalog
        self.defaultSet = defaultSet
        self.registers = registers
        self.breakdown = breakdown?.lowercased()
        self.problems = problems
    }

    /// Marks the start of a file (also when it holds no response). `set` presets the file's set
    /// (a part of a file read in parallel, whose first response the part may not hold).
    mutating func begin(_ file: InputFile, set: CompiledSet? = nil) {
        summary.files += 1
        fileNumber += 1
        currentFile = file.name
        fileSet = set
        if let set {
            compiled[set.id] = compiled[set.id] ?? set
            cells = Array(repeating: Tally.unansweredCell, count: set.itemCount)
        }
        columnItems.removeAll(keepingCapacity: true)
        positionNames.removeAll(keepingCapacity: true)
        positionItems.removeAll(keepingCapacity: true)
        warnedColumns.removeAll(keepingCapacity: true)
        checkedItemColumns = false
        mappedNames = []
        rawPeriodSlot = nil
        setIDBytes = []
        rawGroups.removeAll()
        lastRawGroup = nil
        rawBreakdown = (nil, false)
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

    /// Whether CSV rows come with their cells as bytes (``collectRaw``).
    var acceptsRawCells = true

    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
        if currentFile != file.name { begin(file) }
        summary.read += 1
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

    /// A CSV row with its fields as bytes (`rawKeys`, `rawAnswers`) of the usual kind — the
    /// file's set, every required field there, status complete or none, answer columns mapped —
    /// registered, classified and tallied from its bytes: no text is made of it unless a
    /// problem is reported or a new group or period appears. The rules are those of `collect`,
    /// which takes every other row (false is returned then, with nothing changed).
    private mutating func collectRaw(_ record: ResponseRecord, set: CompiledSet, file: InputFile) throws(KvalitetError) -> Bool {
        guard let answers = record.rawAnswers,
            answers.count == record.answerNames.count, Self.sameStorage(record.answerNames, mappedNames)
        else { return false }
        let (columns, cells) = (record.rawKeys.columns, record.rawKeys.cells)
        if setIDBytes.isEmpty { setIDBytes = Array(set.id.utf8) }
        let respondent = cells.trimmedRange(columns.respondent)
        let (municipality, service) = (cells.trimmedRange(columns.municipality), cells.trimmedRange(columns.service))
        let (unit, period) = (cells.trimmedRange(columns.unit), cells.trimmedRange(columns.period))
        guard !respondent.isEmpty, !municipality.isEmpty, !service.isEmpty, !unit.isEmpty, !period.isEmpty else { return false }
        let usual = cells.bytes.withUnsafeBufferPointer { bytes in
            if columns.set >= 0 {
                let named = cells.trimmedRange(columns.set)
                if !named.isEmpty && !Self.bytes(bytes, named, equal: setIDBytes) { return false }
            }
            if columns.status >= 0 {
                let status = cells.trimmedRange(columns.status)
                if !status.isEmpty && !Self.bytes(bytes, status, equal: Self.complete) { return false }
            }
            return true
        }
        guard usual else { return false }

        // Registered: from here on the row is decided here.
        let duplicate: Bool
        if let knownDuplicates {
            duplicate = knownDuplicates.contains(file: fileNumber, offset: record.offset ?? -1)
            if !duplicate, let idSpill {
                let (source, offset) = (IDsOnDisk.source(file: fileNumber, part: idPart), record.offset ?? -1)
                try cells.withUTF8(period) { period throws(KvalitetError) in
                    try cells.withUTF8(respondent) { id throws(KvalitetError) in
                        try idSpill.add(set: set.id, period: period, respondent: id, source: source, offset: offset)
                    }
                }
            }
        } else {
            let slot = rawRespondentSlot(cells, period: period, position: columns.period, set: set)
            let position = RespondentIndex.Position(offset: record.offset ?? -1, line: record.line)
            duplicate = !cells.withUTF8(respondent) { respondentIndexes[slot].insert(bytes: $0, position: position) }
        }
        if duplicate {
            try note(Self.duplicateProblem(file: file.name, line: record.line, respondent: cells.trimmedText(columns.respondent),
                set: set.id, period: cells.trimmedText(columns.period)))
            return true
        }

        let (valid, invalid) = classifyMapped(answers)
        if valid == 0 || !invalid.isEmpty {
            let id = cells.trimmedText(columns.respondent)
            // Every invalid cell is reported, also of a response that is then not counted.
            for position in invalid {
                try note(Self.invalidAnswer(file: file.name, line: record.line, respondent: id, column: record.answerNames[position],
                    value: answers.text(position), set: set))
                summary.invalidCells += 1
            }
            if valid == 0 {
                try note(Self.noValidAnswers(file: file.name, line: record.line, respondent: id))
                return true
            }
        }
        summary.counted += 1
        if columns.subproject >= 0, !cells.trimmedRange(columns.subproject).isEmpty {
            let ref = UnitRef(municipality: cells.trimmedText(columns.municipality), unit: cells.trimmedText(columns.unit))
            namedSubprojects[ref, default: [:]][cells.trimmedText(columns.subproject), default: 0] += 1
        }

        // The group: found by its fields' bytes; text is made for a group not met before in the file.
        if !rawBreakdown.known, let breakdown {
            rawBreakdown = (columns.background(named: breakdown), true)
            backgroundNames.formUnion(columns.backgroundNames)
        }
        let breakdownCell = rawBreakdown.position.map { cells.trimmedRange($0) } ?? cells.bytes.count..<cells.bytes.count
        keyRanges.removeAll(keepingCapacity: true)
        keyRanges.append(period)
        keyRanges.append(municipality)
        keyRanges.append(service)
        keyRanges.append(unit)
        keyRanges.append(breakdownCell)
        let index: Int
        if let last = lastRawGroup, Self.groupKey(last.key, holds: keyRanges, of: cells.bytes) {
            index = last.index
        } else {
            groupKey.removeAll(keepingCapacity: true)
            cells.bytes.withUnsafeBufferPointer { bytes in
                for range in keyRanges {
                    withUnsafeBytes(of: UInt32(range.count)) { groupKey.append(contentsOf: $0) }
                    groupKey.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
                }
            }
            if let known = rawGroups[groupKey] {
                index = known
            } else {
                func text(_ range: Range<Int>) -> String {
                    cells.bytes.withUnsafeBufferPointer { cells.encoding.decode(UnsafeBufferPointer(rebasing: $0[range])) }
                }
                index = cellIndex(CellKey(set: set.id, period: text(period), municipality: text(municipality),
                    service: text(service), unit: text(unit), breakdownValue: text(breakdownCell)), set: set)
                rawGroups[groupKey] = index
            }
            lastRawGroup = (groupKey, index)
        }
        tallies[index].add(cells: self.cells, set: set, sign: 1)
        if collectCovariances {
            covariances[SlicedKey(set: set.id, period: cells.trimmedText(columns.period)), default: DimensionCovariances(set)]
                .add(cells: self.cells, set: set, sign: 1)
        }
        return true
    }

    private static let complete = Array("complete".utf8)

    /// Whether `key` (each field's length as 4 bytes, then its bytes) is of the fields at
    /// `ranges` of `bytes`: the previous row's group is checked without building a key.
    private static func groupKey(_ key: [UInt8], holds ranges: [Range<Int>], of bytes: [UInt8]) -> Bool {
        key.withUnsafeBytes { key in
            bytes.withUnsafeBytes { bytes in
                var offset = 0
                for range in ranges {
                    guard offset + 4 + range.count <= key.count,
                        key.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == UInt32(range.count),
                        range.isEmpty || memcmp(key.baseAddress! + offset + 4, bytes.baseAddress! + range.lowerBound, range.count) == 0
                    else { return false }
                    offset += 4 + range.count
                }
                return offset == key.count
            }
        }
    }

    /// Whether `bytes[range]` are `expected`.
    @inline(__always)
    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, equal expected: [UInt8]) -> Bool {
        range.count == expected.count
            && expected.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0 }
    }

    /// The respondent index of `set` and the period in `cells[period]` (bytes of cell `position`).
    private mutating func rawRespondentSlot(_ cells: RawCells, period: Range<Int>, position: Int, set: CompiledSet) -> Int {
        if let last = rawPeriodSlot, last.period.elementsEqual(cells.bytes[period]) { return last.slot }
        let slot = respondentSlot(SlicedKey(set: set.id, period: cells.trimmedText(position)))
        rawPeriodSlot = (Array(cells.bytes[period]), slot)
        return slot
    }

    static func duplicateProblem(file: String, line: Int, respondent: String, set: String, period: String) -> Problem {
        Problem(.duplicateRespondent, file: file, line: line, respondent: respondent, column: "respondent", value: respondent,
            message: "respondent \(respondent) appears more than once for set \(set) and period \(period); this one is not counted")
    }

    static func noValidAnswers(file: String, line: Int, respondent: String) -> Problem {
        Problem(.noValidAnswers, file: file, line: line, respondent: respondent, message: "no valid answer in the response; it is not counted")
    }

    static func invalidAnswer(file: String, line: Int, respondent: String, column: String, value: String, set: CompiledSet) -> Problem {
        let scale = set.set.scale
        var message = "invalid answer \"\(value)\" for item \(column) (scale \(scale.min)–\(scale.max)); counted as unanswered"
        if Self.isDecimalWholeNumber(value) {
            message += "; \(value.trimmingSpaces) is not a whole number \(scale.min)–\(scale.max): save the answers as whole numbers"
        }
        return Problem(.invalidAnswer, file: file, line: line, respondent: respondent, column: column, value: value, message: message)
    }

    /// "5,0" or "5.00": a whole number written with decimals, as a number cell with a decimal
    /// format in Excel saves it.
    static func isDecimalWholeNumber(_ value: String) -> Bool {
        let text = value.trimmingSpaces
        guard let separator = text.firstIndex(where: { $0 == "," || $0 == "." }) else { return false }
        let whole = text[..<separator]
        let decimals = text[text.index(after: separator)...]
        return !whole.isEmpty && whole.allSatisfy(\.isASCIIDigitLike) && !decimals.isEmpty && decimals.allSatisfy { $0 == "0" }
    }

    /// The file's set, decided by its first response (FORMAT.md §2: one set per file).
    mutating func decideSet(for record: ResponseRecord, file: InputFile) throws(KvalitetError) -> CompiledSet {
        if let fileSet { return fileSet }
        let named = record.set?.trimmingSpaces ?? ""
        guard let setID = named.isEmpty ? defaultSet : named else {
            throw KvalitetError(.inputRefused, "the file names no set: add a column \"set\" or give --set",
                at: SourceLocation(file: file.name, line: record.line, field: "set"))
        }
        guard let set = catalog[setID] else {
            let known = catalog.sets.keys.sorted().joined(separator: ", ")
            throw KvalitetError(.inputRefused, "unknown set \"\(setID)\" (known: \(known); add definitions with --sets)",
                at: SourceLocation(file: file.name, line: record.line, field: "set"))
        }
        let compiledSet = compiled[setID] ?? CompiledSet(set)
        compiled[setID] = compiledSet
        fileSet = compiledSet
        cells = Array(repeating: Tally.unansweredCell, count: compiledSet.itemCount)
        return compiledSet
    }

    /// What the rules before duplicate detection make of a response of a file of set `set`.
    enum Admission: Equatable {
        /// The row names another set (known or not).
        case otherSet(String)
        /// A required field is empty (the first such, in FORMAT.md's order).
        case missing(String)
        case aborted
        case invalidStatus
        /// Registered under its (trimmed) respondent id and period: checked for duplicates.
        case registered
    }

    /// A response's key fields, trimmed (once per response: they are used several times).
    struct Fields: Equatable {
        var respondent: String
        var municipality: String
        var service: String
        var unit: String
        var period: String

        init(_ record: ResponseRecord) {
            respondent = record.respondent?.trimmingSpaces ?? ""
            municipality = record.municipality?.trimmingSpaces ?? ""
            service = record.service?.trimmingSpaces ?? ""
            unit = record.unit?.trimmingSpaces ?? ""
            period = record.period?.trimmingSpaces ?? ""
        }
    }

    /// The checks every response passes before its id is registered, in order; `fields` are
    /// `record`'s.
    static func admission(of record: ResponseRecord, fields: Fields, set: String) -> Admission {
        let named = record.set?.trimmingSpaces ?? ""
        if !named.isEmpty && named != set { return .otherSet(named) }
        // Checked one by one, in this order (no array of pairs built per response).
        if fields.respondent.isEmpty { return .missing("respondent") }
        if fields.municipality.isEmpty { return .missing("municipality") }
        if fields.service.isEmpty { return .missing("service") }
        if fields.unit.isEmpty { return .missing("unit") }
        if fields.period.isEmpty { return .missing("period") }
        var status = record.status?.trimmingSpaces ?? ""
        if status != "complete" { status = status.lowercased() }
        if status == "aborted" { return .aborted }
        if !status.isEmpty && status != "complete" { return .invalidStatus }
        return .registered
    }

    /// Decides whether a response of the file's set is counted, and tallies it.
    private mutating func collect(_ record: ResponseRecord, from file: InputFile) throws(KvalitetError) {
        guard let set = fileSet else { return }
        let fields = Fields(record)
        let respondent = fields.respondent
        func problem(_ kind: Problem.Kind, column: String = "", value: String = "", _ message: String) -> Problem {
            Problem(kind, file: file.name, line: record.line, respondent: respondent, column: column, value: value,
                message: message)
        }
        switch Self.admission(of: record, fields: fields, set: set.id) {
        case .otherSet(let named):
            if catalog[named] == nil {
                try note(problem(.unknownSet, column: "set", value: named,
                    "unknown set \"\(named)\"; the response is not counted"))
            } else {
                try note(problem(.setMismatch, column: "set", value: named,
                    "the row names set \"\(named)\", the file \"\(set.id)\"; the response is not counted"))
            }
            return
        case .missing(let name):
            try note(problem(.missingField, column: name, "\(name) is empty; the response is not counted"))
            return
        case .aborted:
            try note(problem(.aborted, column: "status", value: record.status ?? "",
                "aborted interview; read, not counted"))
            return
        case .invalidStatus:
            try note(problem(.invalidStatus, column: "status", value: record.status ?? "",
                "status must be complete or aborted; the response is not counted"))
            return
        case .registered:
            break
        }
        let (municipality, unit, period) = (fields.municipality, fields.unit, fields.period)

        // Aborted interviews are not registered, so a completed re-interview may reuse the id.
        let duplicate: Bool
        if let knownDuplicates {
            duplicate = knownDuplicates.contains(file: fileNumber, offset: record.offset ?? -1)
            if !duplicate, let idSpill {
                try idSpill.add(set: set.id, period: period, respondent: respondent,
                    source: IDsOnDisk.source(file: fileNumber, part: idPart), offset: record.offset ?? -1)
            }
        } else {
            let slot = respondentSlot(SlicedKey(set: set.id, period: period))
            duplicate = !respondentIndexes[slot].insert(respondent,
                position: RespondentIndex.Position(offset: record.offset ?? -1, line: record.line))
        }
        if duplicate {
            try note(Self.duplicateProblem(file: file.name, line: record.line, respondent: respondent, set: set.id, period: period))
            return
        }

        let (valid, invalid) = try classifyAnswers(record, set: set, file: file, report: true)
        // Every invalid cell is reported, also of a response that is then not counted.
        for cellProblem in invalid {
            try note(cellProblem)
            summary.invalidCells += 1
        }
        if valid == 0 {
            try note(Self.noValidAnswers(file: file.name, line: record.line, respondent: respondent))
            return
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
            } else if warnedColumns.insert("invited\u{1F}\(unit)").inserted {
                var warning = problem(.invalidInvited, column: "invited", value: invitedText,
                    "invited must be a whole number of 0 or more; ignored")
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

    /// Adds (sign 1) or takes back (sign −1) the current `cells` as `record`'s answers.
    private mutating func tally(_ record: ResponseRecord, _ fields: Fields, set: CompiledSet, sign: Int) {
        let period = fields.period
        var breakdownValue = ""
        if let breakdown {
            for field in record.background where !backgroundNames.contains(field.name) { backgroundNames.insert(field.name) }
            breakdownValue = record.background.first { $0.name.trimmingSpaces.lowercased() == breakdown }?.value.trimmingSpaces ?? ""
        }
        let key = CellKey(set: set.id, period: period, municipality: fields.municipality, service: fields.service,
            unit: fields.unit, breakdownValue: breakdownValue)
        let index = cellIndex(key, set: set)
        tallies[index].add(cells: cells, set: set, sign: sign)
        if collectCovariances {
            covariances[SlicedKey(set: set.id, period: period), default: DimensionCovariances(set)]
                .add(cells: cells, set: set, sign: sign)
        }
    }

    /// The position of group `key`'s tally, made when new.
    private mutating func cellIndex(_ key: CellKey, set: CompiledSet) -> Int {
        if let last = lastCell, last.key == key { return last.index }
        let index: Int
        if let existing = cellIndex[key] {
            index = existing
        } else {
            index = tallies.count
            cellIndex[key] = index
            cellKeys.append(key)
            tallies.append(Tally(set))
        }
        lastCell = (key, index)
        return index
    }

    /// Puts the meaning of each answer of `record` into `cells`; returns the number of valid ones
    /// and the invalid-answer problems. With `report`, notes unknown columns and second answers.
    private mutating func classifyAnswers(_ record: ResponseRecord, set: CompiledSet, file: InputFile, report: Bool)
        throws(KvalitetError) -> (valid: Int, invalid: [Problem])
    {
        let respondent = record.respondent?.trimmingSpaces ?? ""
        func problem(_ kind: Problem.Kind, column: String = "", value: String = "", line: Int? = nil, _ message: String) -> Problem {
            Problem(kind, file: file.name, line: line ?? record.line, respondent: respondent, column: column, value: value,
                message: message)
        }
        cells.withUnsafeMutableBufferPointer { $0.update(repeating: Tally.unansweredCell) }
        var valid = 0
        var invalid: [Problem] = []
        let names = record.answerNames
        let count = record.answerCount
        /// Puts the meaning of answer `position` into `cells`.
        func take(_ cell: CompiledSet.Cell, item: Int, position: Int) {
            cells[item] = cell.tallyCell
            switch cell {
            case .valid: valid += 1
            case .dontKnow, .unanswered: break
            case .invalid:
                invalid.append(Self.invalidAnswer(file: file.name, line: record.line, respondent: respondent,
                    column: names[position], value: record.answerValue(position), set: set))
            }
        }
        func classify(_ position: Int) -> CompiledSet.Cell {
            if let raw = record.rawAnswers { return raw.withCell(position) { set.classify(bytes: $0, encoding: raw.encoding) } }
            return set.classify(record.answerValues[position])
        }
        if count == names.count && Self.sameStorage(names, mappedNames), let raw = record.rawAnswers {
            let (found, invalidPositions) = classifyMapped(raw)
            valid = found
            for position in invalidPositions { take(.invalid, item: positionItems[position], position: position) }
            return (valid, invalid)
        }
        if count == names.count && Self.sameStorage(names, mappedNames) {
            // The very names of a response mapped before (CSV rows share their header's): each
            // position's item is known, its unknown columns were reported, no item comes twice.
            // No name is touched, which spares a reference count per answer.
            for position in 0..<count {
                let item = positionItems[position]
                if item >= 0 { take(classify(position), item: item, position: position) }
            }
            return (valid, invalid)
        }
        mappedNames = []  // positionItems changes below
        var seen = Array(repeating: false, count: set.itemCount)
        var twice = false
        for position in names.indices {
            let answer = ResponseRecord.Field(name: names[position], value: record.answerValue(position))
            let item: Int
            if position < positionNames.count && positionNames[position] == answer.name {
                item = positionItems[position]
            } else {
                if let known = columnItems[answer.name] {
                    item = known
                } else {
                    item = set.itemLookup[answer.name.trimmingSpaces.lowercased()] ?? -1
                    columnItems[answer.name] = item
                }
                if position < positionNames.count {
                    positionNames[position] = answer.name
                    positionItems[position] = item
                } else if position == positionNames.count {
                    positionNames.append(answer.name)
                    positionItems.append(item)
                }
            }
            guard item >= 0 else {
                if report && warnedColumns.insert(answer.name).inserted {
                    // A CSV column is a property of the header: reported at the header's line.
                    var warning = problem(.unknownColumn, column: answer.name, line: record.namesLine,
                        "\"\(answer.name)\" is no item of set \(set.id); ignored in the whole file")
                    if record.namesLine != nil { warning.respondent = "" }
                    warning.onceKey = answer.name
                    try note(warning)
                }
                continue
            }
            if seen[item] {
                twice = true
                if report {
                    try note(problem(.duplicateAnswer, column: answer.name, value: answer.value,
                        "a second answer to item \(answer.name); the first is used"))
                }
                continue
            }
            seen[item] = true
            take(set.classify(answer.value), item: item, position: position)
        }
        // Names mapped whole with their warnings given, and no item named twice (which is
        // reported per response): the next response with the same names takes the fast path.
        if report && !twice && count == names.count && positionItems.count >= names.count {
            mappedNames = names
        }
        return (valid, invalid)
    }

    /// Puts the meaning of each answer cell of `raw` into `cells`, for answers whose columns are
    /// mapped (`mappedNames`): one pass over the row with the cells, the map and the bytes
    /// borrowed once (no uniqueness check per write). Returns the number of valid answers and
    /// the positions of invalid ones (their text is made only for them, by the caller).
    private mutating func classifyMapped(_ raw: RawCells) -> (valid: Int, invalid: [Int]) {
        cells.withUnsafeMutableBufferPointer { $0.update(repeating: Tally.unansweredCell) }
        guard let set = fileSet else { return (0, []) }
        var valid = 0
        var invalidPositions: [Int] = []
        let items = positionItems
        let count = raw.count
        cells.withUnsafeMutableBufferPointer { cells in
            items.withUnsafeBufferPointer { items in
                raw.bytes.withUnsafeBufferPointer { bytes in
                    raw.ends.withUnsafeBufferPointer { ends in
                        var start = 0
                        for position in 0..<count {
                            let end = ends[position]
                            defer { start = end }
                            let item = items[position]
                            guard item >= 0 else { continue }
                            let cell = set.classify(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]), encoding: raw.encoding)
                            cells[item] = cell.tallyCell
                            switch cell {
                            case .valid: valid += 1
                            case .dontKnow, .unanswered: break
                            case .invalid: invalidPositions.append(position)
                            }
                        }
                    }
                }
            }
        }
        return (valid, invalidPositions)
    }

    /// Whether two arrays share their storage (so hold the same elements).
    private static func sameStorage(_ a: [String], _ b: [String]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }

    // MARK: Reading one file in parts

    /// Takes back a response this part registered first, after merging found the same respondent
    /// in an earlier part: as in a sequential read, it becomes a `duplicate-respondent`. Its own
    /// problems (buffered, as parts buffer them) are replaced by that one.
    mutating func retractDuplicates(_ records: [ResponseRecord], file: InputFile) throws(KvalitetError) {
        guard let set = fileSet, let buffer = problems.buffer, !records.isEmpty else { return }
        var duplicates: [Int: [Problem]] = [:]
        for record in records {
            let (valid, invalid) = try classifyAnswers(record, set: set, file: file, report: false)
            let respondent = record.respondent?.trimmingSpaces ?? ""
            let period = record.period?.trimmingSpaces ?? ""
            duplicates[record.line, default: []].append(
                Self.duplicateProblem(file: file.name, line: record.line, respondent: respondent, set: set.id, period: period))
            summary.invalidCells -= invalid.count
            if valid == 0 {
                summary.rejectedByKind[Problem.Kind.noValidAnswers.rawValue, default: 0] -= 1
            } else {
                summary.counted -= 1
                summary.rejected += 1
                let subproject = record.subproject?.trimmingSpaces ?? ""
                if !subproject.isEmpty {
                    let ref = UnitRef(municipality: record.municipality?.trimmingSpaces ?? "", unit: record.unit?.trimmingSpaces ?? "")
                    namedSubprojects[ref]?[subproject, default: 1] -= 1
                    if namedSubprojects[ref]?[subproject] == 0 { namedSubprojects[ref]?[subproject] = nil }
                }
                tally(record, Fields(record), set: set, sign: -1)
            }
            summary.rejectedByKind[Problem.Kind.duplicateRespondent.rawValue, default: 0] += 1
        }
        summary.rejectedByKind = summary.rejectedByKind.filter { $0.value != 0 }
        problems.buffer = Self.replacingOwnProblems(buffer, with: duplicates, file: file.name)
    }

    /// `buffer` (a part's problems, in file order) with each taken-back response's own problems
    /// (its invalid answers, or that it had no valid one) replaced by its `duplicate-respondent`:
    /// where the first of them stood, or else before the first problem of a later line (a second
    /// response on the same line: after that line's problems). One pass, so taking back many
    /// responses stays linear.
    static func replacingOwnProblems(_ buffer: [Problem], with duplicates: [Int: [Problem]], file: String) -> [Problem] {
        // Lines with responses taken back, in order, with the duplicates still to place.
        var queue = duplicates.keys.sorted().map { (line: $0, problems: duplicates[$0]![...]) }[...]
        var placedAt: Set<Int> = []
        var result: [Problem] = []
        result.reserveCapacity(buffer.count + duplicates.values.reduce(0) { $0 + $1.count })
        for problem in buffer {
            let line = problem.line ?? 0
            while let head = queue.first, head.line < line {
                result.append(contentsOf: head.problems)
                queue.removeFirst()
            }
            guard duplicates[line] != nil, problem.file == file,
                problem.kind == .invalidAnswer || problem.kind == .noValidAnswers
            else {
                result.append(problem)
                continue
            }
            // An own problem of a line with a response taken back: the first one's place takes
            // that line's first duplicate; the others go.
            if placedAt.insert(line).inserted, let head = queue.first, head.line == line, let first = head.problems.first {
                result.append(first)
                queue[queue.startIndex].problems.removeFirst()
            }
        }
        for head in queue { result.append(contentsOf: head.problems) }
        return result
    }

    /// Adds what a later part of the same file collected. Its problems are replayed by the caller.
    /// Without `keepingIDs` its respondent ids are not added (nothing is read after it).
    mutating func absorb(_ part: ResponseCollector, keepingIDs: Bool = true) {
        backgroundNames.formUnion(part.backgroundNames)
        for (index, key) in part.cellKeys.enumerated() {
            guard let set = part.compiled[key.set] else { continue }
            if compiled[key.set] == nil { compiled[key.set] = set }
            if let existing = cellIndex[key] {
                tallies[existing].merge(part.tallies[index])
            } else {
                cellIndex[key] = tallies.count
                cellKeys.append(key)
                tallies.append(part.tallies[index])
            }
        }
        lastCell = nil
        for (slice, matrices) in part.covariances {
            if var mine = covariances[slice] {
                mine.merge(matrices)
                covariances[slice] = mine
            } else {
                covariances[slice] = matrices
            }
        }
        for (ref, names) in part.namedSubprojects {
            for (name, count) in names { namedSubprojects[ref, default: [:]][name, default: 0] += count }
        }
        for (key, value) in part.fileInvited where fileInvited[key] == nil { fileInvited[key] = value }
        for (key, value) in part.fileUnitNames where fileUnitNames[key] == nil { fileUnitNames[key] = value }
        for (slice, partSlot) in part.respondentSlots where keepingIDs {
            respondentIndexes[respondentSlot(slice)].formUnion(part.respondentIndexes[partSlot])
        }
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
            guard warnedColumns.insert(key).inserted else {
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
}

extension ResponseCollector {
    /// At a file's first response: for a file with a header (CSV), its items without a column.
    private mutating func checkItemColumns(_ record: ResponseRecord, set: CompiledSet) throws(KvalitetError) {
        checkedItemColumns = true
        guard let line = record.namesLine else { return }
        try noteItemsWithoutColumn(record.answerNames, set: set, line: line)
    }
}

private extension Character {
    var isASCIIDigitLike: Bool { ("0"..."9").contains(self) }
}