import Foundation

/// `kvalitet audit SCORES.csv…`: the suppression audit of FORMAT.md §5 run on a published scores
/// CSV, whatever made it, so a secretariat can check a table before it goes out. It names every
/// suppressed row an attacker holding the file could compute, and how.
///
/// What it knows is what the file says, plus the registers (`--register`) for which units a
/// sub-project holds (the file does not say; sub-projects no register knows are left out, with a
/// note). The cells are the file's units, and with breakdown rows every unit of the
/// municipality with every value (the file does not say which combinations are empty; an
/// attacker who knows it could find more). Per set, period, dimension and item, exactly as
/// `score`'s audit (``DisclosureAudit``).
public struct AuditJob: Sendable {
    public var files: [String] = []
    public var registerFiles: [String] = []
    public var language = Language.nb
    /// The sets' `min_n`: groups with fewer respondents are primary-suppressed, every row of
    /// theirs protected, for the audit across kinds (FORMAT.md's default 5; the file does not say).
    public var minN = 5

    public init() {}

    /// What the audit found.
    public struct Finding: Sendable, Equatable {
        /// The revealed row: its level and keys, period, set, dimension and item, as text.
        public var row: String
        /// How: "= 1 × Tjeneste S (M) − 1 × Enhet b, S (M) …".
        public var how: String
        /// The row's key columns as in the file: level, municipality, service, unit, subproject,
        /// breakdown, breakdown_value, period, set, dimension, item.
        public var columns: [String]
    }

    public struct Result: Sendable {
        public var findings: [Finding] = []
        public var suppressedRows = 0
        public var notes: [String] = []
    }

    /// Runs the audit; the findings and a summary line go to `standardOutput`.
    public func run(standardOutput: inout some TextOutput) throws(KvalitetError) -> Result {
        if files.isEmpty {
            throw KvalitetError(
                .usage, "give the scores CSV to audit (kvalitet score --format csv)",
                nb: "oppgi CSV-filen med poeng som skal kontrolleres (kvalitet score --format csv)")
        }
        let registers = try ScoreJob.registers(files: registerFiles, stored: [])
        var result = Result()
        for path in files {
            try audit(InputFile(url: URL(fileURLWithPath: path), name: path), registers: registers, into: &result)
        }
        let nb = language == .nb
        for note in result.notes { try standardOutput.write("kvalitet: \(note)\n") }
        for finding in result.findings { try standardOutput.write("\(finding.row)\n    \(finding.how)\n") }
        try standardOutput.write(
            nb
                ? "kvalitet audit: \(result.findings.count) av \(result.suppressedRows) skjulte rader kan regnes ut av de publiserte\n"
                : "kvalitet audit: \(result.findings.count) of \(result.suppressedRows) suppressed rows can be computed from the published ones\n"
        )
        return result
    }

    private struct Row {
        var group: GroupKey
        var kind: [String]
        var respondents: Int
        var suppressed: Bool
    }

    private func audit(_ file: InputFile, registers: RegisterIndex, into result: inout Result) throws(KvalitetError) {
        let columns = [
            "level", "municipality", "service", "unit", "subproject", "breakdown", "breakdown_value",
            "period", "set", "dimension", "item", "respondents", "suppressed",
        ]
        var slices: [[String]: [Row]] = [:]
        try ScoresFile.forEachRow(file, columns: columns, purpose: "audit checks the output of kvalitet score --format csv") {
            (line: Int, value: (String) -> String) throws(KvalitetError) in
            guard let level = ScoreLevel(rawValue: value("level")) else {
                throw KvalitetError(
                    .inputRefused, "unknown level \"\(value("level"))\"", nb: "ukjent nivå «\(value("level"))»",
                    at: SourceLocation(file: file.name, line: line, field: "level"))
            }
            guard let respondents = Int(value("respondents")) else {
                throw KvalitetError(
                    .inputRefused, "\"\(value("respondents"))\" is not a whole number",
                    nb: "«\(value("respondents"))» er ikke et heltall",
                    at: SourceLocation(file: file.name, line: line, field: "respondents"))
            }
            let suppressedText = value("suppressed").lowercased()
            guard suppressedText == "true" || suppressedText == "false" else {
                throw KvalitetError(
                    .inputRefused, "\"\(value("suppressed"))\" is neither true nor false",
                    nb: "«\(value("suppressed"))» er verken true eller false",
                    at: SourceLocation(file: file.name, line: line, field: "suppressed"))
            }
            let group = GroupKey(
                level: level, municipality: value("municipality"), service: value("service"),
                unit: value("unit"), subproject: value("subproject"), breakdown: value("breakdown"),
                breakdownValue: value("breakdown_value"))
            slices[[value("period"), value("set")], default: []].append(
                Row(
                    group: group, kind: [value("dimension"), value("item")], respondents: respondents,
                    suppressed: suppressedText == "true"))
        }
        var unknownSubprojects: Set<String> = []
        for (slice, rows) in slices.sorted(by: { ScoreBuilder.textOrder($0.key, $1.key) }) {
            try auditSlice(slice, rows, registers: registers, unknownSubprojects: &unknownSubprojects, into: &result)
        }
        for name in unknownSubprojects.sorted() {
            result.notes.append(
                language == .nb
                    ? "\(file.name): delprosjektet \(name) er ikke revidert (hvilke enheter det har, står i registeret: --register)"
                    : "\(file.name): sub-project \(name) not audited (which units it holds is in the register: --register)")
        }
    }

    private func auditSlice(
        _ slice: [String], _ rows: [Row], registers: RegisterIndex,
        unknownSubprojects: inout Set<String>, into result: inout Result
    ) throws(KvalitetError) {
        // The groups in row order, with their cells.
        var respondents: [GroupKey: Int] = [:]
        for row in rows { respondents[row.group] = row.respondents }
        var keys = respondents.keys.sorted { lhs, rhs in
            lhs.level != rhs.level ? lhs.level < rhs.level : lhs.precedesInRowOrder(rhs)
        }
        var values: [String: Set<String>] = [:]  // breakdown values per municipality
        for key in keys where key.level == .municipality && !key.breakdown.isEmpty {
            values[key.municipality, default: []].insert(key.breakdownValue)
        }
        var cells: [[String]] = []  // municipality, service, unit, value
        for key in keys where key.level == .unit {
            for value in (values[key.municipality].map { $0.sorted() } ?? [""]) {
                cells.append([key.municipality, key.service, key.unit, value])
            }
        }
        let withCells = Set(cells.map { $0[0] })
        keys.removeAll { key in
            // A municipality without unit rows has no cells to audit (not an output of score).
            if key.level != .all && !withCells.contains(key.municipality) { return true }
            guard key.level == .subproject else { return false }
            let known =
                registers.registers.first { $0.municipality == registers.registerMunicipality(for: key.municipality) }?
                .subprojects.contains { $0.id == key.subproject } ?? false
            if !known { unknownSubprojects.insert("\(key.municipality)/\(key.subproject)") }
            return !known
        }
        func holds(_ key: GroupKey, _ cell: [String]) -> Bool {
            switch key.level {
            case .all: return true
            case .municipality:
                return cell[0] == key.municipality && (key.breakdown.isEmpty || cell[3] == key.breakdownValue)
            case .service: return cell[0] == key.municipality && cell[1] == key.service
            case .unit: return cell[0] == key.municipality && cell[1] == key.service && cell[2] == key.unit
            case .subproject:
                return cell[0] == key.municipality
                    && registers.subprojects(municipality: cell[0], unit: cell[2]).contains(key.subproject)
            }
        }
        var groups: [ScoreBuilder.AuditGroup] = []
        for key in keys {
            let members = cells.indices.filter { holds(key, cells[$0]) }.map(Int32.init)
            groups.append(ScoreBuilder.AuditGroup(respondents: respondents[key] ?? 0, cells: members))
        }
        var audit = DisclosureAudit(layout: ScoreBuilder.layout(groups, keys: keys, cellMunicipalities: cells.map { $0[0] }))
        let index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        let labels = Labels(language: language)
        var foundPerKind: Set<[String]> = []  // row index, dimension, item
        for (kind, kindRows) in Dictionary(grouping: rows, by: \.kind).sorted(by: { ScoreBuilder.textOrder($0.key, $1.key) }) {
            // Rows a kind lacks are not published either, but they are nothing to report.
            var present: Set<Int> = []
            var suppressed: Set<Int> = Set(keys.indices)
            for row in kindRows {
                guard let i = index[row.group] else { continue }
                present.insert(i)
                if !row.suppressed { suppressed.remove(i) }
            }
            result.suppressedRows += suppressed.intersection(present).count
            for leak in audit.leaks(suppressed) where present.contains(leak.row) {
                func name(_ i: Int) -> String { labels.level(keys[i]) }
                var parts: [String] = []
                for term in leak.terms.sorted(by: { $0.row < $1.row }) {
                    parts.append(
                        Self.coefficient(term.numerator, term.denominator, first: parts.isEmpty) + " × " + name(term.row))
                }
                if let total = leak.total {
                    parts.append(
                        Self.coefficient(total.numerator, total.denominator, first: parts.isEmpty) + " × ("
                            + (language == .nb ? "alle svar − de andre kommunene" : "all responses − the other municipalities")
                            + ")")
                }
                foundPerKind.insert([String(leak.row)] + kind)
                result.findings.append(finding(keys[leak.row], slice, kind, how: "= " + parts.joined(separator: " ")))
            }
        }
        auditAcrossKinds(slice, rows, keys: keys, index: index, layout: audit.layout, foundPerKind: foundPerKind, into: &result)
    }

    private func finding(_ key: GroupKey, _ slice: [String], _ kind: [String], how: String) -> Finding {
        let what = [slice[0], slice[1], kind[0], kind[1]].filter { !$0.isEmpty }.joined(separator: ", ")
        return Finding(
            row: "\(Labels(language: language).level(key)) (\(what))", how: how,
            columns: [
                key.level.rawValue, key.municipality, key.service, key.unit, key.subproject, key.breakdown,
                key.breakdownValue, slice[0], slice[1], kind[0], kind[1],
            ])
    }

    /// The audit across kinds of row (``CrossKindAudit``): a dimension's counts are its items'
    /// sums and a total's the sums over every item, so rows of other kinds of the same groups can
    /// give a hidden one. The set's dimensions and items are the file's, in the order they first
    /// appear; without item rows a dimension is one coordinate (its items cannot be told apart).
    private func auditAcrossKinds(
        _ slice: [String], _ rows: [Row], keys: [GroupKey], index: [GroupKey: Int], layout: DisclosureAudit.Layout,
        foundPerKind: Set<[String]>, into result: inout Result
    ) {
        var dimensions: [String] = []
        var itemsOf: [String: [String]] = [:]
        var seen: Set<[String]> = []
        for row in rows where !row.kind[0].isEmpty && seen.insert(row.kind).inserted {
            if itemsOf[row.kind[0]] == nil {
                dimensions.append(row.kind[0])
                itemsOf[row.kind[0]] = []
            }
            if !row.kind[1].isEmpty { itemsOf[row.kind[0]]!.append(row.kind[1]) }
        }
        let reportItems = itemsOf.values.contains { !$0.isEmpty }
        // A file whose dimensions do not all have item rows, or with one kind only, has nothing to add.
        guard !dimensions.isEmpty, !reportItems || itemsOf.values.allSatisfy({ !$0.isEmpty }) else { return }
        var kinds: [[String]] = [["", ""]]
        var dimensionKinds: [Int] = []
        for dimension in dimensions {
            dimensionKinds.append(kinds.count)
            kinds.append([dimension, ""])
            for item in itemsOf[dimension]! { kinds.append([dimension, item]) }
        }
        let kindOf = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })
        // Rows a kind lacks are not published; they are nothing to report either.
        var flags = [[Bool]](repeating: [Bool](repeating: true, count: keys.count), count: kinds.count)
        var present = [[Bool]](repeating: [Bool](repeating: false, count: keys.count), count: kinds.count)
        for row in rows {
            guard let i = index[row.group], let kind = kindOf[row.kind] else { continue }
            present[kind][i] = true
            if !row.suppressed { flags[kind][i] = false }
        }
        var respondents = [Int](repeating: 0, count: keys.count)
        for row in rows { if let i = index[row.group] { respondents[i] = row.respondents } }
        let crossKind = CrossKindAudit(
            layout: layout,
            structure: .init(
                dimensionKinds: dimensionKinds, itemCounts: dimensions.map { max(itemsOf[$0]!.count, 1) },
                reportItems: reportItems),
            counts: [[Int]](repeating: [Int](repeating: 0, count: kinds.count), count: keys.count),
            primary: respondents.map { $0 < minN })
        let how =
            language == .nb
            ? "= følger av publiserte rader av andre slag for de samme gruppene (en dimensjons tall er summene over spørsmålene, totalens summene over alle)"
            : "= follows from published rows of other kinds of the same groups (a dimension's counts are its items' sums, a total's the sums over all items)"
        for target in crossKind.revealed(flags) where present[target.kind][target.row] {
            let kind = kinds[target.kind]
            if foundPerKind.contains([String(target.row)] + kind) { continue }
            result.findings.append(finding(keys[target.row], slice, kind, how: how))
        }
    }

    /// "+1", "− 2/3" as a term's sign and size.
    static func coefficient(_ numerator: Int, _ denominator: Int, first: Bool) -> String {
        let size = denominator == 1 ? "\(abs(numerator))" : "\(abs(numerator))/\(denominator)"
        if numerator < 0 { return first ? "−\(size)" : "− \(size)" }
        return first ? size : "+ \(size)"
    }
}
