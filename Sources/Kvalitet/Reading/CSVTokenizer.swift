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

    /// Columns whose cells are kept as bytes in `raw` (an empty string takes their place in
    /// the fields): the answers, for a sink that classifies them from their bytes.
    var rawColumns: [Bool] = []
    var raw = RawCells()

    private var position = 0
    private var line = 1
    private var field: [UInt8] = []

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
        raw.encoding = encoding
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

    private mutating func finishField(into fields: inout [String], recordLine: Int) throws(KvalitetError) {
        if fields.count < rawColumns.count && rawColumns[fields.count] {
            raw.bytes.append(contentsOf: field)
            raw.ends.append(raw.bytes.count)
            fields.append("")
        } else {
            fields.append(field.withUnsafeBufferPointer { encoding.decode($0) })
        }
        try account(field.count, fields: fields.count, recordLine: recordLine)
        field.removeAll(keepingCapacity: true)
    }

    /// What ended a field.
    private enum Terminator {
        case delimiter, newline, end
    }

    /// Reads the next record into `fields`; returns the line it starts on, or nil at the end.
    /// A blank line yields a record of one empty field.
    mutating func nextRecord(into fields: inout [String]) throws(KvalitetError) -> Int? {
        fields.removeAll(keepingCapacity: true)
        raw.removeAll()
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
                    if fields.count < rawColumns.count && rawColumns[fields.count] {
                        // Most answer cells are one byte: appended as such (cheaper than a copy).
                        if cell.count == 1 { raw.bytes.append(cell[0]) } else { raw.bytes.append(contentsOf: cell) }
                        raw.ends.append(raw.bytes.count)
                        fields.append("")
                    } else {
                        fields.append(encoding.decode(cell))
                    }
                    try account(stop - start, fields: fields.count, recordLine: recordLine)
                    let terminator = bytes[stop]
                    position = stop + 1
                    if terminator == delimiter { continue }
                    if terminator == Self.cr, try peek() == Self.lf { position += 1 }
                    line += 1
                    return recordLine
                }
            }
            switch try slowField(into: &fields, recordLine: recordLine) {
            case .delimiter: continue
            case .newline, .end: return recordLine
            }
        }
    }

    /// One field byte by byte: a quoted one, or one that runs past the end of the chunk.
    private mutating func slowField(into fields: inout [String], recordLine: Int) throws(KvalitetError) -> Terminator {
        field.removeAll(keepingCapacity: true)
        guard var byte = try next() else {
            try finishField(into: &fields, recordLine: recordLine)
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
                try finishField(into: &fields, recordLine: recordLine)
                return .end
            }
            byte = after
        }
        while true {
            if byte == delimiter {
                try finishField(into: &fields, recordLine: recordLine)
                return .delimiter
            }
            if byte == Self.lf || byte == Self.cr {
                if byte == Self.cr, try peek() == Self.lf { position += 1 }
                line += 1
                try finishField(into: &fields, recordLine: recordLine)
                return .newline
            }
            try append(byte, recordLine: recordLine)
            guard let following = try next() else {
                try finishField(into: &fields, recordLine: recordLine)
                return .end
            }
            byte = following
        }
    }
}
