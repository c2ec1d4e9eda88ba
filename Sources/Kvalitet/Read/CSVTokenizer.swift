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
    /// Where `wholeRecord` splits a record before handing its cells over.
    private let scratch = Scratch()
    /// Whether records are read by `wholeRecord` where they can be (tests compare it with the
    /// general path).
    var readsWholeRecords = true

    /// `startOffset` is a position in the source's current chunk; `line` the line it is on.
    init(
        source: ByteSource, delimiter: UInt8, encoding: TextEncoding, startOffset: Int, line: Int = 1,
        maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 8 << 20, maxFields: Int = 10_000
    ) {
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
            throw KvalitetError(
                .inputRefused,
                "a field is longer than \(describeBytes(maxFieldBytes)) (an unclosed quote? limit: --max-field-mib)",
                nb:
                    "et felt er lengre enn \(describeBytes(maxFieldBytes)) (et anførselstegn som ikke lukkes? grense: --max-field-mib)",
                at: SourceLocation(file: source.file.name, line: recordLine))
        }
        field.append(byte)
    }

    /// Counts a finished field against the record's limits.
    @inline(__always)
    private mutating func account(_ bytes: Int, fields: Int, recordLine: Int) throws(KvalitetError) {
        recordBytes += bytes + 1
        if recordBytes > maxRecordBytes {
            throw KvalitetError(
                .inputRefused,
                "a record is longer than \(describeBytes(maxRecordBytes)) (limit: --max-record-mib)",
                nb: "en rad er lengre enn \(describeBytes(maxRecordBytes)) (grense: --max-record-mib)",
                at: SourceLocation(file: source.file.name, line: recordLine))
        }
        if fields > maxFields {
            throw KvalitetError(
                .inputRefused, "a record has more than \(maxFields) fields (limit: --max-columns)",
                nb: "en rad har mer enn \(maxFields) felt (grense: --max-columns)",
                at: SourceLocation(file: source.file.name, line: recordLine))
        }
    }

    /// Whether field `column` of a record goes to the answers.
    @inline(__always)
    private func isAnswer(_ column: Int) -> Bool { column < answerColumns.count && answerColumns[column] }

    private mutating func finishField(into cells: inout RawCells, answers: inout RawCells, recordLine: Int) throws(KvalitetError)
    {
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
        if readsWholeRecords && wholeRecord(into: &cells, answers: &answers) {
            line += 1
            return recordLine
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

    /// Reads a record that lies whole in the chunk, ends in a line break and has no quote (most
    /// records) in one pass over the chunk's bytes: its cells are split into `scratch` and
    /// handed to `cells` and `answers` in four bulk appends (appending cell by cell checked the
    /// arrays' uniqueness and capacity twice per cell). Returns false, having read nothing, for
    /// any other record and for one beyond a limit: the general path reads it (and reports it).
    private mutating func wholeRecord(into cells: inout RawCells, answers: inout RawCells) -> Bool {
        let (bytes, count, start, delimiter) = (source.chunk, source.count, position, self.delimiter)
        guard let base = bytes.baseAddress else { return false }
        // The line end, eight bytes at a time while none is a quote, CR or LF.
        var end = start
        while end + 8 <= count, !Self.hasQuoteOrLineBreak(UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)) {
            end += 8
        }
        while end < count {
            let byte = base[end]
            if byte == Self.quote { return false }
            if byte == Self.lf || byte == Self.cr { break }
            end += 1
        }
        guard end < count else { return false }  // the line ends in a later chunk (or the file does)
        var next = end + 1
        if base[end] == Self.cr {
            guard next < count else { return false }  // an LF may follow in the next chunk
            if base[next] == Self.lf { next += 1 }
        }
        // Every field's bytes and a separator (or the line end) each: the record's bytes.
        guard end - start + 1 <= maxRecordBytes else { return false }
        scratch.reserve(end - start + 1)
        let (keyBytes, keyEnds, answerBytes, answerEnds) = (
            scratch.keyBytes, scratch.keyEnds, scratch.answerBytes, scratch.answerEnds
        )
        var (keyCount, keyLength, answerCount, answerLength) = (0, 0, 0, 0)
        let (maxFieldBytes, maxFields) = (self.maxFieldBytes, self.maxFields)
        let split = answerColumns.withUnsafeBufferPointer { mask -> Bool in
            var fieldStart = start
            var column = 0
            while true {
                var stop = fieldStart
                while stop < end && base[stop] != delimiter { stop += 1 }
                let length = stop - fieldStart
                column += 1
                if length > maxFieldBytes || column > maxFields { return false }
                if column <= mask.count && mask[column - 1] {
                    if length == 1 {
                        answerBytes[answerLength] = base[fieldStart]
                    } else {
                        (answerBytes + answerLength).update(from: base + fieldStart, count: length)
                    }
                    answerLength += length
                    answerEnds[answerCount] = answerLength
                    answerCount += 1
                } else {
                    if length == 1 {
                        keyBytes[keyLength] = base[fieldStart]
                    } else {
                        (keyBytes + keyLength).update(from: base + fieldStart, count: length)
                    }
                    keyLength += length
                    keyEnds[keyCount] = keyLength
                    keyCount += 1
                }
                if stop == end { return true }
                fieldStart = stop + 1
            }
        }
        guard split else { return false }
        cells.bytes.append(contentsOf: UnsafeBufferPointer(start: keyBytes, count: keyLength))
        cells.ends.append(contentsOf: UnsafeBufferPointer(start: keyEnds, count: keyCount))
        answers.bytes.append(contentsOf: UnsafeBufferPointer(start: answerBytes, count: answerLength))
        answers.ends.append(contentsOf: UnsafeBufferPointer(start: answerEnds, count: answerCount))
        position = next
        return true
    }

    /// Whether any of the eight bytes in `word` is a quote, CR or LF (most of a file's words have
    /// none, so scans skip them whole).
    @inline(__always)
    static func hasQuoteOrLineBreak(_ word: UInt64) -> Bool {
        @inline(__always) func hasZeroByte(_ word: UInt64) -> Bool {
            (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
        }
        return hasZeroByte(word ^ 0x2222_2222_2222_2222) || hasZeroByte(word ^ 0x0D0D_0D0D_0D0D_0D0D)
            || hasZeroByte(word ^ 0x0A0A_0A0A_0A0A_0A0A)
    }

    /// One field byte by byte: a quoted one, or one that runs past the end of the chunk.
    private mutating func slowField(
        into cells: inout RawCells, answers: inout RawCells, recordLine: Int
    ) throws(KvalitetError) -> Terminator {
        field.removeAll(keepingCapacity: true)
        guard var byte = try next() else {
            try finishField(into: &cells, answers: &answers, recordLine: recordLine)
            return .end
        }
        if byte == Self.quote {
            // Quoted field: runs to the next quote that is not doubled.
            while true {
                guard let inner = try next() else {
                    throw KvalitetError(
                        .inputRefused, "a quoted field is never closed", nb: "et felt i anførselstegn lukkes aldri",
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

/// The buffers `CSVTokenizer.wholeRecord` splits a record into: cells' bytes and ends, the
/// keys' and the answers' apart, grown to the longest record seen.
private final class Scratch {
    private(set) var capacity = 0
    private(set) var keyBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)
    private(set) var answerBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)
    private(set) var keyEnds = UnsafeMutablePointer<Int>.allocate(capacity: 0)
    private(set) var answerEnds = UnsafeMutablePointer<Int>.allocate(capacity: 0)

    /// Room for a record of `bytes` bytes (it has at most that many cells, each at most that long).
    func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        release()
        capacity = max(bytes, 2 * capacity, 256)
        keyBytes = .allocate(capacity: capacity)
        answerBytes = .allocate(capacity: capacity)
        keyEnds = .allocate(capacity: capacity)
        answerEnds = .allocate(capacity: capacity)
    }

    private func release() {
        keyBytes.deallocate()
        answerBytes.deallocate()
        keyEnds.deallocate()
        answerEnds.deallocate()
    }

    deinit { release() }
}
