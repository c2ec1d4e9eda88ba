import CLibXML2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads responses from XML files (FORMAT.md §3) as a stream with libxml2's SAX2 push parser:
/// the file is fed in 64 KiB chunks and no tree is built, so memory stays constant.
///
/// Hostile files: network access is off, external entities and DTDs are never loaded, entities
/// are never substituted, and a document with a `<!DOCTYPE>` is refused outright (the format
/// needs none), which rules out "billion laughs" and external-entity file reads.
public struct XMLResponseReader: ResponseReader {
    public var name: String { "xml" }
    public var fileExtensions: Set<String> { ["xml"] }

    /// Deepest nesting of elements accepted (the format needs 4: survey, unit, response, answer).
    public var maxDepth: Int
    /// Longest text of one answer or background value.
    public var maxTextBytes: Int

    public init(maxDepth: Int = 32, maxTextBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxTextBytes = maxTextBytes
    }

    /// Parser options: no network, no DTD loading, no entity substitution, no libxml2 messages
    /// on standard error (errors are collected), no "huge" relaxations.
    static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// What the SAX callbacks build up; the reading loop hands it to the sink after each chunk.
    final class State {
        enum Event {
            case record(ResponseRecord)
            case problem(Problem)
        }

        enum TextTarget {
            case none
            case answer(String)
            case background(String)
        }

        let file: InputFile
        var parser: xmlParserCtxtPtr?
        var events: [Event] = []
        /// The first fatal condition: libxml2's error, or one of ours (DOCTYPE, root element).
        var failure: (message: String, line: Int?, column: Int?)?
        /// Whether `failure` is ours (said as it is) rather than libxml2's well-formedness error.
        var refusedByUs = false
        var sawSurvey = false
        var survey: (set: String?, municipality: String?, period: String?) = (nil, nil, nil)
        var unit: (id: String?, service: String?, subproject: String?, invited: String?, name: String?)?
        var inResponse = false
        var record = ResponseRecord(line: 0)
        var target = TextTarget.none
        /// The previous response's answer names: a response naming the same items in the same order
        /// (as exports do) shares this array instead of making its own, which spares a string per
        /// answer here and lets the collector map answers to items by position without comparing.
        var sharedNames: [String] = []
        /// Answers of the current response so far, and whether their names left `sharedNames`
        /// (the record then builds its own).
        var answerCount = 0
        var namesDiverged = false
        var text = ""
        var depth = 0
        var warnedElements: Set<String> = []
        /// Reading a part of a file: file offset = `xmlByteConsumed` − `markBase` (the part's
        /// document starts with a made-up opening; see `XMLResponseReader+Parts`).
        var markBase = 0
        /// Where the next part starts: the first element that starts after it ends this part.
        var stopAfter: Int?
        /// The first element that started after `firstAfter` (a part's first response) and the
        /// one that ended the part.
        var firstAfter: Int?
        var first: Boundary?
        var stop: Boundary?
        let maxDepth: Int
        let maxTextBytes: Int

        /// The open survey's and unit's attributes, as responses take them.
        var context: Context {
            Context(
                survey: [survey.set, survey.municipality, survey.period],
                unit: unit.map { [$0.id, $0.service, $0.subproject, $0.invited, $0.name] })
        }

        init(file: InputFile, maxDepth: Int, maxTextBytes: Int) {
            self.file = file
            self.maxDepth = maxDepth
            self.maxTextBytes = maxTextBytes
        }

        var line: Int { parser.map { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer($0))) } ?? 0 }

        /// Where the parser is, in bytes of the file (at an element's start: just past its name
        /// and attributes).
        var mark: Int { parser.map { Int(xmlByteConsumed($0)) - markBase } ?? 0 }

        func stop(_ message: String) {
            if failure == nil {
                failure = (message, line, nil)
                refusedByUs = true
            }
            if let parser { xmlStopParser(parser) }
        }
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        let source = try ByteSource(file, chunkSize: 1 << 16)
        // A regular file of 0 bytes (a pipe is not looked at before it is parsed: it cannot be read twice).
        if source.isEmptyRegularFile { throw KvalitetError.emptyFile(file) }
        let state = State(file: file, maxDepth: maxDepth, maxTextBytes: maxTextBytes)
        let parsing = Parsing(source: source, state: state)
        // libxml2 parses on a thread of its own while this one hands the responses to the sink:
        // parsing is about half of an XML run, collecting the other half.
        let thread = Thread { parsing.run() }
        thread.stackSize = 1 << 22
        thread.start()
        defer { parsing.handOver.stop() }
        while let batch = try parsing.handOver.next() {
            for event in batch {
                switch event {
                case .record(let record): try sink.receive(record, from: file)
                case .problem(let problem): try sink.report(problem)
                }
            }
        }
    }

    /// The parsing thread: parses `source` and hands the events over in batches, in file order
    /// (``HandOver``: at most a few wait, so memory stays bounded whatever the file's size).
    final class Parsing: @unchecked Sendable {
        // @unchecked: `source` and `state` are used by the parsing thread only; `handOver` is
        // thread-safe.
        private let source: ByteSource
        private let state: State
        let handOver = HandOver<[State.Event]>()

        init(source: ByteSource, state: State) {
            self.source = source
            self.state = state
        }

        func run() {
            do {
                try XMLResponseReader.parse(source: source, prefix: nil, state: state) {
                    let events = state.events
                    state.events = []
                    return handOver.put(events, isEmpty: events.isEmpty)
                }
                handOver.end(nil)
            } catch {
                handOver.end(error)
            }
        }
    }

    /// Parses `source` (from where it stands, after `prefix` when given) with the callbacks
    /// filling `state`; after each chunk `handOver` takes the events (false: stop reading).
    /// Ends early, without the end-of-document checks, when the callbacks set `state.stop`.
    static func parse(source: ByteSource, prefix: [UInt8]?, state: State, handOver: () throws -> Bool) throws {
        let file = state.file
        var handler = XMLResponseReader.handler()
        let context = Unmanaged.passUnretained(state).toOpaque()
        guard let parser = xmlCreatePushParserCtxt(&handler, context, nil, 0, file.url.path) else {
            throw KvalitetError(
                .inputRefused, "cannot open the file as XML", nb: "kan ikke åpne filen som XML",
                at: SourceLocation(file: file.name))
        }
        defer { xmlFreeParserCtxt(parser) }
        xmlCtxtUseOptions(parser, XMLResponseReader.options)
        state.parser = parser

        func refusal() -> KvalitetError {
            var message = state.failure?.message ?? "parse error"
            if state.refusedByUs {
                return KvalitetError(
                    .inputRefused, message, at: SourceLocation(file: file.name, line: state.failure?.line))
            }
            // A document that ends with elements still open: say what it means for an export file.
            if (message.hasPrefix("Extra content at the end")
                || message.hasPrefix("Premature end of data")) && state.sawSurvey
            {
                message = "the file ends before its elements are closed (cut off?)"
            }
            return KvalitetError(
                .inputRefused, "not well-formed XML: \(message); nothing of the file is counted",
                nb: "ikke velformet XML: \(message); ingenting i filen telles",
                at: SourceLocation(
                    file: file.name, line: state.failure?.line, column: state.failure?.column))
        }
        if let prefix {
            let status = prefix.withUnsafeBufferPointer {
                $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: $0.count) {
                    xmlParseChunk(parser, $0, Int32(prefix.count), 0)
                }
            }
            if state.failure != nil || status != 0 { throw refusal() }
        }
        var scanner = XMLTagScanner(maxValueBytes: state.maxTextBytes)
        while try source.refill() {
            if let (reason, index) = scanner.scan(UnsafeBufferPointer(rebasing: source.chunk[0..<source.count])) {
                let (line, column) = try XMLTagScanner.position(ofByte: source.chunkOffset + index, in: file)
                throw KvalitetError(.inputRefused, reason, at: SourceLocation(file: file.name, line: line, column: column))
            }
            let status = source.chunk.baseAddress!.withMemoryRebound(
                to: CChar.self, capacity: source.count
            ) {
                xmlParseChunk(parser, $0, Int32(source.count), 0)
            }
            if state.stop != nil {
                _ = try handOver()
                return
            }
            if state.failure != nil || status != 0 { throw refusal() }
            if try !handOver() { return }
        }
        let status = xmlParseChunk(parser, nil, 0, 1)
        if state.stop != nil {
            _ = try handOver()
            return
        }
        if state.failure != nil || status != 0 { throw refusal() }
        if try !handOver() { return }
        if !state.sawSurvey {
            throw KvalitetError(
                .inputRefused, "the file has no <survey> element", nb: "filen har ikke noe <survey>-element",
                at: SourceLocation(file: file.name))
        }
    }
}
