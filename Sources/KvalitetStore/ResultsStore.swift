import Foundation
import Kvalitet

/// Survey rounds kept over the years (Docs/Store.md): every response as read, the set
/// definitions and registers it was imported with, and a log of imports. Scoring, validation and
/// the report read from it exactly as from the files (``selection(_:)`` is a ``ResponseSource``).
///
/// Rules:
/// - one file is one transaction: a file that fails or is interrupted leaves nothing behind;
/// - a file whose content (SHA-256) is already in the store, its responses still current, is not
///   imported again (``ImportReport/Outcome/unchanged``);
/// - a file for a set, municipality, period and unit that earlier imports hold replaces their
///   responses for exactly those units; the log keeps both imports and how many were replaced;
/// - imports take turns (SQLite's write lock, a PostgreSQL advisory lock); readers see a
///   committed state, never half an import.
public final class ResultsStore: Sendable {
    public let database: any StoreDatabase

    /// Opens the store at `location` (a file path for SQLite, a `postgres://` URL) and brings
    /// its schema to the latest version.
    public static func open(_ location: String) throws(KvalitetError) -> ResultsStore {
        let database: any StoreDatabase =
            PostgresDatabase.isURL(location)
            ? try PostgresDatabase(url: location) : try SQLiteDatabase(path: location)
        return try ResultsStore(database: database)
    }

    /// A store on `database`; `migrate` brings the schema to the latest version first.
    public init(database: any StoreDatabase, migrate: Bool = true) throws(KvalitetError) {
        self.database = database
        if migrate { try run { try StoreSchema.migrate(database) } }
    }

    /// The schema version the store is at.
    public func schemaVersion() throws(KvalitetError) -> Int {
        try run { try database.read { try StoreSchema.version($0) } }
    }

    public func close() { database.close() }

    /// Runs `body`, turning any failure that is not already a ``KvalitetError`` into a store error.
    func run<T>(_ body: () throws -> T) throws(KvalitetError) -> T {
        do {
            return try body()
        } catch let error as KvalitetError {
            throw error
        } catch {
            throw KvalitetError.store("\(error)", database: database.displayName)
        }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        date.ISO8601Format()
    }

    // MARK: Import

    /// What importing one file did.
    public struct ImportReport: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable {
            /// Stored as import `id`; `replaced` lists the earlier imports whose responses for the
            /// same set, municipality, period and unit it replaced, with how many.
            case imported(id: Int, replaced: [Replacement])
            /// The same content was imported before (import `id`, at `at`) and is still current.
            case unchanged(id: Int, fileName: String, at: String)
        }

        public struct Replacement: Sendable, Hashable {
            public var importID: Int
            public var fileName: String
            public var responses: Int
        }

        public var file: String
        /// A register rather than a file of responses.
        public var isRegister = false
        /// A sick-leave file (FORMAT.md §8): its summary counts rows, its replacements months.
        public var isAbsence = false
        public var outcome: Outcome
        /// Read, counted and rejected in this file alone (duplicates across files are found when scoring).
        public var summary: RunSummary
    }

    /// Imports the responses of `file`, read and checked by `pipeline`'s readers and rules, in
    /// one transaction. Problems go to `problems` (under `--strict` the first one stops the
    /// import and nothing of the file is kept).
    public func importResponses(
        _ file: InputFile, pipeline: ScorePipeline, problems: ProblemLog
    ) throws(KvalitetError) -> ImportReport {
        let hash = try ContentHash.of(file: file)
        let databaseName = database.displayName
        return try run {
            try database.write { session in
                if let unchanged = try Self.unchanged(kind: "responses", hash: hash, session: session) {
                    return ImportReport(file: file.name, outcome: unchanged, summary: RunSummary())
                }
                let id = try session.rows(
                    """
                    INSERT INTO imports (kind, file_name, content_hash, imported_at) VALUES ('responses', ?, ?, ?) RETURNING id
                    """, [.text(file.name), .text(hash), .text(Self.timestamp())])[0][0].int!
                let sink = try Self.read(
                    file, importID: id, pipeline: pipeline, problems: problems, session: session, databaseName: databaseName)
                let summary = sink.feed.summary

                var setHash: String?
                if let set = sink.feed.currentSet {
                    guard let text = pipeline.catalog.texts[set.id] else {
                        throw KvalitetError(
                            .inputRefused,
                            "set \(set.id) has no YAML definition to keep in the store (sets defined in Swift cannot be stored)",
                            at: SourceLocation(file: file.name))
                    }
                    let definitionHash = ContentHash.of(text: text)
                    setHash = definitionHash
                    if try session.rows("SELECT 1 FROM set_definitions WHERE hash = ?", [.text(definitionHash)]).isEmpty {
                        try session.execute(
                            "INSERT INTO set_definitions (hash, set_id, version, definition) VALUES (?, ?, ?, ?)",
                            [.text(definitionHash), .text(set.id), SQLValue(set.version), .text(text)])
                    }
                }
                let replaced = try Self.replaceEarlier(by: id, session: session)
                try session.execute(
                    """
                    UPDATE imports SET set_id = ?, set_hash = ?, responses_read = ?, counted = ?, rejected = ?,
                    invalid_cells = ?, stored = ?, remaining = ? WHERE id = ?
                    """,
                    [
                        SQLValue(sink.feed.currentSet?.id), SQLValue(setHash), SQLValue(summary.read),
                        SQLValue(summary.counted), SQLValue(summary.rejected), SQLValue(summary.invalidCells),
                        SQLValue(sink.stored), SQLValue(sink.stored), SQLValue(id),
                    ])
                return ImportReport(file: file.name, outcome: .imported(id: id, replaced: replaced), summary: summary)
            }
        }
    }

    /// The same content imported before as `kind` and still current, if there is one: importing
    /// it again changes nothing.
    static func unchanged(kind: String, hash: String, session: any StoreSession) throws -> ImportReport.Outcome? {
        guard
            let earlier = try session.rows(
                """
                SELECT id, file_name, imported_at FROM imports
                WHERE kind = ? AND content_hash = ? AND remaining = stored ORDER BY id DESC LIMIT 1
                """, [.text(kind), .text(hash)]
            ).first
        else { return nil }
        return .unchanged(id: earlier[0].int ?? 0, fileName: earlier[1].string ?? "", at: earlier[2].string ?? "")
    }

    /// Records what import `id` covers and takes the responses of earlier imports for the same
    /// set, municipality, period and unit out (a corrected file replaces the earlier round there).
    private static func replaceEarlier(by id: Int, session: any StoreSession) throws -> [ImportReport.Replacement] {
        try session.execute(
            """
            INSERT INTO import_scopes (import_id, set_id, municipality, period, unit, responses)
            SELECT import_id, set_id, municipality, period, unit, COUNT(*) FROM responses
            WHERE import_id = ? AND municipality IS NOT NULL AND period IS NOT NULL AND unit IS NOT NULL
            GROUP BY import_id, set_id, municipality, period, unit
            """, [SQLValue(id)])
        // The earlier imports' scopes this one covers too, found in one query: a national file
        // covers thousands of scopes, and a statement per scope was seconds of round trips
        // even when (as mostly) no earlier import had any of them.
        var replaced: [Int: Int] = [:]
        var overlapping: [[SQLValue]] = []
        for row in try session.rows(
            """
            SELECT earlier.set_id, earlier.municipality, earlier.period, earlier.unit, earlier.import_id, earlier.responses
            FROM import_scopes earlier JOIN import_scopes new ON new.set_id = earlier.set_id
            AND new.municipality = earlier.municipality AND new.period = earlier.period AND new.unit = earlier.unit
            WHERE new.import_id = ? AND earlier.import_id <> ?
            ORDER BY earlier.set_id, earlier.municipality, earlier.period, earlier.unit
            """, [SQLValue(id), SQLValue(id)])
        {
            replaced[row[4].int!, default: 0] += row[5].int ?? 0
            if overlapping.last != Array(row[0..<4]) { overlapping.append(Array(row[0..<4])) }
        }
        for scope in overlapping {
            let key = scope + [SQLValue(id)]
            let condition = "set_id = ? AND municipality = ? AND period = ? AND unit = ? AND import_id <> ?"
            try session.execute("DELETE FROM responses WHERE \(condition)", key)
            try session.execute("DELETE FROM import_scopes WHERE \(condition)", key)
        }
        return try recordReplacements(
            by: id, counts: replaced.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, rowsLeft: "import_scopes",
            data: "responses", session: session)
    }

    /// Records that import `id` replaced `counts` rows (responses or months) of earlier imports,
    /// and takes off what is left of an earlier import that no longer has any rows in `rowsLeft`:
    /// its rows in `data` (responses without a unit, period or municipality) and its file's
    /// problems (the file no longer takes part).
    static func recordReplacements(
        by id: Int, counts: [(earlier: Int, count: Int)], rowsLeft: String, data: String, session: any StoreSession
    ) throws -> [ImportReport.Replacement] {
        var report: [ImportReport.Replacement] = []
        for (earlier, count) in counts {
            try session.execute(
                "INSERT INTO replacements (import_id, replaced_import_id, responses) VALUES (?, ?, ?)",
                [SQLValue(id), SQLValue(earlier), SQLValue(count)])
            try session.execute(
                "UPDATE imports SET remaining = remaining - ? WHERE id = ?", [SQLValue(count), SQLValue(earlier)])
            if try session.rows("SELECT 1 FROM \(rowsLeft) WHERE import_id = ?", [SQLValue(earlier)]).isEmpty {
                try session.execute("DELETE FROM \(data) WHERE import_id = ?", [SQLValue(earlier)])
                try session.execute("DELETE FROM import_problems WHERE import_id = ?", [SQLValue(earlier)])
                try session.execute("UPDATE imports SET remaining = 0 WHERE id = ?", [SQLValue(earlier)])
            }
            let name =
                try session.rows("SELECT file_name FROM imports WHERE id = ?", [SQLValue(earlier)]).first?.first?.string ?? ""
            report.append(.init(importID: earlier, fileName: name, responses: count))
        }
        return report
    }

    /// Keeps a register (FORMAT.md §4); a later one for the same municipality takes its place.
    public func importRegister(path: String) throws(KvalitetError) -> ImportReport {
        let url = URL(fileURLWithPath: path)
        let text = try readDefinitionText(url)
        let register = try Register.load(yaml: text, file: path)
        let hash = ContentHash.of(text: text)
        return try run {
            try database.write { session in
                let current = try session.rows(
                    """
                    SELECT i.id, i.content_hash, i.file_name, i.imported_at FROM registers r JOIN imports i ON i.id = r.import_id
                    WHERE r.municipality = ? ORDER BY i.id DESC LIMIT 1
                    """, [.text(register.municipality)]
                ).first
                if let current, current[1].string == hash {
                    return ImportReport(
                        file: path, isRegister: true,
                        outcome: .unchanged(
                            id: current[0].int ?? 0,
                            fileName: current[2].string ?? "", at: current[3].string ?? ""), summary: RunSummary())
                }
                let id = try session.rows(
                    """
                    INSERT INTO imports (kind, file_name, content_hash, imported_at, municipality)
                    VALUES ('register', ?, ?, ?, ?) RETURNING id
                    """, [.text(path), .text(hash), .text(Self.timestamp()), .text(register.municipality)])[0][0].int!
                try session.execute(
                    "INSERT INTO registers (import_id, municipality, definition) VALUES (?, ?, ?)",
                    [SQLValue(id), .text(register.municipality), .text(text)])
                var replaced: [ImportReport.Replacement] = []
                if let current, let earlier = current[0].int {
                    try session.execute(
                        "INSERT INTO replacements (import_id, replaced_import_id, responses) VALUES (?, ?, 0)",
                        [SQLValue(id), SQLValue(earlier)])
                    replaced.append(.init(importID: earlier, fileName: current[2].string ?? "", responses: 0))
                }
                return ImportReport(
                    file: path, isRegister: true, outcome: .imported(id: id, replaced: replaced), summary: RunSummary())
            }
        }
    }

    // MARK: History

    /// One line of the import log.
    public struct ImportEntry: Sendable, Hashable {
        public var id: Int
        public var kind: String
        public var fileName: String
        public var contentHash: String
        public var importedAt: String
        public var set: String?
        public var municipality: String?
        public var read: Int
        public var counted: Int
        public var rejected: Int
        public var stored: Int
        /// Responses still in the store (the rest were replaced by later imports).
        public var remaining: Int
        /// Earlier imports this one replaced (responses, or a register), with how many responses.
        public var replaced: [Int: Int]
        /// Later imports that replaced responses of this one.
        public var replacedBy: [Int]
        /// The municipalities and periods it covers.
        public var municipalities: [String]
        public var periods: [String]
    }

    /// Every import, oldest first.
    public func history() throws(KvalitetError) -> [ImportEntry] {
        try run {
            try database.read { session in
                var replaced: [Int: [Int: Int]] = [:]
                var replacedBy: [Int: [Int]] = [:]
                for row in try session.rows(
                    "SELECT import_id, replaced_import_id, responses FROM replacements ORDER BY import_id, replaced_import_id", []
                ) {
                    replaced[row[0].int!, default: [:]][row[1].int!] = row[2].int ?? 0
                    replacedBy[row[1].int!, default: []].append(row[0].int!)
                }
                var municipalities: [Int: Set<String>] = [:]
                var periods: [Int: Set<String>] = [:]
                for row in try session.rows("SELECT DISTINCT import_id, municipality, period FROM import_scopes", []) {
                    municipalities[row[0].int!, default: []].insert(row[1].string ?? "")
                    periods[row[0].int!, default: []].insert(row[2].string ?? "")
                }
                return try session.rows(
                    """
                    SELECT id, kind, file_name, content_hash, imported_at, set_id, municipality, responses_read, counted,
                    rejected, stored, remaining FROM imports ORDER BY id
                    """, []
                ).map { row in
                    let id = row[0].int!
                    return ImportEntry(
                        id: id, kind: row[1].string ?? "", fileName: row[2].string ?? "",
                        contentHash: row[3].string ?? "", importedAt: row[4].string ?? "", set: row[5].string,
                        municipality: row[6].string, read: row[7].int ?? 0, counted: row[8].int ?? 0,
                        rejected: row[9].int ?? 0, stored: row[10].int ?? 0, remaining: row[11].int ?? 0,
                        replaced: replaced[id] ?? [:], replacedBy: replacedBy[id] ?? [],
                        municipalities: (municipalities[id] ?? []).sorted(), periods: (periods[id] ?? []).sorted())
                }
            }
        }
    }

    // MARK: Reading

    /// Which responses to read: each list empty means all. A municipality is matched by its whole
    /// name as stored (`3024 Bærum`) or by its number (`3024`).
    public struct Filter: Sendable, Hashable {
        public var sets: [String]
        public var municipalities: [String]
        public var periods: [String]

        public init(sets: [String] = [], municipalities: [String] = [], periods: [String] = []) {
            self.sets = sets
            self.municipalities = municipalities
            self.periods = periods
        }

        public var isEmpty: Bool { sets.isEmpty && municipalities.isEmpty && periods.isEmpty }
    }

    /// The responses `filter` selects, as a source for scoring, validation and the report.
    public func selection(_ filter: Filter = Filter()) -> StoreSelection {
        StoreSelection(store: self, filter: filter)
    }
}
