import Foundation
import Kvalitet

/// Sick-leave files in the store (FORMAT.md §8, Docs/Store.md): each file one import and one
/// transaction; its valid months as read (texts and full-precision figures) and its problems,
/// in file order. A corrected file for the same municipality and months replaces the earlier
/// imports' rows for those units and months.
extension ResultsStore {
    public func importAbsence(
        _ file: InputFile, reader: AbsenceReader, strict: Bool, language: Language
    ) throws(KvalitetError) -> ImportReport {
        let hash = try ContentHash.of(file: file)
        return try run {
            try database.write { session in
                if let unchanged = try Self.unchanged(kind: "absence", hash: hash, session: session) {
                    return ImportReport(file: file.name, isAbsence: true, outcome: unchanged, summary: RunSummary())
                }
                let id = try session.rows(
                    "INSERT INTO imports (kind, file_name, content_hash, imported_at) VALUES ('absence', ?, ?, ?) RETURNING id",
                    [.text(file.name), .text(hash), .text(Self.timestamp())])[0][0].int!
                var seq = 0
                var months: [[SQLValue]] = []
                var problems: [[SQLValue]] = []
                var summary = RunSummary()
                var seen: Set<[String]> = []
                var municipalities: [String] = []
                func flush() throws {
                    if !months.isEmpty {
                        try session.insert(
                            into: "absence_months",
                            columns: [
                                "import_id", "seq", "line", "municipality", "service", "unit", "month", "employees", "figures",
                            ],
                            rows: months)
                        months.removeAll(keepingCapacity: true)
                    }
                    if !problems.isEmpty {
                        try session.insert(
                            into: "import_problems",
                            columns: ["import_id", "seq", "kind", "line", "respondent", "column_name", "value", "message"],
                            rows: problems)
                        problems.removeAll(keepingCapacity: true)
                    }
                }
                let counts = try reader.read(
                    file, language: language,
                    report: { (problem: Problem) throws(KvalitetError) in
                        if strict && problem.kind.failsStrict {
                            throw KvalitetError(.strict, "\(problem.message) [\(problem.kind)] (--strict)", at: problem.location)
                        }
                        if problem.kind.rejectsResponse { summary.rejected += 1 } else { summary.warnings += 1 }
                        problems.append([
                            SQLValue(id), SQLValue(seq), .text(problem.kind.rawValue), problem.line.map(SQLValue.init) ?? .null,
                            .text(problem.respondent), .text(problem.column), .text(problem.value), .text(problem.message),
                        ])
                        seq += 1
                    },
                    into: { (month: AbsenceMonth, line: Int) throws(KvalitetError) in
                        if seen.insert([month.municipality, month.unit, month.month.description]).inserted {
                            summary.counted += 1
                        } else {
                            summary.rejected += 1
                        }
                        if !municipalities.contains(month.municipality) { municipalities.append(month.municipality) }
                        months.append([
                            SQLValue(id), SQLValue(seq), SQLValue(line), .text(month.municipality), .text(month.service),
                            .text(month.unit), .text(month.month.description), SQLValue(month.employees),
                            .text(AbsenceRecordText.figures(month)),
                        ])
                        seq += 1
                        if months.count >= 4096 { try run { try flush() } }
                    })
                try flush()
                summary.files = 1
                summary.read = counts.read
                let replaced = try Self.replaceEarlierAbsence(by: id, session: session)
                let storedMonths =
                    try session.rows("SELECT COUNT(*) FROM absence_months WHERE import_id = ?", [SQLValue(id)])[0][0].int ?? 0
                try session.execute(
                    """
                    UPDATE imports SET municipality = ?, responses_read = ?, counted = ?, rejected = ?, stored = ?, remaining = ?
                    WHERE id = ?
                    """,
                    [
                        SQLValue(municipalities.joined(separator: "; ")), SQLValue(summary.read), SQLValue(summary.counted),
                        SQLValue(summary.rejected), SQLValue(storedMonths), SQLValue(storedMonths), SQLValue(id),
                    ])
                return ImportReport(
                    file: file.name, isAbsence: true, outcome: .imported(id: id, replaced: replaced), summary: summary)
            }
        }
    }
}

extension ResultsStore {
    /// Takes the rows of earlier imports for the same municipality, unit and month as import `id`
    /// out, and records the replacements.
    static func replaceEarlierAbsence(by id: Int, session: any StoreSession) throws -> [ImportReport.Replacement] {
        let same = """
            import_id <> ? AND EXISTS (SELECT 1 FROM absence_months n WHERE n.import_id = ?
            AND n.municipality = absence_months.municipality AND n.unit = absence_months.unit
            AND n.month = absence_months.month)
            """
        let key = [SQLValue(id), SQLValue(id)]
        let counts = try session.rows(
            "SELECT import_id, COUNT(*) FROM absence_months WHERE \(same) GROUP BY import_id ORDER BY import_id", key)
        guard !counts.isEmpty else { return [] }
        try session.execute("DELETE FROM absence_months WHERE \(same)", key)
        return try recordReplacements(
            by: id, counts: counts.map { ($0[0].int!, $0[1].int ?? 0) }, rowsLeft: "absence_months",
            data: "absence_months", session: session)
    }
}

/// A month's figures as one text: possible, self-certified, doctor-certified, employer period and
/// sick-child days, each its shortest exact decimal text (an unknown one empty), `;` between.
/// Text, not floating-point columns: the figures come back bit for bit on both databases.
enum AbsenceRecordText {
    static func figures(_ month: AbsenceMonth) -> String {
        [
            month.possibleDays, month.selfCertifiedDays, month.doctorCertifiedDays, month.employerPeriodDays,
            month.sickChildDays,
        ].map { $0.map { "\($0)" } ?? "" }.joined(separator: ";")
    }

    /// The month of a stored row, or nil when the row is damaged.
    static func month(
        municipality: String, service: String, unit: String, month: String, employees: Int, figures: String
    ) -> AbsenceMonth? {
        let parts = figures.split(separator: ";", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : Double($0) }
        guard parts.count == 5, let monthValue = Month(month), let possible = parts[0], let selfCertified = parts[1],
            let doctor = parts[2]
        else { return nil }
        return AbsenceMonth(
            municipality: municipality, service: service, unit: unit, month: monthValue, employees: employees,
            possibleDays: possible, selfCertifiedDays: selfCertified, doctorCertifiedDays: doctor,
            employerPeriodDays: parts[3], sickChildDays: parts[4])
    }
}

extension StoreSelection: AbsenceSource {
    /// Every absence import that still has rows, oldest first: its months and its file's problems
    /// in file order (FORMAT.md §8 from a store gives what the same files give).
    public func forEachAbsenceItem(_ body: (AbsenceSourceItem) throws(KvalitetError) -> Void) throws(KvalitetError) {
        if !filter.periods.isEmpty || !filter.sets.isEmpty {
            throw KvalitetError(
                .usage, "sick leave from a store is selected by --municipality only",
                nb: "sykefravær fra et lager velges bare med --municipality")
        }
        try store.run {
            try store.database.read { session in
                let wanted = try municipalities(in: "absence_months", session)
                let scope = wanted.isEmpty ? "" : " AND municipality IN (\(wanted.map { _ in "?" }.joined(separator: ", ")))"
                let values = wanted.map { SQLValue.text($0) }
                let imports = try session.rows(
                    "SELECT id, file_name FROM imports WHERE kind = 'absence' AND remaining > 0 ORDER BY id", [])
                for row in imports {
                    let (id, name) = (row[0].int!, row[1].string ?? "")
                    try body(.file(name))
                    // Problems (unfiltered: they belong to the file) and months, merged by seq.
                    let problems =
                        wanted.isEmpty
                        ? try session.rows(
                            "SELECT seq, kind, line, respondent, column_name, value, message FROM import_problems WHERE import_id = ? ORDER BY seq",
                            [SQLValue(id)]) : []
                    var next = 0
                    func problemsBefore(_ seq: Int) throws(KvalitetError) {
                        while next < problems.count, let at = problems[next][0].int, at < seq {
                            let p = problems[next]
                            try body(
                                .problem(
                                    Problem(
                                        Problem.Kind(rawValue: p[1].string ?? ""), file: name, line: p[2].int,
                                        respondent: p[3].string ?? "", column: p[4].string ?? "", value: p[5].string ?? "",
                                        message: p[6].string ?? "")))
                            next += 1
                        }
                    }
                    try session.forEachRow(
                        """
                        SELECT seq, line, municipality, service, unit, month, employees, figures FROM absence_months
                        WHERE import_id = ?\(scope) ORDER BY seq
                        """, [SQLValue(id)] + values
                    ) { r in
                        try problemsBefore(r[0].int ?? 0)
                        guard
                            let month = AbsenceRecordText.month(
                                municipality: r[2].string ?? "", service: r[3].string ?? "", unit: r[4].string ?? "",
                                month: r[5].string ?? "", employees: r[6].int ?? 0, figures: r[7].string ?? "")
                        else {
                            throw KvalitetError.store(
                                "a damaged sick-leave row in import \(id)", database: store.database.displayName)
                        }
                        try body(.month(month, file: name, line: r[1].int ?? 0))
                    }
                    try problemsBefore(Int.max)
                }
            }
        }
    }
}
