import CLibPQ
import Foundation

/// One transaction's statements on a libpq connection: bound parameters, COPY for bulk loads,
/// results decoded by column type.
extension PostgresDatabase {
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

        /// Through one COPY stream (``CopyStream``): no statement per row, no limit on values.
        func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
            guard !rows.isEmpty else { return }
            let stream = try CopyStream(connection: connection, table: table, columns: columns)
            try stream.add(rows)
            try stream.finish()
        }

        func bulkInsert(into table: String, columns: [String]) throws -> any BulkInsert {
            try CopyStream(connection: connection, table: table, columns: columns)
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

        private func error(_ result: OpaquePointer?) -> StatementError { Self.error(result, connection: connection) }

        /// The failure `result` reports (the connection's message when there is none).
        static func error(_ result: OpaquePointer?, connection: OpaquePointer) -> StatementError {
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let message = field("M") ?? connectionMessage(connection)
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

/// `COPY table (columns) FROM STDIN (FORMAT binary)`, open from its start to ``finish()``: each
/// row a field count and each field its length and bytes (integers as 8-byte big-endian `bigint`,
/// every integer column of the store's schema; texts as UTF-8; bytes as they are; NULL length
/// −1), sent 64 KiB at a time while the server stores the ones before. Binary rather than text:
/// no escaping on this side, no parsing and no hex decoding of `bytea` on the server's. Dropped
/// unfinished (an import that failed), it ends the COPY as failed, so the transaction can roll back.
final class CopyStream: BulkInsert {
    private let connection: OpaquePointer
    private var buffer: [UInt8] = []
    private var open = true

    /// The binary format's signature, flags and header extension length.
    private static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    init(connection: OpaquePointer, table: String, columns: [String]) throws {
        self.connection = connection
        let start = PQexec(connection, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)")
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            open = false
            throw PostgresDatabase.Session.error(start, connection: connection)
        }
        buffer.reserveCapacity(1 << 17)
        buffer.append(contentsOf: Self.header)
    }

    deinit {
        if open { _ = end(failure: "the import stopped") }
    }

    func add(_ rows: [[SQLValue]]) throws {
        for row in rows {
            Self.append(UInt16(row.count), to: &buffer)
            for value in row {
                switch value {
                case .null:
                    Self.append(UInt32(bitPattern: -1), to: &buffer)
                case .integer(let number):
                    Self.append(UInt32(8), to: &buffer)
                    Self.append(UInt64(bitPattern: number), to: &buffer)
                case .text(var text):
                    text.withUTF8 { bytes in
                        Self.append(UInt32(bytes.count), to: &buffer)
                        buffer.append(contentsOf: bytes)
                    }
                case .blob(let bytes):
                    Self.append(UInt32(bytes.count), to: &buffer)
                    buffer.append(contentsOf: bytes)
                }
            }
            if buffer.count >= 1 << 16 { try send() }
        }
    }

    func finish() throws {
        guard open else { return }
        Self.append(UInt16(0xFFFF), to: &buffer)  // the trailer: a field count of −1
        try send()
        if let problem = end(failure: nil) { throw problem }
    }

    /// `value` in network byte order.
    private static func append<Value: FixedWidthInteger>(_ value: Value, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private func send() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) == 1 }
        }
        buffer.removeAll(keepingCapacity: true)
        guard sent else {
            _ = end(failure: "the connection failed while copying")
            throw PostgresDatabase.StatementError(message: "the connection failed while copying")
        }
    }

    /// Ends the COPY (as failed with `failure`) and returns its error, if any.
    private func end(failure: String?) -> PostgresDatabase.StatementError? {
        open = false
        _ = PQputCopyEnd(connection, failure)
        // The COPY's own result (its errors: a bad value, a constraint), then the end.
        var problem: PostgresDatabase.StatementError?
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK && problem == nil {
                problem = PostgresDatabase.Session.error(result, connection: connection)
            }
            PQclear(result)
        }
        return problem
    }
}
