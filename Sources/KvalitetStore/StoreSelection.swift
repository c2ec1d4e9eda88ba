import Foundation
import Kvalitet
import Synchronization

/// The responses of a store that a filter selects, handed to the pipeline import by import in
/// the order they were imported, each response in its file's order, with the problems its file's
/// reader found between them: scoring a store gives what scoring the same files in the same order
/// gives (Docs/Store.md). One read transaction covers the whole read, so an import committing
/// meanwhile is seen whole or not at all.
public final class StoreSelection: ResponseSource {
    public let store: ResultsStore
    public let filter: ResultsStore.Filter
    /// The definitions ``setDefinitions()`` chose, by set id (checked again inside the read).
    private let chosen = Mutex<[String: String]>([:])

    init(store: ResultsStore, filter: ResultsStore.Filter) {
        self.store = store
        self.filter = filter
    }

    /// Notes for the user about the selection (several definitions of one set).
    public private(set) var notes: [String] {
        get { notesStorage.withLock { $0 } }
        set { notesStorage.withLock { $0 = newValue } }
    }
    private let notesStorage = Mutex<[String]>([])

    private struct ImportRow {
        var id: Int
        var fileName: String
        var set: String?
        var setHash: String?
    }

    /// The filter's municipalities as stored, once checked (the same for every query of a run).
    private let resolved = Mutex<[String]?>(nil)

    /// The conditions of the filter on a table with set_id, municipality and period columns.
    private func conditions(_ session: any StoreSession, prefix: String = "") throws -> (sql: String, values: [SQLValue]) {
        let municipalities: [String]
        if let known = resolved.withLock({ $0 }) {
            municipalities = known
        } else {
            try requireKnown("set_id", filter.sets, what: "set", session)
            try requireKnown("period", filter.periods, what: "period", session)
            municipalities = try self.municipalities(session)
            resolved.withLock { $0 = municipalities }
        }
        var parts: [String] = []
        var values: [SQLValue] = []
        func add(_ column: String, _ list: [String]) {
            guard !list.isEmpty else { return }
            parts.append("\(prefix)\(column) IN (\(Array(repeating: "?", count: list.count).joined(separator: ", ")))")
            values += list.map { .text($0) }
        }
        add("set_id", filter.sets)
        add("municipality", municipalities)
        add("period", filter.periods)
        return (parts.joined(separator: " AND "), values)
    }

    /// A set or period the store does not have is a mistake worth naming (not an empty result).
    private func requireKnown(_ column: String, _ wanted: [String], what: String, _ session: any StoreSession) throws {
        guard !wanted.isEmpty else { return }
        let known = try session.rows("SELECT DISTINCT \(column) FROM import_scopes ORDER BY \(column)", [])
            .compactMap { $0.first?.string }
        for value in wanted where !known.contains(value) {
            throw KvalitetError(
                .usage, "no \(what) \"\(value)\" in the store (it has: \(known.joined(separator: ", ")))",
                nb: "ingen \(what) «\(value)» i lageret (det har: \(known.joined(separator: ", ")))")
        }
    }

    /// The stored municipality names the filter names (by whole name or by number).
    private func municipalities(_ session: any StoreSession) throws -> [String] {
        guard !filter.municipalities.isEmpty else { return [] }
        return try municipalities(in: "import_scopes", session)
    }

    /// The municipality names of `table` that the filter names, by whole name or by number
    /// ("3024" is "3024 Bærum"); a name that matches none is a usage error listing those there are.
    func municipalities(in table: String, _ session: any StoreSession) throws -> [String] {
        let known = try session.rows("SELECT DISTINCT municipality FROM \(table) ORDER BY municipality", [])
            .compactMap { $0.first?.string }
        var matched: [String] = []
        for wanted in filter.municipalities {
            let hits = known.filter { $0 == wanted || $0.hasPrefix(wanted + " ") }
            guard !hits.isEmpty else {
                throw KvalitetError(
                    .usage, "no municipality \"\(wanted)\" in the store (it has: \(known.joined(separator: ", ")))",
                    nb: "ingen kommune «\(wanted)» i lageret (det har: \(known.joined(separator: ", ")))")
            }
            matched += hits
        }
        return matched
    }

    /// The imports whose responses (or, unfiltered, whose files) take part, oldest first.
    private func imports(_ session: any StoreSession) throws -> [ImportRow] {
        let rows: [[SQLValue]]
        if filter.isEmpty {
            rows = try session.rows(
                """
                SELECT id, file_name, set_id, set_hash FROM imports
                WHERE kind = 'responses' AND (remaining > 0 OR stored = 0) ORDER BY id
                """, [])
        } else {
            let (sql, values) = try conditions(session, prefix: "s.")
            rows = try session.rows(
                """
                SELECT DISTINCT i.id, i.file_name, i.set_id, i.set_hash FROM import_scopes s JOIN imports i ON i.id = s.import_id
                WHERE \(sql) ORDER BY i.id
                """, values)
        }
        return rows.map { ImportRow(id: $0[0].int!, fileName: $0[1].string ?? "", set: $0[2].string, setHash: $0[3].string) }
    }

    /// Per set id, the definition of its latest import among `imports`, and how many different
    /// definitions its imports had.
    private func definitions(
        of imports: [ImportRow], _ session: any StoreSession
    ) throws
        -> [String: (hash: String, text: String, versions: Int)]
    {
        let hashes = Array(Set(imports.compactMap(\.setHash))).sorted()
        guard !hashes.isEmpty else { return [:] }
        var stored: [String: (set: String, text: String)] = [:]
        for row in try session.rows(
            """
            SELECT hash, set_id, definition FROM set_definitions
            WHERE hash IN (\(Array(repeating: "?", count: hashes.count).joined(separator: ", ")))
            """, hashes.map { .text($0) })
        {
            stored[row[0].string ?? ""] = (row[1].string ?? "", row[2].string ?? "")
        }
        var result: [String: (hash: String, text: String, versions: Int)] = [:]
        var seen: [String: Set<String>] = [:]
        for entry in imports {
            guard let hash = entry.setHash, let definition = stored[hash] else { continue }
            seen[definition.set, default: []].insert(hash)
            result[definition.set] = (hash, definition.text, seen[definition.set]!.count)
        }
        return result
    }

    public func registers() throws(KvalitetError) -> [Register] {
        let stored = try store.run {
            try store.database.read { session in
                try session.rows(
                    """
                    SELECT r.definition, i.file_name FROM registers r JOIN imports i ON i.id = r.import_id
                    WHERE r.import_id = (SELECT MAX(r2.import_id) FROM registers r2 WHERE r2.municipality = r.municipality)
                    ORDER BY r.municipality
                    """, [])
            }
        }
        var registers: [Register] = []
        for row in stored {
            registers.append(try Register.load(yaml: row[0].string ?? "", file: "\(row[1].string ?? "") (store)"))
        }
        return registers
    }

    public func setDefinitions() throws(KvalitetError) -> [String: String] {
        let definitions = try store.run { try store.database.read { try self.definitions(of: try imports($0), $0) } }
        var notes: [String] = []
        for (id, definition) in definitions.sorted(by: { $0.key < $1.key }) where definition.versions > 1 {
            notes.append(
                "set \(id): the responses were imported with \(definition.versions) definitions; all are scored with that of the latest import"
            )
        }
        chosen.withLock { $0 = definitions.mapValues(\.hash) }
        self.notes = notes
        return definitions.mapValues(\.text)
    }

    public func read(into feed: inout ResponseFeed) throws(KvalitetError) {
        let expected = chosen.withLock { $0 }
        try store.run {
            try store.database.read { session in
                let entries = try imports(session)
                if try self.definitions(of: entries, session).mapValues(\.hash) != expected {
                    throw KvalitetError.store(
                        "the store changed while it was read (a set was imported anew); run again",
                        database: store.database.displayName)
                }
                let (sql, values) = filter.isEmpty ? ("", []) : try conditions(session)
                for entry in entries {
                    try read(entry, condition: sql, values: values, session: session, into: &feed)
                }
            }
        }
    }

    private func read(
        _ entry: ImportRow, condition: String, values: [SQLValue], session: any StoreSession,
        into feed: inout ResponseFeed
    ) throws {
        let file = InputFile(url: URL(fileURLWithPath: entry.fileName), name: entry.fileName)
        try feed.begin(file, set: entry.set)
        var layouts: [Int: [String]] = [:]
        for row in try session.rows("SELECT layout, names FROM layouts WHERE import_id = ?", [SQLValue(entry.id)]) {
            guard let names = try? RecordCoding.decodeNames(row[1].bytes ?? []) else {
                throw KvalitetError.store(
                    "the answer names of import \(entry.id) are damaged", database: store.database.displayName)
            }
            layouts[row[0].int!] = names
        }
        // The problems its reader found outside responses: only when whole files take part.
        var problems: [(sequence: Int, problem: Problem)] = []
        if condition.isEmpty {
            problems = try session.rows(
                """
                SELECT seq, kind, line, respondent, column_name, value, message, message_nb FROM import_problems
                WHERE import_id = ? ORDER BY seq
                """, [SQLValue(entry.id)]
            ).map { row in
                (
                    row[0].int!,
                    Problem(
                        Problem.Kind(rawValue: row[1].string ?? ""), file: entry.fileName, line: row[2].int,
                        respondent: row[3].string ?? "", column: row[4].string ?? "", value: row[5].string ?? "",
                        message: row[6].string ?? "", nb: row[7].string)
                )
            }
        }
        var next = 0
        var count = 0
        // Filtered: through the scope index (set, municipality, period), not the whole import.
        // A planner without statistics (SQLite always, PostgreSQL right after a big import)
        // prefers the primary key (import_id, seq), which avoids the sort but reads every
        // response of the import (1.1M for one set's national file); `import_id + 0` keeps the
        // key out of index selection on both, so the plan does not depend on statistics.
        let filtered = condition.isEmpty ? "" : " AND set_id = ? AND " + condition
        let importColumn = condition.isEmpty ? "import_id" : "import_id + 0"
        try session.forEachRow(
            """
            SELECT seq, layout, record FROM responses WHERE \(importColumn) = ?\(filtered) ORDER BY seq
            """, [SQLValue(entry.id)] + (condition.isEmpty ? [] : [SQLValue(entry.set)] + values)
        ) { row in
            let sequence = row[0].int!
            while next < problems.count && problems[next].sequence < sequence {
                try feed.report(problems[next].problem)
                next += 1
            }
            guard let names = layouts[row[1].int!],
                let record = try? RecordCoding.decode(row[2].bytes ?? [], names: names)
            else {
                throw KvalitetError.store(
                    "a stored response is damaged (import \(entry.id), response \(sequence))",
                    database: store.database.displayName)
            }
            try feed.receive(record, from: file)
            count += 1
            if count & 4095 == 0 { try Interruption.check(entry.fileName) }
        }
        while next < problems.count {
            try feed.report(problems[next].problem)
            next += 1
        }
    }
}
