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
      Context(survey: [survey.set, survey.municipality, survey.period],
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
    let state = State(file: file, maxDepth: maxDepth, maxTextBytes: maxTextBytes)
    let parsing = Parsing(source: source, state: state)
    // libxml2 parses on a thread of its own while this one hands the responses to the sink:
    // parsing is about half of an XML run, collecting the other half.
    let thread = Thread { parsing.run() }
    thread.stackSize = 1 << 22
    thread.start()
    defer { parsing.finish() }
    while let batch = parsing.next() {
      for event in batch {
        switch event {
        case .record(let record): try sink.receive(record, from: file)
        case .problem(let problem): try sink.report(problem)
        }
      }
    }
    if let error = parsing.error { throw error }
  }

  /// The parsing thread and the batches of events it hands over, in file order. At most a few
  /// batches wait, so memory stays bounded whatever the file's size.
  final class Parsing: @unchecked Sendable {
    // @unchecked: `source` and `state` are used by the parsing thread only; the rest is guarded
    // by `condition`.
    private let source: ByteSource
    private let state: State
    private let condition = NSCondition()
    private var batches: [[State.Event]] = []
    private var done = false
    private var stopped = false
    private(set) var error: (any Error)?
    private static let capacity = 4

    init(source: ByteSource, state: State) {
      self.source = source
      self.state = state
    }

    /// The next batch, nil when parsing has ended (then `error` says how).
    func next() -> [State.Event]? {
      condition.lock()
      defer { condition.unlock() }
      while batches.isEmpty && !done { condition.wait() }
      if batches.isEmpty { return nil }
      condition.signal()
      return batches.removeFirst()
    }

    /// Stops the parsing thread (the sink gave up, or reading ended) and waits for it.
    func finish() {
      condition.lock()
      stopped = true
      condition.broadcast()
      while !done { condition.wait() }
      condition.unlock()
    }

    private func hand(_ events: [State.Event]) -> Bool {
      condition.lock()
      defer { condition.unlock() }
      while batches.count >= Self.capacity && !stopped { condition.wait() }
      if stopped { return false }
      if !events.isEmpty { batches.append(events) }
      condition.signal()
      return true
    }

    private func end(_ error: (any Error)?) {
      condition.lock()
      self.error = error
      done = true
      condition.broadcast()
      condition.unlock()
    }

    func run() {
      do {
        try parse()
        end(nil)
      } catch {
        end(error)
      }
    }

    private func parse() throws {
      try XMLResponseReader.parse(source: source, prefix: nil, state: state) {
        let events = state.events
        state.events = []
        return hand(events)
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
          .inputRefused, "cannot open the file as XML", at: SourceLocation(file: file.name))
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
        if state.stop != nil { _ = try handOver(); return }
        if state.failure != nil || status != 0 { throw refusal() }
        if try !handOver() { return }
      }
      let status = xmlParseChunk(parser, nil, 0, 1)
      if state.stop != nil { _ = try handOver(); return }
      if state.failure != nil || status != 0 { throw refusal() }
      if try !handOver() { return }
      if !state.sawSurvey {
        throw KvalitetError(
          .inputRefused, "the file has no <survey> element", at: SourceLocation(file: file.name))
      }
  }

  // MARK: SAX callbacks

  /// Runs `body` with the state behind a callback's context, borrowed: no reference counting
  /// on the 90 or so callbacks of every response.
  private static func withState(_ context: UnsafeMutableRawPointer?, _ body: (State) -> Void) {
    guard let context else { return }
    Unmanaged<State>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
  }

  private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }

  /// The bytes of attribute `name`'s value (see `attribute`), not copied.
  private static func attributeBytes(
    _ name: StaticString, _ count: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
  ) -> (UnsafePointer<xmlChar>, Int)? {
    guard let attributes else { return nil }
    for index in 0..<Int(count) {
      let base = attributes + 5 * index
      guard let local = base[0],
        strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self),
          UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0,
        let start = base[3], let end = base[4]
      else { continue }
      return (start, end - start)
    }
    return nil
  }

  /// The value of attribute `name` in libxml2's SAX2 attribute array (5 pointers each: local
  /// name, prefix, URI, value start, value end; the value is not NUL-terminated).
  private static func attribute(
    _ name: String, _ count: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
  ) -> String? {
    guard let attributes else { return nil }
    for index in 0..<Int(count) {
      let base = attributes + 5 * index
      guard let local = base[0],
        strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), name) == 0,
        let start = base[3], let end = base[4]
      else { continue }
      let buffer = UnsafeBufferPointer(start: start, count: end - start)
      return String(decoding: buffer, as: UTF8.self)
    }
    return nil
  }

  fileprivate static func handler() -> xmlSAXHandler {
    var handler = xmlSAXHandler()
    handler.initialized = XML_SAX2_MAGIC
    handler.internalSubset = { context, _, _, _ in
      Self.withState(context) {
        $0.stop(
          "a <!DOCTYPE> is not allowed in response files (entities and DTDs are refused for safety)"
        )
      }
    }
    handler.reference = { context, _ in
      Self.withState(context) { $0.stop("entity references are not allowed in response files") }
    }
    handler.serror = { context, error in
      guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else {
        return
      }
      let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
      guard state.failure == nil else { return }
      let message =
        error.pointee.message.map { String(cString: $0).trimmingSpaces } ?? "malformed XML"
      state.failure = (message, Int(error.pointee.line), Int(error.pointee.int2))
    }
    handler.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
      Self.withState(context) { state in Self.start(state, localName, attributeCount, attributes) }
    }
    handler.endElementNs = { context, _, _, _ in
      Self.withState(context) { state in Self.end(state) }
    }
    let characters: charactersSAXFunc = { context, characters, length in
      Self.withState(context) { state in
        if case .none = state.target { return }
        guard let characters, length > 0 else { return }
        if state.text.utf8.count + Int(length) > state.maxTextBytes {
          state.stop("a text is longer than \(describeBytes(state.maxTextBytes)) (limit: --max-field-mib)")
          return
        }
        let piece = TextEncoding.utf8.decode(UnsafeBufferPointer(start: characters, count: Int(length)))
        if state.text.isEmpty { state.text = piece } else { state.text += piece }
      }
    }
    handler.characters = characters
    handler.ignorableWhitespace = characters
    handler.cdataBlock = characters
    return handler
  }

  private static func start(
    _ state: State, _ localName: UnsafePointer<xmlChar>?, _ attributeCount: Int32,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
  ) {
    let depth = state.depth
    state.depth += 1
    if depth >= state.maxDepth {
      state.stop("elements are nested deeper than \(state.maxDepth) levels (limit: --max-xml-depth)")
      return
    }
    guard let localName else { return }
    let name = UnsafeRawPointer(localName).assumingMemoryBound(to: CChar.self)
    func named(_ expected: StaticString) -> Bool {
      strcmp(name, UnsafeRawPointer(expected.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }
    if state.stopAfter != nil || state.firstAfter != nil {
      // Reading a part: its first element and the one that ends it are its boundaries.
      let mark = state.mark
      let boundary = Boundary(mark: mark, line: state.line,
        context: depth == 2 && state.unit != nil && named("response") ? state.context : nil)
      if let stopAfter = state.stopAfter, mark > stopAfter {
        state.stop = boundary
        if let parser = state.parser { xmlStopParser(parser) }
        return
      }
      if let firstAfter = state.firstAfter, mark > firstAfter {
        state.first = boundary
        state.firstAfter = nil
      }
    }
    func attribute(_ key: String) -> String? { Self.attribute(key, attributeCount, attributes) }
    if depth == 3 && state.inResponse && named("answer") {
      var name: String?
      if let (start, count) = Self.attributeBytes("item", attributeCount, attributes) {
        let position = state.answerCount
        if !state.namesDiverged && position < state.sharedNames.count {
          var shared = state.sharedNames[position]
          if shared.withUTF8({ $0.count == count && (count == 0 || memcmp($0.baseAddress!, start, count) == 0) }) {
            name = shared
          }
        }
        if name == nil {
          if !state.namesDiverged {
            state.namesDiverged = true
            state.record.answerNames = Array(state.sharedNames.prefix(position))
          }
          name = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        }
      } else if !state.namesDiverged {
        state.namesDiverged = true
        state.record.answerNames = Array(state.sharedNames.prefix(state.answerCount))
      }
      state.target = .answer(name ?? "")
      state.text = ""
    } else if depth == 3 && state.inResponse && named("background") {
      state.target = .background(attribute("name") ?? "")
      state.text = ""
    } else if depth == 3 && state.inResponse && named("comment") {
      // Free text is kept by the export, never scored.
    } else if depth == 2 && state.unit != nil && named("response") {
      var record = ResponseRecord(line: state.line)
      record.offset = state.mark
      record.respondent = attribute("id")
      record.status = attribute("status")
      record.set = state.survey.set
      record.municipality = state.survey.municipality
      record.period = state.survey.period
      record.unit = state.unit?.id
      record.service = state.unit?.service
      record.subproject = state.unit?.subproject
      record.invited = state.unit?.invited
      record.unitName = state.unit?.name
      state.record = record
      state.answerCount = 0
      state.namesDiverged = false
      state.inResponse = true
    } else if depth == 1 && named("unit") {
      state.unit = (
        attribute("id"), attribute("service"), attribute("subproject"), attribute("invited"),
        attribute("name")
      )
    } else if depth == 0 && named("survey") {
      state.sawSurvey = true
      state.survey = (attribute("set"), attribute("municipality"), attribute("period"))
    } else {
      let elementName = String(cString: name)
      if depth == 0 {
        state.stop("the root element must be <survey>, not <\(elementName)>")
        return
      }
      let file = state.file.name
      if state.warnedElements.insert("\(elementName)@\(depth)").inserted {
        var warning = Problem(
          .unknownElement, file: file, line: state.line, column: elementName,
          message: "element <\(elementName)> is not part of the format here and is ignored"
            + (elementName == "response"
              ? " (a <response> must be inside a <unit>); the response is not counted" : ""))
        // U+001F cannot occur in XML names or values, so no column's name is the same key.
        warning.onceKey = "\u{1F}element\u{1F}\(elementName)@\(depth)"
        state.events.append(.problem(warning))
      }
      if elementName == "response" {
        state.events.append(
          .problem(
            Problem(
              .missingField, file: file, line: state.line,
              respondent: attribute("id") ?? "", column: "unit",
              message: "a <response> outside a <unit> has no unit; it is not counted")))
      }
    }
  }

  private static func end(_ state: State) {
    state.depth -= 1
    switch state.depth {
    case 3:
      switch state.target {
      case .answer(let item):
        if state.namesDiverged { state.record.answerNames.append(item) }
        state.record.answerValues.append(state.text)
        state.answerCount += 1
      case .background(let variable):
        state.record.background.append(.init(name: variable, value: state.text))
      case .none: break
      }
      state.target = .none
    case 2:
      if state.inResponse {
        state.inResponse = false
        if !state.namesDiverged {
          state.record.answerNames = state.answerCount == state.sharedNames.count
            ? state.sharedNames : Array(state.sharedNames.prefix(state.answerCount))
        }
        state.sharedNames = state.record.answerNames
        state.events.append(.record(state.record))
      }
    case 1:
      state.unit = nil
    default:
      break
    }
  }
}
