import CLibXML2

/// Reading one large XML file in parts at once, on several cores (issue #6).
///
/// A part other than the first starts at the beginning of a line whose first markup is a
/// `<response>` start tag, found by looking at the bytes. It is parsed as a document of its own:
/// the file's `<survey>` start tag and the start tag of the `<unit>` before that line, copied
/// from the file, then the file from that line on. The part before it reads on until the first
/// element that starts after that line and stops there. The split is only taken when both agree
/// on that element: the same position in the file, a `<response>` at depth 2 in both, with the
/// same survey and unit attributes. Then the earlier part's document, at that point, had exactly
/// the survey and the unit open that the later part's opening opens, so the later part parses
/// what the file holds there, and the parts together parse the file exactly as one read does
/// (well-formedness included). Anything else (a `<response` inside a comment, a start tag found
/// in the wrong place, a part that failed before its boundary) and the file is read again in one
/// go: splitting never changes a result.
///
/// Lines: a later part counts lines from its made-up opening; the line of the shared element in
/// both parts gives the shift to the file's numbering (the part starts at a line's start, so
/// columns agree).
extension XMLResponseReader {
    /// The attributes the responses of a unit take from their `<survey>` and `<unit>`.
    struct Context: Equatable, Sendable {
        var survey: [String?]
        var unit: [String?]?
    }

    /// An element where one part ends and the next begins: its position in the file (just past
    /// its start tag's name and attributes), its line (in the part's numbering) and, when it is a
    /// `<response>` in a `<unit>`, the context it is read in.
    struct Boundary: Equatable, Sendable {
        var mark: Int
        var line: Int
        var context: Context?
    }

    /// Where a part starts: a line's start in the file, and the made-up opening put before it.
    struct PartStart: Sendable {
        var offset: Int
        var prefix: [UInt8]
    }

    /// How a part's read ended.
    struct PartOutcome {
        /// The part's first element after its opening (nil for the first part, or when it has none).
        var first: Boundary?
        /// The element that ended the part (nil for the last part, or when the file ended first).
        var stop: Boundary?
        var error: (any Error)?
    }

    /// The starts of up to `parts` parts of about equal size (the first at the file's start), or
    /// nil when the file is too small or cannot be split safely (an encoding other than UTF-8, no
    /// survey or unit start tag where expected).
    func partStarts(of file: InputFile, parts: Int, minimumPartBytes: Int) throws(KvalitetError) -> [PartStart]? {
        let source = try ByteSource(file, chunkSize: 1 << 16)
        let size = source.size()
        guard parts >= 2, size >= parts * minimumPartBytes else { return nil }
        guard try source.refill() else { return nil }
        let head = Array(source.chunk[0..<source.count])
        // Only UTF-8 (with or without BOM, declared or not): the opening is copied as bytes.
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0x3C, 0x00]) { return nil }
        if let declarationEnd = Self.find(Array("?>".utf8), in: head[...]),
            head.starts(with: Array("<?xml".utf8)) || head.starts(with: [0xEF, 0xBB, 0xBF] + Array("<?xml".utf8))
        {
            let declaration = String(decoding: head[..<declarationEnd], as: UTF8.self).lowercased()
            if declaration.contains("encoding"),
                !(declaration.contains("\"utf-8\"") || declaration.contains("'utf-8'"))
            {
                return nil
            }
            // The opening says XML 1.0; a document of another version is read in one go.
            if declaration.contains("1.1") { return nil }
        }
        guard let survey = Self.startTag("survey", in: head[...]) else { return nil }
        var starts = [PartStart(offset: 0, prefix: [])]
        for index in 1..<parts {
            let target = size * index / parts
            guard target > starts.last!.offset,
                let offset = try Self.responseLine(in: source, from: target, size: size),
                offset > starts.last!.offset,
                let unit = try Self.unitTag(in: source, before: offset)
            else { continue }
            let prefix =
                Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8) + survey + Array("\n".utf8) + unit + Array("\n".utf8)
            starts.append(PartStart(offset: offset, prefix: prefix))
        }
        return starts.count >= 2 ? starts : nil
    }

    /// Reads part `index` of `starts` into `sink`; never throws (the outcome says how it ended).
    func readPart<Sink: ResponseSink>(_ file: InputFile, starts: [PartStart], index: Int, into sink: inout Sink) -> PartOutcome {
        var outcome = PartOutcome()
        let state = State(file: file, maxDepth: maxDepth, maxTextBytes: maxTextBytes)
        let start = starts[index]
        if index > 0 {
            state.markBase = start.prefix.count - start.offset
            state.firstAfter = start.offset
        }
        if index + 1 < starts.count { state.stopAfter = starts[index + 1].offset }
        do {
            let source = try ByteSource(file)
            try source.seek(to: start.offset)
            try Self.parse(source: source, prefix: index > 0 ? start.prefix : nil, state: state) {
                let events = state.events
                state.events = []
                for event in events {
                    switch event {
                    case .record(let record): try sink.receive(record, from: file)
                    case .problem(let problem): try sink.report(problem)
                    }
                }
                return true
            }
        } catch {
            outcome.error = error
        }
        outcome.first = state.first
        outcome.stop = state.stop
        return outcome
    }

    /// The responses of part `index` that start at `marks` (to take back a duplicate), in order.
    func records(_ file: InputFile, starts: [PartStart], index: Int, marks: Set<Int>) throws -> [ResponseRecord] {
        struct Picking: ResponseSink {
            let marks: Set<Int>
            var found: [ResponseRecord] = []
            mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
                if let mark = record.offset, marks.contains(mark) { found.append(record) }
            }
            mutating func report(_ problem: Problem) throws {}
        }
        var picking = Picking(marks: marks)
        let outcome = readPart(file, starts: starts, index: index, into: &picking)
        if let error = outcome.error { throw error }
        return picking.found
    }

    // MARK: Finding the starts

    /// The first occurrence of `pattern` in `bytes` (its index in `bytes`' indices).
    static func find(_ pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = bytes.startIndex
        while index + pattern.count <= bytes.endIndex {
            if bytes[index] == first && bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `byte` may follow an element name in a start tag.
    private static func endsName(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x3E || byte == 0x2F
    }

    /// The bytes of the first `<name …>` start tag in `bytes` (quotes respected: `>` may stand
    /// in an attribute value), or nil.
    static func startTag(_ name: String, in bytes: ArraySlice<UInt8>) -> [UInt8]? {
        let pattern = Array("<\(name)".utf8)
        var from = bytes.startIndex
        while let start = find(pattern, in: bytes[from...]) {
            let after = start + pattern.count
            guard after < bytes.endIndex else { return nil }
            if endsName(bytes[after]) {
                var quote: UInt8 = 0
                var index = after
                while index < bytes.endIndex {
                    let byte = bytes[index]
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == 0x22 || byte == 0x27 {
                        quote = byte
                    } else if byte == 0x3E {
                        // A self-closing tag opens nothing.
                        return bytes[index - 1] == 0x2F ? nil : Array(bytes[start...index])
                    }
                    index += 1
                }
                return nil
            }
            from = after
        }
        return nil
    }

    /// The start of the first line at or after `from` whose first markup is `<response`.
    private static func responseLine(in source: ByteSource, from: Int, size: Int) throws(KvalitetError) -> Int? {
        let window = 1 << 20
        var offset = from
        while offset < size {
            try source.seek(to: offset)
            var bytes: [UInt8] = []
            while bytes.count < window + 64, try source.refill() { bytes += source.chunk[0..<source.count] }
            if bytes.isEmpty { return nil }
            var index = 0
            while let newline = bytes[index...].firstIndex(of: 0x0A) {
                var cursor = newline + 1
                while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor += 1 }
                let pattern = Array("<response".utf8)
                if cursor + pattern.count < bytes.count, bytes[cursor..<(cursor + pattern.count)].elementsEqual(pattern),
                    endsName(bytes[cursor + pattern.count])
                {
                    return offset + newline + 1
                }
                index = newline + 1
                if index >= window { break }
            }
            offset += min(window, bytes.count)
        }
        return nil
    }

    /// The `<unit …>` start tag nearest before `offset`, looking back at most 64 MiB.
    private static func unitTag(in source: ByteSource, before offset: Int) throws(KvalitetError) -> [UInt8]? {
        let window = 1 << 20
        var end = offset
        while end > 0 && offset - end < 64 << 20 {
            let start = max(0, end - window)
            try source.seek(to: start)
            var bytes: [UInt8] = []
            // Read the window and a little more, so a tag across its end is whole.
            while bytes.count < end - start + 4096, try source.refill() { bytes += source.chunk[0..<source.count] }
            let limit = min(bytes.count, end - start)
            var index = limit - 1
            let pattern = Array("<unit".utf8)
            while index >= 0 {
                if bytes[index] == 0x3C, index + pattern.count < bytes.count,
                    bytes[index..<(index + pattern.count)].elementsEqual(pattern),
                    let tag = startTag("unit", in: bytes[index...]), index + tag.count <= offset - start
                {
                    return tag
                }
                index -= 1
            }
            // Overlap by a tag's worth, so a tag across the window's start is found.
            end = start + (start > 0 ? 4096 : 0)
            if start == 0 { break }
        }
        return nil
    }
}

extension XMLResponseReader: SplittableReader {
    public struct Plan: Sendable {
        let starts: [PartStart]
    }

    /// The element where a part stopped and the first one after its opening.
    public struct End: Sendable {
        let first: Boundary?
        let stop: Boundary?
    }

    public var capabilities: ReaderCapabilities { [.recordOffsets] }

    public func plan(_ file: InputFile, parts: Int, minimumPartBytes: Int) throws(KvalitetError) -> Plan? {
        try partStarts(of: file, parts: parts, minimumPartBytes: minimumPartBytes).map(Plan.init)
    }

    public func partCount(of plan: Plan) -> Int { plan.starts.count }

    public func readPart<Sink: ResponseSink>(_ file: InputFile, plan: Plan, index: Int, into sink: inout Sink) -> PartRead<End> {
        let outcome = readPart(file, starts: plan.starts, index: index, into: &sink)
        return PartRead(end: End(first: outcome.first, stop: outcome.stop), error: outcome.error)
    }

    /// Each part's shift: the shared element's line in the part before, in the file's numbering,
    /// less its line in the part's own; nil when two parts do not meet at the same `<response>`
    /// in the same survey and unit.
    public func lineShifts(_ plan: Plan, ends: [End]) -> [Int]? {
        var shifts = [0]
        for index in 1..<ends.count {
            guard let stop = ends[index - 1].stop, let first = ends[index].first,
                stop.context != nil, stop.mark == first.mark, stop.context == first.context
            else { return nil }
            shifts.append(shifts[index - 1] + stop.line - first.line)
        }
        return shifts
    }

    public func records(_ file: InputFile, plan: Plan, part index: Int, at starts: [RecordStart]) throws -> [ResponseRecord] {
        try records(file, starts: plan.starts, index: index, marks: Set(starts.map(\.offset)))
    }
}
