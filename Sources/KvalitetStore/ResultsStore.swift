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

    /// Reads `file` on a thread of its own while this one writes what it hands over (``StoreWrites``):
    /// reading, checking and encoding the responses is about half of an import, the database's
    /// own work the other half, so both cores work. The session is only ever used on this
    /// thread (the one its transaction belongs to). A reader's error (`--strict`, a refused file,
    /// Ctrl-C) or the database's stops both, and is thrown here; the transaction then rolls back.
    static func read(
        _ file: InputFile, importID: Int, pipeline: ScorePipeline, problems: ProblemLog, session: any StoreSession,
        databaseName: String
    ) throws -> ImportSink {
        let writes = StoreWrites()
        let reading = ReadingThread(
            sink: ImportSink(importID: importID, writes: writes, feed: pipeline.makeFeed(problems: problems)))
        let thread = Thread {
            do {
                try pipeline.read(file, into: &reading.sink)
                try reading.sink.flush(end: true)
                writes.close(error: nil)
            } catch {
                writes.close(error: error)
            }
        }
        thread.stackSize = 1 << 23
        thread.start()
        var writer = StoreWriter(session: session)
        do {
            while let write = try writes.next() { try writer.apply(write) }
            try writer.finish()
        } catch let error as StoreWrites.ReaderError {
            throw error.error
        } catch {
            writes.fail()
            if let error = error as? KvalitetError { throw error }
            throw KvalitetError.store("cannot write to the store: \(error)", database: databaseName)
        }
        return reading.sink
    }

    /// The reading thread's sink, handed back when the thread is done (``StoreWrites`` orders
    /// the two: the sink is read here only after the thread's last hand-over).
    final class ReadingThread: @unchecked Sendable {
        var sink: ImportSink
        init(sink: ImportSink) { self.sink = sink }
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

/// Collects what one file's reader finds, checks it with the pipeline's rules (for the counts in
/// the log and `--strict`) and hands it in batches to the thread that writes it (``StoreWrites``).
struct ImportSink: ResponseSink {
    let importID: Int
    let writes: StoreWrites
    var feed: ResponseFeed
    var sequence = 0
    var stored = 0
    private var layouts: [[String]: Int] = [:]
    private var lastLayout: (names: [String], number: Int)?
    private var rows: [[SQLValue]] = []
    private var newLayouts: [[SQLValue]] = []
    private var problemRows: [[SQLValue]] = []
    private var encoded: [UInt8] = []

    init(importID: Int, writes: StoreWrites, feed: ResponseFeed) {
        self.importID = importID
        self.writes = writes
        self.feed = feed
    }

    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
        try feed.receive(record, from: file)
        guard let set = feed.currentSet?.id else { return }
        sequence += 1
        stored += 1
        let layout: Int
        if let last = lastLayout, last.names == record.answerNames {
            layout = last.number
        } else if let known = layouts[record.answerNames] {
            layout = known
            lastLayout = (record.answerNames, known)
        } else {
            layout = layouts.count + 1
            layouts[record.answerNames] = layout
            lastLayout = (record.answerNames, layout)
            newLayouts.append([SQLValue(importID), SQLValue(layout), .blob(RecordCoding.encodeNames(record.answerNames))])
        }
        RecordCoding.encode(record, into: &encoded)
        func key(_ text: String?) -> SQLValue {
            guard let text = text?.trimmingSpaces, !text.isEmpty else { return .null }
            return .text(text)
        }
        rows.append([
            SQLValue(importID), SQLValue(sequence), .text(set), key(record.municipality), key(record.period),
            key(record.unit), SQLValue(layout), .blob(encoded),
        ])
        if rows.count >= 1000 { try flush() }
    }

    mutating func report(_ problem: Problem) throws {
        try feed.report(problem)
        sequence += 1
        problemRows.append([
            SQLValue(importID), SQLValue(sequence), .text(problem.kind.rawValue),
            problem.line.map { SQLValue($0) } ?? .null, .text(problem.respondent), .text(problem.column),
            .text(problem.value), .text(problem.message),
        ])
        if problemRows.count >= 1000 { try flush() }
    }

    /// Hands over what is waiting: responses as they come, layouts and problems (whose
    /// statements end the responses' load) when 1000 wait or at the end.
    mutating func flush(end: Bool = false) throws {
        if !rows.isEmpty {
            try writes.put(.responses(rows))
            rows.removeAll(keepingCapacity: true)
        }
        guard end || newLayouts.count >= 1000 || problemRows.count >= 1000 else { return }
        if !newLayouts.isEmpty {
            try writes.put(.rows(table: "layouts", columns: ["import_id", "layout", "names"], newLayouts))
            newLayouts.removeAll()
        }
        if !problemRows.isEmpty {
            try writes.put(
                .rows(
                    table: "import_problems",
                    columns: ["import_id", "seq", "kind", "line", "respondent", "column_name", "value", "message"],
                    problemRows))
            problemRows.removeAll(keepingCapacity: true)
        }
    }
}

/// What an import's reading thread hands to the thread that writes, in order, at most a few
/// batches waiting (memory stays bounded whatever the file's size).
final class StoreWrites: @unchecked Sendable {
    // @unchecked: everything is guarded by `condition`.
    enum Write {
        /// Responses, into the import's one load of them.
        case responses([[SQLValue]])
        /// Rows of another table (the responses' load is ended first).
        case rows(table: String, columns: [String], [[SQLValue]])
    }

    /// The reader's error, passed on as it was.
    struct ReaderError: Error {
        var error: any Error
    }

    /// Thrown to the reader when the writer has stopped.
    struct Stopped: Error {}

    private let condition = NSCondition()
    private var waiting: [Write] = []
    private var closed = false
    private var readerError: (any Error)?
    private var stopped = false
    private static let capacity = 4

    /// From the reader: one more batch (waits while the writer is behind).
    func put(_ write: Write) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= Self.capacity && !stopped { condition.wait() }
        if stopped { throw Stopped() }
        waiting.append(write)
        condition.broadcast()
    }

    /// From the reader: nothing more (`error`: it failed).
    func close(error: (any Error)?) {
        condition.lock()
        closed = true
        readerError = error
        condition.broadcast()
        condition.unlock()
    }

    /// For the writer: the next batch; nil when the reader is done; the reader's error.
    func next() throws -> Write? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !closed { condition.wait() }
        if !waiting.isEmpty {
            condition.broadcast()
            return waiting.removeFirst()
        }
        if let readerError { throw ReaderError(error: readerError) }
        return nil
    }

    /// From the writer, when writing failed: stops the reader and waits for it to end.
    func fail() {
        condition.lock()
        stopped = true
        waiting.removeAll()
        condition.broadcast()
        while !closed { condition.wait() }
        condition.unlock()
    }
}

/// Applies an import's ``StoreWrites/Write``s to its session: responses into one bulk load,
/// ended before any other table's rows.
struct StoreWriter {
    let session: any StoreSession
    private var responses: (any BulkInsert)?

    init(session: any StoreSession) { self.session = session }

    mutating func apply(_ write: StoreWrites.Write) throws {
        switch write {
        case .responses(let rows):
            if responses == nil {
                responses = try session.bulkInsert(
                    into: "responses",
                    columns: ["import_id", "seq", "set_id", "municipality", "period", "unit", "layout", "record"])
            }
            try responses!.add(rows)
        case .rows(let table, let columns, let rows):
            try finish()
            try session.insert(into: table, columns: columns, rows: rows)
        }
    }

    /// Ends the responses' load (its errors are thrown here at the latest).
    mutating func finish() throws {
        guard let load = responses else { return }
        responses = nil
        try load.finish()
    }
}
