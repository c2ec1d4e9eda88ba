/// The normalise stage's answers (FORMAT.md §2–§3): which item each answer of a file's records
/// is, and what each answer means (a code, don't know, unanswered or invalid), for the current
/// file's set. Records of one file mostly repeat the same names in the same order (a CSV file's
/// rows share their header's), so the map from positions to items is kept per file and a row
/// with those very names is classified without looking at a name.
struct AnswerColumns {
    /// The current response's meaning per item of the set (``Tally``'s cells).
    private(set) var cells: [Int] = []
    /// Once-per-file warnings already given (unknown columns, and keys the collector adds).
    var warned: Set<String> = []
    private var columnItems: [String: Int] = [:]
    /// Item index per answer position of the previous record, with the names they were for.
    private var positionNames: [String] = []
    private(set) var positionItems: [Int] = []
    /// Answer names whose every position `positionItems` maps (held, so that storage stays
    /// theirs while compared by address).
    private var mappedNames: [String] = []

    /// Starts a file (of `set`, when known).
    mutating func beginFile(set: CompiledSet?) {
        if let set { cells = Array(repeating: Tally.unansweredCell, count: set.itemCount) }
        columnItems.removeAll(keepingCapacity: true)
        positionNames.removeAll(keepingCapacity: true)
        positionItems.removeAll(keepingCapacity: true)
        warned.removeAll(keepingCapacity: true)
        mappedNames = []
    }

    /// The file's set is now known.
    mutating func setDecided(_ set: CompiledSet) {
        cells = Array(repeating: Tally.unansweredCell, count: set.itemCount)
    }

    /// Whether `names` are the very names mapped before (the same storage).
    func isMapped(_ names: [String]) -> Bool { Self.sameStorage(names, mappedNames) }

    /// Puts the meaning of each answer of `record` into `cells`; returns the number of valid ones,
    /// the invalid-answer problems and, with `report`, the warnings about unknown columns and
    /// second answers (to be noted before the invalid answers, in this order).
    mutating func classify(
        _ record: ResponseRecord, set: CompiledSet, file: InputFile, report: Bool
    )
        -> (valid: Int, invalid: [Problem], warnings: [Problem])
    {
        let respondent = record.respondent?.trimmingSpaces ?? ""
        func problem(
            _ kind: Problem.Kind, column: String = "", value: String = "", line: Int? = nil, _ message: String,
            nb norwegian: String
        ) -> Problem {
            Problem(
                kind, file: file.name, line: line ?? record.line, respondent: respondent, column: column, value: value,
                message: message, nb: norwegian)
        }
        cells.withUnsafeMutableBufferPointer { $0.update(repeating: Tally.unansweredCell) }
        var valid = 0
        var invalid: [Problem] = []
        var warnings: [Problem] = []
        let names = record.answerNames
        let count = record.answerCount
        /// Puts the meaning of answer `position` into `cells`.
        func take(_ cell: CompiledSet.Cell, item: Int, position: Int) {
            cells[item] = cell.tallyCell
            switch cell {
            case .valid: valid += 1
            case .dontKnow, .unanswered: break
            case .invalid:
                invalid.append(
                    RecordRules.invalidAnswer(
                        file: file.name, line: record.line, respondent: respondent,
                        column: names[position], value: record.answerValue(position), set: set))
            }
        }
        func classify(_ position: Int) -> CompiledSet.Cell {
            if let raw = record.rawAnswers { return raw.withCell(position) { set.classify(bytes: $0, encoding: raw.encoding) } }
            return set.classify(record.answerValues[position])
        }
        if count == names.count && isMapped(names), let raw = record.rawAnswers {
            let (found, invalidPositions) = classifyMapped(raw, set: set)
            valid = found
            for position in invalidPositions { take(.invalid, item: positionItems[position], position: position) }
            return (valid, invalid, warnings)
        }
        if count == names.count && isMapped(names) {
            // The very names of a response mapped before (CSV rows share their header's): each
            // position's item is known, its unknown columns were reported, no item comes twice.
            // No name is touched, which spares a reference count per answer.
            for position in 0..<count {
                let item = positionItems[position]
                if item >= 0 { take(classify(position), item: item, position: position) }
            }
            return (valid, invalid, warnings)
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
                if report && warned.insert(answer.name).inserted {
                    // A CSV column is a property of the header: reported at the header's line.
                    var warning = problem(
                        .unknownColumn, column: answer.name, line: record.namesLine,
                        "\"\(answer.name)\" is no item of set \(set.id); ignored in the whole file",
                        nb: "«\(answer.name)» er ikke et spørsmål i settet \(set.id); ignorert i hele filen")
                    if record.namesLine != nil { warning.respondent = "" }
                    warning.onceKey = answer.name
                    warnings.append(warning)
                }
                continue
            }
            if seen[item] {
                twice = true
                if report {
                    warnings.append(
                        problem(
                            .duplicateAnswer, column: answer.name, value: answer.value,
                            "a second answer to item \(answer.name); the first is used",
                            nb: "et svar til på spørsmålet \(answer.name); det første brukes"))
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
        return (valid, invalid, warnings)
    }

    /// Puts the meaning of each answer cell of `raw` into `cells`, for answers whose columns are
    /// mapped (``isMapped(_:)``): one pass over the row with the cells, the map and the bytes
    /// borrowed once (no uniqueness check per write). Returns the number of valid answers and
    /// the positions of invalid ones (their text is made only for them, by the caller).
    mutating func classifyMapped(_ raw: RawCells, set: CompiledSet) -> (valid: Int, invalid: [Int]) {
        cells.withUnsafeMutableBufferPointer { $0.update(repeating: Tally.unansweredCell) }
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
                            let cell = set.classify(
                                bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]), encoding: raw.encoding)
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
}
