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
    /// Starts loading rows into `table` as they come, until ``BulkInsert/finish()``: on
    /// PostgreSQL one COPY stream, so the server stores rows while the next ones are made (rows
    /// in statements of a batch each leave one side idle while the other works). No other
    /// statement may run on the session while it is open.
    func bulkInsert(into table: String, columns: [String]) throws -> any BulkInsert
}

/// Rows going into one table (``StoreSession/bulkInsert(into:columns:)``).
public protocol BulkInsert: AnyObject {
    func add(_ rows: [[SQLValue]]) throws
    /// Ends the load; its errors (a constraint, a bad value) are thrown here at the latest.
    func finish() throws
}

extension StoreSession {
    /// Batches as ``insert(into:columns:rows:)`` (SQLite: prepared statements in the open
    /// transaction are as fast as it gets).
    public func bulkInsert(into table: String, columns: [String]) throws -> any BulkInsert {
        BatchedInsert(session: self, table: table, columns: columns)
    }
}

/// A bulk load as one insert per batch of rows.
final class BatchedInsert: BulkInsert {
    let session: any StoreSession
    let table: String
    let columns: [String]

    init(session: any StoreSession, table: String, columns: [String]) {
        (self.session, self.table, self.columns) = (session, table, columns)
    }

    func add(_ rows: [[SQLValue]]) throws { try session.insert(into: table, columns: columns, rows: rows) }
    func finish() throws {}
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
