import Foundation
import Kvalitet
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The shared store: a PostgreSQL server through postgres-nio.
///
/// Where to connect comes from the `--db` URL (`postgres://[user[:password]@]host[:port]/database
/// [?sslmode=disable|prefer|require]`), and what the URL leaves out from the standard variables
/// `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE` (as libpq does; a
/// `PGHOST` starting with `/` is a socket folder). Messages name the server as `host:port/database`
/// only: the user name and password never reach output or logs (postgres-nio logs nothing here).
///
/// The store is used from one thread at a time; it waits on postgres-nio's futures (the event
/// loop runs on NIO's own threads, so waiting never blocks it).
public final class PostgresDatabase: StoreDatabase {
    public let dialect = SQLDialect.postgres
    public let displayName: String
    private let connection: PostgresConnection
    private let logger = Logger(label: "kvalitet.store") { _ in SwiftLogNoOpLogHandler() }

    /// Whether `location` names a PostgreSQL server rather than an SQLite file.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(KvalitetError) {
        let target = try Target(url: url, environment: environment)
        displayName = target.displayName
        let configuration: PostgresConnection.Configuration
        if let socket = target.socketPath {
            configuration = .init(
                unixSocketPath: socket, username: target.user, password: target.password,
                database: target.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch target.sslMode {
            case "disable": tls = .disable
            default:
                do {
                    let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                    tls = target.sslMode == "require" ? .require(context) : .prefer(context)
                } catch {
                    throw .store("cannot set up TLS: \(error)", database: target.displayName)
                }
            }
            configuration = .init(
                host: target.host, port: target.port, username: target.user,
                password: target.password, database: target.database, tls: tls)
        }
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(),
                configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw .store("cannot connect to PostgreSQL: \(Self.describe(error))", database: target.displayName)
        }
        if let schema = target.schema {
            let session = Session(connection: connection, logger: logger)
            do {
                if try session.rows("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [.text(schema)]).isEmpty {
                    try session.execute("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"", [])
                }
                try session.execute("SET search_path TO \"\(schema)\"", [])
            } catch {
                try? connection.close().wait()
                throw .store("cannot use schema \(schema): \(Self.describe(error))", database: target.displayName)
            }
        }
    }

    /// Where to connect, from the URL and the environment.
    struct Target {
        var host = "localhost"
        var port = 5432
        var socketPath: String?
        var user: String
        var password: String?
        var database: String
        var sslMode = "prefer"
        /// A schema to keep the store's tables in (`?schema=`), made when missing.
        var schema: String?

        var displayName: String {
            "postgres://\(socketPath.map { "[\($0)]" } ?? "\(host):\(port)")/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
        }

        init(url: String, environment: [String: String]) throws(KvalitetError) {
            guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "")
            else {
                // The URL may hold a password: the message does not repeat it.
                throw KvalitetError(.usage, "--db: not a valid postgres:// URL", nb: "--db: ikke en gyldig postgres://-adresse")
            }
            let env = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? env("PGUSER") ?? ProcessInfo.processInfo.userName
            password = components.password ?? env("PGPASSWORD")
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
            if hostName.hasPrefix("/") {
                socketPath = "\(hostName)/.s.PGSQL.\(port)"
            } else {
                host = hostName
            }
            for item in components.queryItems ?? [] where item.name == "sslmode" { sslMode = item.value ?? "prefer" }
            for item in components.queryItems ?? [] where item.name == "schema" {
                // Named in SQL text (a schema cannot be a bound parameter): letters, digits and _ only.
                guard let name = item.value, !name.isEmpty, name.count <= 63,
                    name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
                else {
                    throw KvalitetError(.usage, "--db: schema must be lowercase letters, digits and _ (at most 63)")
                }
                schema = name
            }
            if components.queryItems?.contains(where: { $0.name == "sslmode" }) != true, let mode = env("PGSSLMODE") {
                sslMode = mode
            }
            guard ["disable", "prefer", "require"].contains(sslMode) else {
                throw KvalitetError(.usage, "--db: sslmode must be disable, prefer or require")
            }
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
        let session = Session(connection: connection, logger: logger)
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

    public func close() {
        if !connection.isClosed { try? connection.close().wait() }
    }

    deinit {
        // A store dropped without close() still ends its connection (postgres-nio requires it).
        close()
    }

    private func map(_ error: any Error) -> any Error {
        if error is KvalitetError { return error }
        return KvalitetError.store(Self.describe(error), database: displayName)
    }

    /// What a failure without a server message means, in words (not the library's case names).
    static func words(for code: PSQLError.Code) -> String {
        switch code {
        case .connectionError:
            return "the connection was refused or lost (is the server running, on this host and port?)"
        case .sslUnsupported:
            return "the server does not offer TLS (use ?sslmode=disable in the URL on a trusted network)"
        case .authMechanismRequiresPassword:
            return "the server asks for a password (give it in the URL or PGPASSWORD)"
        case .serverClosedConnection, .clientClosedConnection:
            return "the server closed the connection"
        case .queryCancelled:
            return "the query was cancelled"
        case .tooManyParameters:
            return "too many values in one statement"
        default:
            return "the PostgreSQL connection failed (\(code))"
        }
    }

    /// The server's message, or the kind of failure; never the query's bound values.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            // Authentication failures name the user: say what failed without it.
            if let state = error.serverInfo?[.sqlState], state.hasPrefix("28") {
                return "authentication failed (check the user name and password: the URL, PGUSER, PGPASSWORD)"
            }
            if let message = error.serverInfo?[.message] { return message }
            return words(for: error.code)
        }
        return "\(type(of: error))"
    }

    struct Session: StoreSession {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: SQLDialect { .postgres }
        /// The insert the server is still working on: an import reads and encodes the next
        /// batch meanwhile (one statement in flight; its error surfaces at the next statement,
        /// always before COMMIT).
        private let inFlight = InFlight()

        final class InFlight {
            var insert: EventLoopFuture<PostgresQueryResult>?
        }

        init(connection: PostgresConnection, logger: Logger) {
            self.connection = connection
            self.logger = logger
        }

        /// Ends the transaction without its changes, whatever the insert in flight did.
        func rollback() {
            try? finishInsert()
            try? execute("ROLLBACK", [])
        }

        private func finishInsert() throws {
            guard let insert = inFlight.insert else { return }
            inFlight.insert = nil
            _ = try insert.wait()
        }

        func execute(_ sql: String, _ values: [SQLValue]) throws {
            try finishInsert()
            _ = try connection.query(try Self.query(sql, values), logger: logger).wait()
        }

        func rows(_ sql: String, _ values: [SQLValue]) throws -> [[SQLValue]] {
            try finishInsert()
            return try connection.query(try Self.query(sql, values), logger: logger).wait().rows.map(Self.values)
        }

        /// Through a cursor, a batch at a time: memory stays bounded however many rows match.
        func forEachRow(_ sql: String, _ values: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
            try execute("DECLARE kvalitet_rows NO SCROLL CURSOR FOR " + sql, values)
            while true {
                let batch = try rows("FETCH FORWARD 2000 FROM kvalitet_rows", [])
                for row in batch { try body(row) }
                if batch.count < 2000 { break }
            }
            try execute("CLOSE kvalitet_rows", [])
        }

        func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
            // Many rows per statement (at most 65,535 bound values each): one round trip per batch.
            let perStatement = max(1, 30_000 / max(1, columns.count))
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
                let sql =
                    "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                    + Array(repeating: tuple, count: chunk.count).joined(separator: ", ")
                let query = try Self.query(sql, chunk.flatMap { $0 })
                try finishInsert()
                inFlight.insert = connection.query(query, logger: logger)
                start += chunk.count
            }
        }

        /// `?` placeholders become `$1`, `$2`, …; the values are bound, never spliced into the text.
        static func query(_ sql: String, _ values: [SQLValue]) throws -> PostgresQuery {
            var text = ""
            text.reserveCapacity(sql.utf8.count + values.count * 3)
            var number = 0
            for character in sql {
                if character == "?" {
                    number += 1
                    text += "$\(number)"
                } else {
                    text.append(character)
                }
            }
            var binds = PostgresBindings(capacity: values.count)
            for value in values {
                switch value {
                case .null: binds.appendNull()
                case .integer(let number): binds.append(number)
                case .text(let string): binds.append(string)
                case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
                }
            }
            return PostgresQuery(unsafeSQL: text, binds: binds)
        }

        static func values(_ row: PostgresRow) -> [SQLValue] {
            row.map { cell -> SQLValue in
                guard var bytes = cell.bytes else { return .null }
                switch cell.dataType {
                case .int2, .int4, .int8:
                    return (try? cell.decode(Int64.self)).map { .integer($0) } ?? .null
                case .bytea:
                    return .blob(bytes.readBytes(length: bytes.readableBytes) ?? [])
                default:
                    return (try? cell.decode(String.self)).map { .text($0) } ?? .null
                }
            }
        }
    }
}
