/// Duplicates found across the parts of one file read at once: a response a later part counted
/// whose respondent an earlier part (or file) already had is taken back, so the result is that
/// of one sequential read.
extension ResponseCollector {
    /// Takes back a response this part registered first, after merging found the same respondent
    /// in an earlier part: as in a sequential read, it becomes a `duplicate-respondent`. Its own
    /// problems (buffered, as parts buffer them) are replaced by that one.
    mutating func retractDuplicates(_ records: [ResponseRecord], file: InputFile) throws(KvalitetError) {
        guard let set = fileSet, let buffer = problems.buffer, !records.isEmpty else { return }
        var duplicates: [Int: [Problem]] = [:]
        for record in records {
            let respondent = record.respondent?.trimmingSpaces ?? ""
            let period = record.period?.trimmingSpaces ?? ""
            duplicates[record.line, default: []].append(
                RecordRules.duplicateProblem(
                    file: file.name, line: record.line, respondent: respondent, set: set.id, period: period))
            takeBack(record, set: set, file: file)
        }
        dropEmptyRejectionCounts()
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
}
