import Foundation
import GRDB
import GRDBSQLite
import Kvalitet

/// The embedded store: one SQLite file through GRDB, in WAL mode so readers see a committed state
/// while an import writes. The file is created readable and writable by its owner only (SQLite
/// gives its `-wal` and `-shm` files the same permissions).
public final class SQLiteDatabase: StoreDatabase {
    public let dialect = SQLDialect.sqlite
    public let displayName: String
    private let pool: DatabasePool

    /// Opens (creating when missing) the store file at `path`. A writer waits up to
    /// `busyTimeout` seconds for another process's import to finish.
    private let busyTimeout: TimeInterval

    public init(path: String, busyTimeout: TimeInterval = 600) throws(KvalitetError) {
        displayName = path
        self.busyTimeout = busyTimeout
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                Foundation.close(descriptor)
            } else if errno != EEXIST {
                throw .store("cannot create the store: \(String(cString: strerror(errno)))", database: path)
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "kvalitet"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .store("cannot open the store as SQLite: \(Self.describe(error))", database: path)
        }
    }

    public func write<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                // IMMEDIATE: take the write lock at the start, so two imports queue instead of
                // failing when the second tries to upgrade its read lock.
                try db.inTransaction(.immediate) {
                    result = try body(Session(db: db))
                    return .commit
                }
                return result!
            }
        } catch let error as KvalitetError {
            throw error
        } catch {
            throw KvalitetError.store(Self.describe(error), database: displayName)
        }
    }

    public func read<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        do {
            return try pool.read { db in try body(Session(db: db)) }
        } catch let error as KvalitetError {
            throw error
        } catch {
            throw KvalitetError.store(Self.describe(error), database: displayName)
        }
    }

    /// Checkpoints the WAL into the store file and truncates it. GRDB closes its writer before
    /// its (read-only) readers, so SQLite's own checkpoint-on-close never runs and a 300 MB WAL
    /// of an import stayed behind; every later reader then rebuilt its index from the whole WAL
    /// (0.1 s per `score --db`). Waits at most a second for other processes' readers, else
    /// leaves the WAL for the next writer.
    public func settle() {
        try? pool.writeWithoutTransaction { db in
            guard let connection = db.sqliteConnection else { return }
            sqlite3_busy_timeout(connection, 1000)
            defer { sqlite3_busy_timeout(connection, Int32(busyTimeout * 1000)) }
            _ = try? db.checkpoint(.truncate)
        }
    }

    public func close() {
        try? pool.close()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_BUSY { return "the store is busy (another import took too long)" }
            if error.resultCode == .SQLITE_NOTADB { return "the file is not a kvalitet store (not SQLite)" }
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }

    /// Statements of one transaction on a GRDB connection.
    struct Session: StoreSession {
        let db: Database
        var dialect: SQLDialect { .sqlite }

        func execute(_ sql: String, _ values: [SQLValue]) throws {
            try db.execute(sql: sql, arguments: Self.arguments(values))
        }

        func rows(_ sql: String, _ values: [SQLValue]) throws -> [[SQLValue]] {
            try Row.fetchAll(db, sql: sql, arguments: Self.arguments(values)).map(Self.values)
        }

        func forEachRow(_ sql: String, _ values: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: Self.arguments(values))
            while let row = try cursor.next() { try body(Self.values(row)) }
        }

        /// Binds each value straight to GRDB's prepared statement through SQLite's C API (GRDB
        /// documents its raw pointers for this): building GRDB's `StatementArguments` per row
        /// (a `DatabaseValue` per value, `Data` per blob) was a third of an import's time.
        func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            let statement = try db.cachedStatement(
                sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))")
            let handle = statement.sqliteStatement
            defer { sqlite3_reset(handle) }
            // SQLITE_TRANSIENT: SQLite copies the value before the call returns.
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for row in rows {
                sqlite3_reset(handle)
                for (index, value) in row.enumerated() {
                    let parameter = Int32(index + 1)
                    let code: Int32
                    switch value {
                    case .null: code = sqlite3_bind_null(handle, parameter)
                    case .integer(let number): code = sqlite3_bind_int64(handle, parameter, number)
                    case .text(var text):
                        // An empty text must stay '' (a nil pointer would bind NULL).
                        code =
                            text.isEmpty
                            ? sqlite3_bind_text(handle, parameter, "", 0, transient)
                            : text.withUTF8 { sqlite3_bind_text(handle, parameter, $0.baseAddress, Int32($0.count), transient) }
                    case .blob(let bytes):
                        code = bytes.withUnsafeBytes {
                            sqlite3_bind_blob(
                                handle, parameter, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), transient)
                        }
                    }
                    guard code == SQLITE_OK else { throw failure(code) }
                }
                let code = sqlite3_step(handle)
                guard code == SQLITE_DONE else { throw failure(code) }
            }
        }

        private func failure(_ code: Int32) -> DatabaseError {
            DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) })
        }

        static func arguments(_ values: [SQLValue]) -> StatementArguments {
            StatementArguments(
                values.map { value -> DatabaseValue in
                    switch value {
                    case .null: return .null
                    case .integer(let number): return number.databaseValue
                    case .text(let text): return text.databaseValue
                    case .blob(let bytes): return Data(bytes).databaseValue
                    }
                })
        }

        static func values(_ row: Row) -> [SQLValue] {
            row.databaseValues.map { value in
                switch value.storage {
                case .null: return .null
                case .int64(let number): return .integer(number)
                case .double(let number): return .integer(Int64(number))
                case .string(let text): return .text(text)
                case .blob(let data): return .blob([UInt8](data))
                }
            }
        }
    }
}
