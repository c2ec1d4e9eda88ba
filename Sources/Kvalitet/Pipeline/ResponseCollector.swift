/// Applies the rules of FORMAT.md §2, §5 and §7 to each response a reader finds: which set it
/// belongs to, whether it is counted, what each cell means; and adds counted respondents to the
/// tally of their finest group (set, period, municipality, service, unit, breakdown value).
struct ResponseCollector: ResponseSink {
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
    /// Sub-projects named by the responses, per municipality and unit (added to the register's).
    private(set) var namedSubprojects: [UnitRef: Set<String>] = [:]
    /// `invited` figures found in the files, per set, municipality, unit and period.
    private(set) var fileInvited: [UnitPeriod: Int] = [:]
    /// Respondent ids seen, per set and period (duplicate detection).
    private var seenRespondents: [SlicedKey: Set<String>] = [:]
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

        init(_ set: CompiledSet) {
            matrices = set.dimensionItems.map { PairwiseCovariance(k: $0.count) }
            respondents = Array(repeating: 0, count: set.dimensionItems.count)
        }

        mutating func add(cells: [Int], set: CompiledSet) {
            for (d, range) in set.dimensionItems.enumerated() {
                let values: [Int?] = range.map { item in
                    cells[item] >= 0 ? set.values[item * set.codeCount + cells[item]] : nil
                }
                guard values.contains(where: { $0 != nil }) else { continue }
                respondents[d] += 1
                matrices[d].add(values)
            }
        }
    }
    /// Unit names the files give, per municipality and unit.
    private(set) var fileUnitNames: [UnitRef: String] = [:]

    // Per file.
    private var currentFile: String?
    private var fileSet: CompiledSet?
    private var columnItems: [String: Int] = [:]
    /// Item index per answer position of the previous record, with the names they were for: CSV
    /// records repeat the header's names in the same order, so most lookups are a comparison.
    private var positionNames: [String] = []
    private var positionItems: [Int] = []
    private var warnedColumns: Set<String> = []
    private var cells: [Int] = []

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
        problems: ProblemLog, collectCovariances: Bool = false
    ) {
        self.collectCovariances = collectCovariances
        self.catalog = catalog
        self.defaultSet = defaultSet
        self.registers = registers
        self.breakdown = breakdown?.lowercased()
        self.problems = problems
    }

    /// Marks the start of a file (also when it holds no response).
    mutating func begin(_ file: InputFile) {
        summary.files += 1
        currentFile = file.name
        fileSet = nil
        columnItems.removeAll(keepingCapacity: true)
        positionNames.removeAll(keepingCapacity: true)
        positionItems.removeAll(keepingCapacity: true)
        warnedColumns.removeAll(keepingCapacity: true)
    }

    /// A problem the reader found; when it leaves a whole response out, that response was read too.
    mutating func report(_ problem: Problem) throws {
        if problem.kind.rejectsResponse { summary.read += 1 }
        try note(problem)
    }

    private mutating func note(_ problem: Problem) throws(KvalitetError) {
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
        if fileSet == nil {
            // The file's first response decides its set (FORMAT.md §2: one set per file).
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
        }
        try collect(record, from: file)
    }

    /// Decides whether a response of the file's set is counted, and tallies it.
    private mutating func collect(_ record: ResponseRecord, from file: InputFile) throws(KvalitetError) {
        guard let set = fileSet else { return }
        let respondent = record.respondent?.trimmingSpaces ?? ""
        func problem(_ kind: Problem.Kind, column: String = "", value: String = "", _ message: String) -> Problem {
            Problem(kind, file: file.name, line: record.line, respondent: respondent, column: column, value: value,
                message: message)
        }
        let named = record.set?.trimmingSpaces ?? ""
        if !named.isEmpty && named != set.set.id {
            if catalog[named] == nil {
                try note(problem(.unknownSet, column: "set", value: named,
                    "unknown set \"\(named)\"; the response is not counted"))
            } else {
                try note(problem(.setMismatch, column: "set", value: named,
                    "the row names set \"\(named)\", the file \"\(set.set.id)\"; the response is not counted"))
            }
            return
        }

        let municipality = record.municipality?.trimmingSpaces ?? ""
        let service = record.service?.trimmingSpaces ?? ""
        let unit = record.unit?.trimmingSpaces ?? ""
        let period = record.period?.trimmingSpaces ?? ""
        for (name, value) in [("respondent", respondent), ("municipality", municipality), ("service", service),
            ("unit", unit), ("period", period)] where value.isEmpty
        {
            try note(problem(.missingField, column: name, "\(name) is empty; the response is not counted"))
            return
        }

        let status = record.status?.trimmingSpaces.lowercased() ?? ""
        if status == "aborted" {
            try note(problem(.aborted, column: "status", value: record.status ?? "",
                "aborted interview; read, not counted"))
            return
        }
        if !status.isEmpty && status != "complete" {
            try note(problem(.invalidStatus, column: "status", value: record.status ?? "",
                "status must be complete or aborted; the response is not counted"))
            return
        }

        // Aborted interviews are not registered, so a completed re-interview may reuse the id.
        if !seenRespondents[SlicedKey(set: set.set.id, period: period), default: []].insert(respondent).inserted {
            try note(problem(.duplicateRespondent, column: "respondent", value: respondent,
                "respondent \(respondent) appears more than once for set \(set.set.id) and period \(period); this one is not counted"))
            return
        }

        for index in cells.indices { cells[index] = Tally.unansweredCell }
        var seen = Array(repeating: false, count: set.itemCount)
        var valid = 0
        var invalid: [Problem] = []
        let names = record.answerNames
        for position in names.indices {
            let answer = ResponseRecord.Field(name: names[position], value: record.answerValues[position])
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
                if warnedColumns.insert(answer.name).inserted {
                    try note(problem(.unknownColumn, column: answer.name,
                        "\"\(answer.name)\" is no item of set \(set.set.id); ignored in the whole file"))
                }
                continue
            }
            if seen[item] {
                try note(problem(.duplicateAnswer, column: answer.name, value: answer.value,
                    "a second answer to item \(answer.name); the first is used"))
                continue
            }
            seen[item] = true
            switch set.classify(answer.value) {
            case .valid(let code):
                cells[item] = code
                valid += 1
            case .dontKnow: cells[item] = Tally.dontKnowCell
            case .unanswered: cells[item] = Tally.unansweredCell
            case .invalid:
                cells[item] = Tally.invalidCell
                let scale = set.set.scale
                invalid.append(problem(.invalidAnswer, column: answer.name, value: answer.value,
                    "invalid answer \"\(answer.value)\" for item \(answer.name) (scale \(scale.min)–\(scale.max)); counted as unanswered"))
            }
        }
        if valid == 0 {
            try note(problem(.noValidAnswers, "no valid answer in the response; it is not counted"))
            return
        }
        for cellProblem in invalid {
            try note(cellProblem)
            summary.invalidCells += 1
        }

        summary.counted += 1
        let subproject = record.subproject?.trimmingSpaces ?? ""
        if !subproject.isEmpty {
            namedSubprojects[UnitRef(municipality: municipality, unit: unit), default: []].insert(subproject)
        }
        if let invitedText = record.invited?.trimmingSpaces, !invitedText.isEmpty {
            let key = UnitPeriod(set: set.set.id, municipality: municipality, unit: unit, period: period)
            if let invited = Int(invitedText), invited >= 0 {
                if fileInvited[key] == nil { fileInvited[key] = invited }
            } else if warnedColumns.insert("invited\u{1F}\(unit)").inserted {
                try note(problem(.invalidInvited, column: "invited", value: invitedText,
                    "invited must be a whole number of 0 or more; ignored"))
            }
        }
        if let name = record.unitName?.trimmingSpaces, !name.isEmpty {
            let ref = UnitRef(municipality: municipality, unit: unit)
            if fileUnitNames[ref] == nil { fileUnitNames[ref] = name }
        }
        var breakdownValue = ""
        if let breakdown {
            breakdownValue = record.background.first { $0.name.trimmingSpaces.lowercased() == breakdown }?.value.trimmingSpaces ?? ""
        }
        let key = CellKey(set: set.set.id, period: period, municipality: municipality, service: service, unit: unit,
            breakdownValue: breakdownValue)
        let index: Int
        if let last = lastCell, last.key == key {
            index = last.index
        } else if let existing = cellIndex[key] {
            index = existing
            lastCell = (key, index)
        } else {
            index = tallies.count
            cellIndex[key] = index
            cellKeys.append(key)
            tallies.append(Tally(set))
            lastCell = (key, index)
        }
        tallies[index].add(cells: cells, set: set)
        if collectCovariances {
            covariances[SlicedKey(set: set.set.id, period: period), default: DimensionCovariances(set)].add(cells: cells, set: set)
        }
    }

    /// Forms of a set sent out to a unit in a period: the register's figure, else the file's.
    func invited(set: any IndicatorSet, municipality: String, unit: String, period: String) -> Int? {
        registers.invited(municipality: municipality, unit: unit, period: period, set: set)
            ?? fileInvited[UnitPeriod(set: set.id, municipality: municipality, unit: unit, period: period)]
    }

    /// The sub-projects a unit belongs to: the register's and those its responses name.
    func subprojects(municipality: String, unit: String) -> Set<String> {
        Set(registers.subprojects(municipality: municipality, unit: unit))
            .union(namedSubprojects[UnitRef(municipality: municipality, unit: unit)] ?? [])
    }
}
