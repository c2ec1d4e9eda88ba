import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// Reads responses from XML files (FORMAT.md §3) as a stream with libxml2's `xmlTextReader`.
///
/// Hostile files: network access is off, external entities and DTDs are never loaded, entities
/// are never substituted, and a document with a `<!DOCTYPE>` is refused outright (the format
/// needs none), which rules out "billion laughs" and external-entity file reads.
public struct XMLResponseReader: ResponseReader {
    public var name: String { "xml" }
    public var fileExtensions: Set<String> { ["xml"] }

    public init() {}

    /// Parser options: no network, no DTD loading or validation, no entity substitution, no
    /// libxml2 diagnostics on standard error (we collect them), and no "huge" relaxations.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Collects libxml2's first error with its position.
    final class ErrorCollector {
        var message: String?
        var line: Int?
        var column: Int?
    }

    /// Where the text of the current element goes.
    private enum TextTarget {
        case none
        case answer(String)
        case background(String)
    }

    /// The element names of the format, as C strings, for comparing without making Strings.
    private static let names = (
        survey: Array("survey".utf8CString), unit: Array("unit".utf8CString), response: Array("response".utf8CString),
        answer: Array("answer".utf8CString), background: Array("background".utf8CString),
        comment: Array("comment".utf8CString))

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        // Open through ByteSource first for the same "cannot open" messages as CSV.
        _ = try ByteSource(file, chunkSize: 1)
        guard let reader = xmlReaderForFile(file.url.path, nil, Self.options) else {
            throw KvalitetError(.inputRefused, "cannot open the file as XML", at: SourceLocation(file: file.name))
        }
        defer { xmlFreeTextReader(reader) }
        let collector = ErrorCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { userData, error in
            guard let userData, let error else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(userData).takeUnretainedValue()
            guard collector.message == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            collector.message = error.pointee.message.map { String(cString: $0).trimmingSpaces } ?? "malformed XML"
            collector.line = Int(error.pointee.line)
            collector.column = Int(error.pointee.int2)
        }, context)

        // Responses are handed on as they close, so memory stays constant. A malformed file is
        // still refused whole (FORMAT.md §3): the refusal stops the run and nothing is written.
        var survey: (set: String?, municipality: String?, period: String?) = (nil, nil, nil)
        var unit: (id: String?, service: String?, subproject: String?, invited: String?, name: String?)?
        // The open response: plain locals (an optional struct would be copied on every access).
        var inResponse = false
        var record = ResponseRecord(line: 0)
        var target = TextTarget.none
        var text = ""
        var warnedElements: Set<String> = []
        var sawSurvey = false
        func notWellFormed() -> KvalitetError {
            var message = collector.message ?? "parse error"
            // libxml2's reader reports a document that ends with elements still open as "Extra
            // content at the end of the document"; say what it means for an export file.
            if message.hasPrefix("Extra content at the end") && sawSurvey {
                message = "the file ends before its elements are closed (cut off?)"
            }
            return refuse("not well-formed XML: \(message); nothing of the file is counted",
                line: collector.line, column: collector.column)
        }
        func refuse(_ message: String, line: Int? = nil, column: Int? = nil) -> KvalitetError {
            KvalitetError(.inputRefused, message, at: SourceLocation(file: file.name, line: line, column: column))
        }
        /// An attribute's value without libxml2 allocating a copy.
        func attribute(_ name: String) -> String? {
            guard xmlTextReaderMoveToAttribute(reader, name) == 1 else { return nil }
            defer { xmlTextReaderMoveToElement(reader) }
            return xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
        }
        /// The current node's own line (the parser's position runs ahead of the node reported).
        func line() -> Int {
            let nodeLine = xmlTextReaderCurrentNode(reader).map { Int(xmlGetLineNo($0)) } ?? -1
            return nodeLine > 0 ? nodeLine : Int(xmlTextReaderGetParserLineNumber(reader))
        }
        func isNamed(_ name: UnsafePointer<xmlChar>?, _ expected: [CChar]) -> Bool {
            guard let name else { return false }
            return expected.withUnsafeBufferPointer { strcmp(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), $0.baseAddress!) == 0 }
        }

        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            if status < 0 || collector.message != nil { throw notWellFormed() }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
                if case .none = target { break }
                if let value = xmlTextReaderConstValue(reader) { text += String(cString: value) }
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                let name = xmlTextReaderConstLocalName(reader)
                let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
                let depth = xmlTextReaderDepth(reader)
                if depth == 3 && inResponse && isNamed(name, Self.names.answer) {
                    let item = attribute("item") ?? ""
                    if isEmpty { record.appendAnswer(name: item, value: "") } else { target = .answer(item); text = "" }
                } else if depth == 3 && inResponse && isNamed(name, Self.names.background) {
                    let variable = attribute("name") ?? ""
                    if isEmpty {
                        record.background.append(.init(name: variable, value: ""))
                    } else {
                        target = .background(variable)
                        text = ""
                    }
                } else if depth == 3 && inResponse && isNamed(name, Self.names.comment) {
                    // Free text is kept by the export, never scored.
                } else if depth == 2 && unit != nil && isNamed(name, Self.names.response) {
                    record = ResponseRecord(line: line())
                    record.respondent = attribute("id")
                    record.status = attribute("status")
                    record.set = survey.set
                    record.municipality = survey.municipality
                    record.period = survey.period
                    record.unit = unit?.id
                    record.service = unit?.service
                    record.subproject = unit?.subproject
                    record.invited = unit?.invited
                    record.unitName = unit?.name
                    inResponse = !isEmpty
                    if isEmpty { try sink.receive(record, from: file) }
                } else if depth == 1 && isNamed(name, Self.names.unit) {
                    unit = isEmpty ? nil : (attribute("id"), attribute("service"), attribute("subproject"), attribute("invited"), attribute("name"))
                } else if depth == 0 && isNamed(name, Self.names.survey) {
                    sawSurvey = true
                    survey = (attribute("set"), attribute("municipality"), attribute("period"))
                } else {
                    let elementName = name.map { String(cString: $0) } ?? ""
                    if depth == 0 {
                        throw refuse("the root element must be <survey>, not <\(elementName)>", line: line())
                    }
                    if warnedElements.insert("\(elementName)@\(depth)").inserted {
                        try sink.report(Problem(.unknownElement, file: file.name, line: line(), column: elementName,
                            message: "element <\(elementName)> is not part of the format here and is ignored"
                                + (elementName == "response" ? " (a <response> must be inside a <unit>); the response is not counted" : "")))
                    }
                    if elementName == "response" {
                        try sink.report(Problem(.missingField, file: file.name, line: line(),
                            respondent: attribute("id") ?? "", column: "unit",
                            message: "a <response> outside a <unit> has no unit; it is not counted"))
                    }
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                switch xmlTextReaderDepth(reader) {
                case 3:
                    switch target {
                    case .answer(let item): record.appendAnswer(name: item, value: text)
                    case .background(let variable): record.background.append(.init(name: variable, value: text))
                    case .none: break
                    }
                    target = .none
                case 2:
                    if inResponse {
                        inResponse = false
                        try sink.receive(record, from: file)
                    }
                case 1:
                    unit = nil
                default: break
                }
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                throw refuse("a <!DOCTYPE> is not allowed in response files (entities and DTDs are refused for safety)", line: line())
            case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
                throw refuse("entity references are not allowed in response files", line: line())
            default:
                break
            }
        }
        if collector.message != nil { throw notWellFormed() }
        if !sawSurvey { throw refuse("the file has no <survey> element") }
    }
}
