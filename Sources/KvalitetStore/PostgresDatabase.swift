import CLibPQ
import Foundation
import Kvalitet

/// The shared store: a PostgreSQL server through libpq, PostgreSQL's own client library.
///
/// Why libpq (Docs/Decisions.md, "Results store"): it is synchronous, as the store is; it is a
/// system library that builds in no time (postgres-nio needed SwiftNIO, NIO-SSL and swift-crypto,
/// most of a fresh release build); it speaks COPY for bulk loads; and it honours what PostgreSQL
/// users already have: `PG*` variables, `~/.pgpass`, service files and every `sslmode`.
///
/// Where to connect is the `--db` URL (`postgres://[user[:password]@]host[:port]/database
/// [?sslmode=…][&schema=…]`), which libpq itself reads (all but kvalitet's own `schema`); what the
/// URL leaves out comes from the environment as for `psql`. Messages name the server as
/// `host:port/database` only: the user name and password never reach output or logs (libpq's own
/// messages are put into words, not passed on).
///
/// The store is used from one thread at a time (one import, or one read, per process).
public final class PostgresDatabase: StoreDatabase, @unchecked Sendable {
    public let dialect = SQLDialect.postgres
    public let displayName: String
    /// The connection (libpq's `PGconn`); only ever used from one thread at a time.
    private let connection: OpaquePointer

    /// Whether `location` names a PostgreSQL server rather than an SQLite file.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    public init(url: String) throws(KvalitetError) {
        let target = try Target(url: url, environment: ProcessInfo.processInfo.environment)
        // libpq reads the URL (as `dbname` with expand_dbname) and fills in the rest from PG*
        // variables, ~/.pgpass and service files, exactly as psql would.
        let keywords = ["dbname", "fallback_application_name"]
        let values = [target.libpqURL, "kvalitet"]
        let opened = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard let opened else { throw .store("cannot connect to PostgreSQL: out of memory", database: target.displayName) }
        guard PQstatus(opened) == CONNECTION_OK else {
            let failure = Self.connectionFailure(opened)
            PQfinish(opened)
            throw .store("cannot connect to PostgreSQL: \(failure)", database: target.displayName)
        }
        connection = opened
        displayName = Self.connectedName(opened, schema: target.schema) ?? target.displayName
        if let schema = target.schema {
            let session = Session(connection: connection)
            do {
                if try session.rows("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [.text(schema)]).isEmpty {
                    try session.execute("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"", [])
                }
                try session.execute("SET search_path TO \"\(schema)\"", [])
            } catch {
                PQfinish(connection)
                throw .store("cannot use schema \(schema): \(Self.describe(error))", database: target.displayName)
            }
        }
    }

    /// Where to connect, as messages may name it, and kvalitet's own `schema` parameter.
    struct Target {
        var host = "localhost"
        var port = 5432
        var socketFolder: String?
        var database: String
        var schema: String?
        /// The URL without `schema`, for libpq.
        var libpqURL: String

        var displayName: String {
            "postgres://\(socketFolder.map { "[\($0)]" } ?? "\(host):\(port)")/\(database)"
                + (schema.map { "?schema=\($0)" } ?? "")
        }

        /// libpq's own `sslmode` values.
        static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

        init(url: String, environment: [String: String]) throws(KvalitetError) {
            guard var components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "")
            else {
                // The URL may hold a password: the message does not repeat it.
                throw KvalitetError(.usage, "--db: not a valid postgres:// URL", nb: "--db: ikke en gyldig postgres://-adresse")
            }
            let env = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? env("PGUSER") ?? ProcessInfo.processInfo.userName
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            database = path.isEmpty ? (env("PGDATABASE") ?? user) : path
            if let text = components.port.map(String.init) ?? env("PGPORT") {
                guard let number = Int(text), (1...65535).contains(number) else {
                    throw KvalitetError(
                        .usage, "--db: the port must be a number from 1 to 65535",
                        nb: "--db: porten må være et tall fra 1 til 65535")
                }
                port = number
            }
            let hostName = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? env("PGHOST") ?? "localhost"
            if hostName.hasPrefix("/") { socketFolder = hostName } else { host = hostName }
            let items = components.queryItems ?? []
            for item in items where item.name == "sslmode" {
                guard let mode = item.value, Self.sslModes.contains(mode) else {
                    throw KvalitetError(.usage, "--db: sslmode must be one of \(Self.sslModes.joined(separator: ", "))")
                }
            }
            for item in items where item.name == "schema" {
                // Named in SQL text (a schema cannot be a bound parameter): letters, digits and _ only.
                guard let name = item.value, !name.isEmpty, name.count <= 63,
                    name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
                else {
                    throw KvalitetError(.usage, "--db: schema must be lowercase letters, digits and _ (at most 63)")
                }
                schema = name
            }
            let rest = items.filter { $0.name != "schema" }
            components.queryItems = rest.isEmpty ? nil : rest
            libpqURL = components.string ?? url
        }
    }

    public func write<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        // Imports take turns, also across processes and machines (the lock ends with the transaction).
        try transaction(["BEGIN", "SELECT pg_advisory_xact_lock(7403921)"], body)
    }

    public func read<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        try transaction(["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"], body)
    }

    /// Runs `start`, then `body`; commits when it returns, rolls back when anything throws.
    private func transaction<T>(_ start: [String], _ body: (any StoreSession) throws -> T) throws -> T {
        let session = Session(connection: connection)
        do {
            for statement in start { try session.execute(statement, []) }
            let result = try body(session)
            try session.execute("COMMIT", [])
            return result
        } catch {
            session.rollback()
            throw map(error)
        }
    }

    /// Nothing to do: the server manages its own log.
    public func settle() {}

    private var closed = false

    public func close() {
        guard !closed else { return }
        closed = true
        PQfinish(connection)
    }

    deinit { close() }

    private func map(_ error: any Error) -> any Error {
        if error is KvalitetError { return error }
        return KvalitetError.store(Self.describe(error), database: displayName)
    }

    /// The server as connected (host or socket folder, port, database): never the user.
    private static func connectedName(_ connection: OpaquePointer, schema: String?) -> String? {
        guard let database = PQdb(connection).map({ String(cString: $0) }),
            let port = PQport(connection).map({ String(cString: $0) })
        else { return nil }
        let host = PQhost(connection).map { String(cString: $0) } ?? "localhost"
        let place = host.hasPrefix("/") ? "[\(host)]" : "\(host):\(port)"
        return "postgres://\(place)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    /// Why a connection failed, as people can act on it.
    enum Failure {
        case connection, sslUnsupported, passwordRequired, authentication
    }

    /// What a failure means, in words (not libpq's own message, which may name the user).
    static func words(for failure: Failure) -> String {
        switch failure {
        case .connection: "the connection was refused or lost (is the server running, on this host and port?)"
        case .sslUnsupported: "the server does not offer TLS (use ?sslmode=disable in the URL on a trusted network)"
        case .passwordRequired: "the server asks for a password (give it in the URL, PGPASSWORD or ~/.pgpass)"
        case .authentication: "authentication failed (check the user name and password: the URL, PGUSER, PGPASSWORD, ~/.pgpass)"
        }
    }

    /// A failed connection's reason: libpq's message sorted into ``Failure``s; anything else by
    /// its first line with the user name left out.
    static func connectionFailure(_ connection: OpaquePointer) -> String {
        let message = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
        if PQconnectionNeedsPassword(connection) != 0 || message.contains("no password supplied") {
            return words(for: .passwordRequired)
        }
        return describeConnectionMessage(message, user: PQuser(connection).map { String(cString: $0) })
    }

    static func describeConnectionMessage(_ message: String, user: String?) -> String {
        let lower = message.lowercased()
        if lower.contains("authentication failed") || lower.contains("password authentication") {
            return words(for: .authentication)
        }
        if lower.contains("does not support ssl") { return words(for: .sslUnsupported) }
        if lower.contains("connection refused") || lower.contains("could not connect") || lower.contains("timeout expired")
            || lower.contains("could not translate host name") || lower.contains("no such file or directory")
        {
            return words(for: .connection)
        }
        var line = message.split(separator: "\n").first.map(String.init) ?? "the connection failed"
        if let user, !user.isEmpty { line = line.replacingOccurrences(of: user, with: "…") }
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// A statement's failure: the server's message, never the statement's bound values.
    struct StatementError: Error {
        var message: String
        var state: String?
    }

    /// The server's message, or the kind of failure.
    static func describe(_ error: any Error) -> String {
        if let error = error as? StatementError {
            // Authentication failures name the user: say what failed without it.
            if let state = error.state, state.hasPrefix("28") { return words(for: .authentication) }
            return error.message
        }
        return "\(type(of: error))"
    }

    /// Runs `body` with `strings` as a NULL-terminated array of C strings.
    static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        Session.withPointers(strings.map { Array($0.utf8CString) } + [nil], body)
    }
}
