/// Splits a CSV byte stream into records of fields (RFC 4180: quoted fields may hold the
/// delimiter, `""` and line breaks), one record at a time, in constant memory.
///
/// Written here rather than taken from a CSV package: the available ones (SwiftCSV, CSV.swift)
/// read whole strings or go through `Character`s and `String` per byte, cannot fall back to
/// Windows-1252 per file, and do not report the physical line where each record starts, which
/// every message of FORMAT.md §7 needs.
struct CSVTokenizer {
    let source: ByteSource
    let delimiter: UInt8
    let encoding: TextEncoding
    /// Longest field accepted; beyond it the file is refused (an unclosed quote, or not a CSV).
    let maxFieldBytes: Int
    /// Longest record (its fields' bytes) and most fields in one record.
    let maxRecordBytes: Int
    let maxFields: Int
    private var recordBytes = 0

    /// Columns whose cells go to the `answers` of `nextRecord` (the rest to its `cells`).
    var answerColumns: [Bool] = []

    private var position = 0
    private var line = 1
    private var field: [UInt8] = []
    /// The column of the next field of the record being read.
    private var column = 0

    /// `startOffset` is a position in the source's current chunk; `line` the line it is on.
    init(source: ByteSource, delimiter: UInt8, encoding: TextEncoding, startOffset: Int, line: Int = 1,
        maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 8 << 20, maxFields: Int = 10_000)
    {
        self.maxRecordBytes = maxRecordBytes
        self.maxFields = maxFields
        self.source = source
        self.delimiter = delimiter
        self.encoding = encoding
        self.position = startOffset
        self.line = line
        self.maxFieldBytes = maxFieldBytes
        field.reserveCapacity(256)
    }

    /// The line the next record starts on.
    var currentLine: Int { line }

    /// The file offset of the next byte to read: after `nextRecord`, where the next record starts.
    var offset: Int { source.chunkOffset + position }

    private static let quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    /// The next byte, reading a new chunk when needed; nil at the end of the file.
    private mutating func next() throws(KvalitetError) -> UInt8? {
        if position >= source.count {
            guard try source.refill() else { return nil }
            position = 0
        }
        defer { position += 1 }
        return source.chunk[position]
    }

    private mutating func peek() throws(KvalitetError) -> UInt8? {
        if position >= source.count {
            guard try source.refill() else { return nil }
            position = 0
        }
        return source.chunk[position]
    }

    private mutating func append(_ byte: UInt8, recordLine: Int, limit: Bool = false) throws(KvalitetError) {
        guard field.count < maxFieldBytes && !limit else {
            throw KvalitetError(.inputRefused,
                "a field is longer than \(describeBytes(maxFieldBytes)) (an unclosed quote? limit: --max-field-mib)",
                at: SourceLocation(file: source.file.name, line: recordLine))
        }
        field.append(byte)
    }

    /// Counts a finished field against the record's limits.
    @inline(__always)
    private mutating func account(_ bytes: Int, fields: Int, recordLine: Int) throws(KvalitetError) {
        recordBytes += bytes + 1
        if recordBytes > maxRecordBytes {
            throw KvalitetError(.inputRefused,
                "a record is longer than \(describeBytes(maxRecordBytes)) (limit: --max-record-mib)",
                at: SourceLocation(file: source.file.name, line: recordLine))
        }
        if fields > maxFields {
            throw KvalitetError(.inputRefused, "a record has more than \(maxFields) fields (limit: --max-columns)",
                at: SourceLocation(file: source.file.name, line: recordLine))
        }
    }

    /// Whether field `column` of a record goes to the answers.
    @inline(__always)
    private func isAnswer(_ column: Int) -> Bool { column < answerColumns.count && answerColumns[column] }

    private mutating func finishField(into cells: inout RawCells, answers: inout RawCells, recordLine: Int) throws(KvalitetError) {
        field.withUnsafeBufferPointer { field in
            if isAnswer(column) { answers.append(field) } else { cells.append(field) }
        }
        column += 1
        try account(field.count, fields: column, recordLine: recordLine)
        field.removeAll(keepingCapacity: true)
    }

    /// What ended a field.
    private enum Terminator {
        case delimiter, newline, end
    }

    /// Reads the next record into `fields`, as text (a tokenizer without `answerColumns`);
    /// returns the line it starts on, or nil at the end. A blank line yields a record of one
    /// empty field.
    mutating func nextRecord(into fields: inout [String]) throws(KvalitetError) -> Int? {
        precondition(answerColumns.isEmpty, "fields as text come in column order")
        var cells = RawCells(encoding: encoding)
        var answers = RawCells(encoding: encoding)
        let line = try nextRecord(into: &cells, answers: &answers)
        fields = (0..<cells.count).map { cells.text($0) }
        return line
    }

    /// Reads the next record's cells as bytes: those of `answerColumns` into `answers`, the others
    /// into `cells` (both in column order); returns the line it starts on, or nil at the end.
    mutating func nextRecord(into cells: inout RawCells, answers: inout RawCells) throws(KvalitetError) -> Int? {
        cells.removeAll()
        answers.removeAll()
        cells.encoding = encoding
        answers.encoding = encoding
        column = 0
        recordBytes = 0
        let recordLine = line
        if position >= source.count {
            guard try source.refill() else { return nil }
            position = 0
        }
        while true {
            // Fast path: an unquoted field that ends inside this chunk becomes a String straight
            // from the chunk's bytes.
            if position < source.count, source.chunk[position] != Self.quote {
                let (start, count, delimiter, bytes) = (position, source.count, self.delimiter, source.chunk)
                var stop = -1
                var index = start
                while index < count {
                    let byte = bytes[index]
                    if byte == delimiter || byte == Self.lf || byte == Self.cr {
                        stop = index
                        break
                    }
                    index += 1
                }
                if stop >= 0 {
                    if stop - start > maxFieldBytes { try append(0, recordLine: recordLine, limit: true) }
                    let cell = UnsafeBufferPointer(rebasing: bytes[start..<stop])
                    if isAnswer(column) { answers.append(cell) } else { cells.append(cell) }
                    column += 1
                    try account(stop - start, fields: column, recordLine: recordLine)
                    let terminator = bytes[stop]
                    position = stop + 1
                    if terminator == delimiter { continue }
                    if terminator == Self.cr, try peek() == Self.lf { position += 1 }
                    line += 1
                    return recordLine
                }
            }
            switch try slowField(into: &cells, answers: &answers, recordLine: recordLine) {
            case .delimiter: continue
            case .newline, .end: return recordLine
            }
        }
    }

    /// One field byte by byte: a quoted one, or one that runs past the end of the chunk.
    private mutating func slowField(into cells: inout RawCells, answers: inout RawCells, recordLine: Int) throws(KvalitetError) -> Terminator {
        field.removeAll(keepingCapacity: true)
        guard var byte = try next() else {
            try finishField(into: &cells, answers: &answers, recordLine: recordLine)
            return .end
        }
        if byte == Self.quote {
            // Quoted field: runs to the next quote that is not doubled.
            while true {
                guard let inner = try next() else {
                    throw KvalitetError(.inputRefused, "a quoted field is never closed",
                        at: SourceLocation(file: source.file.name, line: recordLine))
                }
                if inner == Self.quote {
                    if try peek() == Self.quote {
                        position += 1
                        try append(Self.quote, recordLine: recordLine)
                        continue
                    }
                    break
                }
                if inner == Self.lf { line += 1 }
                try append(inner, recordLine: recordLine)
            }
            // Text after the closing quote (not RFC 4180, but Excel users type it) is kept.
            guard let after = try next() else {
                try finishField(into: &cells, answers: &answers, recordLine: recordLine)
                return .end
            }
            byte = after
        }
        while true {
            if byte == delimiter {
                try finishField(into: &cells, answers: &answers, recordLine: recordLine)
                return .delimiter
            }
            if byte == Self.lf || byte == Self.cr {
                if byte == Self.cr, try peek() == Self.lf { position += 1 }
                line += 1
                try finishField(into: &cells, answers: &answers, recordLine: recordLine)
                return .newline
            }
            try append(byte, recordLine: recordLine)
            guard let following = try next() else {
                try finishField(into: &cells, answers: &answers, recordLine: recordLine)
                return .end
            }
            byte = following
        }
    }
}
