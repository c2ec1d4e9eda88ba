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
        var copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        copies.append(nil)
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    struct Session: StoreSession {
        let connection: OpaquePointer
        var dialect: SQLDialect { .postgres }

        /// Ends the transaction without its changes.
        func rollback() {
            try? execute("ROLLBACK", [])
        }

        func execute(_ sql: String, _ values: [SQLValue]) throws {
            let result = try run(sql, values)
            PQclear(result)
        }

        func rows(_ sql: String, _ values: [SQLValue]) throws -> [[SQLValue]] {
            let result = try run(sql, values)
            defer { PQclear(result) }
            return Self.values(result)
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

        /// Through COPY … FROM STDIN in text format: one stream per call, no statement per row
        /// and no limit on bound values. Text is escaped as COPY's text format requires
        /// (backslash, tab, line breaks), NULL is `\N`, bytes are bytea's hex form.
        func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
            guard !rows.isEmpty else { return }
            let start = PQexec(connection, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN")
            guard PQresultStatus(start) == PGRES_COPY_IN else {
                defer { PQclear(start) }
                throw error(start)
            }
            PQclear(start)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 17)
            var failed: String?
            for row in rows {
                for (index, value) in row.enumerated() {
                    if index > 0 { buffer.append(0x09) }
                    Self.appendCopyText(value, to: &buffer)
                }
                buffer.append(0x0A)
                if buffer.count >= 1 << 16 {
                    if !put(buffer) {
                        failed = "the connection failed while copying"
                        break
                    }
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if failed == nil && !buffer.isEmpty && !put(buffer) { failed = "the connection failed while copying" }
            _ = PQputCopyEnd(connection, failed)
            // The COPY's own result (its errors: a bad value, a constraint), then the end.
            var problem: StatementError?
            while let result = PQgetResult(connection) {
                if PQresultStatus(result) != PGRES_COMMAND_OK && problem == nil { problem = error(result) }
                PQclear(result)
            }
            if let problem { throw problem }
            if let failed { throw StatementError(message: failed) }
        }

        private func put(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) == 1 }
            }
        }

        /// One value in COPY's text format.
        static func appendCopyText(_ value: SQLValue, to buffer: inout [UInt8]) {
            switch value {
            case .null: buffer.append(contentsOf: [0x5C, 0x4E])  // \N
            case .integer(let number): buffer.append(contentsOf: String(number).utf8)
            case .text(let text):
                for byte in text.utf8 {
                    switch byte {
                    case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                    case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                    case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                    case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                    default: buffer.append(byte)
                    }
                }
            case .blob(let bytes):
                // bytea's input form \x…, its backslash doubled for COPY.
                buffer.append(contentsOf: [0x5C, 0x5C, 0x78])
                let digits = Array("0123456789abcdef".utf8)
                for byte in bytes {
                    buffer.append(digits[Int(byte >> 4)])
                    buffer.append(digits[Int(byte & 0x0F)])
                }
            }
        }

        /// Runs one statement with bound values (`?` become `$1`, `$2`, …; never spliced into
        /// the text): text values as text, bytes as binary, results as text.
        private func run(_ sql: String, _ values: [SQLValue]) throws -> OpaquePointer {
            let text = Self.numbered(sql)
            var buffers: [[CChar]?] = []
            var lengths: [Int32] = []
            var formats: [Int32] = []
            for value in values {
                switch value {
                case .null:
                    buffers.append(nil)
                    lengths.append(0)
                    formats.append(0)
                case .integer(let number):
                    buffers.append(Array(String(number).utf8CString))
                    lengths.append(0)
                    formats.append(0)
                case .text(let string):
                    buffers.append(Array(string.utf8CString))
                    lengths.append(0)
                    formats.append(0)
                case .blob(let bytes):
                    buffers.append(bytes.map { CChar(bitPattern: $0) })
                    lengths.append(Int32(bytes.count))
                    formats.append(1)
                }
            }
            let result = Self.withPointers(buffers) { pointers in
                PQexecParams(connection, text, Int32(values.count), nil, pointers, lengths, formats, 0)
            }
            guard let result else { throw StatementError(message: Self.connectionMessage(connection)) }
            let status = PQresultStatus(result)
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                defer { PQclear(result) }
                throw error(result)
            }
            return result
        }

        private func error(_ result: OpaquePointer?) -> StatementError {
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let message = field("M") ?? Self.connectionMessage(connection)
            return StatementError(message: message, state: field("C"))
        }

        /// The connection's last message, first line (a lost connection has no result).
        static func connectionMessage(_ connection: OpaquePointer) -> String {
            let message = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
            if PQstatus(connection) != CONNECTION_OK { return PostgresDatabase.words(for: .connection) }
            return message.split(separator: "\n").first.map(String.init) ?? "the statement failed"
        }

        static func withPointers<R>(_ buffers: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(buffers.count)
            func next(_ index: Int) -> R {
                if index == buffers.count { return body(pointers) }
                guard let buffer = buffers[index] else {
                    pointers.append(nil)
                    return next(index + 1)
                }
                return buffer.withUnsafeBufferPointer { pointer in
                    pointers.append(pointer.baseAddress)
                    return next(index + 1)
                }
            }
            return next(0)
        }

        /// `?` placeholders as `$1`, `$2`, …
        static func numbered(_ sql: String) -> String {
            var text = ""
            text.reserveCapacity(sql.utf8.count + 16)
            var number = 0
            for character in sql {
                if character == "?" {
                    number += 1
                    text += "$\(number)"
                } else {
                    text.append(character)
                }
            }
            return text
        }

        /// A result's rows: integers (int2, int4, int8) as integers, bytea as bytes, the rest as text.
        static func values(_ result: OpaquePointer) -> [[SQLValue]] {
            let rowCount = PQntuples(result)
            let columnCount = PQnfields(result)
            let types = (0..<columnCount).map { PQftype(result, $0) }
            var rows: [[SQLValue]] = []
            rows.reserveCapacity(Int(rowCount))
            for row in 0..<rowCount {
                var values: [SQLValue] = []
                values.reserveCapacity(Int(columnCount))
                for column in 0..<columnCount {
                    if PQgetisnull(result, row, column) != 0 {
                        values.append(.null)
                        continue
                    }
                    let text = String(cString: PQgetvalue(result, row, column))
                    switch types[Int(column)] {
                    case 20, 21, 23:  // int8, int2, int4
                        values.append(Int64(text).map { .integer($0) } ?? .null)
                    case 17:  // bytea, in its hex output form \x…
                        values.append(.blob(Self.hexBytes(text)))
                    default:
                        values.append(.text(text))
                    }
                }
                rows.append(values)
            }
            return rows
        }

        /// bytea's hex output (`\x0a1b…`) as bytes.
        static func hexBytes(_ text: String) -> [UInt8] {
            var utf8 = Array(text.utf8)
            if utf8.starts(with: [0x5C, 0x78]) { utf8.removeFirst(2) }
            func nibble(_ byte: UInt8) -> UInt8 {
                switch byte {
                case 0x30...0x39: byte - 0x30
                case 0x61...0x66: byte - 0x61 + 10
                case 0x41...0x46: byte - 0x41 + 10
                default: 0
                }
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(utf8.count / 2)
            var index = 0
            while index + 1 < utf8.count {
                bytes.append(nibble(utf8[index]) << 4 | nibble(utf8[index + 1]))
                index += 2
            }
            return bytes
        }
    }
}
