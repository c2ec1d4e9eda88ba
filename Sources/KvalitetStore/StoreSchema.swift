import Foundation
import Kvalitet

/// The store's tables, built by numbered migrations that only ever go forward. Each runs once,
/// in a write transaction with its version recorded in `kvalitet_schema`, so a store at any
/// earlier version (and two processes opening one at once) ends at the latest.
///
/// One list serves SQLite and PostgreSQL (GRDB's own migrator is SQLite-only, and one mechanism
/// means one test proves both): the statements differ only in the words `StoreSchema.sql` fills
/// in per dialect.
public enum StoreSchema {
    public struct Migration: Sendable {
        public var version: Int
        public var summary: String
        var statements: [String]
    }

    public static let migrations: [Migration] = [
        Migration(
            version: 1, summary: "imports, responses as read, sets, registers, reader problems, replacements",
            statements: [
                """
                CREATE TABLE imports (
                    id {id},
                    kind TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    imported_at TEXT NOT NULL,
                    set_id TEXT,
                    set_hash TEXT,
                    municipality TEXT,
                    responses_read {int} NOT NULL DEFAULT 0,
                    counted {int} NOT NULL DEFAULT 0,
                    rejected {int} NOT NULL DEFAULT 0,
                    invalid_cells {int} NOT NULL DEFAULT 0,
                    stored {int} NOT NULL DEFAULT 0,
                    remaining {int} NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX imports_hash ON imports (content_hash)",
                """
                CREATE TABLE set_definitions (
                    hash TEXT PRIMARY KEY,
                    set_id TEXT NOT NULL,
                    version {int} NOT NULL,
                    definition TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE registers (
                    import_id {int} PRIMARY KEY REFERENCES imports (id),
                    municipality TEXT NOT NULL,
                    definition TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE layouts (
                    import_id {int} NOT NULL REFERENCES imports (id),
                    layout {int} NOT NULL,
                    names {blob} NOT NULL,
                    PRIMARY KEY (import_id, layout)
                ) {without_rowid}
                """,
                """
                CREATE TABLE responses (
                    import_id {int} NOT NULL REFERENCES imports (id),
                    seq {int} NOT NULL,
                    set_id TEXT NOT NULL,
                    municipality TEXT,
                    period TEXT,
                    unit TEXT,
                    layout {int} NOT NULL,
                    record {blob} NOT NULL,
                    PRIMARY KEY (import_id, seq)
                ) {without_rowid}
                """,
                "CREATE INDEX responses_scope ON responses (set_id, municipality, period, unit)",
                """
                CREATE TABLE import_problems (
                    import_id {int} NOT NULL REFERENCES imports (id),
                    seq {int} NOT NULL,
                    kind TEXT NOT NULL,
                    line {int},
                    respondent TEXT NOT NULL,
                    column_name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    message TEXT NOT NULL,
                    PRIMARY KEY (import_id, seq)
                )
                """,
                """
                CREATE TABLE replacements (
                    import_id {int} NOT NULL REFERENCES imports (id),
                    replaced_import_id {int} NOT NULL REFERENCES imports (id),
                    responses {int} NOT NULL,
                    PRIMARY KEY (import_id, replaced_import_id)
                )
                """,
            ]),
        Migration(
            version: 2, summary: "what each import covers (set, municipality, period, unit), for filters and replacement",
            statements: [
                """
                CREATE TABLE import_scopes (
                    import_id {int} NOT NULL REFERENCES imports (id),
                    set_id TEXT NOT NULL,
                    municipality TEXT NOT NULL,
                    period TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    responses {int} NOT NULL,
                    PRIMARY KEY (import_id, set_id, municipality, period, unit)
                )
                """,
                """
                INSERT INTO import_scopes (import_id, set_id, municipality, period, unit, responses)
                SELECT import_id, set_id, municipality, period, unit, COUNT(*) FROM responses
                WHERE municipality IS NOT NULL AND period IS NOT NULL AND unit IS NOT NULL
                GROUP BY import_id, set_id, municipality, period, unit
                """,
                "CREATE INDEX import_scopes_selection ON import_scopes (set_id, municipality, period)",
                "CREATE INDEX import_scopes_place ON import_scopes (municipality, period)",
            ]),
        Migration(
            version: 3, summary: "sick-leave months (FORMAT.md §8) as read, per import",
            statements: [
                """
                CREATE TABLE absence_months (
                    import_id {int} NOT NULL REFERENCES imports (id),
                    seq {int} NOT NULL,
                    line {int} NOT NULL,
                    municipality TEXT NOT NULL,
                    service TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    month TEXT NOT NULL,
                    employees {int} NOT NULL,
                    figures TEXT NOT NULL,
                    PRIMARY KEY (import_id, seq)
                ) {without_rowid}
                """,
                "CREATE INDEX absence_months_place ON absence_months (municipality, unit, month)",
            ]),
        Migration(
            version: 4, summary: "PostgreSQL: no per-row reference check from responses to imports",
            statements: [
                // A response is only ever written in its import's own transaction, after the
                // import's row, and imports are never deleted: the check PostgreSQL runs per
                // row (a trigger and an index probe, a quarter of a bulk load's time) can never
                // fail. SQLite never ran it (its foreign keys are off by default).
                "{postgres}ALTER TABLE responses DROP CONSTRAINT IF EXISTS responses_import_id_fkey"
            ]),
        Migration(
            version: 5, summary: "a problem's message in bokmål beside the English one",
            statements: [
                // Empty for problems stored before, and for those whose message is already in
                // the run's language (sick leave): the English message is shown then.
                "ALTER TABLE import_problems ADD COLUMN message_nb TEXT"
            ]),
    ]

    public static var latestVersion: Int { migrations.last!.version }

    /// A statement in the words of `dialect`.
    static func sql(_ statement: String, _ dialect: SQLDialect) -> String {
        let words: [String: String] =
            switch dialect {
            case .sqlite:
                ["{id}": "INTEGER PRIMARY KEY", "{int}": "INTEGER", "{blob}": "BLOB", "{without_rowid}": "WITHOUT ROWID"]
            case .postgres:
                [
                    "{id}": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "{int}": "BIGINT", "{blob}": "BYTEA",
                    "{without_rowid}": "",
                ]
            }
        var text = statement
        for (word, replacement) in words { text = text.replacingOccurrences(of: word, with: replacement) }
        return text
    }

    /// The version a store is at (0: empty).
    static func version(_ session: any StoreSession) throws -> Int {
        let exists: Bool =
            switch session.dialect {
            case .sqlite:
                try !session.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kvalitet_schema'", []).isEmpty
            case .postgres:
                try !session.rows(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'kvalitet_schema'",
                    []
                ).isEmpty
            }
        guard exists else { return 0 }
        return try session.rows("SELECT MAX(version) FROM kvalitet_schema", []).first?.first?.int ?? 0
    }

    /// Brings the store to `target` (default: the latest version), one migration per step.
    static func migrate(_ database: any StoreDatabase, upTo target: Int = StoreSchema.latestVersion) throws {
        // Checked first without the write lock: a reader opening the store while an import
        // runs must not wait for that import to finish.
        let found = try database.read { try version($0) }
        if found == target { return }
        if found > latestVersion {
            throw KvalitetError.store(
                "the store was made by a newer kvalitet (schema version \(found), this one knows \(latestVersion))",
                database: database.displayName)
        }
        try database.write { session in
            var current = try version(session)
            if current > latestVersion {
                throw KvalitetError.store(
                    "the store was made by a newer kvalitet (schema version \(current), this one knows \(latestVersion))",
                    database: database.displayName)
            }
            if current == 0 {
                try session.execute(
                    "CREATE TABLE kvalitet_schema (version \(sql("{int}", session.dialect)) PRIMARY KEY, applied_at TEXT NOT NULL)",
                    [])
            }
            for migration in migrations where migration.version > current && migration.version <= target {
                for statement in migration.statements {
                    // `{postgres}`: a statement for PostgreSQL only.
                    if statement.hasPrefix("{postgres}") {
                        guard session.dialect == .postgres else { continue }
                        try session.execute(String(statement.dropFirst("{postgres}".count)), [])
                    } else {
                        try session.execute(sql(statement, session.dialect), [])
                    }
                }
                try session.execute(
                    "INSERT INTO kvalitet_schema (version, applied_at) VALUES (?, ?)",
                    [SQLValue(migration.version), .text(ResultsStore.timestamp())])
                current = migration.version
            }
        }
    }
}
