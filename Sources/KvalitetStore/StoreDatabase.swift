import Kvalitet

/// A value bound to or read from a statement. Every value reaches the database as a bound
/// parameter; SQL text is never built from data.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }

    public var int: Int? {
        if case .integer(let value) = self { return Int(value) }
        return nil
    }
    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }
    public var bytes: [UInt8]? {
        if case .blob(let value) = self { return value }
        return nil
    }
}

/// The SQL spoken by a database: the few places where SQLite and PostgreSQL differ.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// Access to the database inside one transaction.
public protocol StoreSession {
    var dialect: SQLDialect { get }
    /// Runs a statement (placeholders `?`).
    func execute(_ sql: String, _ values: [SQLValue]) throws
    /// Runs a query and returns all its rows (for small results).
    func rows(_ sql: String, _ values: [SQLValue]) throws -> [[SQLValue]]
    /// Runs a query and hands its rows to `body` one by one, never holding more than a batch.
    func forEachRow(_ sql: String, _ values: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws
    /// Inserts many rows into `table`.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws
}

/// A database a ``ResultsStore`` keeps its data in: SQLite (``SQLiteDatabase``, the embedded
/// default) or PostgreSQL (``PostgresDatabase``, for a shared server). The store's logic, SQL and
/// migrations are the same for both; an implementation supplies transactions and statements.
public protocol StoreDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// How messages name the database: never with a password or user name.
    var displayName: String { get }
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it
    /// throws. Writers, also in other processes, take turns (one import at a time).
    func write<T>(_ body: (any StoreSession) throws -> T) throws -> T
    /// Runs `body` in one read-only transaction that sees one committed state throughout.
    func read<T>(_ body: (any StoreSession) throws -> T) throws -> T
    /// Tidies up after writing, when nobody else needs the database (SQLite: moves the log of
    /// the last imports into the file and empties it). Never fails, never waits long.
    func settle()
    /// Closes the connection.
    func close()
}

extension KvalitetError {
    /// A store failure, naming the database (not its credentials).
    static func store(_ message: String, database: String) -> KvalitetError {
        KvalitetError(.store, message, at: SourceLocation(file: database))
    }
}
