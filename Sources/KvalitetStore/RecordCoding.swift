import Kvalitet

/// How a response is kept in the store: every field exactly as the reader found it (raw text, so
/// scoring it again applies today's rules to the original answers), in a compact binary form.
/// The answer names are kept once per import (a "layout": a CSV file's header, or the items of
/// an XML response), the values in each response's record.
///
/// Layout: a version byte, then the line, the optional texts (respondent, municipality, service,
/// unit, period, set, subproject, status, invited, unit name), the names line, the background
/// variables (count, then name and value each) and the answer values (count, then each).
/// Numbers are LEB128 varints; an optional text is its UTF-8 length + 1 (0: absent) and bytes.
enum RecordCoding {
    static let version: UInt8 = 1

    struct Malformed: Error {}

    static func encode(_ record: ResponseRecord, into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(version)
        writeNumber(record.line, to: &bytes)
        for text in [
            record.respondent, record.municipality, record.service, record.unit, record.period, record.set,
            record.subproject, record.status, record.invited, record.unitName,
        ] {
            writeOptional(text, to: &bytes)
        }
        writeNumber(record.namesLine.map { $0 + 1 } ?? 0, to: &bytes)
        writeNumber(record.background.count, to: &bytes)
        for field in record.background {
            writeText(field.name, to: &bytes)
            writeText(field.value, to: &bytes)
        }
        writeNumber(record.answerValues.count, to: &bytes)
        for value in record.answerValues { writeText(value, to: &bytes) }
    }

    static func decode(_ bytes: [UInt8], names: [String]) throws -> ResponseRecord {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == version else { throw Malformed() }
        var record = ResponseRecord(line: try reader.number())
        record.respondent = try reader.optional()
        record.municipality = try reader.optional()
        record.service = try reader.optional()
        record.unit = try reader.optional()
        record.period = try reader.optional()
        record.set = try reader.optional()
        record.subproject = try reader.optional()
        record.status = try reader.optional()
        record.invited = try reader.optional()
        record.unitName = try reader.optional()
        let namesLine = try reader.number()
        record.namesLine = namesLine == 0 ? nil : namesLine - 1
        let backgroundCount = try reader.number()
        for _ in 0..<backgroundCount {
            record.background.append(.init(name: try reader.text(), value: try reader.text()))
        }
        let count = try reader.number()
        guard count == names.count else { throw Malformed() }
        record.answerNames = names
        record.answerValues.reserveCapacity(count)
        for _ in 0..<count { record.answerValues.append(try reader.text()) }
        return record
    }

    static func encodeNames(_ names: [String]) -> [UInt8] {
        var bytes: [UInt8] = [version]
        writeNumber(names.count, to: &bytes)
        for name in names { writeText(name, to: &bytes) }
        return bytes
    }

    static func decodeNames(_ bytes: [UInt8]) throws -> [String] {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == version else { throw Malformed() }
        let count = try reader.number()
        var names: [String] = []
        for _ in 0..<count { names.append(try reader.text()) }
        return names
    }

    private static func writeNumber(_ value: Int, to bytes: inout [UInt8]) {
        var rest = UInt64(max(0, value))
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private static func writeText(_ text: String, to bytes: inout [UInt8]) {
        writeNumber(text.utf8.count, to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    private static func writeOptional(_ text: String?, to bytes: inout [UInt8]) {
        guard let text else { return bytes.append(0) }
        writeNumber(text.utf8.count + 1, to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func byte() throws -> UInt8 {
            guard index < bytes.count else { throw Malformed() }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func number() throws -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                guard shift < 63 else { throw Malformed() }
                value |= UInt64(next & 0x7F) << shift
                if next & 0x80 == 0 { break }
                shift += 7
            }
            guard value <= UInt64(Int.max) else { throw Malformed() }
            return Int(value)
        }

        mutating func text(length: Int? = nil) throws -> String {
            let count = try length ?? number()
            guard count <= bytes.count - index else { throw Malformed() }
            defer { index += count }
            return String(decoding: bytes[index..<index + count], as: UTF8.self)
        }

        mutating func optional() throws -> String? {
            let stored = try number()
            return stored == 0 ? nil : try text(length: stored - 1)
        }
    }
}
